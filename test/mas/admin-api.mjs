// The stand-in's MAS admin API (/api/admin/v1): every operation of MAS 1.22's OpenAPI document, answering with
// MAS's shapes (JSON:API-like resources, cursor pages, {"errors":[{"title"}]}), status codes and state rules.
// The behaviour follows MAS's own handlers at the spec's commit; where MAS runs a job after replying (provisioning
// into Synapse, device sync) the stand-in runs it before replying, so a test sees Synapse already changed.
import { isUlid } from './ulid.mjs'

export const ADMIN_PREFIX = '/api/admin/v1'

export class ApiError extends Error {
  /** `plain`: a text/plain body, as axum answers a body that is not the expected JSON. */
  constructor(status, title, { plain = false } = {}) {
    super(title)
    this.status = status
    this.plain = plain
  }
}

const fail = (status, title) => {
  throw new ApiError(status, title)
}
const now = () => new Date().toISOString()
const ms = (time) => (time ? Date.parse(time) : null)

// ---- resources: type, collection path, and the attributes MAS shows ----

const pick = (record, keys) => Object.fromEntries(keys.map((key) => [key, record[key] ?? null]))
const SESSION_ACTIVITY = ['user_agent', 'last_active_at', 'last_active_ip']

/** The active (not revoked, not expired) personal access token of a session, if any. */
export function activePersonalToken(state, session) {
  for (const token of state.accessTokens.values()) {
    if (token.kind === 'personal' && token.sessionId === session.id && !token.revokedAt && !isExpired(token)) return token
  }
  return null
}

export const isExpired = (token) => token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.now()

function registrationTokenValid(token) {
  if (token.revoked_at) return false
  if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) return false
  return token.usage_limit === null || token.times_used < token.usage_limit
}

const KINDS = {
  users: { type: 'user', path: '/users', attributes: (u) => pick(u, ['username', 'created_at', 'locked_at', 'deactivated_at', 'admin', 'legacy_guest']) },
  userEmails: { type: 'user-email', path: '/user-emails', attributes: (e) => pick(e, ['created_at', 'user_id', 'email']) },
  compatSessions: {
    type: 'compat-session',
    path: '/compat-sessions',
    attributes: (s) =>
      pick(s, ['user_id', 'device_id', 'user_session_id', 'redirect_uri', 'created_at', ...SESSION_ACTIVITY, 'finished_at', 'human_name']),
  },
  oauth2Sessions: {
    type: 'oauth2-session',
    path: '/oauth2-sessions',
    attributes: (s) =>
      pick(s, ['created_at', 'finished_at', 'user_id', 'user_session_id', 'client_id', 'scope', ...SESSION_ACTIVITY, 'human_name']),
  },
  userSessions: {
    type: 'user-session',
    path: '/user-sessions',
    attributes: (s) => pick(s, ['created_at', 'finished_at', 'user_id', ...SESSION_ACTIVITY]),
  },
  personalSessions: {
    type: 'personal-session',
    path: '/personal-sessions',
    attributes: (s, state) => ({
      ...pick(s, ['created_at', 'revoked_at', 'owner_user_id', 'owner_client_id', 'actor_user_id', 'human_name', 'scope']),
      ...pick(s, ['last_active_at', 'last_active_ip']),
      expires_at: activePersonalToken(state, s)?.expiresAt ?? null,
      access_token: null, // shown once, by create and regenerate
    }),
  },
  registrationTokens: {
    type: 'user-registration_token', // sic: MAS's own spelling
    path: '/user-registration-tokens',
    attributes: (t) => ({
      ...pick(t, ['token']),
      valid: registrationTokenValid(t),
      ...pick(t, ['usage_limit', 'times_used', 'created_at', 'last_used_at', 'expires_at', 'revoked_at']),
    }),
  },
  upstreamLinks: {
    type: 'upstream-oauth-link',
    path: '/upstream-oauth-links',
    attributes: (l) => pick(l, ['created_at', 'provider_id', 'subject', 'user_id', 'human_account_name']),
  },
  upstreamProviders: {
    type: 'upstream-oauth-provider',
    path: '/upstream-oauth-providers',
    attributes: (p) => pick(p, ['issuer', 'human_name', 'brand_name', 'created_at', 'disabled_at', 'registration_token_required']),
  },
  oauth2Clients: {
    type: 'oauth2-client',
    path: '/oauth2-clients',
    attributes: (c) => pick(c, ['client_id', 'client_name', 'client_uri', 'logo_uri', 'redirect_uris', 'grant_types', 'is_static']),
  },
  policyData: { type: 'policy-data', path: '/policy-data', attributes: (p) => pick(p, ['created_at', 'data']) },
}

function resource(state, kind, record) {
  const { type, path, attributes } = KINDS[kind]
  return { type, id: record.id, attributes: attributes(record, state), links: { self: `${ADMIN_PREFIX}${path}/${record.id}` } }
}

/** `{data, links}`; `self` is the path asked for (MAS answers an action with the action's path). */
function single(state, kind, record, self) {
  const data = resource(state, kind, record)
  return { data, links: { self: self ?? data.links.self } }
}

// ---- query parameters ----

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/
const PARSERS = {
  bool: (v) => (v === 'true' ? true : v === 'false' ? false : undefined),
  ulid: (v) => (isUlid(v) ? v : undefined),
  string: (v) => v,
  datetime: (v) => (DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined),
}

function parseValue(definition, raw) {
  if (Array.isArray(definition.type)) return definition.type.includes(raw) ? raw : undefined
  return PARSERS[definition.type](raw)
}

/** Parses the filters a list declares; an unparseable value is MAS's 400 "Invalid filter parameters". */
function parseFilters(query, definitions) {
  const filters = []
  for (const definition of definitions) {
    const raws = query.getAll(definition.name)
    if (raws.length === 0) continue
    const values = (definition.many ? raws : raws.slice(-1)).map((raw) => parseValue(definition, raw))
    if (values.includes(undefined)) fail(400, 'Invalid filter parameters')
    filters.push({ definition, value: definition.many ? values : values[0] })
  }
  return filters
}

const PAGE_SIZE = 10

function parsePagination(query) {
  const cursor = (name) => {
    const raw = query.get(name)
    if (raw !== null && !isUlid(raw)) fail(400, 'Invalid pagination parameters')
    return raw
  }
  const size = (name) => {
    const raw = query.get(name)
    if (raw === null) return null
    if (!/^\d+$/.test(raw) || Number(raw) < 1) fail(400, 'Invalid pagination parameters')
    return Number(raw)
  }
  const before = cursor('page[before]')
  const after = cursor('page[after]')
  const first = size('page[first]')
  const last = size('page[last]')
  const count = query.get('count') ?? 'true'
  if (!['true', 'false', 'only'].includes(count)) fail(400, 'Invalid pagination parameters')
  if (first !== null && last !== null) fail(400, 'Cannot specify both `page[first]` and `page[last]` parameters')
  const backward = last !== null
  return { before, after, backward, size: backward ? last : (first ?? PAGE_SIZE), count }
}

/** MAS writes its links unencoded: `?filter[status]=active&page[after]=…&page[first]=10`. */
function pageUrl(base, { before, after, backward, size }) {
  const [path, query = ''] = base.split('?')
  let params = query
  if (before) params += `&page[before]=${before}`
  if (after) params += `&page[after]=${after}`
  params += backward ? `&page[last]=${size}` : `&page[first]=${size}`
  return `${path}?${params.replace(/^&+/, '')}`
}

function filterBase(path, filters, count) {
  const parts = filters.flatMap(({ definition, value }) =>
    (definition.many ? value : [value]).map((v) => `${definition.name}=${v}`),
  )
  if (count !== 'true') parts.push(`count=${count}`)
  return parts.length ? `${path}?${parts.join('&')}` : path
}

/** One page of `records` (already filtered), in ID order, with MAS's links and meta. */
function page(state, kind, records, pagination, base) {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const { before, after, backward, size, count } = pagination
  if (count === 'only') return { meta: { count: sorted.length }, links: { self: base } }
  const window = sorted.filter((r) => (!after || r.id > after) && (!before || r.id < before))
  const taken = backward ? window.slice(-(size + 1)) : window.slice(0, size + 1)
  const full = taken.length === size + 1
  const edges = full ? (backward ? taken.slice(1) : taken.slice(0, size)) : taken
  const links = {
    self: pageUrl(base, pagination),
    first: pageUrl(base, { size, backward: false }),
    last: pageUrl(base, { size, backward: true }),
  }
  if (!backward && full) links.next = pageUrl(base, { ...pagination, before: null, after: edges.at(-1).id })
  if (backward && full) links.prev = pageUrl(base, { ...pagination, after: null, before: edges[0].id })
  const data = edges.map((record) => ({ ...resource(state, kind, record), meta: { page: { cursor: record.id } } }))
  return { ...(count === 'true' ? { meta: { count: sorted.length } } : {}), data, links }
}

/** A list operation: its filters (in MAS's order, which its links keep) and what each keeps. */
function listOperation(kind, definitions) {
  return (ctx) => {
    const pagination = parsePagination(ctx.query)
    const filters = parseFilters(ctx.query, definitions)
    for (const { definition, value } of filters) definition.check?.(ctx.state, value)
    const records = [...ctx.state[kind].values()].filter((record) =>
      filters.every(({ definition, value }) => definition.keep(record, value, ctx.state)),
    )
    const base = filterBase(`${ADMIN_PREFIX}${KINDS[kind].path}`, filters, pagination.count)
    return { status: 200, body: page(ctx.state, kind, records, pagination, base) }
  }
}

// Checks that a filter's ID names something that exists (MAS answers 404 otherwise).
const mustExist = (kind, label) => (state, value) => {
  for (const id of Array.isArray(value) ? value : [value]) if (!state[kind].has(id)) fail(404, `${label} ID ${id} not found`)
}

const before = (field) => (record, value) => record[field] !== null && ms(record[field]) < ms(value)
const after = (field) => (record, value) => record[field] !== null && ms(record[field]) > ms(value)
const containsText = (field) => (record, value) => (record[field] ?? '').toLowerCase().includes(value.toLowerCase())
const equals = (field) => (record, value) => record[field] === value
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function scopeFilter() {
  return {
    name: 'filter[scope]',
    type: 'string',
    many: true,
    check: (_state, value) => {
      for (const token of value) if (!SCOPE_TOKEN.test(token)) fail(400, `Invalid scope "${token}" in filter parameters`)
    },
    keep: (record, value) => value.every((token) => record.scope.split(' ').includes(token)),
  }
}

const userFilter = (field = 'user_id', name = 'filter[user]') => ({
  name,
  type: 'ulid',
  check: mustExist('users', 'User'),
  keep: equals(field),
})

function sessionFilters(kind) {
  const statusTypes = kind === 'personalSessions' ? ['active', 'revoked'] : ['active', 'finished']
  const ended = kind === 'personalSessions' ? 'revoked_at' : 'finished_at'
  return {
    status: {
      name: 'filter[status]',
      type: statusTypes,
      keep: (record, value) => (value === 'active') === (record[ended] === null),
    },
    userSession: { name: 'filter[user-session]', type: 'ulid', check: mustExist('userSessions', 'User session'), keep: equals('user_session_id') },
    times: [
      { name: 'filter[created-before]', type: 'datetime', keep: before('created_at') },
      { name: 'filter[created-after]', type: 'datetime', keep: after('created_at') },
      { name: 'filter[last-active-before]', type: 'datetime', keep: before('last_active_at') },
      { name: 'filter[last-active-after]', type: 'datetime', keep: after('last_active_at') },
    ],
  }
}

const hasActive = (collection, test) => (state, user) =>
  [...state[collection].values()].some((s) => s.user_id === user.id && s.finished_at === null && test(s))

const USER_STATUS = {
  active: (u) => u.locked_at === null && u.deactivated_at === null,
  locked: (u) => u.locked_at !== null,
  deactivated: (u) => u.deactivated_at !== null,
}

const listUsers = listOperation('users', [
  { name: 'filter[admin]', type: 'bool', keep: equals('admin') },
  { name: 'filter[legacy-guest]', type: 'bool', keep: equals('legacy_guest') },
  { name: 'filter[search]', type: 'string', keep: containsText('username') },
  { name: 'filter[status]', type: ['active', 'locked', 'deactivated'], keep: (u, value) => USER_STATUS[value](u) },
  {
    name: 'filter[active-oauth2-client]',
    type: 'ulid',
    many: true,
    check: mustExist('oauth2Clients', 'Client'),
    keep: (u, clients, state) => hasActive('oauth2Sessions', (s) => clients.includes(s.client_id))(state, u),
  },
  {
    name: 'filter[has-active-oauth2-session]',
    type: 'bool',
    keep: (u, value, state) => hasActive('oauth2Sessions', () => true)(state, u) === value,
  },
  {
    name: 'filter[has-active-compat-session]',
    type: 'bool',
    keep: (u, value, state) => hasActive('compatSessions', () => true)(state, u) === value,
  },
])

const compat = sessionFilters('compatSessions')
const listCompatSessions = listOperation('compatSessions', [userFilter(), compat.userSession, compat.status, ...compat.times])

const oauth2 = sessionFilters('oauth2Sessions')
const clientKind = (value, client) => (value === 'static') === Boolean(client?.is_static)
const listOAuth2Sessions = listOperation('oauth2Sessions', [
  userFilter(),
  { name: 'filter[client]', type: 'ulid', many: true, check: mustExist('oauth2Clients', 'OAuth 2.0 client'), keep: (s, ids) => ids.includes(s.client_id) },
  { name: 'filter[client-kind]', type: ['dynamic', 'static'], keep: (s, value, state) => clientKind(value, state.oauth2Clients.get(s.client_id)) },
  oauth2.userSession,
  scopeFilter(),
  oauth2.status,
  ...oauth2.times,
])

const browser = sessionFilters('userSessions')
const listUserSessions = listOperation('userSessions', [userFilter(), browser.status, ...browser.times])

const personal = sessionFilters('personalSessions')
const expiresAt = (state, s) => ms(activePersonalToken(state, s)?.expiresAt ?? null)
const listPersonalSessions = listOperation('personalSessions', [
  userFilter('owner_user_id', 'filter[owner_user]'),
  { name: 'filter[owner_client]', type: 'ulid', check: mustExist('oauth2Clients', 'Client'), keep: equals('owner_client_id') },
  userFilter('actor_user_id', 'filter[actor_user]'),
  scopeFilter(),
  personal.status,
  { name: 'filter[expires_before]', type: 'datetime', keep: (s, v, state) => (expiresAt(state, s) ?? Infinity) < ms(v) },
  { name: 'filter[expires_after]', type: 'datetime', keep: (s, v, state) => (expiresAt(state, s) ?? -Infinity) > ms(v) },
  { name: 'filter[expires]', type: 'bool', keep: (s, v, state) => (expiresAt(state, s) !== null) === v },
])

const listUserEmails = listOperation('userEmails', [userFilter(), { name: 'filter[email]', type: 'string', keep: equals('email') }])

const listRegistrationTokens = listOperation('registrationTokens', [
  { name: 'filter[used]', type: 'bool', keep: (t, v) => t.times_used > 0 === v },
  { name: 'filter[revoked]', type: 'bool', keep: (t, v) => (t.revoked_at !== null) === v },
  { name: 'filter[expired]', type: 'bool', keep: (t, v) => (t.expires_at !== null && ms(t.expires_at) <= Date.now()) === v },
  { name: 'filter[valid]', type: 'bool', keep: (t, v) => registrationTokenValid(t) === v },
])

const listUpstreamLinks = listOperation('upstreamLinks', [
  userFilter(),
  { name: 'filter[provider]', type: 'ulid', check: mustExist('upstreamProviders', 'Upstream OAuth 2.0 provider'), keep: equals('provider_id') },
  { name: 'filter[subject]', type: 'string', keep: equals('subject') },
  { name: 'filter[human-account-name]', type: 'string', keep: containsText('human_account_name') },
])

const listUpstreamProviders = listOperation('upstreamProviders', [
  { name: 'filter[enabled]', type: 'bool', keep: (p, v) => (p.disabled_at === null) === v },
])

const listOAuth2Clients = listOperation('oauth2Clients', [
  { name: 'filter[client-kind]', type: ['dynamic', 'static'], keep: (c, v) => clientKind(v, c) },
  { name: 'filter[client-name]', type: 'string', keep: containsText('client_name') },
  { name: 'filter[client-uri]', type: 'string', keep: containsText('client_uri') },
  { name: 'filter[grant-type]', type: 'string', keep: (c, v) => c.grant_types.includes(v) },
  {
    name: 'filter[has-active-sessions]',
    type: 'bool',
    keep: (c, v, state) => [...state.oauth2Sessions.values()].some((s) => s.client_id === c.id && s.finished_at === null) === v,
  },
])

// ---- request bodies: axum's answers when the JSON does not fit (text/plain, not MAS's error shape) ----

function jsonBody(ctx, { optional = false } = {}) {
  if (optional && ctx.rawBody.length === 0) return {}
  if (!/^application\/(.+\+)?json\b/.test(ctx.headers['content-type'] ?? '')) {
    throw new ApiError(415, 'Expected request with `Content-Type: application/json`', { plain: true })
  }
  let body
  try {
    body = JSON.parse(ctx.rawBody)
  } catch (error) {
    throw new ApiError(400, `Failed to parse the request body as JSON: ${error.message}`, { plain: true })
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) badBody('invalid type: expected a JSON object')
  return body
}

function badBody(reason) {
  throw new ApiError(422, `Failed to deserialize the JSON body into the target type: ${reason}`, { plain: true })
}

const FIELD_TYPES = {
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  ulid: isUlid,
  uint: (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
  datetime: (v) => typeof v === 'string' && PARSERS.datetime(v) !== undefined,
  any: () => true,
}

/** Reads the body's fields: `{name: 'type'}`, a trailing `?` = optional (null or absent), `!` = required. */
function fields(body, shape) {
  const out = {}
  for (const [name, spec] of Object.entries(shape)) {
    const required = spec.endsWith('!')
    const type = spec.replace(/[!?]$/, '')
    const value = body[name]
    if (value === undefined || value === null) {
      if (required && value === undefined) badBody(`missing field \`${name}\``)
      if (required) badBody(`invalid type: null, expected ${type} for \`${name}\``)
      out[name] = null
    } else if (!FIELD_TYPES[type](value)) {
      badBody(`invalid value for \`${name}\`: expected ${type}`)
    } else out[name] = value
  }
  return out
}

// ---- operations ----

/** The record, or MAS's 404 with `title` (its `{id}` replaced; each handler of MAS words it its own way). */
function find(state, kind, id, title) {
  const record = state[kind].get(id)
  if (!record) fail(404, title.replace('{id}', id))
  return record
}

const get = (kind, title) => (ctx) => ({ status: 200, body: single(ctx.state, kind, find(ctx.state, kind, ctx.params.id, title)) })
const actionPath = (ctx) => `${ADMIN_PREFIX}${ctx.path}`
const USERNAME = /^[a-z0-9=_\-./+]+$/

async function createUser(ctx) {
  const { username, skip_homeserver_check: skip, displayname, avatar_url: avatarUrl } = fields(jsonBody(ctx), {
    username: 'string!',
    skip_homeserver_check: 'boolean?',
    displayname: 'string?',
    avatar_url: 'string?',
  })
  if ([...ctx.state.users.values()].some((u) => u.username === username)) fail(409, 'User already exists')
  if (username.length > 255 || username.startsWith('_') || !USERNAME.test(username)) fail(400, 'Username is not valid')
  if (!(await ctx.homeserver.isLocalpartAvailable(username)) && !skip) fail(409, 'Username is reserved by the homeserver')
  const user = ctx.store.addUser(username)
  await ctx.homeserver.provisionUser(user, { displayname, avatarUrl })
  return { status: 201, body: single(ctx.state, 'users', user) }
}

function getUserByUsername(ctx) {
  const user = [...ctx.state.users.values()].find((u) => u.username === ctx.params.username)
  if (!user) fail(404, `User with username ${JSON.stringify(ctx.params.username)} not found`)
  return { status: 200, body: single(ctx.state, 'users', user, actionPath(ctx)) }
}

const userAction = (change) => async (ctx) => {
  const user = find(ctx.state, 'users', ctx.params.id, 'User ID {id} not found')
  await change(ctx, user)
  return { status: 200, body: single(ctx.state, 'users', user, actionPath(ctx)) }
}

const lockUser = userAction(async (ctx, user) => {
  user.locked_at ??= now()
  await ctx.homeserver.syncUser(user)
})

const unlockUser = userAction(async (ctx, user) => {
  user.locked_at = null
  await ctx.homeserver.syncUser(user)
})

const deactivateUser = userAction(async (ctx, user) => {
  const { skip_erase: skipErase } = fields(jsonBody(ctx, { optional: true }), { skip_erase: 'boolean?' })
  user.deactivated_at ??= now()
  ctx.store.endEverythingOf(user)
  await ctx.homeserver.deleteUser(user, { erase: !skipErase })
})

const reactivateUser = userAction(async (ctx, user) => {
  await ctx.homeserver.reactivateUser(user) // MAS asks Synapse first, and changes nothing if that fails
  user.deactivated_at = null
})

const setAdmin = userAction((ctx, user) => {
  // MAS's flag only: Synapse admin rights come from the urn:synapse:admin:* scope, nothing is provisioned.
  user.admin = fields(jsonBody(ctx), { admin: 'boolean!' }).admin
})

const MIN_PASSWORD_LENGTH = 8

function setPassword(ctx) {
  const { password, skip_password_check: skip } = fields(jsonBody(ctx), { password: 'string!', skip_password_check: 'boolean?' })
  if (!ctx.config.passwordLogin) fail(403, 'Password auth is disabled')
  const user = find(ctx.state, 'users', ctx.params.id, 'User ID {id} not found')
  // MAS scores passwords with zxcvbn; the stand-in's rule is simpler: at least 8 characters.
  if (!skip && password.length < MIN_PASSWORD_LENGTH) fail(400, 'Password is too weak')
  ctx.state.passwords.set(user.id, ctx.store.hashPassword(password))
  return { status: 204 }
}

const finishSession = (kind, label) => async (ctx) => {
  const session = find(ctx.state, kind, ctx.params.id, `${label} with ID {id} not found`)
  if (session.finished_at) fail(400, `${label} with ID ${session.id} is already finished`)
  session.finished_at = now()
  const user = ctx.state.users.get(session.user_id)
  if (user && kind !== 'userSessions') await ctx.homeserver.syncDevices(user)
  return { status: 200, body: single(ctx.state, kind, session, actionPath(ctx)) }
}

function parseScope(scope) {
  const tokens = scope.split(' ')
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) return null
  return [...new Set(tokens)].join(' ')
}

async function createPersonalSession(ctx) {
  const body = fields(jsonBody(ctx), { actor_user_id: 'ulid!', human_name: 'string!', scope: 'string!', expires_in: 'uint?' })
  const actor = ctx.state.users.get(body.actor_user_id)
  if (!actor) fail(404, 'User not found')
  if (actor.deactivated_at) fail(410, 'User is not active')
  const scope = parseScope(body.scope)
  if (scope === null) fail(400, 'Invalid scope')
  const { session, token } = ctx.store.addPersonalSession({
    owner: ctx.caller.owner,
    actor,
    humanName: body.human_name,
    scope,
    expiresIn: body.expires_in,
  })
  await ctx.homeserver.upsertScopeDevices(actor, scope)
  const reply = single(ctx.state, 'personalSessions', session)
  reply.data.attributes.access_token = token
  return { status: 201, body: reply }
}

function regeneratePersonalSession(ctx) {
  const { expires_in: expiresIn } = fields(jsonBody(ctx), { expires_in: 'uint?' })
  const session = ctx.state.personalSessions.get(ctx.params.id)
  if (!session) fail(404, 'Session not found')
  if (session.revoked_at) fail(422, 'Session not valid')
  const owner = ctx.caller.owner
  if (session.owner_user_id !== owner.owner_user_id || session.owner_client_id !== owner.owner_client_id) {
    fail(403, 'Session does not belong to you')
  }
  const token = ctx.store.renewPersonalToken(session, expiresIn)
  const reply = single(ctx.state, 'personalSessions', session)
  reply.data.attributes.access_token = token
  return { status: 201, body: reply }
}

async function revokePersonalSession(ctx) {
  const session = find(ctx.state, 'personalSessions', ctx.params.id, 'Personal session with ID {id} not found')
  if (session.revoked_at) fail(409, `Personal session with ID ${session.id} is already revoked`)
  ctx.store.revokePersonalSession(session)
  const actor = ctx.state.users.get(session.actor_user_id)
  if (actor && /\burn:matrix:(org\.matrix\.msc2967\.)?client:device:/.test(session.scope)) await ctx.homeserver.syncDevices(actor)
  return { status: 200, body: single(ctx.state, 'personalSessions', session) }
}

async function addUserEmail(ctx) {
  const { user_id: userId, email } = fields(jsonBody(ctx), { user_id: 'ulid!', email: 'string!' })
  const user = find(ctx.state, 'users', userId, 'User ID {id} not found')
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) fail(400, `Email ${JSON.stringify(email)} is not valid`)
  if ([...ctx.state.userEmails.values()].some((e) => e.email === email)) fail(409, `User email ${JSON.stringify(email)} already in use`)
  const record = ctx.store.add('userEmails', { created_at: now(), user_id: user.id, email })
  await ctx.homeserver.syncUser(user)
  return { status: 201, body: single(ctx.state, 'userEmails', record) }
}

async function deleteUserEmail(ctx) {
  const record = find(ctx.state, 'userEmails', ctx.params.id, 'User email ID {id} not found')
  ctx.state.userEmails.delete(record.id)
  const user = ctx.state.users.get(record.user_id)
  if (user) await ctx.homeserver.syncUser(user)
  return { status: 204 }
}

function addRegistrationToken(ctx) {
  const body = fields(jsonBody(ctx), { token: 'string?', usage_limit: 'uint?', expires_at: 'datetime?' })
  const token = body.token ?? ctx.store.randomText(12)
  if ([...ctx.state.registrationTokens.values()].some((t) => t.token === token)) {
    fail(409, 'A registration token with the same token already exists')
  }
  const record = ctx.store.add('registrationTokens', {
    token,
    usage_limit: body.usage_limit,
    times_used: 0,
    created_at: now(),
    last_used_at: null,
    expires_at: body.expires_at,
    revoked_at: null,
  })
  return { status: 201, body: single(ctx.state, 'registrationTokens', record) }
}

function editRegistrationToken(ctx) {
  const raw = jsonBody(ctx)
  const body = fields(raw, { expires_at: 'datetime?', usage_limit: 'uint?' })
  const record = find(ctx.state, 'registrationTokens', ctx.params.id, 'Registration token with ID {id} not found')
  // Like MAS (update.rs, deserialize_some): a field left out stays as it is; null removes the expiry or the limit.
  if ('expires_at' in raw) record.expires_at = body.expires_at
  if ('usage_limit' in raw) record.usage_limit = body.usage_limit
  return { status: 200, body: single(ctx.state, 'registrationTokens', record, actionPath(ctx)) }
}

const setRevoked = (revoke) => (ctx) => {
  const record = find(ctx.state, 'registrationTokens', ctx.params.id, 'Registration token with ID {id} not found')
  if (revoke && record.revoked_at) fail(400, `Registration token with ID ${record.id} is already revoked`)
  if (!revoke && !record.revoked_at) fail(400, `Registration token with ID ${record.id} is not revoked`)
  record.revoked_at = revoke ? now() : null
  return { status: 200, body: single(ctx.state, 'registrationTokens', record, actionPath(ctx)) }
}

function addUpstreamLink(ctx) {
  const body = fields(jsonBody(ctx), { user_id: 'ulid!', provider_id: 'ulid!', subject: 'string!', human_account_name: 'string?' })
  const user = find(ctx.state, 'users', body.user_id, 'User ID {id} not found')
  const provider = find(ctx.state, 'upstreamProviders', body.provider_id, 'Upstream OAuth 2.0 Provider ID {id} not found')
  const existing = [...ctx.state.upstreamLinks.values()].find((l) => l.provider_id === provider.id && l.subject === body.subject)
  if (existing?.user_id) {
    fail(409, `Upstream Oauth 2.0 Provider ID ${provider.id} with subject ${body.subject} is already linked to a user`)
  }
  if (existing) {
    existing.user_id = user.id
    return { status: 200, body: single(ctx.state, 'upstreamLinks', existing) }
  }
  const link = ctx.store.add('upstreamLinks', {
    created_at: now(),
    provider_id: provider.id,
    subject: body.subject,
    user_id: user.id,
    human_account_name: body.human_account_name,
  })
  return { status: 201, body: single(ctx.state, 'upstreamLinks', link) }
}

function deleteUpstreamLink(ctx) {
  const link = find(ctx.state, 'upstreamLinks', ctx.params.id, 'Upstream OAuth 2.0 Link ID {id} not found')
  ctx.state.upstreamLinks.delete(link.id)
  return { status: 204 }
}

function setPolicyData(ctx) {
  const { data } = fields(jsonBody(ctx), { data: 'any!' })
  // MAS's policy takes an object; anything else fails to instantiate it.
  if (data === null || typeof data !== 'object' || Array.isArray(data)) fail(400, 'Failed to instanciate policy with the provided data')
  const record = ctx.store.add('policyData', { created_at: now(), data })
  return { status: 201, body: single(ctx.state, 'policyData', record) }
}

function latestPolicyData(ctx) {
  const latest = [...ctx.state.policyData.values()].at(-1)
  if (!latest) fail(404, 'No policy data found')
  return { status: 200, body: single(ctx.state, 'policyData', latest, actionPath(ctx)) }
}

const siteConfig = (ctx) => ({ status: 200, body: ctx.store.siteConfig() })
const version = (ctx) => ({ status: 200, body: { version: ctx.config.version } })

/** [method, path under /api/admin/v1, operationId (as in MAS's spec), handler]. Literal paths before {id}. */
export const ROUTES = [
  ['GET', '/site-config', 'siteConfig', siteConfig],
  ['GET', '/version', 'version', version],
  ['GET', '/compat-sessions', 'listCompatSessions', listCompatSessions],
  ['GET', '/compat-sessions/{id}', 'getCompatSession', get('compatSessions', 'Compatibility session ID {id} not found')],
  ['POST', '/compat-sessions/{id}/finish', 'finishCompatSession', finishSession('compatSessions', 'Compatibility session')],
  ['GET', '/oauth2-clients', 'listOAuth2Clients', listOAuth2Clients],
  ['GET', '/oauth2-clients/{id}', 'getOAuth2Client', get('oauth2Clients', 'OAuth 2.0 client ID {id} not found')],
  ['GET', '/oauth2-sessions', 'listOAuth2Sessions', listOAuth2Sessions],
  ['GET', '/oauth2-sessions/{id}', 'getOAuth2Session', get('oauth2Sessions', 'OAuth 2.0 session ID {id} not found')],
  ['POST', '/oauth2-sessions/{id}/finish', 'finishOAuth2Session', finishSession('oauth2Sessions', 'OAuth 2.0 session')],
  ['GET', '/personal-sessions', 'listPersonalSessions', listPersonalSessions],
  ['POST', '/personal-sessions', 'createPersonalSession', createPersonalSession],
  ['GET', '/personal-sessions/{id}', 'getPersonalSession', get('personalSessions', 'Personal session not found')],
  ['POST', '/personal-sessions/{id}/revoke', 'revokePersonalSession', revokePersonalSession],
  ['POST', '/personal-sessions/{id}/regenerate', 'regeneratePersonalSession', regeneratePersonalSession],
  ['POST', '/policy-data', 'setPolicyData', setPolicyData],
  ['GET', '/policy-data/latest', 'getLatestPolicyData', latestPolicyData],
  ['GET', '/policy-data/{id}', 'getPolicyData', get('policyData', 'Policy data with ID {id} not found')],
  ['GET', '/users', 'listUsers', listUsers],
  ['POST', '/users', 'createUser', createUser],
  ['GET', '/users/by-username/{username}', 'getUserByUsername', getUserByUsername],
  ['GET', '/users/{id}', 'getUser', get('users', 'User ID {id} not found')],
  ['POST', '/users/{id}/set-password', 'setUserPassword', setPassword],
  ['POST', '/users/{id}/set-admin', 'userSetAdmin', setAdmin],
  ['POST', '/users/{id}/deactivate', 'deactivateUser', deactivateUser],
  ['POST', '/users/{id}/reactivate', 'reactivateUser', reactivateUser],
  ['POST', '/users/{id}/lock', 'lockUser', lockUser],
  ['POST', '/users/{id}/unlock', 'unlockUser', unlockUser],
  ['GET', '/user-emails', 'listUserEmails', listUserEmails],
  ['POST', '/user-emails', 'addUserEmail', addUserEmail],
  ['GET', '/user-emails/{id}', 'getUserEmail', get('userEmails', 'User email ID {id} not found')],
  ['DELETE', '/user-emails/{id}', 'deleteUserEmail', deleteUserEmail],
  ['GET', '/user-sessions', 'listUserSessions', listUserSessions],
  ['GET', '/user-sessions/{id}', 'getUserSession', get('userSessions', 'User session ID {id} not found')],
  ['POST', '/user-sessions/{id}/finish', 'finishUserSession', finishSession('userSessions', 'User session')],
  ['GET', '/user-registration-tokens', 'listUserRegistrationTokens', listRegistrationTokens],
  ['POST', '/user-registration-tokens', 'addUserRegistrationToken', addRegistrationToken],
  ['GET', '/user-registration-tokens/{id}', 'getUserRegistrationToken', get('registrationTokens', 'Registration token with ID {id} not found')],
  ['PUT', '/user-registration-tokens/{id}', 'updateUserRegistrationToken', editRegistrationToken],
  ['POST', '/user-registration-tokens/{id}/revoke', 'revokeUserRegistrationToken', setRevoked(true)],
  ['POST', '/user-registration-tokens/{id}/unrevoke', 'unrevokeUserRegistrationToken', setRevoked(false)],
  ['GET', '/upstream-oauth-links', 'listUpstreamOAuthLinks', listUpstreamLinks],
  ['POST', '/upstream-oauth-links', 'addUpstreamOAuthLink', addUpstreamLink],
  ['GET', '/upstream-oauth-links/{id}', 'getUpstreamOAuthLink', get('upstreamLinks', 'Upstream OAuth 2.0 Link ID {id} not found')],
  ['DELETE', '/upstream-oauth-links/{id}', 'deleteUpstreamOAuthLink', deleteUpstreamLink],
  ['GET', '/upstream-oauth-providers', 'listUpstreamOAuthProviders', listUpstreamProviders],
  ['GET', '/upstream-oauth-providers/{id}', 'getUpstreamOAuthProvider', get('upstreamProviders', 'Provider not found')],
]

const compiled = ROUTES.map(([method, path, operationId, handler]) => ({
  method,
  operationId,
  handler,
  pattern: new RegExp(`^${path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}))

/**
 * The route for `path` (under the prefix): `{route, params, invalidId}`, `{methodNotAllowed}`, or null (404).
 * A malformed `{id}` is reported, not thrown: MAS checks the caller's token before the path's ULID.
 */
export function matchRoute(method, path) {
  let pathMatched = false
  for (const route of compiled) {
    const match = route.pattern.exec(path)
    if (!match) continue
    pathMatched = true
    if (route.method !== method) continue
    const params = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]))
    return { route, params, invalidId: params.id !== undefined && !isUlid(params.id) }
  }
  return pathMatched ? { methodNotAllowed: true } : null
}

