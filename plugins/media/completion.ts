import type { CompletionFetcher } from '../../core/index.js'
import type { MatrixApi } from '../matrix/api.js'
import type { ServerApi } from '../server/api.js'
import type { UserApi } from '../user/api.js'

const MAX_VALUES = 1000
const TOP_UPLOADERS = 10

/**
 * Media IDs for completion, best effort: the admin's own uploads, then those of the users with the most media
 * (from the media statistics), newest first. A part that fails is left out.
 */
export const mediaIds: CompletionFetcher = async (api) => {
  const accounts = await api<UserApi>('user')
  const users: string[] = []
  const own = await api<MatrixApi>('matrix').then((m) => m.whoami()).catch(() => undefined)
  if (own) users.push(own.user_id)
  const top = await api<ServerApi>('server')
    .then((s) => s.userMediaStatistics({ order_by: 'media_count', dir: 'b', limit: TOP_UPLOADERS }))
    .catch(() => undefined)
  for (const { user_id } of top?.users ?? []) if (!users.includes(user_id)) users.push(user_id)

  const ids = new Set<string>()
  for (const userId of users) {
    if (ids.size >= MAX_VALUES) break
    const page = await accounts.media(userId, { limit: MAX_VALUES - ids.size, order_by: 'created_ts', dir: 'b' }).catch(() => undefined)
    for (const item of page?.media ?? []) ids.add(item.media_id)
  }
  return [...ids]
}
