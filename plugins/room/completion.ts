/** Live completion values for room arguments: the first 1000 rooms of the server's room list. */
import type { RoomApi } from './api.js'

type ApiOf = <T>(namespace: string) => Promise<T>

const COMPLETION_LIMIT = 1000

async function firstRooms(api: ApiOf) {
  const { rooms } = await (await api<RoomApi>('room')).listRooms({ limit: COMPLETION_LIMIT })
  return rooms
}

export const roomIds = async (api: ApiOf) => (await firstRooms(api)).map((room) => room.room_id)

export const roomAliases = async (api: ApiOf) =>
  (await firstRooms(api)).map((room) => room.canonical_alias).filter((alias): alias is string => typeof alias === 'string' && alias !== '')
