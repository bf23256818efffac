// Minimal Matrix client (Node's global fetch) that creates test data through a homeserver's real APIs.
// Shared by the server starter, the vitest fixtures and the demo; every function takes the server first.
// `server` = { url, adminToken, registrationSharedSecret? }.
import { createHmac } from 'node:crypto'

/**
 * One HTTP request; resolves to the parsed JSON reply, throws a one-line error on a non-2xx status.
 * `body` may be a plain object (sent as JSON) or bytes (sent with `contentType`).
 */
export async function matrixRequest(server, method, path, { token, body, contentType, query } = {}) {
  const url = new URL(path, server.url)
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, String(value))
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  let payload
  if (body instanceof Uint8Array) {
    payload = body
    headers['content-type'] = contentType ?? 'application/octet-stream'
  } else if (body !== undefined) {
    payload = JSON.stringify(body)
    headers['content-type'] = 'application/json'
  }
  let response
  try {
    response = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) })
  } catch (error) {
    throw new Error(`${method} ${url.href} failed: ${error.cause?.message ?? error.message}`)
  }
  const text = await response.text()
  let json
  try {
    json = text ? JSON.parse(text) : {}
  } catch {
    json = undefined
  }
  if (!response.ok) {
    const detail = json?.errcode ? `${json.errcode}: ${json.error}` : text.slice(0, 200)
    const error = new Error(`${method} ${url.pathname} → ${response.status} ${detail}`)
    error.status = response.status
    error.errcode = json?.errcode
    throw error
  }
  if (json === undefined) throw new Error(`${method} ${url.pathname} → ${response.status} with a non-JSON body`)
  return json
}

const enc = encodeURIComponent

/** Log in with a password; resolves to the access token. */
export async function login(server, user, password) {
  const reply = await matrixRequest(server, 'POST', '/_matrix/client/v3/login', {
    body: { type: 'm.login.password', identifier: { type: 'm.id.user', user }, password },
  })
  return reply.access_token
}

/**
 * Creates a user and returns { userId, token, password }. Uses the shared-secret registration API when the
 * server's secret is known (one request, no login); otherwise the admin API plus a login.
 */
export async function registerUser(server, localpart, { admin = false, password, displayname } = {}) {
  password ??= `pw-${localpart}`
  if (server.registrationSharedSecret) {
    const { nonce } = await matrixRequest(server, 'GET', '/_synapse/admin/v1/register')
    const mac = createHmac('sha1', server.registrationSharedSecret)
      .update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0'))
      .digest('hex')
    const reply = await matrixRequest(server, 'POST', '/_synapse/admin/v1/register', {
      body: { nonce, username: localpart, password, admin, mac, ...(displayname ? { displayname } : {}) },
    })
    return { userId: reply.user_id, token: reply.access_token, password }
  }
  const { user_id: adminId } = await matrixRequest(server, 'GET', '/_matrix/client/v3/account/whoami', {
    token: server.adminToken,
  })
  const userId = `@${localpart}:${adminId.slice(adminId.indexOf(':') + 1)}`
  await matrixRequest(server, 'PUT', `/_synapse/admin/v2/users/${enc(userId)}`, {
    token: server.adminToken,
    body: { password, admin, ...(displayname ? { displayname } : {}) },
  })
  return { userId, token: await login(server, userId, password), password }
}

/** Creates a room; resolves to its ID. `isPublic` also publishes it in the room directory. */
export async function createRoom(server, token, { name, alias, preset, invite, isPublic = false } = {}) {
  const body = { visibility: isPublic ? 'public' : 'private', preset: preset ?? (isPublic ? 'public_chat' : 'private_chat') }
  if (name) body.name = name
  if (alias) body.room_alias_name = alias
  if (invite) body.invite = invite
  const reply = await matrixRequest(server, 'POST', '/_matrix/client/v3/createRoom', { token, body })
  return reply.room_id
}

/** Joins a room by ID or alias; resolves to the room ID. */
export async function joinRoom(server, token, roomIdOrAlias) {
  const reply = await matrixRequest(server, 'POST', `/_matrix/client/v3/join/${enc(roomIdOrAlias)}`, { token, body: {} })
  return reply.room_id
}

let transaction = 0

/** Sends an m.text message; resolves to the event ID. */
export async function sendMessage(server, token, roomId, body) {
  const txn = `synadm-test-${process.pid}-${Date.now()}-${transaction++}`
  const reply = await matrixRequest(
    server,
    'PUT',
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`,
    { token, body: { msgtype: 'm.text', body } },
  )
  return reply.event_id
}

/** Uploads bytes to the media repository; resolves to the mxc:// URI. */
export async function uploadMedia(server, token, bytes, contentType = 'application/octet-stream') {
  const reply = await matrixRequest(server, 'POST', '/_matrix/media/v3/upload', { token, body: bytes, contentType })
  return reply.content_uri
}

/** Reports an event to the server admins (the event report admin API lists it). */
export async function reportEvent(server, token, roomId, eventId, reason = 'test report') {
  await matrixRequest(server, 'POST', `/_matrix/client/v3/rooms/${enc(roomId)}/report/${enc(eventId)}`, {
    token,
    body: { reason, score: -100 },
  })
}

/** Reports a user; resolves to false when the server predates the user report API (Matrix 1.14). */
export async function reportUser(server, token, userId, reason = 'test report') {
  try {
    await matrixRequest(server, 'POST', `/_matrix/client/v3/users/${enc(userId)}/report`, { token, body: { reason } })
    return true
  } catch (error) {
    if (error.status === 404 && error.errcode === 'M_UNRECOGNIZED') return false
    throw error
  }
}

/** Creates a registration token through the admin API; resolves to the token string. */
export async function createRegistrationToken(server, { token, usesAllowed, expiryTime, length } = {}) {
  const body = {}
  if (token) body.token = token
  if (usesAllowed !== undefined) body.uses_allowed = usesAllowed
  if (expiryTime !== undefined) body.expiry_time = expiryTime
  if (length !== undefined) body.length = length
  const reply = await matrixRequest(server, 'POST', '/_synapse/admin/v1/registration_tokens/new', {
    token: server.adminToken,
    body,
  })
  return reply.token
}
