/** Live completion values from MAS's admin API: usernames, and the IDs (ULIDs) of what the commands act on. */
import type { ApiOf, CompletionProvider } from '../../core/index.js'
import type { MasApi, MasPage, PageQuery } from './api.js'

const CACHED = 1000
const FOUND = 100

const masApi = (api: ApiOf) => api<MasApi>('mas')

/** The first 1000 values of a list (`partial` when it has more), nothing asked of a server without MAS. */
function firstOf<T>(list: (mas: MasApi, page: PageQuery) => Promise<MasPage<T>>, value: (item: T) => string): CompletionProvider {
  return {
    async fetch(api) {
      const mas = await masApi(api)
      if (!(await mas.onMas()) && !(await mas.url().catch(() => undefined))) return { values: [], partial: false }
      const page = await list(mas, { first: CACHED, count: false })
      return { values: page.items.map(value), partial: page.next !== undefined }
    },
  }
}

const id = (item: { id: string }) => item.id

/** MAS usernames: the first 1000, and MAS's username search for the rest. */
export const masUsernames: CompletionProvider = {
  ...firstOf((mas, page) => mas.listUsers({}, page), (u) => u.username),
  async search(api, prefix) {
    const page = await (await masApi(api)).listUsers({ search: prefix }, { first: FOUND, count: false })
    return page.items.map((u) => u.username)
  },
}
/** IDs of active compatibility sessions (those that have devices). */
export const masSessionIds = firstOf((mas, page) => mas.listSessions('compat', { status: 'active' }, page), id)
/** IDs of active personal sessions. */
export const masPersonalSessionIds = firstOf((mas, page) => mas.listPersonalSessions({ status: 'active' }, page), id)
/** IDs of users' e-mail addresses. */
export const masEmailIds = firstOf((mas, page) => mas.listEmails({}, page), id)
/** IDs of links to upstream accounts. */
export const masLinkIds = firstOf((mas, page) => mas.listLinks({}, page), id)
/** IDs of upstream OAuth 2.0 providers. */
export const masProviderIds = firstOf((mas, page) => mas.listProviders({}, page), id)
/** IDs of OAuth 2.0 clients. */
export const masClientIds = firstOf((mas, page) => mas.listClients({}, page), id)
/** IDs of registration tokens. */
export const masTokenIds = firstOf((mas, page) => mas.listTokens({}, page), id)
