/** Media Admin API requests, available to other plugins as `ctx.use('media')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface DeleteOldMediaQuery {
  before_ts: number
  size_gt?: number
  keep_profiles?: boolean
}

export interface MediaInfo {
  media_id: string
  media_origin: string | null
  user_id: string | null
  media_type: string
  media_length: number
  upload_name: string | null
  created_ts: number
  last_access_ts: number | null
  quarantined_by: string | null
  safe_from_quarantine: boolean | null
  [key: string]: unknown
}


export function createMediaApi({ admin }: ApiServices) {
  return {
    /** mxc URIs of the media referenced in an unencrypted room: `{ local: [], remote: [] }` */
    roomMedia: (roomId: string) => admin.get<{ local: string[]; remote: string[] }>(path`v1/room/${roomId}/media`),
    /** one local or cached remote media item: `{ media_info: {...} }` */
    details: (serverName: string, mediaId: string) =>
      admin.get<{ media_info: MediaInfo }>(path`v1/media/${serverName}/${mediaId}`),
    quarantine: (serverName: string, mediaId: string) =>
      admin.post<Record<string, never>>(path`v1/media/quarantine/${serverName}/${mediaId}`, {}),
    unquarantine: (serverName: string, mediaId: string) =>
      admin.post<Record<string, never>>(path`v1/media/unquarantine/${serverName}/${mediaId}`, {}),
    quarantineInRoom: (roomId: string) => admin.post<{ num_quarantined: number }>(path`v1/room/${roomId}/media/quarantine`, {}),
    quarantineByUser: (userId: string) => admin.post<{ num_quarantined: number }>(path`v1/user/${userId}/media/quarantine`, {}),
    protect: (mediaId: string) => admin.post<Record<string, never>>(path`v1/media/protect/${mediaId}`, {}),
    unprotect: (mediaId: string) => admin.post<Record<string, never>>(path`v1/media/unprotect/${mediaId}`, {}),
    /** one batch (up to 100) of quarantine changes after stream position `from` */
    quarantineChanges: (from?: unknown) =>
      admin.get<{ next_batch: number; changes: { origin: string; media_id: string; quarantined: boolean }[] }>('v1/media/quarantine_changes', {
        query: { from },
      }),
    /** deletes one local media item (the server name must be the local one) */
    delete: (serverName: string, mediaId: string) =>
      admin.delete<{ deleted_media: string[]; total: number }>(path`v1/media/${serverName}/${mediaId}`),
    /** deletes local media (and local copies of remote media) last accessed before a time */
    deleteOld: (query: DeleteOldMediaQuery) =>
      admin.post<{ deleted_media: string[]; total: number }>('v1/media/delete', {}, { query: { ...query } }),
    /** drops cached remote media last accessed before a time */
    purgeRemoteCache: (beforeTs: number) => admin.post<{ deleted: number }>('v1/purge_media_cache', {}, { query: { before_ts: beforeTs } }),
  }
}

export type MediaApi = ReturnType<typeof createMediaApi>
