import type { CompletionFetcher } from '../../core/index.js'
import type { MasApi } from '../mas/api.js'
import type { RegtokApi } from './api.js'

/** Every registration token (servers have few): Synapse's, or MAS's on a server that delegates auth to MAS. */
export const tokenNames: CompletionFetcher = async (api) => {
  const mas = await api<MasApi>('mas')
  if (await mas.onMas()) return (await mas.listTokens({}, { first: 1000, count: false })).items.map((t) => t.token)
  const { registration_tokens: tokens } = await (await api<RegtokApi>('regtok')).list()
  return tokens.slice(0, 1000).map((t) => t.token)
}
