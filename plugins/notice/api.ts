/** Server notice Admin API requests, available to other plugins as `ctx.use('notice')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface NoticeBody {
  user_id: string
  content: Record<string, unknown>
  type?: string
  state_key?: string
}

export function createNoticeApi({ admin }: ApiServices) {
  return {
    /** sends a notice; each call sends again */
    send: (notice: NoticeBody) => admin.post<{ event_id: string }>('v1/send_server_notice', notice),
    /** sends a notice once per transaction ID: a repeated ID gets the first reply and sends nothing */
    sendOnce: (txnId: string, notice: NoticeBody) => admin.put<{ event_id: string }>(path`v1/send_server_notice/${txnId}`, notice),
  }
}

export type NoticeApi = ReturnType<typeof createNoticeApi>
