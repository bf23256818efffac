/**
 * stderr logging for -v/-vv, and the one redaction and the one escaping of everything synadm writes to a screen or
 * a file: `redact` (JSON bodies), `redactText` (URLs, paths and queries in any text) and `escapeControl` (text from
 * servers and files shown on a terminal). A command line as words is redacted from its declaration by
 * core/cli/secrets.ts, which builds on these.
 */

export interface Logger {
  /** -v and up */
  info(message: string): void
  /** -vv and up */
  debug(message: string): void
  /** always */
  warn(message: string): void
  readonly level: number
}

export const REDACTED = 'REDACTED'

/** JSON fields whose value is a secret, in bodies and in JSON typed on a command line. */
export const SECRET_FIELDS = ['password', 'new_password', 'token', 'access_token', 'refresh_token', 'registration_shared_secret', 'shared_secret', 'mac', 'nonce', 'authorization']
const SECRET_KEYS = new RegExp(`^(${SECRET_FIELDS.join('|')})$`, 'i')

/** A deep copy with secret fields replaced, safe to log or print. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && v ? REDACTED : redact(v)]))
  }
  return value
}

/** Query parameters whose value is a secret (Matrix passes tokens and client secrets in query strings too). */
const SECRET_PARAMS = 'access_token|refresh_token|login_token|loginToken|token|client_secret|password|new_password|registration_shared_secret|shared_secret|mac|nonce'
const SECRET_QUERY = new RegExp(`([?&;](?:${SECRET_PARAMS})=)[^&#\\s'")]+`, 'gi')
/** Path segments that are secrets: a registration token lets anyone register (`registration_tokens/new` creates one). */
const SECRET_SEGMENT = /(\/registration_tokens\/)(?!new(?![\w.~%-]))[\w.~%-]+/g
/** user:password@ in a URL (a base_url may carry them) */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s'"]+@/gi

/**
 * Text with the secrets in any URLs or paths it mentions replaced: secret query parameters, secret path segments
 * and user info; and the secret values typed on the running command line (see `typedSecrets`). Every log line,
 * every error message, the audit log and every URL shown (servers, config --show) go through it.
 */
export function redactText(text: string): string {
  return typed.reduce((out, pattern) => out.replace(pattern, REDACTED), redactUrls(text))
}

export const redactUrls = (text: string, marker = REDACTED) => text.replace(URL_USERINFO, `$1${marker}@`).replace(SECRET_QUERY, `$1${marker}`).replace(SECRET_SEGMENT, `$1${marker}`)

/** A secret typed shorter than this is not looked for in free text (it would hide ordinary words). */
const MIN_TYPED_SECRET = 3
let typed: RegExp[] = []

/**
 * The secret values typed for the command now running (a registration token argument, a password option): the
 * server may quote them back (Synapse's "No such registration token: X"), so redactText masks them too, as whole
 * words. A new command replaces them; the targets of a bulk run add theirs (`add`).
 */
export function typedSecrets(values: readonly string[], add = false): void {
  const patterns = values.filter((v) => v.length >= MIN_TYPED_SECRET).map((v) => new RegExp(`(?<![\\w.~-])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.~-])`, 'g'))
  typed = add ? [...typed, ...patterns] : patterns
}

/** C0 controls, DEL and C1 controls: what a terminal acts on instead of showing. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Text with its control characters shown as escapes (`\n`, `\t`, `\x1b`, `\x07` …), so that what a server or a
 * file says cannot move the cursor, retitle the terminal or start a line of its own.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

export function createLogger(level: number, write: (line: string) => void): Logger {
  const line = (message: string) => escapeControl(redactText(message))
  return {
    level,
    info: (message) => level >= 1 && write(`INFO  ${line(message)}\n`),
    debug: (message) => level >= 2 && write(`DEBUG ${line(message)}\n`),
    warn: (message) => write(`WARN  ${line(message)}\n`),
  }
}
