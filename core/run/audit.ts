/**
 * The audit log: for every request that changes something (any method but GET), from any front end and any plugin,
 * a JSON line of its intent, written and synced to disk before the request is sent — if it cannot be, the request is
 * not sent — and a line of its outcome after the answer. The log is synced before the command reports success; a
 * command whose outcome could not be recorded sends nothing more and does not report success. Lines are appended
 * with one write each to a file opened with O_APPEND, so concurrent synadm processes never mix their lines.
 */
import { randomUUID } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { stateDir } from '../kernel/dirs.js'
import { dirname, join } from 'node:path'
import { expandHome, type Settings } from '../config/settings.js'
import { SynadmError } from '../kernel/errors.js'
import { queryString, type Method, type WriteAudit } from '../http/client.js'
import { redact, redactText } from '../kernel/log.js'
import { redactCommandLine } from '../cli/secrets.js'
import { commandShape } from '../cli/options.js'
import type { CommandSpec } from '../contract/spec.js'
import { isRecord } from '../output/formats.js'
import { GLOBAL_DEFS } from '../cli/globals.js'

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
  /** the folder a plan wrote its targets' evidence into before this write (--evidence) */
  evidence?: string
  /** why it failed, when it did */
  error?: string
}

/** What every entry of one invocation shares. */
export interface AuditSubject {
  profile: string
  command: string
  dryRun: boolean
  runId?: string
  /** a plan's --evidence folder */
  evidence?: string
}

const defaultAuditLog = (env: NodeJS.ProcessEnv) => join(stateDir(env), 'audit.log')

/** The log file the settings name: `audit_log`, else the default; undefined when switched off. */
export function auditLogFile(settings: Pick<Settings, 'audit_log'>, env: NodeJS.ProcessEnv): string | undefined {
  if (settings.audit_log === 'off') return undefined
  return settings.audit_log ? expandHome(settings.audit_log) : defaultAuditLog(env)
}

/**
 * A line of the log: an entry, with the ID that pairs a write's intent (`pending`, written and synced before the
 * request is sent) with its outcome (written after the answer).
 */
interface AuditLine extends AuditEntry {
  id: string
  pending?: true
}

/** What `synadm audit` shows for an intent with no outcome after it. */
export const NO_OUTCOME = 'no outcome recorded: synadm stopped, or could not write the log, after recording the intent; the write may or may not have been applied'

const HINT = 'fix the file or its folder, or set audit_log in the config to another path (or off)'

/** Records the writes of one invocation. */
export class AuditRecorder {
  private handle?: Promise<FileHandle>
  private written = false
  /** an outcome the log could not take: no more writes are sent, and the command does not report success */
  private lost?: { message: string; told: boolean }

  constructor(
    private readonly file: string | undefined,
    private readonly settings: Pick<Settings, 'base_url' | 'user'>,
    readonly subject: AuditSubject,
  ) {}

  /**
   * The hook the HTTP client calls before each write: records the intent durably, or refuses the write by throwing;
   * returns what records the outcome.
   */
  readonly hook: WriteAudit = async ({ method, path, query }) => {
    if (!this.file) return async () => {}
    const file = this.file
    const shown = redactText(path.replace(/^\/*/, '/') + queryString(redact(query ?? {}) as Record<string, unknown>))
    if (this.lost) {
      this.lost.told = true
      throw new SynadmError('config', `${this.lost.message}; ${method} ${shown} was not sent`, { hint: HINT })
    }
    const handle = await this.open(file)
    const started = Date.now()
    const id = randomUUID()
    const line = (outcome: { status?: number; error?: string }, pending?: true): AuditLine => ({
      time: new Date(started).toISOString(),
      profile: this.subject.profile,
      base_url: redactText(this.settings.base_url),
      user: this.settings.user,
      command: this.subject.command,
      method,
      path: shown,
      status: outcome.status ?? null,
      duration_ms: pending ? 0 : Date.now() - started,
      run_id: this.subject.runId ?? null,
      dry_run: this.subject.dryRun,
      ...(this.subject.evidence ? { evidence: this.subject.evidence } : {}),
      ...(outcome.error ? { error: redactText(outcome.error.split('\n')[0]) } : {}),
      id,
      ...(pending ? { pending } : {}),
    })
    try {
      // One write per line: with O_APPEND the kernel places it whole at the end, whoever else appends.
      await handle.write(JSON.stringify(line({}, true)) + '\n')
      await syncData(handle)
    } catch (e) {
      throw new SynadmError('config', `cannot write the audit log ${file}: ${(e as Error).message}; ${method} ${shown} was not sent`, { hint: HINT })
    }
    return async (outcome) => {
      try {
        await handle.write(JSON.stringify(line(outcome)) + '\n')
        this.written = true
      } catch (e) {
        // The server has the request: its result stands. What is lost is the log's record of it.
        this.lost ??= { message: `the audit log ${file} could not record the outcome of ${method} ${shown} (sent, status ${outcome.status ?? 'none'}): ${(e as Error).message}`, told: false }
      }
    }
  }

  private open(file: string): Promise<FileHandle> {
    this.handle ??= (async () => {
      // loaded on the first write, not at start: node:fs/promises brings the streams and readline modules
      const { mkdir, open } = await import('node:fs/promises')
      await mkdir(dirname(file), { recursive: true, mode: 0o700 })
      const handle = await open(file, 'a', 0o600)
      // An existing log made by hand or another tool: make it private before adding to it (a file, not a device).
      const stat = await handle.stat()
      if (stat.isFile() && (stat.mode & 0o077) !== 0) await handle.chmod(0o600)
      return handle
    })().catch((error) => {
      this.handle = undefined
      throw new SynadmError('config', `cannot write the audit log ${file}: ${(error as Error).message}; nothing was sent`, { hint: HINT })
    })
    return this.handle
  }

  /**
   * Syncs what was written to disk and closes the log; called before the command reports success, which it does not
   * when an outcome could not be recorded (unless a refused write told that already).
   */
  async settle(): Promise<void> {
    const pending = this.handle
    this.handle = undefined
    const lost = this.lost?.told === false ? this.lost : undefined
    if (lost) lost.told = true
    const handle = await pending?.catch(() => undefined)
    try {
      if (handle && this.written) await syncData(handle)
    } catch (e) {
      throw new SynadmError('config', `the audit log ${this.file} could not be synced to disk: ${(e as Error).message}`, { hint: HINT })
    } finally {
      this.written = false
      await handle?.close()
    }
    if (lost) throw new SynadmError('config', lost.message, { hint: HINT })
  }
}

/** fsync's answer for a file that cannot be synced (a pipe, a device): there is nothing to make durable */
const UNSYNCABLE = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP'])

async function syncData(handle: FileHandle) {
  try {
    await handle.datasync()
  } catch (e) {
    if (!UNSYNCABLE.has((e as NodeJS.ErrnoException).code ?? '')) throw e
  }
}

/**
 * The entries of the log's lines, in order: a write's intent and its outcome (same `id`) are one entry, the outcome's;
 * an intent with no outcome stays, with status null and NO_OUTCOME as its error. Each line that is no entry is
 * skipped and told with `skipped`.
 */
export async function auditEntries(lines: AsyncIterable<string>, skipped: () => void): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  const intents = new Map<string, number>()
  for await (const text of lines) {
    if (!text.trim()) continue
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      value = undefined
    }
    if (!isRecord(value) || typeof value.time !== 'string' || typeof value.command !== 'string') {
      skipped()
      continue
    }
    const { id, pending, ...entry } = value as unknown as Partial<AuditLine> & AuditEntry
    const intent = typeof id === 'string' ? intents.get(id) : undefined
    if (intent !== undefined) {
      entries[intent] = entry
      intents.delete(id!)
    } else if (pending && typeof id === 'string') intents.set(id, entries.push({ ...entry, error: NO_OUTCOME }) - 1)
    else entries.push(entry)
  }
  return entries
}

/** The command line as typed, for the log, through the one redaction (core/kernel/log.ts): secrets become REDACTED. */
export function commandLine(words: string[], spec: CommandSpec): string {
  return ['synadm', ...redactCommandLine(words, spec, GLOBAL_DEFS)].map(quote).join(' ')
}

/** A word as a POSIX shell takes it back: as it is when plain, else in single quotes. */
export const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)
