/** stderr logging for -v/-vv; secrets are redacted before anything is written. */
export interface Logger {
  /** -v and up */
  info(message: string): void
  /** -vv and up */
  debug(message: string): void
  /** always */
  warn(message: string): void
  readonly level: number
}

const SECRET_KEYS = /^(password|new_password|token|access_token|refresh_token|registration_shared_secret|shared_secret|mac|nonce|authorization)$/i

/** A deep copy with secret fields replaced, safe to log or print. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && v ? 'REDACTED' : redact(v)]))
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
 * and user info. Every log line and every error message goes through it.
 */
export function redactText(text: string): string {
  return text.replace(URL_USERINFO, '$1REDACTED@').replace(SECRET_QUERY, '$1REDACTED').replace(SECRET_SEGMENT, '$1REDACTED')
}

export function createLogger(level: number, write: (line: string) => void): Logger {
  return {
    level,
    info: (message) => level >= 1 && write(`INFO  ${redactText(message)}\n`),
    debug: (message) => level >= 2 && write(`DEBUG ${redactText(message)}\n`),
    warn: (message) => write(`WARN  ${redactText(message)}\n`),
  }
}
