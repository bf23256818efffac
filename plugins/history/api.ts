/** History purge requests, available to other plugins as `ctx.use('history')`. */
import { path, type ApiServices } from '../../core/index.js'

/** Exactly one cut-off: an event, or a timestamp in ms. */
export type PurgeHistoryBody = ({ purge_up_to_event_id: string } | { purge_up_to_ts: number }) & { delete_local_events?: true }

/** Synapse reports active, complete or failed (and `error` on failure); other values are passed on as they come. */
export interface PurgeStatus {
  status: string
  error?: string
  [key: string]: unknown
}

export function createHistoryApi({ admin }: ApiServices) {
  return {
    purge: (roomId: string, body: PurgeHistoryBody) => admin.post<{ purge_id: string }>(path`v1/purge_history/${roomId}`, body),
    status: (purgeId: string) => admin.get<PurgeStatus>(path`v1/purge_history_status/${purgeId}`),
  }
}

export type HistoryApi = ReturnType<typeof createHistoryApi>
