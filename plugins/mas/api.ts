/**
 * MAS's admin API (`/api/admin/v1`, scope urn:mas:admin), one method per operation, for servers that delegate auth
 * to MAS; other plugins get it with `ctx.use('mas')` (the user and regtok plugins do, to do their job there).
 * Resources come flat (`{id, ...attributes}`), lists as pages (`{items, total, next}`: `next` is the cursor of the
 * next page). MAS's URL and token are found once per session (README: Servers that delegate auth to MAS).
 */
import { path, SynadmError, type ApiServices } from '../../core/index.js'
import { delegation, endpoint, masClient, ULID, type Delegation, type MasClient } from './client.js'

export type { Delegation } from './client.js'

export interface MasUser {
  id: string
  username: string
  created_at: string
  locked_at: string | null
  deactivated_at: string | null
  /** may request admin rights (urn:synapse:admin:*, urn:mas:admin) */
  admin: boolean
  legacy_guest: boolean
}

/** A compatibility (`compat`), OAuth 2.0 (`oauth2`) or browser (`browser`) session. */
export interface MasSession {
  id: string
  user_id: string | null
  created_at: string
  finished_at: string | null
  last_active_at?: string | null
  [key: string]: unknown
}

export interface MasPersonalSession {
  id: string
  actor_user_id: string
  owner_user_id: string | null
  owner_client_id: string | null
  human_name: string
  scope: string
  created_at: string
  revoked_at: string | null
  expires_at: string | null
  /** the token: only in the reply of add and regenerate */
  access_token: string | null
  [key: string]: unknown
}

export interface MasEmail {
  id: string
  user_id: string
  email: string
  created_at: string
}

export interface MasRegistrationToken {
  id: string
  token: string
  valid: boolean
  usage_limit: number | null
  times_used: number
  created_at: string
  last_used_at: string | null
  expires_at: string | null
  revoked_at: string | null
}

/** Anything else MAS lists: upstream links and providers, OAuth 2.0 clients, policy data. */
export interface MasRecord {
  id: string
  [key: string]: unknown
}

/**
 * One page of a list: `next` is the cursor to ask for the page after it (none on the last page). Core's paginator
 * reads it as is: `ctx.items((after) => mas.listUsers({}, { after }), { items: 'items', next: 'next' })`.
 */
export type MasPage<T> = {
  items: T[]
  /** the number of items in all pages, when asked for (the first page of a listing) */
  total?: number
  next?: string
}

/** A list's filters by MAS's names, without `filter[…]`: `{ status: 'locked', admin: true }`. */
export type MasFilter = Record<string, string | number | boolean | readonly string[] | undefined>

export interface PageQuery {
  /** the cursor: items after this ID */
  after?: string
  /** items per page (MAS's default is 10) */
  first?: number
  /** count the items of all pages (MAS's default is true; it costs MAS a query) */
  count?: boolean
}

export type SessionKind = 'compat' | 'oauth2' | 'browser'
/** Each kind of session and the collection MAS keeps it in. */
export const SESSION_COLLECTIONS: Record<SessionKind, string> = { compat: 'compat-sessions', oauth2: 'oauth2-sessions', browser: 'user-sessions' }

interface Resource {
  id: string
  attributes: Record<string, unknown>
  meta?: { page?: { cursor?: string } }
}
interface Single {
  data: Resource
}
interface Listing {
  meta?: { count?: number }
  data: Resource[]
  links?: { next?: string | null }
}

const flat = <T>(resource: Resource): T => ({ id: resource.id, ...resource.attributes }) as T
const one = <T>(reply: Single): T => flat<T>(reply.data)

function pageOf<T>(reply: Listing): MasPage<T> {
  const last = reply.data.at(-1)
  const next = reply.links?.next && last ? (last.meta?.page?.cursor ?? last.id) : undefined
  return { items: reply.data.map((r) => flat<T>(r)), ...(typeof reply.meta?.count === 'number' ? { total: reply.meta.count } : {}), ...(next ? { next } : {}) }
}

function listQuery(filter: MasFilter = {}, page: PageQuery = {}): Record<string, unknown> {
  const query: Record<string, unknown> = { 'page[after]': page.after, 'page[first]': page.first, count: page.count }
  for (const [name, value] of Object.entries(filter)) query[`filter[${name}]`] = value
  return query
}

/** MAS's admin API (paths under /api/admin/v1), found and connected on first use. */
function onFirstUse(connect: () => Promise<MasClient>) {
  let client: Promise<MasClient> | undefined
  const connected = () => (client ??= connect())
  return {
    get: async <T>(p: string, query?: Record<string, unknown>) => (await connected()).get<T>(p, query),
    post: async <T>(p: string, body?: unknown) => (await connected()).post<T>(p, body),
    put: async <T>(p: string, body?: unknown) => (await connected()).put<T>(p, body),
    delete: async <T>(p: string) => (await connected()).delete<T>(p),
  }
}

export function createMasApi(services: ApiServices) {
  const mas = onFirstUse(() => masClient(services))
  const api = {
    /** Whether the server delegates auth to MAS, and where MAS is (asked once per session; no token sent). */
    delegation: (): Promise<Delegation> => delegation(services),
    /** The server delegates auth to MAS. */
    onMas: async () => (await delegation(services)).delegated,
    /** MAS's URL for its admin API: mas_url, else the one the server announces. */
    url: async () => (await endpoint(services)).url,

    // users
    listUsers: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasUser>(await mas.get<Listing>('users', listQuery(filter, page))),
    user: async (id: string) => one<MasUser>(await mas.get<Single>(path`users/${id}`)),
    userByUsername: async (username: string) => one<MasUser>(await mas.get<Single>(path`users/by-username/${username}`)),
    /** The MAS username a user argument names: a username, or a user ID of this server (`@alice:example.org`). */
    async localpart(value: string): Promise<string> {
      if (!value.startsWith('@')) return value
      const colon = value.indexOf(':')
      if (colon < 0) return value.slice(1)
      const server = await services.serverName()
      if (value.slice(colon + 1) !== server) throw new SynadmError('usage', `${value} is not a user of this server (${server}): MAS keeps only its own users`)
      return value.slice(1, colon)
    },
    /** The MAS user a user argument names: a MAS user ID (a ULID), a username, or a user ID of this server. */
    async userOf(value: string): Promise<MasUser> {
      const name = ULID.test(value) ? value : await api.localpart(value)
      try {
        return await (ULID.test(name) ? api.user(name) : api.userByUsername(name))
      } catch (error) {
        if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
        throw new SynadmError('notFound', `MAS has no user '${name}'`, { status: 404, hint: `MAS's own list: synadm mas users list -s ${name}; an account only Synapse has joins MAS with: synadm mas users add ${name} --skip-homeserver-check` })
      }
    },
    addUser: async (body: { username: string; skip_homeserver_check?: boolean; displayname?: string; avatar_url?: string }) => one<MasUser>(await mas.post<Single>('users', body)),
    lockUser: async (id: string) => one<MasUser>(await mas.post<Single>(path`users/${id}/lock`)),
    unlockUser: async (id: string) => one<MasUser>(await mas.post<Single>(path`users/${id}/unlock`)),
    /** Deactivates; MAS asks Synapse to deactivate the account too, and to GDPR-erase it unless `skipErase`. */
    deactivateUser: async (id: string, skipErase: boolean) => one<MasUser>(await mas.post<Single>(path`users/${id}/deactivate`, { skip_erase: skipErase })),
    reactivateUser: async (id: string) => one<MasUser>(await mas.post<Single>(path`users/${id}/reactivate`)),
    /** Sets the password (MAS answers 204: nothing to show). */
    setPassword: async (id: string, password: string, skipCheck?: boolean) => {
      await mas.post(path`users/${id}/set-password`, { password, ...(skipCheck ? { skip_password_check: true } : {}) })
    },
    setAdmin: async (id: string, admin: boolean) => one<MasUser>(await mas.post<Single>(path`users/${id}/set-admin`, { admin })),

    // sessions
    /** `kind`: compat-sessions, oauth2-sessions or user-sessions (browser) */
    listSessions: async (kind: SessionKind, filter?: MasFilter, page?: PageQuery) => {
      const collection = SESSION_COLLECTIONS[kind]
      return pageOf<MasSession>(await mas.get<Listing>(`${collection}`, listQuery(filter, page)))
    },
    session: async (kind: SessionKind, id: string) => {
      const collection = SESSION_COLLECTIONS[kind]
      return one<MasSession>(await mas.get<Single>(`${collection}/${path`${id}`}`))
    },
    finishSession: async (kind: SessionKind, id: string) => {
      const collection = SESSION_COLLECTIONS[kind]
      return one<MasSession>(await mas.post<Single>(`${collection}/${path`${id}`}/finish`))
    },
    /** A session by ID, whatever its kind (compat, then OAuth 2.0, then browser sessions are asked). */
    async findSession(id: string): Promise<{ kind: SessionKind; session: MasSession }> {
      for (const kind of Object.keys(SESSION_COLLECTIONS) as SessionKind[]) {
        try {
          return { kind, session: await api.session(kind, id) }
        } catch (error) {
          if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
        }
      }
      throw new SynadmError('notFound', `MAS has no session ${id} (no compatibility, OAuth 2.0 or browser session)`, { status: 404, hint: 'synadm mas sessions list -u USER lists them' })
    },
    listPersonalSessions: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasPersonalSession>(await mas.get<Listing>('personal-sessions', listQuery(filter, page))),
    personalSession: async (id: string) => one<MasPersonalSession>(await mas.get<Single>(path`personal-sessions/${id}`)),
    /** A personal session acting as `actor_user_id`; the reply holds its token (`access_token`), shown only here. */
    addPersonalSession: async (body: { actor_user_id: string; human_name: string; scope: string; expires_in?: number }) => one<MasPersonalSession>(await mas.post<Single>('personal-sessions', body)),
    revokePersonalSession: async (id: string) => one<MasPersonalSession>(await mas.post<Single>(path`personal-sessions/${id}/revoke`)),
    /** A new token for the session (the old one stops working); only the session's owner may. */
    regeneratePersonalSession: async (id: string, expiresIn?: number) => one<MasPersonalSession>(await mas.post<Single>(path`personal-sessions/${id}/regenerate`, expiresIn === undefined ? {} : { expires_in: expiresIn })),

    // e-mails, upstream links and providers, clients
    listEmails: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasEmail>(await mas.get<Listing>('user-emails', listQuery(filter, page))),
    email: async (id: string) => one<MasEmail>(await mas.get<Single>(path`user-emails/${id}`)),
    addEmail: async (userId: string, email: string) => one<MasEmail>(await mas.post<Single>('user-emails', { user_id: userId, email })),
    deleteEmail: async (id: string) => {
      await mas.delete(path`user-emails/${id}`)
    },
    listLinks: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasRecord>(await mas.get<Listing>('upstream-oauth-links', listQuery(filter, page))),
    link: async (id: string) => one<MasRecord>(await mas.get<Single>(path`upstream-oauth-links/${id}`)),
    addLink: async (body: { user_id: string; provider_id: string; subject: string; human_account_name?: string }) => one<MasRecord>(await mas.post<Single>('upstream-oauth-links', body)),
    deleteLink: async (id: string) => {
      await mas.delete(path`upstream-oauth-links/${id}`)
    },
    listProviders: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasRecord>(await mas.get<Listing>('upstream-oauth-providers', listQuery(filter, page))),
    provider: async (id: string) => one<MasRecord>(await mas.get<Single>(path`upstream-oauth-providers/${id}`)),
    listClients: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasRecord>(await mas.get<Listing>('oauth2-clients', listQuery(filter, page))),
    oauth2Client: async (id: string) => one<MasRecord>(await mas.get<Single>(path`oauth2-clients/${id}`)),

    // registration tokens
    listTokens: async (filter?: MasFilter, page?: PageQuery) => pageOf<MasRegistrationToken>(await mas.get<Listing>('user-registration-tokens', listQuery(filter, page))),
    registrationToken: async (id: string) => one<MasRegistrationToken>(await mas.get<Single>(path`user-registration-tokens/${id}`)),
    addToken: async (body: { token?: string; usage_limit?: number; expires_at?: string }) => one<MasRegistrationToken>(await mas.post<Single>('user-registration-tokens', body)),
    /** Changes what is given; null removes the limit or the expiry. */
    editToken: async (id: string, changes: { usage_limit?: number | null; expires_at?: string | null }) => one<MasRegistrationToken>(await mas.put<Single>(path`user-registration-tokens/${id}`, changes)),
    revokeToken: async (id: string) => one<MasRegistrationToken>(await mas.post<Single>(path`user-registration-tokens/${id}/revoke`)),
    unrevokeToken: async (id: string) => one<MasRegistrationToken>(await mas.post<Single>(path`user-registration-tokens/${id}/unrevoke`)),

    // MAS itself
    latestPolicyData: async () => one<MasRecord>(await mas.get<Single>('policy-data/latest')),
    policyData: async (id: string) => one<MasRecord>(await mas.get<Single>(path`policy-data/${id}`)),
    setPolicyData: async (data: unknown) => one<MasRecord>(await mas.post<Single>('policy-data', { data })),
    siteConfig: () => mas.get<Record<string, unknown>>('site-config'),
    version: () => mas.get<{ version: string }>('version'),
  }
  return api
}

export type MasApi = ReturnType<typeof createMasApi>
