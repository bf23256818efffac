/** Room Admin API requests (and the client-API directory), available to other plugins as `ctx.use('room')`. */
import { completeAlias, path, replyField, usageError, type ApiServices } from '../../core/index.js'

/** A room of `GET v1/rooms` or `GET v1/rooms/<id>` (the fields synadm reads; Synapse sends more). */
export interface RoomRecord {
  room_id: string
  name?: string | null
  canonical_alias?: string | null
  joined_members?: number
  joined_local_members?: number
  [key: string]: unknown
}

export interface RoomListPage {
  rooms: RoomRecord[]
  offset?: number
  total_rooms?: number
  next_batch?: number
  prev_batch?: number
  [key: string]: unknown
}

export interface RoomListQuery {
  /** an offset; under --all the next_batch of the page before */
  from?: number | string
  limit?: number
  search_term?: string
  order_by?: string
  dir?: 'f' | 'b'
  public_rooms?: boolean
  empty_rooms?: boolean
}

/** The body of both room delete APIs. */
export interface DeleteRoomBody {
  block: boolean
  purge: boolean
  new_room_user_id?: string
  room_name?: string
  message?: string
  force_purge?: boolean
}

/** One deletion job (`GET v2/rooms/delete_status/<id>`); status is whatever Synapse reports, also values added later. */
export interface DeleteStatus {
  delete_id: string
  room_id: string
  status: string
  shutdown_room?: Record<string, unknown> | null
  error?: string
  [key: string]: unknown
}

export function createRoomApi({ admin, matrix, serverName }: ApiServices) {
  const api = {
    listRooms: (query: RoomListQuery) => admin.get<RoomListPage>('v1/rooms', { query: { ...query } }),
    details: (roomId: string) => admin.get<RoomRecord>(path`v1/rooms/${roomId}`),
    members: (roomId: string) => admin.get<{ members: string[]; total: number }>(path`v1/rooms/${roomId}/members`),
    state: (roomId: string, type?: string) =>
      admin.get<{ state: { type: string; state_key: string; content: Record<string, unknown> }[] }>(path`v1/rooms/${roomId}/state`, { query: { type } }),
    messages: (roomId: string, query: { from?: string; to?: string; limit?: number; dir?: string; filter?: string }) =>
      admin.get<{ chunk: unknown[]; start: string; end?: string }>(path`v1/rooms/${roomId}/messages`, { query: { ...query } }),
    timestampToEvent: (roomId: string, ts: number, dir: string) =>
      admin.get<{ event_id: string; origin_server_ts: number }>(path`v1/rooms/${roomId}/timestamp_to_event`, { query: { ts, dir } }),
    eventContext: (roomId: string, eventId: string, query: { limit?: number; filter?: string }) =>
      admin.get(path`v1/rooms/${roomId}/context/${eventId}`, { query: { ...query } }),
    hierarchy: (roomId: string, query: { from?: string; limit?: number; max_depth?: number }) =>
      admin.get<{ rooms: unknown[]; next_batch?: string }>(path`v1/rooms/${roomId}/hierarchy`, { query: { ...query } }),
    fetchEvent: (eventId: string) =>
      admin.get<{ event: { room_id: string; origin_server_ts: number; sender: string; type: string } & Record<string, unknown> }>(path`v1/fetch_event/${eventId}`),
    blockStatus: (roomId: string) => admin.get<{ block: boolean; user_id?: string }>(path`v1/rooms/${roomId}/block`),
    setBlocked: (roomId: string, block: boolean) => admin.put<{ block: boolean }>(path`v1/rooms/${roomId}/block`, { block }),
    makeAdmin: (roomId: string, userId?: string) => admin.post(path`v1/rooms/${roomId}/make_room_admin`, userId === undefined ? {} : { user_id: userId }),
    join: (roomIdOrAlias: string, userId: string) => admin.post<{ room_id: string }>(path`v1/join/${roomIdOrAlias}`, { user_id: userId }),
    forwardExtremities: (roomId: string) =>
      admin.get<{ count: number; results: { event_id: string; state_group: number; depth: number; received_ts: number }[] }>(path`v1/rooms/${roomId}/forward_extremities`),
    deleteForwardExtremities: (roomId: string) => admin.delete<{ deleted: number }>(path`v1/rooms/${roomId}/forward_extremities`),
    /** v2: starts a background job and returns its delete_id */
    deleteRoom: (roomId: string, body: DeleteRoomBody) => admin.delete<{ delete_id: string }>(path`v2/rooms/${roomId}`, body),
    /** v1: returns when the room is deleted */
    deleteRoomNow: (roomId: string, body: DeleteRoomBody) => admin.delete<Record<string, unknown>>(path`v1/rooms/${roomId}`, body),
    deleteStatus: (deleteId: string) => admin.get<DeleteStatus>(path`v2/rooms/delete_status/${deleteId}`),
    deleteStatusOfRoom: (roomId: string) => admin.get<{ results: DeleteStatus[] }>(path`v2/rooms/${roomId}/delete_status`),
    aliasToRoomId: (alias: string) => matrix.get<{ room_id: string; servers: string[] }>(path`client/v3/directory/room/${alias}`),
    aliasesOf: (roomId: string) => matrix.get<{ aliases: string[] }>(path`client/v3/rooms/${roomId}/aliases`),

    /**
     * A room argument as typed: a room ID is returned as is, an alias (#name:server) is looked up in the room
     * directory; `announce` hears which ID an alias stands for, so people see it before anything changes.
     */
    /** A room ID as is; an alias looked up (`#name` is an alias on this server, as a localpart is a user of it). */
    async resolveRoom(idOrAlias: string, announce?: (message: string) => void): Promise<string> {
      if (idOrAlias.startsWith('!')) return idOrAlias
      if (!idOrAlias.startsWith('#')) throw usageError(`'${idOrAlias}' is neither a room ID (!id:server) nor a room alias (#alias:server)`)
      const alias = idOrAlias.includes(':') ? idOrAlias : completeAlias(idOrAlias, await serverName())
      const room_id = replyField(await api.aliasToRoomId(alias), 'room_id', `the lookup of ${alias}`)
      announce?.(`${alias} is room ${room_id}`)
      return room_id
    },
  }
  return api
}

export type RoomApi = ReturnType<typeof createRoomApi>
