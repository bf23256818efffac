/** Live completion values for user IDs (the synadm> shell caches them; big servers are searched). */
import type { ApiOf, CompletionProvider } from '../../core/index.js'
import type { MasApi } from '../mas/api.js'
import type { UserApi } from './api.js'

const CACHED = 1000
const FOUND = 100

/** Guests are listed too, but on a server that delegates auth to MAS (Synapse refuses to list them there). */
const guests = async (api: ApiOf) => !(await (await api<MasApi>('mas')).onMas())

/** The first 1000 user IDs, guests included, deactivated accounts left out; the user list's search for the rest. */
export const userIds: CompletionProvider = {
  async fetch(api) {
    const page = await (await api<UserApi>('user')).list({ from: 0, limit: CACHED, guests: await guests(api) })
    return { values: page.users.map((u) => u.name), partial: page.total > page.users.length }
  },
  async search(api, prefix) {
    // `user_id` matches IDs containing the text; the engine keeps those that start with the prefix.
    const page = await (await api<UserApi>('user')).list({ from: 0, limit: FOUND, guests: await guests(api), user_id: prefix })
    return page.users.map((u) => u.name)
  },
}
