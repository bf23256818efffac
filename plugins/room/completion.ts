/** Live completion values for room arguments: the first 1000 rooms, and the room list's search for the rest. */
import type { ApiOf, CompletionProvider } from '../../core/index.js'
import type { RoomApi } from './api.js'

const CACHED = 1000
const FOUND = 100

async function rooms(api: ApiOf, limit: number, search_term?: string) {
  return (await api<RoomApi>('room')).listRooms({ limit, ...(search_term ? { search_term } : {}) })
}

const aliasesOf = (list: { canonical_alias?: string | null }[]) =>
  list.map((room) => room.canonical_alias).filter((alias): alias is string => typeof alias === 'string' && alias !== '')

/** Room IDs of the first 1000 rooms of the room list; its search for the rest. */
export const roomIds: CompletionProvider = {
  async fetch(api) {
    const page = await rooms(api, CACHED)
    return { values: page.rooms.map((room) => room.room_id), partial: page.next_batch !== undefined && page.next_batch !== null }
  },
  // The search term matches room names, canonical aliases and room IDs.
  search: async (api, prefix) => (await rooms(api, FOUND, prefix)).rooms.map((room) => room.room_id),
}

/** Canonical aliases of the same rooms. */
export const roomAliases: CompletionProvider = {
  async fetch(api) {
    const page = await rooms(api, CACHED)
    return { values: aliasesOf(page.rooms), partial: page.next_batch !== undefined && page.next_batch !== null }
  },
  // All rooms, not only those published in the directory: an admin completes aliases of private rooms too.
  search: async (api, prefix) => aliasesOf((await rooms(api, FOUND, prefix)).rooms),
}
