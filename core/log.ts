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

export function createLogger(level: number, write: (line: string) => void): Logger {
  return {
    level,
    info: (message) => level >= 1 && write(`INFO  ${message}\n`),
    debug: (message) => level >= 2 && write(`DEBUG ${message}\n`),
    warn: (message) => write(`WARN  ${message}\n`),
  }
}
