/**
 * Bulk runs: one command over many targets (--targets FILE), with one confirmation for the whole set, bounded
 * concurrency, a journal to resume from, a report, and progress in a terminal. Loaded only when a bulk run starts.
 *
 * The journal (--journal FILE, core/campaigns/journal.ts) starts with the command it belongs to, then records, per server,
 * `start` before a target runs and `done`/`failed` when it finished, each line written before the next step; a run
 * that cannot write its journal starts no more targets. So a killed run leaves targets that started and never
 * finished: they may or may not have been applied. A resumed run skips every done target, runs failed and unstarted
 * ones, and re-runs the unfinished ones only when the command declares that repeating it changes nothing more
 * (`bulk.idempotent`); otherwise it reports them as failed for a person to check, so no target is written twice.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import { parseCsv } from '../output/csv.js'
import { bulkFailureOf, skippedReason, type BulkItem, type ContextFactory, type CoreContext, createRunContext } from '../run/context.js'
import type { BulkSummary, Invocation, RunContext } from '../contract/run-context.js'
import { DryRunStop, SynadmError, toSynadmError, usageError } from '../kernel/errors.js'
import { path, replyField } from '../http/client.js'
import { completeAlias, idProblem, isRoomAlias, isShortAlias } from '../contract/ids.js'
import { readInput } from '../run/input.js'
import { asciiJson, format, itemStream, type Format, isRecord } from '../output/formats.js'
import { listPages } from '../run/lists.js'
import { commandShape, DEFAULT_CONCURRENCY, writes } from '../cli/options.js'
import type { Action, CommandSpec, IdKind } from '../contract/spec.js'
import { openJournal, serverUrl, type Journal } from './journal.js'
import { REDACTED } from '../kernel/log.js'
import { isSecretArg, secretValues } from '../cli/secrets.js'
import { asQuestion, effectOf } from '../cli/effect.js'

const MAX_CONCURRENCY = 64
/** Targets shown in the confirmation. */
const PREVIEW_TARGETS = 10

/**
 * The field a JSON line's target is taken from, by ID kind, after the argument's own name: so the JSON lines that
 * list commands print (`user list -o jsonl` has `name`) feed the commands that act on one of them.
 */
const JSON_FIELDS: Record<IdKind, string[]> = {
  user: ['name', 'user_id'],
  user_full: ['name', 'user_id'],
  room: ['room_id'],
  alias: ['alias', 'canonical_alias'],
  room_or_alias: ['room_id', 'alias', 'canonical_alias'],
  event: ['event_id'],
  server: ['destination', 'server_name'],
  media: ['media_id'],
  mxc: ['mxc', 'content_uri'],
  media_or_mxc: ['media_id', 'mxc', 'content_uri'],
  device: ['device_id'],
  regtok: ['token'],
  report: ['id', 'report_id'],
  group: ['group_id'],
  job: ['delete_id', 'purge_id', 'redact_id', 'id'],
  ulid: ['id'],
}

export interface TargetLine {
  value: string
  line: number
}

/**
 * Room aliases start with `#`, as comments do: in a list of rooms, a line that is a whole alias (`#name:server`) is a
 * target; `#name` alone is a comment there.
 */
const takesAliases = (kind?: IdKind) => kind === 'alias' || kind === 'room_or_alias'

/**
 * Lines of a target list: one target a line, blank lines and `#` comments skipped, JSON lines read by field; or CSV
 * whose header row names one of the fields (what `-o csv` and spreadsheets write), read from that column. Errors
 * carry line numbers.
 */
export function parseTargetLines(text: string, fields: string[], kind?: IdKind): { targets: TargetLine[]; errors: string[]; column?: string } {
  const lines = text.split(/\r?\n/)
  const isAlias = (trimmed: string) => takesAliases(kind) && isRoomAlias(trimmed)
  const skipped = (trimmed: string) => trimmed === '' || (trimmed.startsWith('#') && !isAlias(trimmed))
  const first = lines.findIndex((raw) => !skipped(raw.trim()))
  const header = first >= 0 && !lines[first].trim().startsWith('{') ? csvHeader(lines[first]) : []
  const column = fields.find((f) => header.includes(f))
  if (column) return { ...csvTargets(lines.slice(first).join('\n'), first, header.indexOf(column), column), column }
  const targets: TargetLine[] = []
  const errors: string[] = []
  lines.forEach((raw, index) => {
    const line = index + 1
    const trimmed = raw.trim()
    if (skipped(trimmed)) return
    if (trimmed.startsWith('{')) {
      let record: unknown
      try {
        record = JSON.parse(trimmed)
      } catch {
        return void errors.push(`line ${line}: not valid JSON`)
      }
      const field = fields.find((f) => typeof (record as Record<string, unknown>)[f] === 'string' && (record as Record<string, unknown>)[f] !== '')
      if (!field) return void errors.push(`line ${line}: a JSON line needs the field ${fields.map((f) => `'${f}'`).join(' or ')}`)
      return void targets.push({ value: (record as Record<string, string>)[field], line })
    }
    if (/\s/.test(trimmed)) return void errors.push(`line ${line}: '${trimmed}' is more than one word; one target a line`)
    targets.push({ value: trimmed, line })
  })
  return { targets, errors }
}

/** The cells of a line read as a CSV header row; none when it cannot be one. */
function csvHeader(line: string): string[] {
  try {
    return parseCsv(line)[0]?.cells.map((cell) => cell.trim()) ?? []
  } catch {
    return []
  }
}

/** The rows under a CSV header (which stands on line `offset` + 1), one target each from the column. */
function csvTargets(text: string, offset: number, index: number, column: string): { targets: TargetLine[]; errors: string[] } {
  const targets: TargetLine[] = []
  const errors: string[] = []
  let rows: ReturnType<typeof parseCsv>
  try {
    rows = parseCsv(text).slice(1)
  } catch (error) {
    return { targets, errors: [toSynadmError(error).message] }
  }
  for (const { cells, line } of rows) {
    const value = cells[index]?.trim()
    if (value) targets.push({ value, line: line + offset })
    else errors.push(`line ${line + offset}: no value in the column '${column}'`)
  }
  return { targets, errors }
}

export const jsonFieldsFor = (argName: string, kind: IdKind) => [...new Set([argName, ...(JSON_FIELDS[kind] ?? [])])]

/** Reads and checks the whole list before anything runs: normalised (localpart → user ID …), de-duplicated. */
async function readTargets(ctx: CoreContext, file: string, argName: string, kind: IdKind): Promise<string[]> {
  if (file === '-' && !ctx.stdin && ctx.inShell) throw usageError("in the shell, '--targets -' takes what the command before a pipe printed", "e.g. user list --all -o jsonl -n spam | user shadow-ban --targets -")
  const text = file === '-' && ctx.stdin ? ctx.stdin.join('\n') : await readInput(file, ctx.session.io.stdin)
  const source = file === '-' ? 'stdin' : file
  const { targets, errors, column } = parseTargetLines(text, jsonFieldsFor(argName, kind), kind)
  if (column) ctx.note(`${source}: CSV with a header row; the targets are its column '${column}'`)
  const values: string[] = []
  for (const target of targets) {
    try {
      values.push(await normalise(ctx, kind, target.value))
    } catch (error) {
      errors.push(`line ${target.line}: ${toSynadmError(error).message}`)
    }
  }
  if (errors.length) {
    const shown = errors.slice(0, 10).join('\n  ')
    const more = errors.length > 10 ? `\n  … and ${errors.length - 10} more` : ''
    throw usageError(`${source}: ${errors.length} bad line(s); nothing was run:\n  ${shown}${more}`, 'fix or remove those lines, then run the command again')
  }
  if (values.length === 0) throw usageError(`${source} holds no targets`)
  return [...new Set(values)]
}

/** A target checked as a single argument of its kind is, then user IDs completed and room aliases resolved. */
async function normalise(ctx: CoreContext, kind: IdKind, value: string): Promise<string> {
  const problem = idProblem(kind, value)
  if (problem) throw usageError(`'${value.replace(/[\u0000-\u001f\u007f]/g, '?')}' ${problem}`)
  if (kind === 'user') return ctx.userId(value)
  if (kind === 'room_or_alias' && value.startsWith('#')) {
    const alias = isShortAlias(value) ? completeAlias(value, await ctx.serverName()) : value
    const matrix = await ctx.matrix()
    return replyField(await matrix.get(path`client/v3/directory/room/${alias}`), 'room_id', `the lookup of ${alias}`)
  }
  if (kind === 'alias' && isShortAlias(value)) return completeAlias(value, await ctx.serverName())
  return value
}

// --- the run ---------------------------------------------------------------------------------------------------

export type ReportEntry = BulkSummary['entries'][number]

/** The journal of one target's steps (a plan's), for `each`: what earlier runs did, and a line per step now. */
export interface StepRecord {
  state(step: string): 'done' | 'in-flight' | undefined
  start(step: string): void
  finish(step: string, ok: boolean, error?: string): void
}

export interface BulkOptions<T> {
  /** the command's context: options, confirmation, output */
  ctx: CoreContext
  items: BulkItem<T>[]
  /** runs one target with its own context; `steps` journals the steps of a target that has several (a plan) */
  each: (value: T, ctx: RunContext, steps: StepRecord) => Promise<unknown>
  /**
   * runs once the targets still to run are known (after the journal's), in place of the usual confirmation: a plan
   * surveys them and asks with its preview
   */
  beforeRun?: (todo: BulkItem<T>[], concurrency: number, journal?: Journal) => Promise<void>
  /** makes each target's context (the executor's factory, which also made `ctx`) */
  contextFor: ContextFactory
  /** for the per-target context: the invocation of one target */
  invocationFor?: (value: T) => Invocation
  /** what happens to each target, for the confirmation */
  effect?: unknown
  /** journal lines name the run by these (default: the command's arguments and given options) */
  identity?: Record<string, unknown>
  /** the targets are secrets (registration tokens): the journal names them by their hash */
  secretTargets?: boolean
  /** `each` prints the target's records itself (a list command): no report, a failed target is a line on stderr */
  listing?: boolean
  /** how a table (-o human, wide) shows a target's result: columns in place of `result` (a plan: one per step) */
  resultColumns?: (entry: ReportEntry) => Record<string, unknown>
}

/** Faults that would fail every following target too: the run stops starting new ones. */
const STOPS_THE_RUN = new Set(['auth', 'network', 'config', 'cancelled'])

const OWN_OPTIONS = new Set(['targets', 'journal', 'concurrency', 'dryRun'])

/** The switches of the options given (not core's own bulk options), as typed: `--no-x` for the off side of a pair. */
function givenSwitches(ctx: RunContext, spec: CommandSpec): string[] {
  return commandShape(spec)
    .options.filter((d) => ctx.given.has(d.key) && !OWN_OPTIONS.has(d.key))
    .map((d) => {
      const side = ctx.options[d.key] === false && d.off.length ? d.off : d.on
      return side.find((s) => s.startsWith('--')) ?? side[0]
    })
}

function identityOf(inv: Invocation, targetArg?: string): { args: Record<string, unknown>; options: Record<string, unknown> } {
  const args = Object.fromEntries(Object.entries(inv.args).filter(([k]) => k !== targetArg))
  const options = Object.fromEntries([...inv.given].filter((k) => !OWN_OPTIONS.has(k)).sort().map((k) => [k, inv.options[k]]))
  return { args, options }
}

function concurrencyOf(ctx: RunContext): number {
  const given = ctx.options.concurrency
  if (given === undefined) return ctx.command.bulk?.concurrency ?? DEFAULT_CONCURRENCY
  const n = Number(given)
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) throw usageError(`Invalid value for '--concurrency': '${String(given)}' is not between 1 and ${MAX_CONCURRENCY}.`)
  return n
}

/** The run's journal for this server (--journal), checked, locked and opened before anything is sent. */
async function runJournal(ctx: CoreContext, identity: Record<string, unknown>, secretTargets: boolean): Promise<Journal | undefined> {
  const file = ctx.options.journal as string | undefined
  if (file === undefined) return undefined
  const { base_url } = await ctx.settings()
  const header = { synadm_journal: 2 as const, command: ctx.command.path, with: withoutSecrets(identity, secretValues(ctx.command, ctx.args, ctx.options)) }
  return openJournal(file, header, { server: ctx.session.profile, base_url: serverUrl(base_url) }, { dryRun: ctx.dryRun, secretTargets, note: ctx.note })
}

/** The run's identity with each secret value typed (a password, a token) replaced: the journal keeps none. */
function withoutSecrets(value: unknown, secrets: readonly string[]): Record<string, unknown> {
  const hide = (v: unknown): unknown =>
    typeof v === 'string' && secrets.includes(v) ? REDACTED : Array.isArray(v) ? v.map(hide) : isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hide(x)])) : v
  return hide(value) as Record<string, unknown>
}

/** Runs `each` over the items: the engine behind --targets and ctx.forEach. Never throws for a target's failure. */
export async function runBulk<T>(o: BulkOptions<T>): Promise<BulkSummary> {
  const concurrency = concurrencyOf(o.ctx)
  const journal = await runJournal(o.ctx, o.identity ?? identityOf(o.ctx), o.secretTargets ?? false)
  try {
    return await runItems(o, concurrency, journal)
  } finally {
    journal?.close()
  }
}

async function runItems<T>(o: BulkOptions<T>, concurrency: number, journal?: Journal): Promise<BulkSummary> {
  const { ctx } = o
  const report = new BulkReport(ctx, o.items.map((item) => item.target), o.listing ?? false, o.resultColumns)
  const todo = journal ? stillToRun(ctx, journal, o.items, report) : o.items
  if (todo.length && writes(ctx.command) && !ctx.dryRun) await (o.beforeRun ?? ((t, c, j) => confirmTargets(ctx, t, c, o.effect, j)))(todo, concurrency, journal)
  // after the confirmation: rate and time count the run, not the reading
  report.start(todo.length)
  const stop = await runAll(o, todo, concurrency, journal, report)
  report.summary.notStarted = todo.length - report.finished
  // A Ctrl-C that came after the last target started stopped nothing: the run is whole.
  report.summary.stoppedBy = stop ?? (ctx.signal.aborted && report.summary.notStarted ? new SynadmError('cancelled', 'stopped by Ctrl-C') : undefined)
  await report.finish()
  return report.summary
}

/**
 * The targets still to run after an earlier run: done ones are skipped; ones in flight when it was killed are
 * reported for a person to check, unless the command declares that repeating it changes nothing more.
 */
function stillToRun<T>(ctx: CoreContext, journal: Journal, items: BulkItem<T>[], report: BulkReport): BulkItem<T>[] {
  const todo: BulkItem<T>[] = []
  for (const item of items) {
    if (journal.isDone(item.target)) {
      report.summary.skipped++
    } else if (journal.wasInFlight(item.target) && !ctx.command.bulk?.idempotent) {
      report.record({ target: item.target, ok: false, error: 'was in flight when an earlier run was killed: it may or may not have been applied; check it by hand', exit_code: 9 })
    } else todo.push(item)
  }
  if (report.summary.skipped) ctx.note(`${journal.file}: ${report.summary.skipped} target(s) done in an earlier run are skipped`)
  return todo
}

/**
 * The one confirmation for the whole set: what it does (`shadow-ban 30 users`, from the command's declared effect),
 * the command as typed, the first targets.
 */
async function confirmTargets(ctx: CoreContext, todo: BulkItem<unknown>[], concurrency: number, effect: unknown, journal?: Journal): Promise<void> {
  const spec = ctx.command
  const first = todo.slice(0, PREVIEW_TARGETS).map((t) => t.target)
  const words = [spec.path, ...Object.values(identityOf(ctx).args).map(String), ...givenSwitches(ctx, spec)]
  const declared = effectOf(spec, ctx, todo.map((t) => t.target))
  const question = declared ? asQuestion(declared) : `Run '${words.join(' ')}' on ${todo.length === 1 ? 'this target' : `these ${todo.length} targets`}?`
  await ctx.confirm(question, {
    command: words.join(' '),
    does: effect ?? declared ?? spec.description,
    targets: todo.length,
    [todo.length > PREVIEW_TARGETS ? `first ${PREVIEW_TARGETS}` : 'all']: first,
    concurrency,
    ...(journal ? { journal: journal.file } : {}),
  })
}

/**
 * Runs the targets, `concurrency` at a time, until all ran, Ctrl-C, or a fault that would fail the rest too (a
 * journal that cannot be written among them: a run that cannot keep its journal sends nothing more).
 */
async function runAll<T>(o: BulkOptions<T>, todo: BulkItem<T>[], concurrency: number, journal: Journal | undefined, report: BulkReport): Promise<SynadmError | undefined> {
  const { ctx } = o
  const { io } = ctx.session
  // Ctrl-C (the command's signal) stops starting targets; the ones running finish with a signal of their own.
  const running = new AbortController()
  let next = 0
  let stop: SynadmError | undefined
  /** a journal line written (or none to write); false when it failed, and the run stops */
  const journaled = (write: (journal: Journal) => void) => {
    if (!journal || ctx.dryRun) return true
    try {
      write(journal)
      return true
    } catch (error) {
      stop ??= toSynadmError(error)
      return false
    }
  }
  const worker = async () => {
    while (next < todo.length && !ctx.signal.aborted && !stop) {
      const item = todo[next++]
      if (!journaled((j) => j.start(item.target))) break
      const { entry, notes, error } = await runOne(o, item, running.signal, stepRecord(journal, item.target, ctx.dryRun))
      if (error && STOPS_THE_RUN.has(error.kind)) stop ??= error
      // Not recorded as finished, it stays in flight: a resume treats it as a killed run's target.
      journaled((j) => j.finish(item.target, entry.ok, entry.error))
      report.record(entry)
      if (ctx.session.logLevel > 0) for (const note of notes) io.stderr.write(`${item.target}: ${note}\n`)
      report.advance()
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker))
  } finally {
    report.close()
  }
  return stop
}

/** A target's step lines in the journal (none without one, or in a dry run); a line that cannot be written throws. */
function stepRecord(journal: Journal | undefined, target: string, dryRun: boolean): StepRecord {
  const live = dryRun ? undefined : journal
  return {
    state: (step) => journal?.stepState(target, step),
    start: (step) => live?.startStep(target, step),
    finish: (step, ok, error) => live?.finishStep(target, step, ok, error),
  }
}

/** One target, with a context of its own: its report entry, the notes it made, and the error it failed with. */
async function runOne<T>(o: BulkOptions<T>, item: BulkItem<T>, signal: AbortSignal, steps: StepRecord): Promise<{ entry: ReportEntry; notes: string[]; error?: SynadmError }> {
  const { ctx } = o
  const bulkTarget = { emitted: [] as unknown[], notes: [] as string[] }
  const targetCtx = o.contextFor(o.invocationFor?.(item.value) ?? ctx, signal, { bulkTarget, inShell: ctx.inShell })
  const { target } = item
  try {
    const result = await o.each(item.value, targetCtx, steps)
    const skipped = skippedReason(result)
    if (skipped !== undefined) return { entry: { target, ok: true, skipped }, notes: bulkTarget.notes }
    const shown = bulkTarget.emitted.length ? [...bulkTarget.emitted, ...(result === undefined ? [] : [result])] : result
    return { entry: { target, ok: true, ...(shown === undefined ? {} : { result: shown }) }, notes: bulkTarget.notes }
  } catch (thrown) {
    if (DryRunStop.is(thrown)) return { entry: { target, ok: true, result: { dry_run: true, ...thrown.would } }, notes: bulkTarget.notes }
    const error = toSynadmError(thrown)
    return { entry: { target, ok: false, error: error.message, exit_code: error.exitCode }, notes: bulkTarget.notes, error }
  }
}

/** The report's columns in a table (-o human, wide), in this order: what a person scans for first, then the rest. */
const REPORT_COLUMNS = ['target', 'ok', 'exit_code', 'error', 'skipped', 'result'] as const
const REPORT_MAIN_COLUMNS = REPORT_COLUMNS.slice(0, 4)

/** Nothing to show: no value, or an empty reply (`{}` of a write). */
const blank = (v: unknown) => v === undefined || v === null || v === '' || (typeof v === 'object' && Object.keys(v as object).length === 0)

/**
 * The entries as table rows: every row the same columns, in REPORT_COLUMNS' order, those blank in all left out; with
 * `resultColumns`, its columns after `ok` in place of `result`.
 */
function reportRows(entries: ReportEntry[], resultColumns?: (entry: ReportEntry) => Record<string, unknown>): Record<string, unknown>[] {
  const columns = REPORT_COLUMNS.filter((k) => !(resultColumns && k === 'result') && entries.some((e) => !blank(e[k])))
  return entries.map((e) => {
    const row = Object.fromEntries(columns.map((k) => [k, e[k]]))
    // the first keys keep their place when `row` is spread again
    return resultColumns ? { target: row.target, ok: row.ok, ...resultColumns(e), ...row } : row
  })
}

/** A bulk run's report as it goes: the counts, a JSON line per target with -o jsonl, progress on a terminal. */
class BulkReport {
  readonly summary: BulkSummary
  /** targets that ran to an end (the rest of the set is "not started") */
  finished = 0
  private readonly jsonl: boolean
  private progress?: ReturnType<typeof progressLine>
  private started = Date.now()

  constructor(
    private readonly ctx: CoreContext,
    /** the targets in the order of the list: the report at the end keeps it, whatever order they finished in */
    private readonly targets: string[],
    /** the targets print records: the report is not printed, a failure is said on stderr */
    private readonly listing: boolean,
    private readonly resultColumns?: (entry: ReportEntry) => Record<string, unknown>,
  ) {
    this.summary = { total: targets.length, entries: [], done: 0, failed: 0, skipped: 0, notStarted: 0 }
    this.jsonl = ctx.format === 'jsonl' && !listing
  }

  /** a target's entry, counted and (jsonl) printed at once */
  record(entry: ReportEntry) {
    this.summary.entries.push(entry)
    if (!entry.ok) this.summary.failed++
    else if (entry.skipped) this.summary.skipped++
    else this.summary.done++
    // The progress line goes first, or a report line on the same terminal would land in the middle of it.
    this.progress?.clear()
    if (this.jsonl) this.ctx.session.io.stdout.write(asciiJson(entry) + '\n')
    if (this.listing && !entry.ok) this.ctx.session.io.stderr.write(`synadm: ${entry.target}: ${entry.error}\n`)
  }

  /** the targets start: the clock and the progress line */
  start(todo: number) {
    this.started = Date.now()
    // Records on the terminal show the progress of a list; a progress line would cut into them.
    if (!this.listing) this.progress = progressLine(this.ctx.session.io.stderr as NodeJS.WriteStream, todo, this.started)
  }

  advance() {
    // counted whether or not a progress line shows it (a list over targets has none)
    this.finished++
    this.progress?.update(this.finished)
  }

  close() {
    this.progress?.clear()
  }

  /** the report on stdout (unless printed line by line), one entry per target in the list's order, and the one summary line on stderr */
  async finish() {
    const { io } = this.ctx.session
    const { summary } = this
    const order = new Map(this.targets.map((target, i) => [target, i]))
    summary.entries.sort((a, b) => (order.get(a.target) ?? 0) - (order.get(b.target) ?? 0))
    if (!this.jsonl && !this.listing && summary.entries.length) {
      const fmt = this.ctx.format as Format
      const table = fmt === 'human' || fmt === 'wide'
      const tables = this.ctx.tables.with({ preferred: REPORT_MAIN_COLUMNS })
      io.stdout.write(await format(fmt, table ? reportRows(summary.entries, this.resultColumns) : summary.entries, tables))
      tables.tell()
    }
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1)
    const parts = [`${summary.done} ${this.ctx.dryRun ? 'checked (dry run, nothing written)' : 'done'}`, `${summary.failed} failed`, `${summary.skipped} skipped`]
    if (summary.notStarted) parts.push(`${summary.notStarted} not started`)
    io.stderr.write(`synadm: ${summary.total} target${summary.total === 1 ? '' : 's'}: ${parts.join(', ')} in ${seconds} s\n`)
  }
}

/** count, rate and ETA on one line of stderr, only when it is a terminal */
function progressLine(stderr: NodeJS.WriteStream, total: number, started: number) {
  const tty = Boolean(stderr.isTTY)
  let last = 0
  let shown = false
  return {
    update(count: number) {
      const now = Date.now()
      if (!tty || (shown && now - last < 200 && count < total)) return
      last = now
      const rate = count / Math.max((now - started) / 1000, 0.001)
      const eta = rate > 0 ? Math.ceil((total - count) / rate) : 0
      stderr.write(`\r${count}/${total} targets, ${rate.toFixed(1)}/s, ETA ${eta} s\x1b[K`)
      shown = true
    },
    clear() {
      if (shown) stderr.write('\r\x1b[K')
      shown = false
    },
  }
}

/** --targets: the command's action once per target of the file, in place of its target argument. */
export async function runTargets(ctx: CoreContext, action: Action, contextFor: ContextFactory): Promise<void> {
  const summary = await runBulk({ ...(await targetRun(ctx, contextFor)), each: async (_value, targetCtx) => action(targetCtx) })
  const failure = bulkFailureOf(summary, ctx.options.journal as string | undefined)
  if (failure) throw failure
}

/**
 * --targets of a list command that only reads: the records of every target printed as one list, as each target
 * finishes (one target's records together), so what it prints is the target list of the next command.
 */
export async function runTargetLists(ctx: CoreContext, action: Action, contextFor: ContextFactory): Promise<void> {
  const { io } = ctx.session
  const stream = itemStream(ctx.format, (text) => void io.stdout.write(text), ctx.tables)
  let cut = 0
  const each = async (_value: string, targetCtx: RunContext) => {
    const records: unknown[] = []
    for await (const page of listPages(targetCtx, action)) {
      records.push(...page.items)
      if (page.more) cut++
    }
    await stream.page(records)
  }
  const summary = await runBulk({ ...(await targetRun(ctx, contextFor)), each, listing: true })
  stream.end()
  if (cut) ctx.note(`${cut} target(s) have more ${ctx.command.paged?.what ?? ctx.command.paged?.items.replace(/_/g, ' ')} than their first page: add --all for every page`)
  const failure = bulkFailureOf(summary, ctx.options.journal as string | undefined)
  if (failure) throw failure
}

/**
 * The targets of the file (or, without --targets, the target argument), read and checked, and how each runs the
 * command in place of its target argument.
 */
export async function targetRun(ctx: CoreContext, contextFor: ContextFactory) {
  const target = commandShape(ctx.command).target!
  const typed = ctx.args[target.name]
  if (ctx.options.targets === undefined && typeof typed !== 'string') throw usageError(`Missing argument '${target.name.toUpperCase()}' (or --targets FILE).`)
  const values = ctx.options.targets !== undefined ? await readTargets(ctx, String(ctx.options.targets), target.name, target.id!) : [await normalise(ctx, target.id!, typed as string)]
  return {
    ctx,
    items: values.map((value) => ({ target: value, value })),
    contextFor,
    invocationFor: (value: string): Invocation => ({ ...ctx, args: { ...ctx.args, [target.name]: value } }),
    identity: identityOf(ctx, target.name),
    secretTargets: isSecretArg(target),
  }
}
