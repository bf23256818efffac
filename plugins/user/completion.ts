/** Live completion values for user IDs (the synadm> shell caches them). */
import type { CompletionFetcher } from '../../core/index.js'
import type { UserApi } from './api.js'

/** Up to 1000 user IDs, guests included, deactivated accounts left out. */
export const userIds: CompletionFetcher = async (api) => {
  const users = await api<UserApi>('user')
  const page = await users.list({ from: 0, limit: 1000, guests: true })
  return page.users.map((u) => u.name)
}
