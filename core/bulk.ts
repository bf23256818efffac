/**
 * Bulk runs: one command over many targets (--targets FILE), with one confirmation for the whole set, bounded
 * concurrency, a journal to resume from, a report, and progress in a terminal. Loaded only when a bulk run starts.
 *
 * The journal (--journal FILE, core/journal.ts) starts with the command it belongs to, then records, per server,
 * `start` before a target runs and `done`/`failed` when it finished, each line written before the next step; a run
 * that cannot write its journal starts no more targets. So a killed run leaves targets that started and never
 * finished: they may or may not have been applied. A resumed run skips every done target, runs failed and unstarted
 * ones, and re-runs the unfinished ones only when the command declares that repeating it changes nothing more
 * (`bulk.idempotent`); otherwise it reports them as failed for a person to check, so no target is written twice.
 */
import { parseCsv } from './csv.js'
import { bulkFailureOf, createRunContext, skippedReason, type BulkSummary, type Invocation, type RunContext } from './context.js'
import { DryRunStop, SynadmError, toSynadmError, usageError } from './errors.js'
import { path, replyField } from './http.js'
import { idProblem } from './ids.js'
import { readInput } from './input.js'
import { openJournal, serverUrl, type Journal } from './journal.js'
import { isSecretArg, REDACTED, secretValues } from './log.js'
import { asciiJson, format, isRecord, type Format } from './output.js'
import { commandShape, DEFAULT_CONCURRENCY, writes } from './options.js'
import type { Action, CommandSpec, IdKind } from './spec.js'

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

/** Room aliases start with `#`, as comments do: in a list of rooms, a line that is an alias is a target. */
const takesAliases = (kind?: IdKind) => kind === 'alias' || kind === 'room_or_alias'

/**
 * Lines of a target list: one target a line, blank lines and `#` comments skipped, JSON lines read by field; or CSV
 * whose header row names one of the fields (what `-o csv` and spreadsheets write), read from that column. Errors
 * carry line numbers.
 */
export function parseTargetLines(text: string, fields: string[], kind?: IdKind): { targets: TargetLine[]; errors: string[]; column?: string } {
  const lines = text.split(/\r?\n/)
  const isAlias = (trimmed: string) => takesAliases(kind) && !idProblem(kind!, trimmed)
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
async function readTargets(ctx: RunContext, file: string, argName: string, kind: IdKind): Promise<string[]> {
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
async function normalise(ctx: RunContext, kind: IdKind, value: string): Promise<string> {
  const problem = idProblem(kind, value)
  if (problem) throw usageError(`'${value.replace(/[\u0000-\u001f\u007f]/g, '?')}' ${problem}`)
  if (kind === 'user') return ctx.userId(value)
  if (kind === 'room_or_alias' && value.startsWith('#')) {
    const matrix = await ctx.matrix()
    return replyField(await matrix.get(path`client/v3/directory/room/${value}`), 'room_id', `the lookup of ${value}`)
  }
  return value
}

// --- the run ---------------------------------------------------------------------------------------------------

export type ReportEntry = BulkSummary['entries'][number]

export interface BulkOptions<T> {
  /** the command's context: options, confirmation, output */
  ctx: RunContext
  items: { target: string; value: T }[]
  /** runs one target with its own context */
  each: (value: T, ctx: RunContext) => Promise<unknown>
  /** for the per-target context: the invocation of one target */
  invocationFor?: (value: T) => Invocation
  /** what happens to each target, for the confirmation */
  effect?: unknown
  /** journal lines name the run by these (default: the command's arguments and given options) */
  identity?: Record<string, unknown>
  /** the targets are secrets (registration tokens): the journal names them by their hash */
  secretTargets?: boolean
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
async function runJournal(ctx: RunContext, identity: Record<string, unknown>, secretTargets: boolean): Promise<Journal | undefined> {
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
  const { session } = ctx
  const io = session.io
  const summary: BulkSummary = { total: o.items.length, entries: [], done: 0, failed: 0, skipped: 0, notStarted: 0 }
  const jsonl = ctx.format === 'jsonl'
  let progress: ReturnType<typeof progressLine> | undefined
  const record = (entry: ReportEntry) => {
    summary.entries.push(entry)
    // The progress line goes first, or a report line on the same terminal would land in the middle of it.
    progress?.clear()
    if (jsonl) io.stdout.write(asciiJson(entry) + '\n')
  }
  const todo = journal ? resumable(ctx, o.items, journal, summary, record) : o.items
  if (todo.length && writes(ctx.command) && !ctx.dryRun) await confirmSet(o, todo, concurrency, journal)

  // Ctrl-C (the command's signal) stops starting targets; the ones running finish with a signal of their own.
  const running = new AbortController()
  const started = Date.now() // after the confirmation: rate and time count the run, not the reading
  progress = progressLine(io.stderr as NodeJS.WriteStream, todo.length, started)
  let next = 0
  let finished = 0
  let stop: SynadmError | undefined
  /** a journal line written, or the run stopped: a run that cannot keep its journal sends nothing more */
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
      const { entry, notes, stops } = await runTarget(o, item, running.signal)
      if (stops) stop ??= stops
      // Not recorded as finished, it stays in flight: a resume treats it as a killed run's target.
      journaled((j) => j.finish(item.target, entry.ok, entry.error))
      if (!entry.ok) summary.failed++
      else if (entry.skipped) summary.skipped++
      else summary.done++
      record(entry)
      if (session.logLevel > 0) for (const note of notes) io.stderr.write(`${item.target}: ${note}\n`)
      progress.update(++finished)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker))
  } finally {
    progress.clear()
  }
  summary.notStarted = todo.length - finished
  summary.stoppedBy = stop ?? (ctx.signal.aborted ? new SynadmError('cancelled', 'stopped by Ctrl-C') : undefined)
  if (!jsonl && summary.entries.length) io.stdout.write(await format(ctx.format as Format, summary.entries))
  io.stderr.write(summaryLine(summary, ctx.dryRun, started))
  return summary
}

/** The items a resumed run still has to do: done ones skipped, a killed run's unfinished ones reported unless idempotent. */
function resumable<T>(ctx: RunContext, items: BulkOptions<T>['items'], journal: Journal, summary: BulkSummary, record: (entry: ReportEntry) => void) {
  const todo: typeof items = []
  for (const item of items) {
    if (journal.isDone(item.target)) {
      summary.skipped++
    } else if (journal.wasInFlight(item.target) && !ctx.command.bulk?.idempotent) {
      summary.failed++
      record({ target: item.target, ok: false, error: 'was in flight when an earlier run was killed: it may or may not have been applied; check it by hand', exit_code: 9 })
    } else todo.push(item)
  }
  if (summary.skipped) ctx.note(`${journal.file}: ${summary.skipped} target(s) done in an earlier run are skipped`)
  return todo
}

/** The one confirmation for the set. */
async function confirmSet<T>(o: BulkOptions<T>, todo: BulkOptions<T>['items'], concurrency: number, journal?: Journal) {
  const { ctx } = o
  const spec = ctx.command
  const first = todo.slice(0, PREVIEW_TARGETS).map((t) => t.target)
  const words = [spec.path, ...Object.values(identityOf(ctx).args).map(String), ...givenSwitches(ctx, spec)]
  await ctx.confirm(`Run '${words.join(' ')}' on ${todo.length === 1 ? 'this target' : `these ${todo.length} targets`}?`, {
    command: words.join(' '),
    does: o.effect ?? spec.description,
    targets: todo.length,
    [todo.length > PREVIEW_TARGETS ? `first ${PREVIEW_TARGETS}` : 'all']: first,
    concurrency,
    ...(journal ? { journal: journal.file } : {}),
  })
}

/** One target, with a context of its own: its report entry, its notes, and the fault when it is one that stops the run. */
async function runTarget<T>(o: BulkOptions<T>, item: BulkOptions<T>['items'][number], signal: AbortSignal): Promise<{ entry: ReportEntry; notes: string[]; stops?: SynadmError }> {
  const { ctx } = o
  const bulkTarget = { emitted: [] as unknown[], notes: [] as string[] }
  const inv = o.invocationFor?.(item.value) ?? ctx
  const targetCtx = createRunContext(ctx.session, inv, signal, ctx.format, { bulkTarget, inShell: ctx.inShell })
  const done = (entry: ReportEntry, stops?: SynadmError) => ({ entry, notes: bulkTarget.notes, stops })
  try {
    const result = await o.each(item.value, targetCtx)
    const skipped = skippedReason(result)
    if (skipped !== undefined) return done({ target: item.target, ok: true, skipped })
    const shown = bulkTarget.emitted.length ? [...bulkTarget.emitted, ...(result === undefined ? [] : [result])] : result
    return done({ target: item.target, ok: true, ...(shown === undefined ? {} : { result: shown }) })
  } catch (thrown) {
    if (DryRunStop.is(thrown)) return done({ target: item.target, ok: true, result: { dry_run: true, ...thrown.would } })
    const error = toSynadmError(thrown)
    return done({ target: item.target, ok: false, error: error.message, exit_code: error.exitCode }, STOPS_THE_RUN.has(error.kind) ? error : undefined)
  }
}

function summaryLine(summary: BulkSummary, dryRun: boolean, started: number): string {
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const parts = [`${summary.done} ${dryRun ? 'checked (dry run, nothing written)' : 'done'}`, `${summary.failed} failed`, `${summary.skipped} skipped`]
  if (summary.notStarted) parts.push(`${summary.notStarted} not started`)
  return `synadm: ${summary.total} target${summary.total === 1 ? '' : 's'}: ${parts.join(', ')} in ${seconds} s\n`
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
export async function runTargets(ctx: RunContext, action: Action): Promise<void> {
  const spec: CommandSpec = ctx.command
  const target = commandShape(spec).target!
  const file = String(ctx.options.targets)
  const values = await readTargets(ctx, file, target.name, target.id!)
  const summary = await runBulk({
    ctx,
    items: values.map((value) => ({ target: value, value })),
    invocationFor: (value) => ({ ...ctx, args: { ...ctx.args, [target.name]: value } }),
    each: async (_value, targetCtx) => action(targetCtx),
    identity: identityOf(ctx, target.name),
    secretTargets: isSecretArg(target),
  })
  const failure = bulkFailureOf(summary, ctx.options.journal as string | undefined)
  if (failure) throw failure
}
