/**
 * `synadm status`: every status check at once (built-in and plugins' alike), one line each, then the top lists;
 * exit 12 when something needs attention. A fleet run gets one row per server (fleetTable).
 */
import { EXIT, SynadmError, type FleetOutcome, type FleetTable, type RunContext, type StatusCheckResult, type StatusCheckSpec } from '../../core/index.js'

export type CheckState = 'ok' | 'attention' | 'unknown'

/** One check as `-o json` shows it. */
export interface CheckLine {
  name: string
  title: string
  state: CheckState
  summary: string
  value?: unknown
}

export interface StatusReport {
  status: 'ok' | 'attention'
  /** the names of the checks that are not ok */
  attention: string[]
  checks: CheckLine[]
}

/** The text mark of each state, so that it does not take colour to see what needs attention. */
export const MARK: Record<CheckState, string> = { ok: 'ok', attention: '!', unknown: '?' }

/** Faults that every check would meet alike (no server, no valid token, Ctrl-C): they end status with their exit code. */
const STOPPING = new Set(['network', 'auth', 'config', 'cancelled', 'rateLimited'])
const stops = (error: unknown) => SynadmError.is(error) && STOPPING.has(error.kind)

function checkLine(spec: StatusCheckSpec, outcome: PromiseSettledResult<StatusCheckResult>): CheckLine {
  const { name, title } = spec
  if (outcome.status === 'rejected') {
    const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason)
    return { name, title, state: 'unknown', summary: `could not be read: ${reason}` }
  }
  const result = outcome.value
  if (typeof result?.summary !== 'string') return { name, title, state: 'unknown', summary: 'the check gave no summary' }
  return { name, title, state: result.attention ? 'attention' : 'ok', summary: result.summary, ...(result.value === undefined ? {} : { value: result.value }) }
}

/**
 * Checks run at once. A built-in check sends one or two requests: at most 8 are in flight, as in synadm's other
 * concurrent reads (more on one command's signal and Node warns of a listener leak).
 */
export const CHECKS_AT_ONCE = 5

/** Each check's outcome, in order, with at most `limit` running at a time. */
async function settleAll(checks: StatusCheckSpec[], limit: number, ctx: RunContext): Promise<PromiseSettledResult<StatusCheckResult>[]> {
  const outcomes: PromiseSettledResult<StatusCheckResult>[] = new Array(checks.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < checks.length; i = next++) {
      try {
        outcomes[i] = { status: 'fulfilled', value: await (await checks[i].load())(ctx) }
      } catch (reason) {
        outcomes[i] = { status: 'rejected', reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, checks.length) }, worker))
  return outcomes
}

/** Runs every declared check, several at once; a check that fails is a line saying so, unless the fault stops them all. */
export async function runChecks(ctx: RunContext): Promise<StatusReport> {
  const checks = ctx.statusChecks()
  const settled = await settleAll(checks, CHECKS_AT_ONCE, ctx)
  const stop = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && stops(s.reason))
  if (stop) throw stop.reason
  const lines = checks.map((spec, i) => checkLine(spec, settled[i]))
  const attention = lines.filter((line) => line.state !== 'ok').map((line) => line.name)
  return { status: attention.length ? 'attention' : 'ok', attention, checks: lines }
}

/** `2 of 9 checks need attention: background updates, event reports` */
function attentionLine(report: StatusReport): string {
  const titles = report.checks.filter((c) => c.state !== 'ok').map((c) => (c.state === 'unknown' ? `${c.title} (could not be read)` : c.title))
  return `status: ${titles.length} of ${report.checks.length} checks need attention: ${titles.join(', ')}`
}

/** The top lists under the checks, as tables (charted on a terminal): from the checks that carry them. */
function topLists(report: StatusReport): { heading: string; rows: Record<string, unknown>[] }[] {
  const value = (name: string) => report.checks.find((c) => c.name === name && c.state === 'ok')?.value as Record<string, unknown> | undefined
  const lists = []
  const users = value('top_media_users')?.users as Record<string, unknown>[] | undefined
  if (users?.length) lists.push({ heading: 'Top media users', rows: users })
  const rooms = value('largest_rooms')
  const roomRows = rooms?.rooms as Record<string, unknown>[] | undefined
  if (roomRows?.length) {
    const by = rooms!.by === 'estimated_size' ? 'by database size' : 'by joined members (database sizes need PostgreSQL)'
    lists.push({ heading: `Largest rooms ${by}`, rows: roomRows })
  }
  return lists
}

/** The status screen: a line per check, its mark first, then the top lists. */
async function show(ctx: RunContext, report: StatusReport) {
  await ctx.emit(report.checks.map((c) => ({ '': MARK[c.state], check: c.title, state: c.summary })))
  for (const { heading, rows } of topLists(report)) {
    await ctx.emit('')
    await ctx.emit(heading)
    await ctx.emit(rows)
  }
}

export async function status(ctx: RunContext) {
  const report = await runChecks(ctx)
  const screen = ctx.format === 'human' || ctx.format === 'wide'
  if (screen) await show(ctx, report)
  if (report.status === 'ok') return screen ? undefined : report
  // The report is the command's output either way; the exit code says that something needs attention.
  throw Object.assign(new SynadmError('attention', attentionLine(report)), screen ? {} : { reply: report })
}

// --- fleets ----------------------------------------------------------------------------------------------------

const isReport = (doc: unknown): doc is StatusReport =>
  typeof doc === 'object' && doc !== null && Array.isArray((doc as StatusReport).checks) && typeof (doc as StatusReport).status === 'string'

/** `synadm: connection refused …` → `connection refused …`: the line a failed server ended with */
const errorOf = (messages: string[]) => (messages.find((m) => m.startsWith('synadm: ')) ?? messages[0] ?? '').replace(/^synadm: /, '')

/** A check's line as the fleet table shows it: up to its first `; ` or ` (` (lines say their verdict first). */
const brief = (summary: string) => summary.split(/; | \(/)[0]

/** One server's row: its status, version and a column per check (`ok`, or the mark and the line's verdict). */
function fleetRow(outcome: FleetOutcome): Record<string, unknown> {
  const report = outcome.output.find(isReport)
  if (!report) return { server: outcome.server, status: outcome.exitCode === EXIT.network ? 'unreachable' : 'failed', error: errorOf(outcome.messages) }
  const version = (report.checks.find((c) => c.name === 'synapse')?.value as { server_version?: string } | undefined)?.server_version
  const row: Record<string, unknown> = { server: outcome.server, status: report.status, version: version ?? null }
  // A plugin's check named like a column of the row itself keeps its own column.
  for (const check of report.checks) row[check.name in row ? `check_${check.name}` : check.name] = check.state === 'ok' ? MARK.ok : `${MARK[check.state]} ${brief(check.summary)}`
  return row
}

/** Worst first: servers that could not be read, then those with the most checks needing attention. */
const badness = (row: Record<string, unknown>) =>
  row.status === 'ok' ? 0 : row.status === 'attention' ? 1 + Object.values(row).filter((v) => typeof v === 'string' && /^[!?] /.test(v)).length : 1000

/** The rows with the same columns in the same order (a table): the server's own first, the checks, an error last. */
function squared(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const own = ['server', 'status', 'version', 'error']
  const checks = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((key) => !own.includes(key))
  const columns = [...own.slice(0, 3), ...checks, ...(rows.some((row) => 'error' in row) ? ['error'] : [])]
  return rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null])))
}

/** `synadm -S all status`: a row per server, the checks as columns, the worst first; exit 12 when one is not ok. */
export function fleetTable(outcomes: FleetOutcome[]): FleetTable {
  const rows = squared(outcomes.map(fleetRow).sort((a, b) => badness(b) - badness(a)))
  const unread = rows.filter((row) => row.status !== 'ok' && row.status !== 'attention')
  const attention = rows.filter((row) => row.status === 'attention')
  // Nothing read anywhere: the fault itself (all unreachable: 4), as any fleet run reports it.
  if (unread.length === outcomes.length) return { rows, exitCode: outcomes[0]?.exitCode ?? EXIT.failure, message: `status: none of ${outcomes.length} servers could be read` }
  if (!unread.length && !attention.length) return { rows, exitCode: EXIT.ok }
  const parts = [
    attention.length ? `${attention.length} of ${rows.length} servers need attention (${attention.map((r) => r.server).join(', ')})` : '',
    unread.length ? `${unread.length} could not be read (${unread.map((r) => r.server).join(', ')})` : '',
  ]
  return { rows, exitCode: EXIT.attention, message: `status: ${parts.filter(Boolean).join('; ')}` }
}
