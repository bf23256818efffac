/** Server notice Admin API requests, available to other plugins as `ctx.use('notice')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface NoticeBody {
  user_id: string
  content: Record<string, unknown>
  type?: string
  state_key?: string
}

export type UserListPage = {
  users: { name: string; [key: string]: unknown }[]
  total: number
  next_token?: string
}

export function createNoticeApi({ admin }: ApiServices) {
  return {
    /** sends a notice; each call sends again */
    send: (notice: NoticeBody) => admin.post<{ event_id: string }>('v1/send_server_notice', notice),
    /** sends a notice once per transaction ID: a repeated ID gets the first reply and sends nothing */
    sendOnce: (txnId: string, notice: NoticeBody) => admin.put<{ event_id: string }>(path`v1/send_server_notice/${txnId}`, notice),
    /** one page of accounts (guests included, deactivated left out), to pick recipients from */
    users: (from: unknown, limit: number) => admin.get<UserListPage>('v2/users', { query: { from, limit, guests: true } }),
  }
}

export type NoticeApi = ReturnType<typeof createNoticeApi>
