/** Federation destination Admin API requests, available to other plugins as `ctx.use('federation')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface Destination {
  destination: string
  retry_last_ts: number
  retry_interval: number
  failure_ts: number | null
  last_successful_stream_ordering: number | null
}

export interface DestinationQuery {
  from?: unknown
  limit?: number
  order_by?: 'destination' | 'retry_last_ts' | 'retry_interval' | 'failure_ts' | 'last_successful_stream_ordering'
  dir?: 'f' | 'b'
  /** only destinations whose name contains this */
  destination?: string
}

export function createFederationApi({ admin }: ApiServices) {
  return {
    /** one page of the servers this one federates with */
    destinations: (query: DestinationQuery = {}) =>
      admin.get<{ destinations: Destination[]; total: number; next_token?: string }>('v1/federation/destinations', { query: { ...query } }),
    destination: (name: string) => admin.get<Destination>(path`v1/federation/destinations/${name}`),
    /** one page of the rooms shared with a destination */
    destinationRooms: (name: string, query: { from?: unknown; limit?: number; dir?: 'f' | 'b' } = {}) =>
      admin.get<{ rooms: { room_id: string; stream_ordering: number }[]; total: number; next_token?: string }>(
        path`v1/federation/destinations/${name}/rooms`,
        { query: { ...query } },
      ),
    /** clears the retry back-off of a destination and tries to reach it now */
    resetConnection: (name: string) => admin.post<Record<string, never>>(path`v1/federation/destinations/${name}/reset_connection`, {}),
  }
}

export type FederationApi = ReturnType<typeof createFederationApi>
