// A stand-in for MAS (matrix-authentication-service), written for synadm's tests: what Synapse 1.160 asks of MAS
// (OAuth 2.0 server metadata, token introspection), the client-credentials token grant, MAS's admin API
// (admin-api.mjs), and provisioning into Synapse through its /_synapse/mas/* endpoints, as MAS does. State lives
// in memory. No MAS binary can be installed here; ../shared/knowledge/mas.md says what was verified against Synapse,
// and test/unit/mas-contract.test.ts holds the admin API to MAS's OpenAPI document.
//
// Tests in other processes reach the running instance through /_stand-in/* (Bearer `controlToken`): reset, seed
// sessions MAS would make through logins, read the recorded admin API exchanges, take MAS down.
import { createHash, randomBytes, randomInt } from 'node:crypto'
import { createServer } from 'node:http'
import { ADMIN_PREFIX, ApiError, isExpired, matchRoute } from './admin-api.mjs'
import { ulid } from './ulid.mjs'

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const randomText = (length, alphabet = ALPHANUMERIC) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('')
const now = () => new Date().toISOString()

// MAS's token prefixes: OAuth 2.0 access and refresh, compatibility access and refresh, personal access.
const TOKEN_KINDS = { mat: 'oauth2', mar: 'oauth2-refresh', mct: 'compat', mcr: 'compat-refresh', mpt: 'personal' }
const PREFIX_OF = Object.fromEntries(Object.entries(TOKEN_KINDS).map(([prefix, kind]) => [kind, prefix]))
const tokenKind = (token) => TOKEN_KINDS[/^([a-z]{3})_/.exec(token)?.[1]] ?? null

export const ADMIN_SCOPE = 'urn:mas:admin'
export const CLIENT_API_SCOPE = 'urn:matrix:client:api:*'
export const SYNAPSE_ADMIN_SCOPE = 'urn:synapse:admin:*'
const UNSTABLE_CLIENT_API_SCOPE = 'urn:matrix:org.matrix.msc2967.client:api:*'
const DEVICE_SCOPE = /^urn:matrix:(?:org\.matrix\.msc2967\.)?client:device:(.+)$/
const CLIENT_CREDENTIALS_SCOPES = new Set([ADMIN_SCOPE, 'urn:mas:graphql:*'])

const COLLECTIONS = [
  'users',
  'userEmails',
  'compatSessions',
  'oauth2Sessions',
  'userSessions',
  'personalSessions',
  'registrationTokens',
  'upstreamLinks',
  'upstreamProviders',
  'oauth2Clients',
  'policyData',
  'accessTokens', // token string → {kind, sessionId, expiresAt, revokedAt}
  'passwords', // user ID → hash
]

function createState() {
  return Object.fromEntries(COLLECTIONS.map((name) => [name, new Map()]))
}

/** The state changes MAS makes; shared by the admin API, the OAuth 2.0 endpoints and the seeding helpers. */
function createStore(state, config) {
  const store = {
    add(kind, fields, id = ulid()) {
      const record = { id, ...fields }
      state[kind].set(id, record)
      return record
    },
    addUser(username, { admin = false, id } = {}) {
      const fields = { username, created_at: now(), locked_at: null, deactivated_at: null, admin, legacy_guest: false }
      return store.add('users', fields, id)
    },
    issueToken(kind, sessionId, expiresIn = null, token = `${PREFIX_OF[kind]}_${randomText(30)}_${randomText(6)}`) {
      const expiresAt = expiresIn === null ? null : new Date(Date.now() + expiresIn * 1000).toISOString()
      state.accessTokens.set(token, { kind, sessionId, expiresAt, revokedAt: null, createdAt: now() })
      return token
    },
    addPersonalSession({ owner, actor, humanName, scope, expiresIn = null, id, token }) {
      const session = store.add(
        'personalSessions',
        {
          created_at: now(),
          revoked_at: null,
          ...owner,
          actor_user_id: actor.id,
          human_name: humanName,
          scope,
          last_active_at: null,
          last_active_ip: null,
        },
        id,
      )
      return { session, token: store.issueToken('personal', session.id, expiresIn, token) }
    },
    renewPersonalToken(session, expiresIn) {
      for (const token of state.accessTokens.values()) {
        if (token.sessionId === session.id && !token.revokedAt) token.revokedAt = now()
      }
      return store.issueToken('personal', session.id, expiresIn)
    },
    revokePersonalSession(session) {
      session.revoked_at ??= now()
    },
    /** What MAS's deactivation job ends: every session, the personal sessions it acts or owns, the e-mails. */
    endEverythingOf(user) {
      for (const kind of ['userSessions', 'oauth2Sessions', 'compatSessions']) {
        for (const session of state[kind].values()) if (session.user_id === user.id) session.finished_at ??= now()
      }
      for (const session of state.personalSessions.values()) {
        if (session.actor_user_id === user.id || session.owner_user_id === user.id) store.revokePersonalSession(session)
      }
      for (const email of [...state.userEmails.values()]) if (email.user_id === user.id) state.userEmails.delete(email.id)
    },
    hashPassword: (password) => createHash('sha256').update(password).digest('hex'),
    randomText,
    siteConfig: () => ({
      server_name: config.serverName,
      password_login_enabled: config.passwordLogin,
      password_registration_enabled: false,
      password_registration_email_required: true,
      password_registration_token_required: false,
      registration_token_required: false,
      email_change_allowed: true,
      displayname_change_allowed: true,
      password_change_allowed: config.passwordLogin,
      account_recovery_allowed: false,
      account_deactivation_allowed: true,
      captcha_enabled: false,
      minimum_password_complexity: 3,
    }),
  }
  return store
}

/** Device IDs MAS holds for a user: active compatibility sessions, and sessions whose scope names a device. */
function activeDevices(state, user) {
  const devices = new Set()
  for (const s of state.compatSessions.values()) if (s.user_id === user.id && !s.finished_at && s.device_id) devices.add(s.device_id)
  const scoped = [
    ...[...state.oauth2Sessions.values()].filter((s) => s.user_id === user.id && !s.finished_at),
    ...[...state.personalSessions.values()].filter((s) => s.actor_user_id === user.id && !s.revoked_at),
  ]
  for (const session of scoped) {
    for (const token of session.scope.split(' ')) {
      const device = DEVICE_SCOPE.exec(token)?.[1]
      if (device) devices.add(device)
    }
  }
  return [...devices].sort()
}

/**
 * MAS's connection to Synapse (/_synapse/mas/*, Bearer the shared secret). Every call is recorded. Without a
 * Synapse attached, calls answer as a Synapse with no other users would. Calls MAS makes from a background job
 * (provisioning after lock, e-mail changes, device sync, deletion after deactivation) never fail the admin API
 * call: a failure is recorded in `jobFailures`, as MAS would retry the job later.
 */
function createHomeserver(state, config) {
  const calls = []
  const jobFailures = []
  const offlineUsers = new Set()
  let url = null

  async function call(method, path, body) {
    calls.push({ method, path, body: body ?? null })
    if (!url) return offline(path, body)
    let response
    try {
      response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${config.secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      })
    } catch (error) {
      throw new ApiError(500, `Failed to reach the homeserver: ${error.cause?.message ?? error.message}`)
    }
    const json = await response.json().catch(() => ({}))
    return { status: response.status, json }
  }

  function offline(path, body) {
    if (path.startsWith('/_synapse/mas/is_localpart_available')) {
      const localpart = new URL(path, 'http://x').searchParams.get('localpart')
      return offlineUsers.has(localpart) ? { status: 400, json: { errcode: 'M_USER_IN_USE' } } : { status: 200, json: {} }
    }
    if (path === '/_synapse/mas/provision_user') {
      const created = !offlineUsers.has(body.localpart)
      offlineUsers.add(body.localpart)
      return { status: created ? 201 : 200, json: {} }
    }
    return { status: 200, json: {} }
  }

  async function expectOk(what, method, path, body) {
    const reply = await call(method, path, body)
    if (reply.status >= 300) {
      throw new ApiError(500, `Failed to ${what} in Synapse: ${reply.status} ${reply.json.errcode ?? ''} ${reply.json.error ?? ''}`.trim())
    }
    return reply
  }

  async function job(what, run) {
    try {
      await run()
    } catch (error) {
      jobFailures.push({ what, error: error.message })
    }
  }

  const emailsOf = (user) => [...state.userEmails.values()].filter((e) => e.user_id === user.id).map((e) => e.email)

  const homeserver = {
    calls,
    jobFailures,
    attach(synapseUrl) {
      url = synapseUrl.replace(/\/+$/, '')
    },
    async isLocalpartAvailable(localpart) {
      const reply = await call('GET', `/_synapse/mas/is_localpart_available?localpart=${encodeURIComponent(localpart)}`)
      if (reply.status < 300) return true
      if (['M_USER_IN_USE', 'M_INVALID_USERNAME', 'M_EXCLUSIVE'].includes(reply.json.errcode)) return false
      throw new ApiError(500, `Failed to query localpart availability from Synapse: ${reply.status}`)
    },
    /** The synchronous provisioning of a new user (MAS's create-user handler waits for it). */
    async provisionUser(user, { displayname = null, avatarUrl = null } = {}) {
      const body = { localpart: user.username, locked: user.locked_at !== null }
      if (displayname !== null) body.set_displayname = displayname
      if (avatarUrl !== null) body.set_avatar_url = avatarUrl
      await expectOk('provision user', 'POST', '/_synapse/mas/provision_user', body)
    },
    /** MAS's ProvisionUserJob: the lock state and the e-mails, then a device sync. */
    syncUser: (user) =>
      job(`provision ${user.username}`, async () => {
        const body = { localpart: user.username, set_emails: emailsOf(user), locked: user.locked_at !== null }
        await expectOk('provision user', 'POST', '/_synapse/mas/provision_user', body)
        await expectOk('sync devices', 'POST', '/_synapse/mas/sync_devices', { localpart: user.username, devices: activeDevices(state, user) })
      }),
    syncDevices: (user) =>
      job(`sync devices of ${user.username}`, () =>
        expectOk('sync devices', 'POST', '/_synapse/mas/sync_devices', { localpart: user.username, devices: activeDevices(state, user) }),
      ),
    deleteUser: (user, { erase }) =>
      job(`delete ${user.username}`, () => expectOk('delete user', 'POST', '/_synapse/mas/delete_user', { localpart: user.username, erase })),
    reactivateUser: (user) => expectOk('reactivate user', 'POST', '/_synapse/mas/reactivate_user', { localpart: user.username }),
    upsertDevice: (user, deviceId) =>
      expectOk('provision device', 'POST', '/_synapse/mas/upsert_device', { localpart: user.username, device_id: deviceId }),
    async upsertScopeDevices(user, scope) {
      for (const token of scope.split(' ')) {
        const device = DEVICE_SCOPE.exec(token)?.[1]
        if (device) await homeserver.upsertDevice(user, device)
      }
    },
  }
  return homeserver
}

// ---- who calls: the admin API's token check, in MAS's order and with its messages ----

function authenticate(state, authorization) {
  if (!authorization) throw new ApiError(400, 'Missing authorization header')
  const bearer = /^Bearer +(\S+)$/i.exec(authorization)?.[1]
  if (!bearer) throw new ApiError(400, 'Invalid authorization header')
  const kind = tokenKind(bearer)
  if (kind !== 'oauth2' && kind !== 'personal') throw new ApiError(401, 'Invalid type of access token')
  const token = state.accessTokens.get(bearer)
  if (!token || token.kind !== kind) throw new ApiError(401, 'Unknown access token')
  const usable = (user) => user && !user.locked_at && !user.deactivated_at
  if (kind === 'oauth2') {
    const session = state.oauth2Sessions.get(token.sessionId)
    if (session.finished_at) throw new ApiError(401, 'Access token revoked')
    if (token.revokedAt || isExpired(token)) throw new ApiError(401, 'Access token expired')
    if (session.user_id && !usable(state.users.get(session.user_id))) throw new ApiError(401, 'User locked')
    if (!session.scope.split(' ').includes(ADMIN_SCOPE)) throw new ApiError(401, `Missing ${ADMIN_SCOPE} scope`)
    const owner = session.user_id
      ? { owner_user_id: session.user_id, owner_client_id: null }
      : { owner_user_id: null, owner_client_id: session.client_id }
    return { session, owner }
  }
  const session = state.personalSessions.get(token.sessionId)
  if (session.revoked_at) throw new ApiError(401, 'Access token revoked')
  if (token.revokedAt || isExpired(token)) throw new ApiError(401, 'Access token expired')
  if (session.owner_user_id && !usable(state.users.get(session.owner_user_id))) throw new ApiError(401, 'User locked')
  if (state.users.get(session.actor_user_id)?.deactivated_at) throw new ApiError(401, 'User locked')
  if (!session.scope.split(' ').includes(ADMIN_SCOPE)) throw new ApiError(401, `Missing ${ADMIN_SCOPE} scope`)
  return { session, owner: { owner_user_id: session.actor_user_id, owner_client_id: null } }
}

// ---- token introspection, as Synapse asks it ----

const INACTIVE = { active: false }

function introspect(state, token, { hint, explicitDeviceId }) {
  const kind = tokenKind(token)
  if (!kind) return INACTIVE
  if (hint && (hint === 'refresh_token') !== kind.endsWith('-refresh')) return INACTIVE
  const record = state.accessTokens.get(token)
  if (!record || record.kind !== kind || record.revokedAt || isExpired(record)) return INACTIVE
  const expiresIn = record.expiresAt === null ? {} : { expires_in: Math.max(0, Math.floor((Date.parse(record.expiresAt) - Date.now()) / 1000)) }
  const valid = (user) => user && !user.locked_at && !user.deactivated_at
  const answer = (user, scope, extra = {}) => ({
    active: true,
    scope: normalizeScope(scope),
    username: user?.username ?? undefined,
    sub: user?.id ?? undefined,
    token_type: 'access_token',
    iat: Math.floor(Date.parse(record.createdAt) / 1000),
    ...expiresIn,
    ...extra,
  })
  if (kind === 'compat') {
    const session = state.compatSessions.get(record.sessionId)
    const user = state.users.get(session.user_id)
    if (session.finished_at || !valid(user)) return INACTIVE
    const scopes = [CLIENT_API_SCOPE]
    if (session.device_id && !explicitDeviceId) scopes.push(`urn:matrix:client:device:${session.device_id}`)
    if (session.synapse_admin) scopes.push(SYNAPSE_ADMIN_SCOPE)
    return answer(user, scopes.join(' '), explicitDeviceId && session.device_id ? { device_id: session.device_id } : {})
  }
  if (kind === 'oauth2') {
    const session = state.oauth2Sessions.get(record.sessionId)
    const user = session.user_id ? state.users.get(session.user_id) : null
    if (session.finished_at || (session.user_id && !valid(user))) return INACTIVE
    return answer(user, session.scope, { client_id: session.client_id })
  }
  const session = state.personalSessions.get(record.sessionId)
  const actor = state.users.get(session.actor_user_id)
  if (session.revoked_at || !valid(actor)) return INACTIVE
  if (session.owner_user_id && !valid(state.users.get(session.owner_user_id))) return INACTIVE
  return answer(actor, session.scope, session.owner_client_id ? { client_id: session.owner_client_id } : {})
}

/** MAS adds the stable/unstable twin of the client API and device scopes, and orders the set. */
function normalizeScope(scope) {
  const tokens = new Set(scope.split(' ').filter(Boolean))
  for (const token of [...tokens]) {
    if (token === CLIENT_API_SCOPE) tokens.add(UNSTABLE_CLIENT_API_SCOPE)
    if (token === UNSTABLE_CLIENT_API_SCOPE) tokens.add(CLIENT_API_SCOPE)
    const device = DEVICE_SCOPE.exec(token)?.[1]
    if (device) {
      tokens.add(`urn:matrix:client:device:${device}`)
      tokens.add(`urn:matrix:org.matrix.msc2967.client:device:${device}`)
    }
  }
  return [...tokens].sort().join(' ')
}

// ---- HTTP ----

const MAX_BODY = 1024 * 1024

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'Request body too large', { plain: true }))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res, { status, body, text }) {
  if (body !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  } else {
    res.writeHead(status, text === undefined ? {} : { 'content-type': 'text/plain; charset=utf-8' })
    res.end(text ?? '')
  }
}

/** A JSON body with every `password` value replaced: recorded exchanges may be printed by a failing test. */
function withoutPasswords(rawBody) {
  try {
    return JSON.stringify(JSON.parse(rawBody), (key, value) => (key === 'password' && typeof value === 'string' ? '***' : value))
  } catch {
    return rawBody
  }
}

/** 'bearer', 'other' or null: what the recorded exchange keeps of the Authorization header (never the token). */
const authorizationScheme = (header) => (header ? (/^Bearer /i.test(header) ? 'bearer' : 'other') : null)

function errorReply(error) {
  if (!(error instanceof ApiError)) return { status: 500, body: { errors: [{ title: String(error?.message ?? error) }] } }
  return error.plain ? { status: error.status, text: error.message } : { status: error.status, body: { errors: [{ title: error.message }] } }
}

/** client_id and secret from HTTP Basic (form-encoded parts, RFC 6749 §2.3.1) or the form. */
function clientCredentials(req, form) {
  const basic = /^Basic +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (basic) {
    const [id, secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':')
    const decode = (part) => decodeURIComponent(part.replace(/\+/g, ' '))
    return { id: decode(id), secret: decode(secret) }
  }
  return { id: form.get('client_id'), secret: form.get('client_secret') }
}

function metadata(issuer) {
  return {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth2/token`,
    jwks_uri: `${issuer}oauth2/keys.json`,
    registration_endpoint: `${issuer}oauth2/registration`,
    introspection_endpoint: `${issuer}oauth2/introspect`,
    revocation_endpoint: `${issuer}oauth2/revoke`,
    userinfo_endpoint: `${issuer}oauth2/userinfo`,
    device_authorization_endpoint: `${issuer}oauth2/device`,
    scopes_supported: ['openid', 'email'],
    response_types_supported: ['code', 'id_token', 'code id_token'],
    response_modes_supported: ['form_post', 'query', 'fragment'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
    ],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    code_challenge_methods_supported: ['plain', 'S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    account_management_uri: `${issuer}account/`,
    account_management_actions_supported: [
      'org.matrix.profile',
      'org.matrix.sessions_list',
      'org.matrix.session_view',
      'org.matrix.session_end',
      'org.matrix.cross_signing_reset',
    ],
    prompt_values_supported: ['create'],
  }
}

/**
 * Starts the stand-in on loopback. Options: `port` (default: a free one), `serverName` (the homeserver's name,
 * for site-config), `secret` (shared with Synapse; default: random), `tokenTtl` (seconds a client-credentials
 * token lives; 300 like MAS), `passwordLogin` (false: set-password answers 403, as MAS without passwords),
 * `maxExchanges` (recorded admin API exchanges kept, newest last).
 */
export async function startStandInMas(options = {}) {
  const config = {
    serverName: options.serverName ?? 'synadm.test',
    secret: options.secret ?? randomBytes(24).toString('hex'),
    tokenTtl: options.tokenTtl ?? 300,
    passwordLogin: options.passwordLogin ?? true,
    version: options.version ?? 'v1.22.0-synadm-stand-in',
    maxExchanges: options.maxExchanges ?? 10_000,
  }
  const controlToken = randomBytes(24).toString('hex')
  // Fixed at start, so reset() brings back the same client, admin and token.
  const fixed = {
    adminClientId: ulid(),
    adminClientSecret: randomBytes(24).toString('hex'),
    webClientId: ulid(),
    providerIds: [ulid(), ulid()],
    adminUserId: ulid(),
    adminSessionId: ulid(),
    adminToken: `mpt_${randomText(30)}_${randomText(6)}`,
  }

  let state
  let store
  let homeserver
  let synapseUrl = null
  const exchanges = []
  let exchangeCount = 0
  let down = false

  function bootstrap() {
    state = createState()
    store = createStore(state, config)
    homeserver = createHomeserver(state, config)
    if (synapseUrl) homeserver.attach(synapseUrl)
    const created = now()
    store.add(
      'oauth2Clients',
      {
        client_id: fixed.adminClientId,
        client_name: 'synadm tests (admin API)',
        client_uri: null,
        logo_uri: null,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        is_static: true,
        secret: fixed.adminClientSecret,
        admin: true, // listed in MAS's policy.data.admin_clients
      },
      fixed.adminClientId,
    )
    store.add(
      'oauth2Clients',
      {
        client_id: fixed.webClientId,
        client_name: 'Element Web',
        client_uri: 'https://app.element.io/',
        logo_uri: null,
        redirect_uris: ['https://app.element.io/'],
        grant_types: ['authorization_code', 'refresh_token'],
        is_static: false,
        secret: null,
        admin: false,
      },
      fixed.webClientId,
    )
    const provider = (issuer, name, brand, disabled) => ({
      issuer,
      human_name: name,
      brand_name: brand,
      created_at: created,
      disabled_at: disabled ? created : null,
      registration_token_required: false,
    })
    store.add('upstreamProviders', provider('https://idp.example.test/', 'Example IdP', null, false), fixed.providerIds[0])
    store.add('upstreamProviders', provider('https://old-idp.example.test/', 'Retired IdP', 'oidc', true), fixed.providerIds[1])
    const admin = store.addUser('admin', { admin: true, id: fixed.adminUserId })
    store.addPersonalSession({
      owner: { owner_user_id: null, owner_client_id: fixed.adminClientId },
      actor: admin,
      humanName: 'synadm tests (Synapse and MAS admin)',
      scope: [CLIENT_API_SCOPE, SYNAPSE_ADMIN_SCOPE, ADMIN_SCOPE].join(' '),
      id: fixed.adminSessionId,
      token: fixed.adminToken,
    })
  }
  bootstrap()

  function record(exchange) {
    exchanges.push({ seq: exchangeCount++, ...exchange })
    if (exchanges.length > config.maxExchanges) exchanges.splice(0, exchanges.length - config.maxExchanges)
  }

  async function adminApi(req, url, rawBody) {
    const path = url.pathname.slice(ADMIN_PREFIX.length) || '/'
    let reply
    let operationId = null
    try {
      const match = matchRoute(req.method, path)
      if (!match) reply = { status: 404 }
      else if (match.methodNotAllowed) reply = { status: 405 }
      else {
        operationId = match.route.operationId
        const caller = authenticate(state, req.headers.authorization)
        if (match.invalidId) throw new ApiError(400, 'Invalid ULID in path')
        const ctx = { state, store, config, homeserver, caller, params: match.params, query: url.searchParams, rawBody, headers: req.headers, path }
        const { status, body } = await match.route.handler(ctx)
        reply = { status, body }
      }
    } catch (error) {
      reply = errorReply(error)
    }
    record({
      operationId,
      method: req.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      authorization: authorizationScheme(req.headers.authorization),
      requestContentType: req.headers['content-type'] ?? null,
      requestBody: rawBody.length ? withoutPasswords(rawBody) : null,
      status: reply.status,
      responseContentType: reply.body !== undefined ? 'application/json' : reply.text !== undefined ? 'text/plain' : null,
      responseBody: reply.body ?? reply.text ?? null,
    })
    return reply
  }

  function introspection(req, rawBody) {
    const form = new URLSearchParams(rawBody)
    const bearer = /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (bearer !== undefined) {
      if (bearer !== config.secret) {
        return { status: 401, body: { error: 'access_denied', error_description: 'bearer token presented is invalid' } }
      }
    } else {
      const { id, secret } = clientCredentials(req, form)
      const client = state.oauth2Clients.get(id)
      if (!client?.secret || client.secret !== secret) return { status: 401, body: { error: 'invalid_client' } }
    }
    const token = form.get('token')
    if (!token) return { status: 400, body: { error: 'invalid_request' } }
    const explicitDeviceId = req.headers['x-mas-supports-device-id'] === '1'
    return { status: 200, body: introspect(state, token, { hint: form.get('token_type_hint'), explicitDeviceId }) }
  }

  function tokenGrant(req, rawBody) {
    const form = new URLSearchParams(rawBody)
    const { id, secret } = clientCredentials(req, form)
    const client = id ? state.oauth2Clients.get(id) : null
    if (!client?.secret || client.secret !== secret) return { status: 401, body: { error: 'invalid_client' } }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type' } }
    if (!client.grant_types.includes('client_credentials')) return { status: 400, body: { error: 'unauthorized_client' } }
    const scope = (form.get('scope') ?? '').split(' ').filter(Boolean)
    const allowed = (token) => CLIENT_CREDENTIALS_SCOPES.has(token) && (token !== ADMIN_SCOPE || client.admin)
    if (!scope.every(allowed)) return { status: 400, body: { error: 'invalid_scope' } }
    const session = store.add('oauth2Sessions', oauth2Session({ clientId: client.id, scope: scope.join(' ') }))
    const accessToken = store.issueToken('oauth2', session.id, config.tokenTtl)
    return { status: 200, body: { access_token: accessToken, token_type: 'Bearer', expires_in: config.tokenTtl, scope: session.scope } }
  }

  const oauth2Session = ({ clientId, scope, userId = null, humanName = null }) => ({
    created_at: now(),
    finished_at: null,
    user_id: userId,
    user_session_id: null,
    client_id: clientId,
    scope,
    user_agent: null,
    last_active_at: null,
    last_active_ip: null,
    human_name: humanName,
  })

  function userNamed(username) {
    const user = [...state.users.values()].find((u) => u.username === username)
    if (!user) throw new ApiError(404, `User with username ${JSON.stringify(username)} not found`)
    return user
  }

  const seeds = {
    /** A compatibility session, as `mas-cli manage issue-compatibility-token` (or a legacy /login) makes one. */
    async compatSession({ username, deviceId, synapseAdmin = false, humanName = null }) {
      const user = userNamed(username)
      const device = deviceId ?? randomText(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
      await homeserver.upsertDevice(user, device)
      const session = store.add('compatSessions', {
        user_id: user.id,
        device_id: device,
        user_session_id: null,
        redirect_uri: null,
        created_at: now(),
        user_agent: 'synadm-tests',
        last_active_at: null,
        last_active_ip: null,
        finished_at: null,
        human_name: humanName,
        synapse_admin: synapseAdmin,
      })
      return { id: session.id, deviceId: device, accessToken: store.issueToken('compat', session.id) }
    },
    /** An OAuth 2.0 session of a user through a client (a login with Element, say). */
    async oauth2Session({ username, clientId = fixed.webClientId, scope = CLIENT_API_SCOPE }) {
      const user = userNamed(username)
      const session = store.add('oauth2Sessions', oauth2Session({ clientId, scope, userId: user.id }))
      await homeserver.upsertScopeDevices(user, scope)
      return { id: session.id, accessToken: store.issueToken('oauth2', session.id, config.tokenTtl) }
    },
    /** A browser session (a login to MAS's own web UI). */
    userSession({ username }) {
      const user = userNamed(username)
      const session = store.add('userSessions', {
        created_at: now(),
        finished_at: null,
        user_id: user.id,
        user_agent: 'Mozilla/5.0 (synadm tests)',
        last_active_at: now(),
        last_active_ip: '127.0.0.1',
      })
      return { id: session.id }
    },
    /** Counts one registration with a registration token. */
    useRegistrationToken({ token }) {
      const record = [...state.registrationTokens.values()].find((t) => t.token === token)
      if (!record) throw new ApiError(404, `Registration token ${JSON.stringify(token)} not found`)
      record.times_used += 1
      record.last_used_at = now()
      return {}
    },
  }

  const CONTROL = {
    'POST /_stand-in/reset': () => (bootstrap(), {}),
    'POST /_stand-in/outage': (body) => ((down = Boolean(body.down)), {}),
    'POST /_stand-in/compat-sessions': (body) => seeds.compatSession(body),
    'POST /_stand-in/oauth2-sessions': (body) => seeds.oauth2Session(body),
    'POST /_stand-in/user-sessions': (body) => seeds.userSession(body),
    'POST /_stand-in/registration-tokens/use': (body) => seeds.useRegistrationToken(body),
    'GET /_stand-in/exchanges': (_body, url) => since(exchanges, url),
    'GET /_stand-in/homeserver-calls': (_body, url) => since(homeserver.calls.map((c, seq) => ({ seq, ...c })), url),
  }

  const since = (list, url) => {
    const from = Number(url.searchParams.get('since') ?? 0)
    return { items: list.filter((item) => item.seq >= from), next: (list.at(-1)?.seq ?? -1) + 1 }
  }

  async function control(req, url, rawBody) {
    if (req.headers.authorization !== `Bearer ${controlToken}`) return { status: 401, body: { error: 'control token required' } }
    const action = CONTROL[`${req.method} ${url.pathname}`]
    if (!action) return { status: 404, body: { error: 'no such control action' } }
    try {
      return { status: 200, body: await action(rawBody ? JSON.parse(rawBody) : {}, url) }
    } catch (error) {
      return errorReply(error)
    }
  }

  let issuer
  async function handle(req, res) {
    const url = new URL(req.url, issuer)
    let rawBody
    try {
      rawBody = await readBody(req)
    } catch (error) {
      return send(res, errorReply(error))
    }
    if (url.pathname.startsWith('/_stand-in/')) return send(res, await control(req, url, rawBody))
    if (down) return req.socket.destroy() // MAS is down: the connection drops
    const route = `${req.method} ${url.pathname}`
    if (route === 'GET /.well-known/openid-configuration' || route === 'GET /.well-known/oauth-authorization-server') {
      return send(res, { status: 200, body: metadata(issuer) })
    }
    if (route === 'GET /oauth2/keys.json') return send(res, { status: 200, body: { keys: [] } })
    if (route === 'POST /oauth2/introspect') return send(res, introspection(req, rawBody))
    if (route === 'POST /oauth2/token') return send(res, tokenGrant(req, rawBody))
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      return send(res, await adminApi(req, url, rawBody))
    }
    send(res, { status: 404 })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, errorReply(error))
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const { port } = server.address()
  issuer = `http://127.0.0.1:${port}/`

  return {
    /** Base URL, with the trailing slash (the issuer; Synapse's `endpoint`). */
    url: issuer,
    issuer,
    port,
    /** Shared with Synapse (`matrix_authentication_service.secret`). */
    secret: config.secret,
    controlToken,
    adminClient: { clientId: fixed.adminClientId, clientSecret: fixed.adminClientSecret },
    /** MAS's admin user and its personal token: scopes client API, Synapse admin and MAS admin. */
    admin: { id: fixed.adminUserId, username: 'admin', token: fixed.adminToken },
    get state() {
      return state
    },
    exchanges,
    get homeserverCalls() {
      return homeserver.calls
    },
    get jobFailures() {
      return homeserver.jobFailures
    },
    /** Points the stand-in at Synapse and provisions the admin there, as MAS would on the admin's first login. */
    async attachHomeserver(url) {
      synapseUrl = url
      homeserver.attach(url)
      await homeserver.provisionUser(state.users.get(fixed.adminUserId))
    },
    reset: () => bootstrap(),
    setDown: (value) => {
      down = Boolean(value)
    },
    seedCompatSession: seeds.compatSession,
    seedOAuth2Session: seeds.oauth2Session,
    seedUserSession: seeds.userSession,
    useRegistrationToken: seeds.useRegistrationToken,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
