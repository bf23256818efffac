/** What a command's action receives: its input, the services, and the core behaviours it may call. */
import { randomUUID } from 'node:crypto'
import { AuditRecorder, auditLogFile, commandLine, type AuditSubject } from './audit.js'
import { chartOf } from './chart.js'
import type { ResolvedSettings, Settings } from './config.js'
import { DryRunStop, SynadmError } from './errors.js'
import { isUserId, isUserOrLocalpart } from './ids.js'
import { DEFAULT_PROFILE } from './profiles.js'
import type { Globals } from './globals.js'
import type { HttpClient } from './http.js'
import { waitForJob, type WaitOptions } from './jobs.js'
import { secretValues, typedSecrets, type Logger } from './log.js'
import { format, TableLayout, type Format } from './output.js'
import { items, pages, type Page } from './paginate.js'
import { releaseOutput } from './pager.js'
import { Prompts } from './prompts.js'
import { readInput } from './input.js'
import type { Session } from './session.js'
import type { PagedSpec, CommandSpec } from './spec.js'
import type { Values } from './parse.js'
import type { ArgsOf, OptionsOf } from './typed.js'

/** A parsed command line: what both front ends produce, and what the executor runs. */
export interface Invocation {
  command: CommandSpec
  /** positional arguments by name */
  args: Values
  /** options by camelCase long name, defaults applied */
  options: Values
  /** options the user typed (no defaults): send only these where Synapse patches */
  given: Set<string>
  globals: Globals
  /**
   * what the previous command of a shell pipe printed: one entry per line (one per `this.log` call when it was a
   * vorpal extension's command)
   */
  stdin?: string[]
  /** the words as typed (global options included), for the audit log */
  words?: string[]
}

/** The APIs plugins offer, by name; the package's types fill in the built-in ones (plugins/apis.ts). */
export interface Apis {}

/**
 * What an action gets. `RunContext<typeof spec>` (a spec declared with defineCommand) types `options` and `args`
 * from the declaration; a plain `RunContext` has them as untyped Values.
 */
export interface RunContext<S extends CommandSpec = any> extends Omit<Invocation, 'options' | 'args'> {
  /** options by camelCase long name, defaults applied */
  options: OptionsOf<S>
  /** positional arguments by name */
  args: ArgsOf<S>
  /** core internals (registry, caches); core's own commands use it, plugins should not need it */
  session: Session
  signal: AbortSignal
  log: Logger
  prompts: Prompts
  format: Format
  /** how tables fit the terminal and which columns they show (--columns, the command's mainColumns) */
  tables: TableLayout
  /** a person can answer prompts (terminal, not --batch) */
  interactive: boolean
  /** the command is a line of the synadm> shell */
  inShell: boolean
  /** --dry-run: reads happen, every write throws instead of being sent; confirm() ends the run with its preview */
  dryRun: boolean
  /** settings of the session (config file, env, flags) */
  settings(): Promise<Settings>
  resolvedSettings(): Promise<ResolvedSettings>
  /** Admin API client, base `{base_url}/{admin_path}` */
  admin(): Promise<HttpClient>
  /** client API client, base `{base_url}/{matrix_path}` */
  matrix(): Promise<HttpClient>
  /** another plugin's API: typed for the built-in ones (`ctx.use('user')` is a UserApi), else as `use<T>` says */
  use<K extends keyof Apis>(namespace: K): Promise<Apis[K]>
  use<T>(namespace: string): Promise<T>
  /** the local server name (homeserver setting, else whoami), cached per session */
  serverName(): Promise<string>
  /** synadm's [mxid] rule: `alice` → `@alice:server`; a full ID as is; anything else a usage error */
  userId(value: string): Promise<string>
  /** an optional option's value: undefined stays undefined */
  userId(value: string | undefined): Promise<string | undefined>
  /**
   * Asks before a destructive step (unless --batch), showing `preview` first. Refuses without a terminal.
   * Destructive commands cannot send a write before this returned.
   */
  confirm(question: string, preview?: unknown): Promise<void>
  /** print a document now (for commands that show several), in the chosen format */
  emit(data: unknown): Promise<void>
  /** the environment (tests inject their own) */
  env: NodeJS.ProcessEnv
  /** a whole file; `-` reads stdin */
  readFile(file: string): Promise<string>
  /**
   * A secret, never required on argv: the value typed on the command line (kept for compatibility), a file
   * (`-` = stdin; one final line break dropped), an environment variable, or a hidden prompt in a terminal.
   */
  secret(source: SecretSource): Promise<string>
  /** a line for the person, on stderr (not data) */
  note(message: string): void
  /** every page of a paged endpoint */
  pages(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec): AsyncGenerator<Page>
  items<T = unknown>(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec): AsyncGenerator<T>
  /** the command that checks on job `id` later: the spec's job.checkLater with the ID filled in */
  checkLater(id: string): string
  /** poll job `id` until it completes or fails (used with --wait); Ctrl-C prints checkLater(id) */
  wait<T>(o: Omit<WaitOptions<T>, 'signal' | 'progress' | 'interactive' | 'checkLater'> & { id: string }): Promise<T>
  /**
   * Runs `each` for every item as --targets runs a command: one confirmation for the set (unless a dry run),
   * --concurrency, --journal (items named by `target`), the report on stdout, a summary on stderr; each item gets a
   * context of its own whose writes obey --dry-run. Declare `bulk` on the command to get those options. Returns the
   * report; throw `bulkFailure(summary)`'s error to exit as a bulk run does (9 when some failed, 130 after Ctrl-C).
   */
  forEach<T>(items: { target: string; value: T }[], each: (value: T, ctx: RunContext) => Promise<unknown>, o?: { effect?: unknown }): Promise<BulkSummary>
  /** the error a bulk run ends with (undefined when all succeeded) */
  bulkFailure(summary: BulkSummary): SynadmError | undefined
  /** what `each` of forEach returns for an item it leaves alone on purpose: counted as skipped, not done */
  skipped(reason: string): unknown
  /** what the audit log records with each write of this command; a bulk run's targets share it, with the run's ID */
  audit: AuditSubject
}

export interface BulkSummary {
  /** items in the list */
  total: number
  entries: { target: string; ok: boolean; result?: unknown; skipped?: string; error?: string; exit_code?: number }[]
  done: number
  failed: number
  skipped: number
  notStarted: number
  stoppedBy?: SynadmError
}

/** The exit of a bulk run: the stopping fault (130 after Ctrl-C), 9 when some item failed, else none. */
export function bulkFailureOf(summary: BulkSummary, journalFile?: string): SynadmError | undefined {
  const resume = journalFile ? `run the same command with --journal ${journalFile} to go on` : 'next time add --journal FILE to be able to resume'
  const stop = summary.stoppedBy
  if (stop) return new SynadmError(stop.kind, `${stop.message}; ${summary.notStarted} target(s) not started`, { hint: resume, status: stop.status, errcode: stop.errcode })
  if (summary.failed) return new SynadmError('partial', `${summary.failed} of ${summary.total} target(s) failed`, { hint: journalFile ? `fix the cause, then ${resume} (failed targets run again)` : undefined })
  return undefined
}

const SKIPPED = Symbol.for('synadm.skipped')
export const skippedReason = (value: unknown): string | undefined => (typeof value === 'object' && value !== null && SKIPPED in value ? String((value as Record<symbol, unknown>)[SKIPPED]) : undefined)

export interface SecretSource {
  /** what the secret is, for prompts and messages: 'password' */
  what: string
  /** the option that names a file, for the hint: '--password-file' */
  fileOption: string
  typed?: unknown
  file?: unknown
  envVar?: string
  /** the user asked for the prompt (`-p`): a terminal beats the environment variable */
  ask?: boolean
  /** ask twice (new passwords) */
  repeat?: boolean
}

/** How one run of an action differs from a plain command line. */
export interface RunMode {
  /** a line of the synadm> shell, whose own input is not the command's to read */
  inShell?: boolean
  /** one target of a bulk run: the whole set is confirmed already; documents and notes are kept, not printed */
  bulkTarget?: { emitted: unknown[]; notes: string[] }
}

/** the width of a terminal; undefined for pipes and files, where tables are printed whole */
export function terminalWidth(stream: unknown): number | undefined {
  const tty = stream as { isTTY?: boolean; columns?: number }
  return tty.isTTY && tty.columns ? tty.columns : undefined
}

/** The audit of each run context, settled by the executor before the command reports success. */
const audits = new WeakMap<RunContext, CommandAudit>()
/** The audit of the command running on a session: the targets of its bulk run record through it. */
const running = new WeakMap<Session, CommandAudit>()

interface CommandAudit {
  subject: AuditSubject
  recorder(): Promise<AuditRecorder>
  started?: Promise<AuditRecorder>
}

/** Syncs the audit log of a command's writes to disk (a no-op when it made none). */
export async function settleAudit(ctx: RunContext): Promise<void> {
  await (await audits.get(ctx)?.started?.catch(() => undefined))?.settle()
}

function commandAudit(session: Session, inv: Invocation, dryRun: boolean, bulkTarget: boolean): CommandAudit {
  const shared = bulkTarget ? running.get(session) : undefined
  if (shared) {
    shared.subject.runId ??= `bulk-${randomUUID()}`
    return shared
  }
  const audit: CommandAudit = {
    subject: { profile: session.profile, command: commandLine(inv.words ?? [inv.command.path], inv.command), dryRun },
    recorder: () => (audit.started ??= session.settings().then(({ settings }) => new AuditRecorder(auditLogFile(settings, session.io.env), settings, audit.subject))),
  }
  if (!bulkTarget) running.set(session, audit)
  return audit
}

export function createRunContext(session: Session, inv: Invocation, signal: AbortSignal, outputFormat: Format, mode: RunMode = {}): RunContext {
  const { io } = session
  const dryRun = inv.options.dryRun === true
  const bulk = mode.bulkTarget
  let confirmed = !inv.command.destructive || Boolean(bulk)
  const beforeWrite = async (method: string, path: string) => {
    // Core's guarantee: whatever a plugin does, a dry run sends no write.
    if (dryRun) throw new DryRunStop({ request: `${method} ${path}` })
    if (!confirmed) throw new Error(`bug: destructive command '${inv.command.path}' sent ${method} ${path} before confirming`)
    await session.writeGuard?.(method, path)
  }
  const audit = commandAudit(session, inv, dryRun, Boolean(bulk))
  // What is typed for a secret is masked in every line written while the command runs (a bulk target adds its own).
  typedSecrets(secretValues(inv.command, inv.args, inv.options), Boolean(bulk))
  const defaults = async () => ({ signal, beforeWrite, audit: (await audit.recorder()).hook })
  const bound = async () => {
    const { admin, matrix } = await session.http()
    const binding = await defaults()
    return { admin: admin.bind(binding), matrix: matrix.bind(binding) }
  }
  const interactive = io.interactive && !inv.globals.batch
  const prompts = new Prompts({ input: io.stdin, output: io.stderr }, signal, () => releaseOutput(io.stdout))

  const ctx: RunContext = {
    session,
    command: inv.command,
    args: inv.args,
    options: inv.options,
    given: inv.given,
    globals: inv.globals,
    stdin: inv.stdin,
    inShell: Boolean(mode.inShell),
    words: inv.words,
    signal,
    log: session.log,
    prompts,
    format: outputFormat,
    tables: new TableLayout({
      width: terminalWidth(io.stdout),
      columns: inv.globals.columns?.split(',').map((c) => c.trim()).filter(Boolean),
      preferred: inv.command.mainColumns,
      note: (message) => void io.stderr.write(message + '\n'),
      chart: chartOf(inv.command, inv.options, io.env),
    }),
    interactive,
    dryRun,
    settings: async () => (await session.settings()).settings,
    resolvedSettings: () => session.settings(),
    admin: async () => (await bound()).admin,
    matrix: async () => (await bound()).matrix,
    use: async <T>(namespace: string) => {
      return session.api<T>(namespace, await session.services(await defaults()))
    },
    serverName: () => session.serverName(),
    userId: (async (value: string | undefined) => {
      if (value === undefined || isUserId(value)) return value
      if (isUserOrLocalpart(value)) return `@${value.replace(/^@/, '').replace(/:$/, '')}:${await session.serverName()}`
      throw new SynadmError('usage', `'${value}' is not a user ID (@localpart:server) or a localpart`)
    }) as RunContext['userId'],
    async confirm(question, preview) {
      if (dryRun) throw new DryRunStop({ would: question, ...(preview === undefined ? {} : { preview }) })
      // A production profile asks even when the shell runs with --batch (confirmed once for the session).
      const { settings } = await session.settings()
      const insist = settings.production && mode.inShell && io.interactive && !bulk
      if ((inv.globals.batch || bulk) && !insist) return void (confirmed = true)
      if (settings.production) question = `[${session.profile}: PRODUCTION, ${settings.base_url}] ${question}`
      else if (session.defaults.profile && session.defaults.profile !== DEFAULT_PROFILE) question = `[${session.profile}] ${question}`
      if (!io.interactive) {
        throw new SynadmError('usage', `refusing to go on without confirmation: ${question}`, { hint: 'no terminal to ask at; add --batch to confirm in advance' })
      }
      if (preview !== undefined) io.stderr.write(await format(ctx.format === 'human' ? 'human' : 'yaml', preview))
      if (!(await prompts.confirm(question))) throw new SynadmError('aborted', 'aborted: nothing was changed')
      confirmed = true
    },
    async emit(data) {
      if (bulk) return void bulk.emitted.push(data)
      io.stdout.write(await format(ctx.format, data, ctx.tables))
    },
    env: io.env,
    readFile: (file) => readInput(file, io.stdin),
    async secret(o) {
      if (typeof o.typed === 'string') return o.typed
      if (typeof o.file === 'string') {
        const text = (await readInput(o.file, io.stdin)).replace(/\r?\n$/, '')
        if (!text) throw new SynadmError('usage', `${o.file === '-' ? 'stdin' : o.file} holds no ${o.what}`)
        return text
      }
      const fromEnv = o.envVar ? io.env[o.envVar] : undefined
      if (fromEnv && !(o.ask && interactive)) return fromEnv
      if (interactive) return prompts.password(o.what[0].toUpperCase() + o.what.slice(1), { repeat: o.repeat })
      const sources = [`${o.fileOption} FILE (- for stdin)`, o.envVar ? `set ${o.envVar}` : ''].filter(Boolean).join(' or ')
      throw new SynadmError('usage', `no ${o.what} given`, { hint: `use ${sources}; without --batch, a terminal prompts for it` })
    },
    note: (message) => void (bulk ? bulk.notes.push(message) : io.stderr.write(message + '\n')),
    pages: (fetchPage, spec) => pages(fetchPage, spec),
    items: (fetchPage, spec) => items(fetchPage, spec),
    checkLater: (id) => (inv.command.job?.checkLater ?? '').replace('{id}', id),
    forEach: async (items, each, o = {}) => (await import('./bulk.js')).runBulk({ ctx, items, each, effect: o.effect }),
    bulkFailure: (summary) => bulkFailureOf(summary, inv.options.journal as string | undefined),
    skipped: (reason) => ({ [SKIPPED]: reason }),
    // A bulk run shows its own progress: a target's job polls quietly.
    wait: (o) => waitForJob({ ...o, checkLater: ctx.checkLater(o.id), signal, progress: bulk ? quiet : io.stderr, interactive: io.interactive && !bulk }),
    audit: audit.subject,
  }
  audits.set(ctx, audit)
  return ctx
}

const quiet = { write: () => true } as unknown as import('node:stream').Writable
