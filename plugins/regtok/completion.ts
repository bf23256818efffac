import type { CompletionFetcher } from '../../core/index.js'
import type { RegtokApi } from './api.js'

/** Every registration token (servers have few). */
export const tokenNames: CompletionFetcher = async (api) => {
  const { registration_tokens: tokens } = await (await api<RegtokApi>('regtok')).list()
  return tokens.slice(0, 1000).map((t) => t.token)
}
