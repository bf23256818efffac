/**
 * The audit log: one JSON line for every request that changes something (any method but GET), from any
 * front end and any plugin. The log is opened before the first write is sent — if it cannot be written, the write
 * is not sent — and synced to disk before the command reports success. Lines are appended with one write each
 * to a file opened with O_APPEND, so concurrent synadm processes never mix their lines.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises'
import { stateDir } from './dirs.js'
import { dirname, join } from 'node:path'
import { expandHome, type Settings } from './config.js'
import { SynadmError } from './errors.js'
import { queryString, type Method, type WriteAudit } from './http.js'
import { GLOBAL_DEFS } from './globals.js'
import { redact, redactCommandLine, redactText } from './log.js'
import type { CommandSpec } from './spec.js'

export interface AuditEntry {
  /** ISO 8601, UTC */
  time: string
  profile: string
  base_url: string
  /** the admin user of the token */
  user: string
  /** the command line as typed, secrets redacted */
  command: string
  method: Method
  /** path and query (secret parameters redacted), under base_url */
  path: string
  /** HTTP status; null when no answer came (network error, cancelled) */
  status: number | null
  duration_ms: number
  /** the bulk run that sent it (see RunContext.audit.runId) */
  run_id: string | null
  dry_run: boolean
  /** why it failed, when it did */
  error?: string
}

/** What every entry of one invocation shares. */
export interface AuditSubject {
  profile: string
  command: string
  dryRun: boolean
  runId?: string
}

const defaultAuditLog = (env: NodeJS.ProcessEnv) => join(stateDir(env), 'audit.log')

/** The log file the settings name: `audit_log`, else the default; undefined when switched off. */
export function auditLogFile(settings: Pick<Settings, 'audit_log'>, env: NodeJS.ProcessEnv): string | undefined {
  if (settings.audit_log === 'off') return undefined
  return settings.audit_log ? expandHome(settings.audit_log) : defaultAuditLog(env)
}

/** Records the writes of one invocation. */
export class AuditRecorder {
  private handle?: Promise<FileHandle>
  private written = false

  constructor(
    private readonly file: string | undefined,
    private readonly settings: Pick<Settings, 'base_url' | 'user'>,
    readonly subject: AuditSubject,
  ) {}

  /** The hook the HTTP client calls before each write: opens the log, and returns what records the outcome. */
  readonly hook: WriteAudit = async ({ method, path, query }) => {
    if (!this.file) return async () => {}
    const handle = await this.open(this.file)
    const started = Date.now()
    return async ({ status, error }) => {
      const entry: AuditEntry = {
        time: new Date(started).toISOString(),
        profile: this.subject.profile,
        base_url: redactText(this.settings.base_url),
        user: this.settings.user,
        command: this.subject.command,
        method,
        path: redactText(path.replace(/^\/*/, '/') + queryString(redact(query ?? {}) as Record<string, unknown>)),
        status: status ?? null,
        duration_ms: Date.now() - started,
        run_id: this.subject.runId ?? null,
        dry_run: this.subject.dryRun,
        ...(error ? { error: redactText(error.split('\n')[0]) } : {}),
      }
      try {
        // One write per line: with O_APPEND the kernel places it whole at the end, whoever else appends.
        await handle.write(JSON.stringify(entry) + '\n')
        this.written = true
      } catch (e) {
        throw new SynadmError('failure', `${method} ${entry.path} was sent (status ${entry.status ?? 'none'}) but the audit log ${this.file} could not record it: ${(e as Error).message}`)
      }
    }
  }

  private open(file: string): Promise<FileHandle> {
    this.handle ??= (async () => {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      const handle = await open(file, 'a', 0o600)
      // An existing log made by hand or another tool: make it private before adding to it.
      if (((await handle.stat()).mode & 0o077) !== 0) await handle.chmod(0o600)
      return handle
    })().catch((error) => {
      this.handle = undefined
      throw new SynadmError('config', `cannot write the audit log ${file}: ${(error as Error).message}; nothing was sent`, {
        hint: 'fix the file or its folder, or set audit_log in the config to another path (or off)',
      })
    })
    return this.handle
  }

  /** Syncs what was written to disk and closes the log; called before the command reports success. */
  async settle(): Promise<void> {
    const pending = this.handle
    this.handle = undefined
    if (!pending) return
    const handle = await pending.catch(() => undefined)
    if (!handle) return
    try {
      if (this.written) await handle.datasync()
    } finally {
      this.written = false
      await handle.close()
    }
  }
}

/** The command line as typed, for the log, through the one redaction (core/log.ts): secrets become REDACTED. */
export function commandLine(words: string[], spec: CommandSpec): string {
  return ['synadm', ...redactCommandLine(words, spec, GLOBAL_DEFS)].map(quote).join(' ')
}

const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)
