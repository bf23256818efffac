/**
 * The one error type of synadm. Every failure a user can meet becomes a SynadmError with a kind;
 * the kind decides the exit code, so exit codes stay consistent across commands and plugins.
 */
import { escapeControl, redactText } from './log.js'

export const EXIT = {
  ok: 0,
  failure: 1, // anything else: a command found invalid input, an unexpected fault
  usage: 2, // bad command line
  config: 3, // missing or unusable configuration
  network: 4, // refused, DNS, timeout, TLS
  api: 5, // Synapse answered with an error not covered below
  auth: 6, // 401 / 403
  notFound: 7, // 404
  rateLimited: 8, // 429 beyond the retry budget
  partial: 9, // a bulk operation where some items failed
  jobFailed: 10, // a waited-on server job ended failed
  aborted: 11, // a confirmation was declined
  attention: 12, // `status`: something on the server needs attention (the report was printed)
  cancelled: 130, // Ctrl-C
} as const

export type ErrorKind = keyof typeof EXIT

const BRAND = Symbol.for('synadm.error')

/** synadm's own reasons within a kind, for code that must tell them apart (the server's reason is `errcode`) */
export type ErrorCode = 'not_configured'

export interface ErrorDetails {
  hint?: string
  code?: ErrorCode
  status?: number
  errcode?: string
  /** the server's `error` text */
  serverMessage?: string
  cause?: unknown
}

export class SynadmError extends Error {
  readonly [BRAND] = true
  readonly kind: ErrorKind
  readonly hint?: string
  readonly code?: ErrorCode
  readonly status?: number
  readonly errcode?: string
  readonly serverMessage?: string

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'SynadmError'
    this.kind = kind
    this.hint = details.hint
    this.code = details.code
    this.status = details.status
    this.errcode = details.errcode
    this.serverMessage = details.serverMessage
  }

  get exitCode(): number {
    return EXIT[this.kind]
  }

  /** Works across copies of this module (a third-party plugin may bundle its own). */
  static is(value: unknown): value is SynadmError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
  }
}

export const usageError = (message: string, hint?: string) => new SynadmError('usage', message, { hint })

/** Turns anything thrown into a SynadmError; unknown faults keep their stack for -vv. */
export function toSynadmError(error: unknown): SynadmError {
  if (SynadmError.is(error)) return error
  if (error instanceof Error && error.name === 'AbortError') return new SynadmError('cancelled', 'cancelled')
  const message = error instanceof Error ? error.message : String(error)
  return new SynadmError('failure', message, { cause: error })
}

/** The single line (plus an optional hint line) shown on stderr. */
export function describeError(error: SynadmError): string {
  const lines = [`synadm: ${error.message}`]
  if (error.hint) lines.push(`hint: ${error.hint}`)
  return lines.map(screenText).join('\n')
}

/**
 * Text of an error for the terminal: secrets redacted, control characters shown escaped (`\n`, `\x1b` …), so what a
 * server or a file says cannot start a line of its own or act on the terminal. A line break stays where synadm
 * indents what follows (its own lists, click's option groups): nothing can start a line at its first column.
 */
export function screenText(text: string): string {
  return redactText(text).split(/\n(?= {2})/).map(escapeControl).join('\n')
}

/**
 * What stops a command in a dry run at its first write (or its confirmation): not a failure, the end of the dry run.
 * It carries what would have happened, which the executor prints as the command's result.
 */
const DRY_RUN = Symbol.for('synadm.dryRun')

export class DryRunStop extends Error {
  readonly [DRY_RUN] = true
  constructor(readonly would: Record<string, unknown>) {
    super('dry run: no write sent')
    this.name = 'DryRunStop'
  }

  static is(value: unknown): value is DryRunStop {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DRY_RUN] === true
  }
}
