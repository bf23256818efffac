/**
 * Test data created through the real Matrix APIs of the integration server (inject('synapse')). Every helper
 * takes an optional last `server` argument, e.g. a second instance from startSynapse({ lowRateLimit: true }).
 */
import * as client from '../synapse/client.mjs'
import type { CreateRoomOptions, MatrixServer, RegisterOptions, RegistrationTokenOptions } from '../synapse/client.mjs'
import { synapse } from './synapse-info.js'

export type { MatrixServer } from '../synapse/client.mjs'

let counter = 0

/** A name no other test (or earlier run against the same server) uses; valid as a Matrix localpart. */
export function uniqueName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 6)
  return `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}${random}`.toLowerCase()
}

export function registerUser(localpart: string, options: RegisterOptions = {}, server: MatrixServer = synapse()) {
  return client.registerUser(server, localpart, options)
}

export function createRoom(token: string, options: CreateRoomOptions = {}, server: MatrixServer = synapse()) {
  return client.createRoom(server, token, options)
}

export function joinRoom(token: string, roomIdOrAlias: string, server: MatrixServer = synapse()) {
  return client.joinRoom(server, token, roomIdOrAlias)
}

export function sendMessage(token: string, roomId: string, body: string, server: MatrixServer = synapse()) {
  return client.sendMessage(server, token, roomId, body)
}

export function uploadMedia(
  token: string,
  bytes: Uint8Array,
  contentType = 'application/octet-stream',
  server: MatrixServer = synapse(),
) {
  return client.uploadMedia(server, token, bytes, contentType)
}

/**
 * Posts an image event as `member` whose media the room's media list then names; resolves to the media ID. The bytes
 * are unique: Synapse quarantines every file with the same hash too.
 */
export async function postImage(member: { token: string }, roomId: string, server: MatrixServer = synapse()): Promise<string> {
  const mxc = await uploadMedia(member.token, new TextEncoder().encode(uniqueName('chips')), 'text/plain', server)
  await client.matrixRequest(server, 'PUT', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${uniqueName('txn')}`, {
    token: member.token,
    body: { msgtype: 'm.image', body: 'chips.png', url: mxc },
  })
  return mxc.split('/').pop()!
}

export function reportEvent(token: string, roomId: string, eventId: string, reason?: string, server: MatrixServer = synapse()) {
  return client.reportEvent(server, token, roomId, eventId, reason)
}

/** Resolves to false when the server has no user report API (before Matrix 1.14). */
export function reportUser(token: string, userId: string, reason?: string, server: MatrixServer = synapse()) {
  return client.reportUser(server, token, userId, reason)
}

/** Needs the server's admin token. */
export function createRegistrationToken(options: RegistrationTokenOptions = {}, server: MatrixServer = synapse()) {
  return client.createRegistrationToken(server, options)
}

/** A request as the admin (or `token`), for checking what a command did. */
export function adminRequest<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Record<string, string | number | boolean>; token?: string } = {},
  server: MatrixServer = synapse(),
): Promise<T> {
  return client.matrixRequest<T>(server, method, path, { token: server.adminToken, ...options })
}

/**
 * Polls `check` every 100 ms until it returns something other than undefined/null/false (then resolves to it) or
 * the time is up (then throws the last error, or a timeout error). For effects Synapse applies in the background.
 */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let lastError: unknown
    try {
      const value = await check()
      if (value !== undefined && value !== null && value !== false) return value as Exclude<T, undefined | null | false>
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) throw lastError ?? new Error(`waitFor: condition not met within ${timeoutMs} ms`)
    await new Promise((done) => setTimeout(done, 100))
  }
}
