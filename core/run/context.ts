/**
 * Builds what a command's action receives (the RunContext of core/contract/run-context.ts): its input, the services,
 * and the core behaviours it may call — confirmation, secrets, bulk runs, the audit of its writes.
 */
import { randomUUID } from 'node:crypto'
import type { Writable } from 'node:stream'
import { AuditRecorder, auditLogFile, commandLine, type AuditSubject } from './audit.js'
import { DryRunStop, SynadmError } from '../kernel/errors.js'
import { isUserId, isUserOrLocalpart } from '../contract/ids.js'
import type { BulkSummary, Invocation, RunContext, SecretSource } from '../contract/run-context.js'
import type { Action, CommandSpec } from '../contract/spec.js'
import { DEFAULT_PROFILE } from '../config/profiles.js'
import type { BoundDefaults, HttpClient } from '../http/client.js'
import { typedSecrets } from '../kernel/log.js'
import { secretValues } from '../cli/secrets.js'
import { effectOf } from '../cli/effect.js'
import { commandShape } from '../cli/options.js'
import { waitForJob } from './jobs.js'
import { chartOf } from '../output/chart.js'
import { fitLine, format, TableLayout, type Format } from '../output/formats.js'
import { items, pages } from './paginate.js'
import { releaseOutput } from '../output/pager.js'
import { Prompts } from './prompts.js'
import { readInput } from './input.js'
import type { IO, Session } from './session.js'

/**
 * What core's own commands (and its bulk and vorpal machinery) get: a RunContext plus the session — registry,
 * caches, streams — which plugins never see.
 */
export interface CoreContext<S extends CommandSpec = any> extends RunContext<S> {
  session: Session
}

/** An action of core's own (the vorpal adapter's): every context core makes is a CoreContext. */
export const coreAction = (action: (ctx: CoreContext) => unknown): Action => action as Action

/** One item of ctx.forEach: the target the report and journal name, and the value `each` gets. */
export interface BulkItem<T> {
  target: string
  value: T
}

/**
 * How ctx.forEach runs its items: the bulk engine (core/campaigns/bulk.ts), which sits above this layer and is handed
 * in by whoever makes contexts (the executor's context factory).
 */
export type BulkRunner = <T>(ctx: CoreContext, items: BulkItem<T>[], each: (value: T, ctx: RunContext) => Promise<unknown>, effect?: unknown) => Promise<BulkSummary>

/** Makes the contexts of one command's run: its own, and one per target of its bulk run. */
export type ContextFactory = (inv: Invocation, signal: AbortSignal, mode: RunMode) => CoreContext

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
  /** ctx.perRun's values: what one command's run, its targets included, shares */
  perRun: Map<string, Promise<unknown>>
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
  // The line for the log is written out when the first write needs it: most commands send none.
  let command: string | undefined
  const audit: CommandAudit = {
    subject: {
      profile: session.profile,
      get command() {
        return (command ??= commandLine(inv.words ?? [inv.command.path], inv.command))
      },
      dryRun,
    },
    recorder: () => (audit.started ??= session.settings().then(({ settings }) => new AuditRecorder(auditLogFile(settings, session.io.env), settings, audit.subject))),
    perRun: new Map(),
  }
  if (!bulkTarget) running.set(session, audit)
  return audit
}

/** A command's context: what its action gets (plugins see it as RunContext); `runBulk` is what ctx.forEach runs. */
export function createRunContext(session: Session, inv: Invocation, signal: AbortSignal, outputFormat: Format, mode: RunMode, runBulk: BulkRunner): CoreContext {
  const { io } = session
  const dryRun = inv.options.dryRun === true
  const bulk = mode.bulkTarget
  const effect = lineEffect(session, inv)
  const gate = writeGate(session, inv.command, dryRun, Boolean(bulk), effect)
  const audit = commandAudit(session, inv, dryRun, Boolean(bulk))
  // What is typed for a secret is masked in every line written while the command runs (a bulk target adds its own).
  typedSecrets(secretValues(inv.command, inv.args, inv.options), Boolean(bulk))
  const binding = bindingOf(signal, gate, audit)
  const clients = boundClients(session, binding)
  const interactive = io.interactive && !inv.globals.batch
  // stdin is taken when a question is asked: most commands ask none, and process.stdin is made on first use
  const prompts = new Prompts({ get input() { return io.stdin }, output: io.stderr }, signal, () => releaseOutput(io.stdout))
  const tables = tableLayout(io, inv)

  const ctx: CoreContext = {
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
    tables,
    interactive,
    dryRun,
    settings: async () => (await session.settings()).settings,
    resolvedSettings: () => session.settings(),
    admin: async () => (await clients()).admin,
    matrix: async () => (await clients()).matrix,
    use: async <T>(namespace: string) => session.api<T>(namespace, await session.services(await binding())),
    serverName: () => session.serverName(),
    statusChecks: () => [...session.registry.statusChecks.values()].map((c) => c.spec),
    userId: userIdIn(session),
    confirm: confirmation(session, inv, mode, { dryRun, effect, prompts, gate, previewFormat: outputFormat === 'human' ? 'human' : 'yaml' }),
    effect: (target) => effectOf(inv.command, inv, target === undefined ? undefined : [target]),
    async emit(data) {
      if (bulk) return void bulk.emitted.push(data)
      io.stdout.write(await format(outputFormat, data, tables))
      tables.tell()
    },
    env: io.env,
    readFile: (file) => readInput(file, io.stdin),
    secret: secretReader(io, interactive, prompts),
    saveEvidence: async (dir, target, documents) => (await import('./evidence.js')).writeEvidence(dir, target, documents),
    note: (message) => void (bulk ? bulk.notes.push(message) : io.stderr.write(message + '\n')),
    pages: (fetchPage, spec) => pages(fetchPage, spec),
    items: (fetchPage, spec) => items(fetchPage, spec),
    perRun: <T>(key: string, make: () => Promise<T>) => {
      let value = audit.perRun.get(key)
      if (!value) audit.perRun.set(key, (value = make()))
      return value as Promise<T>
    },
    checkLater: (id) => (inv.command.job?.checkLater ?? '').replace('{id}', id),
    forEach: (items, each, o = {}) => runBulk(ctx, items, each, o.effect),
    bulkFailure: (summary) => bulkFailureOf(summary, inv.options.journal as string | undefined),
    skipped: (reason) => ({ [SKIPPED]: reason }),
    // A bulk run shows its own progress: a target's job polls quietly.
    wait: (o) => waitForJob({ ...o, checkLater: ctx.checkLater(o.id), signal, progress: bulk ? quiet : io.stderr, interactive: io.interactive && !bulk }),
    audit: audit.subject,
  }
  audits.set(ctx, audit)
  return ctx
}

/**
 * Whether a write may be sent: never in a dry run (core's guarantee, whatever a plugin does), and a destructive
 * command's only once it confirmed; then the session's guard (fleet runs) has its say.
 */
interface WriteGate {
  confirmed: boolean
  beforeWrite(method: string, path: string): Promise<void>
}

function writeGate(session: Session, command: CommandSpec, dryRun: boolean, bulkTarget: boolean, effect: () => Promise<string | undefined>): WriteGate {
  const gate: WriteGate = {
    // a bulk run's targets were confirmed as a set
    confirmed: !command.destructive || bulkTarget,
    async beforeWrite(method, path) {
      if (dryRun) {
        const would = await effect()
        throw new DryRunStop({ ...(would ? { would } : {}), request: `${method} ${path}` })
      }
      if (!gate.confirmed) throw new Error(`bug: destructive command '${command.path}' sent ${method} ${path} before confirming`)
      await session.writeGuard?.(method, path)
    },
  }
  return gate
}

/** What binds a client to this run: its signal, its write gate, its audit log (opened by the first write). */
function bindingOf(signal: AbortSignal, gate: WriteGate, audit: CommandAudit): () => Promise<BoundDefaults> {
  const defaults: BoundDefaults = { signal, beforeWrite: gate.beforeWrite, audit: async (request) => (await audit.recorder()).hook(request) }
  return async () => defaults
}

/** The session's HTTP clients bound to this run. */
function boundClients(session: Session, binding: () => Promise<BoundDefaults>) {
  return async (): Promise<{ admin: HttpClient; matrix: HttpClient }> => {
    const { admin, matrix } = await session.http()
    const bound = await binding()
    return { admin: admin.bind(bound), matrix: matrix.bind(bound) }
  }
}

/**
 * How tables fit the terminal and which columns they show (--columns, the command's mainColumns, times and constant
 * columns). Its notes come after the table (the executor tells them), each one line that fits a terminal's stderr.
 */
function tableLayout(io: IO, inv: Invocation): TableLayout {
  return new TableLayout({
    width: terminalWidth(io.stdout),
    columns: inv.globals.columns?.split(',').map((c) => c.trim()).filter(Boolean),
    preferred: inv.command.mainColumns,
    times: inv.command.times,
    dropConstant: inv.command.dropsConstantColumns,
    chart: chartOf(inv.command, inv.options, io.env),
    note: (message) => void io.stderr.write(fitLine(message, terminalWidth(io.stderr)) + '\n'),
  })
}

/**
 * What the line is about to do, in words (the command's declared effect), for a dry run's `would`: a user target
 * typed as a localpart is named by its full ID, as the command acts on it.
 */
function lineEffect(session: Session, inv: Invocation): () => Promise<string | undefined> {
  return async () => {
    const target = commandShape(inv.command).target
    const typed = target ? inv.args[target.name] : undefined
    if (!inv.command.effect || target?.id !== 'user' || typeof typed !== 'string') return effectOf(inv.command, inv)
    return effectOf(inv.command, inv, [await userIdIn(session)(typed).catch(() => typed)])
  }
}

/** synadm's [mxid] rule: `alice` → `@alice:server`; a full ID as is; undefined stays undefined. */
function userIdIn(session: Session): RunContext['userId'] {
  return (async (value: string | undefined) => {
    if (value === undefined || isUserId(value)) return value
    if (isUserOrLocalpart(value)) return `@${value.replace(/^@/, '').replace(/:$/, '')}:${await session.serverName()}`
    throw new SynadmError('usage', `'${value}' is not a user ID (@localpart:server) or a localpart`)
  }) as RunContext['userId']
}

/** ctx.confirm: a dry run ends here with its preview; --batch (or a bulk run's set) confirms in advance. */
function confirmation(session: Session, inv: Invocation, mode: RunMode, o: { dryRun: boolean; effect: () => Promise<string | undefined>; prompts: Prompts; gate: WriteGate; previewFormat: Format }): RunContext['confirm'] {
  const { io } = session
  const bulk = Boolean(mode.bulkTarget)
  return async (question, preview) => {
    // The declared effect names the action; a question without one says at least what it asks.
    if (o.dryRun) throw new DryRunStop({ would: (await o.effect()) ?? question, ...(preview === undefined ? {} : { preview }) })
    // A production profile asks even when the shell runs with --batch (confirmed once for the session).
    const { settings } = await session.settings()
    const insist = settings.production && mode.inShell && io.interactive && !bulk
    if ((inv.globals.batch || bulk) && !insist) return void (o.gate.confirmed = true)
    if (settings.production) question = `[${session.profile}: PRODUCTION, ${settings.base_url}] ${question}`
    else if (session.defaults.profile && session.defaults.profile !== DEFAULT_PROFILE) question = `[${session.profile}] ${question}`
    if (!io.interactive) {
      throw new SynadmError('usage', `refusing to go on without confirmation: ${question}`, { hint: 'no terminal to ask at; add --batch to confirm in advance' })
    }
    if (preview !== undefined) io.stderr.write(await format(o.previewFormat, preview))
    if (!(await o.prompts.confirm(question))) throw new SynadmError('aborted', 'aborted: nothing was changed')
    o.gate.confirmed = true
  }
}

/** ctx.secret: typed (kept for compatibility), a file or stdin, an environment variable, or a hidden prompt. */
function secretReader(io: IO, interactive: boolean, prompts: Prompts): (o: SecretSource) => Promise<string> {
  return async (o) => {
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
  }
}

const quiet = { write: () => true } as unknown as Writable
