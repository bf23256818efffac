/**
 * Grammars of the identifiers admins type, checked by core after parsing and before any request, so a typo never
 * reaches another endpoint. As strict as the Matrix spec's identifier grammar (appendices), never stricter than
 * Synapse itself: Synapse splits `@local:domain` at the first colon and accepts any localpart, and historical user
 * IDs with characters outside today's `[a-z0-9._=/+-]` exist, so a user localpart may hold any printable ASCII
 * character but the colon (the spec's historical grammar); alias and room ID localparts any character but the
 * colon and control characters. Opaque IDs (devices, jobs) are only refused when empty, `.` or `..` (no path segment can
 * carry those; core's path builder refuses them for every value too).
 */
import type { IdKind } from './spec.js'

/** hostname (RFC 1035 labels, as Synapse checks them), IPv4, or [IPv6]; then an optional port */
const SERVER_NAME = /^(?:[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/
/** the spec's historical user ID localpart: printable ASCII but the colon (today's users are a subset) */
const USER_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/
/** room alias and room ID localparts: any character but the colon, NUL (and other control characters) */
const LOCALPART = /^[^:\u0000-\u001f\u007f]+$/
/** the spec's limit for user IDs, room aliases and event IDs, sigil and domain included */
const MAX_ID_BYTES = 255
const MEDIA_ID = /^[A-Za-z0-9_-]+$/
/** Synapse's admin API: at most 64 of A-Z a-z 0-9 . _ ~ - */
const REGISTRATION_TOKEN = /^[A-Za-z0-9._~-]{1,64}$/
/** 48 bits of time and 80 random bits in Crockford's base32: the first character is at most 7 */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/

const bytes = (text: string) => Buffer.byteLength(text, 'utf8')
/** an opaque ID (device, job) can be anything the server made, except what no path segment can carry */
const isOpaque = (text: string) => text !== '' && text !== '.' && text !== '..' && !/[\u0000-\u001f\u007f]/.test(text)

export const isServerName = (text: string) => SERVER_NAME.test(text) && bytes(text) <= MAX_ID_BYTES

/** `{sigil}localpart:server`, split at the first colon as Synapse does. */
function sigilled(sigil: string, text: string, domainRequired = true, localpart = LOCALPART): boolean {
  if (!text.startsWith(sigil) || bytes(text) > MAX_ID_BYTES) return false
  const colon = text.indexOf(':')
  const local = colon < 0 ? text.slice(1) : text.slice(1, colon)
  if (!localpart.test(local)) return false
  if (colon < 0) return !domainRequired
  return isServerName(text.slice(colon + 1))
}

export const isUserId = (text: string) => sigilled('@', text, true, USER_LOCALPART)
export const isRoomAlias = (text: string) => sigilled('#', text)
/** `#name` without its server: an alias on this server, completed with its name as a localpart is (completeAlias). */
export const isShortAlias = (text: string) => !text.includes(':') && sigilled('#', text, false)
/** An alias as typed, `#name` completed to `#name:server` (the local server name); anything else as is. */
export const completeAlias = (text: string, serverName: string) => (isShortAlias(text) ? `${text}:${serverName}` : text)

/**
 * A user ID or localpart typed with capitals, in lower case: Matrix user IDs are lower case (a few historical ones
 * are not), so a lookup of one that failed most likely meant this. Undefined when there is nothing to lower.
 */
export function lowerCaseUser(text: string): string | undefined {
  const colon = text.indexOf(':')
  const local = colon < 0 ? text : text.slice(0, colon)
  return local === local.toLowerCase() ? undefined : local.toLowerCase() + (colon < 0 ? '' : text.slice(colon))
}
/** `!opaque:server`; room version 12 and later drop the server part (`!` and 43 base64 characters). */
export const isRoomId = (text: string) => sigilled('!', text, false)
/** `$opaque:server` in room versions 1 and 2; a base64 hash (which may hold `/` and `+`) since. */
export function isEventId(text: string): boolean {
  if (!text.startsWith('$') || text.length < 2 || bytes(text) > MAX_ID_BYTES || /[\u0000-\u001f\u007f]/.test(text)) return false
  const colon = text.indexOf(':')
  return colon < 0 || (colon > 1 && isServerName(text.slice(colon + 1)))
}

/**
 * A user as commands take it: a full user ID, or a localpart that the command completes with the server name.
 * synadm's [mxid] rule also accepts `@alice` and `alice:` for a localpart.
 */
export function isUserOrLocalpart(text: string): boolean {
  if (isUserId(text)) return true
  const local = text.replace(/^@/, '').replace(/:$/, '')
  return USER_LOCALPART.test(local) && bytes(local) <= MAX_ID_BYTES
}

export function isMxcUri(text: string): boolean {
  const m = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(text)
  return m !== null && isServerName(m[1]) && MEDIA_ID.test(m[2])
}

/** What each kind accepts, as the error message says it, and what one of them is called (`30 users`). */
const KINDS: Record<IdKind, { check: (text: string) => boolean; expected: string; noun: string }> = {
  user: { check: isUserOrLocalpart, expected: 'a user ID (@name:server) or a localpart', noun: 'user' },
  user_full: { check: isUserId, expected: 'a user ID (@name:server)', noun: 'user' },
  room: { check: isRoomId, expected: 'a room ID (!id:server)', noun: 'room' },
  alias: { check: (t) => isRoomAlias(t) || isShortAlias(t), expected: 'a room alias (#name:server, or #name on this server)', noun: 'room' },
  room_or_alias: { check: (t) => isRoomId(t) || isRoomAlias(t) || isShortAlias(t), expected: 'a room ID (!id:server) or alias (#name:server, or #name on this server)', noun: 'room' },
  event: { check: isEventId, expected: 'an event ID ($id)', noun: 'event' },
  server: { check: isServerName, expected: 'a server name (host, host:port or [IPv6]:port)', noun: 'server' },
  media: { check: (t) => MEDIA_ID.test(t), expected: 'a media ID (letters, digits, _ and -)', noun: 'media file' },
  mxc: { check: isMxcUri, expected: 'an mxc:// URI (mxc://server/media_id)', noun: 'media file' },
  media_or_mxc: { check: (t) => MEDIA_ID.test(t) || isMxcUri(t), expected: 'a media ID or an mxc:// URI', noun: 'media file' },
  device: { check: isOpaque, expected: 'a device ID', noun: 'device' },
  regtok: { check: (t) => REGISTRATION_TOKEN.test(t) && isOpaque(t), expected: 'a registration token (1 to 64 of A-Z a-z 0-9 . _ ~ -; not . or ..)', noun: 'registration token' },
  report: { check: (t) => /^\d{1,15}$/.test(t), expected: 'a report ID (a number)', noun: 'report' },
  group: { check: (t) => sigilled('+', t), expected: 'a group ID (+name:server)', noun: 'group' },
  job: { check: isOpaque, expected: 'a job ID as the server printed it', noun: 'job' },
  ulid: { check: (t) => ULID.test(t), expected: 'a ULID (26 characters: digits and capital letters but I, L, O, U)', noun: 'item' },
}

/** undefined when `text` is a valid `kind`, else what was expected (for "'x' is not …"). */
export function idProblem(kind: IdKind, text: string): string | undefined {
  const rule = KINDS[kind]
  if (!rule) return undefined
  return rule.check(text) ? undefined : `is not ${rule.expected}`
}

/** `1 user`, `30 users`: a number of identifiers of a kind, in words. */
export function countOf(kind: IdKind | undefined, count: number): string {
  const noun = (kind && KINDS[kind]?.noun) ?? 'target'
  return `${count} ${count === 1 ? noun : noun + 's'}`
}
