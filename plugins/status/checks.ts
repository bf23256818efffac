/**
 * The built-in checks of `synadm status`, each a few requests through the other plugins' APIs (one or two each,
 * all checks at once). Each returns what it found, one line, and its attention rule's verdict.
 */
import { localDateTime, SynadmError, type RunContext, type StatusCheckResult } from '../../core/index.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** rows of the top lists (media users, rooms) */
export const TOP = 5
/** destinations read each way to count the failing ones: a page full of failing ones says "at least" */
export const DESTINATIONS_READ = 100
/** the newest accounts read to count the recent ones: a server with more new accounts gets "at least" */
export const NEWEST_ACCOUNTS_READ = 250

// --- how values are shown --------------------------------------------------------------------------------------

/** `1.5 MiB`: sizes in the units of 1024 */
export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** `3 h`, `2 d`: how long ago, in the largest unit that is at least 2 */
export function age(ms: number): string {
  const steps: [number, string][] = [[DAY, 'd'], [HOUR, 'h'], [60_000, 'min']]
  for (const [unit, name] of steps) if (ms >= 2 * unit) return `${Math.floor(ms / unit)} ${name}`
  return `${Math.max(0, Math.round(ms / 1000))} s`
}

/** `2026-12-01 10:00:00 (3 d ago)` */
export const when = (ms: number) => `${localDateTime(ms)} (${age(Date.now() - ms)} ago)`

/** Reads that a server that lacks them answers with M_UNRECOGNIZED (an endpoint of a newer Synapse). */
const unrecognized = (error: unknown) => SynadmError.is(error) && error.errcode === 'M_UNRECOGNIZED'

// --- the checks ------------------------------------------------------------------------------------------------

/** The version, and whether sign-in is delegated to MAS; its metadata failing (MAS down) needs attention. */
export async function server(ctx: RunContext): Promise<StatusCheckResult> {
  const [{ server_version: version }, auth] = await Promise.all([(await ctx.use('server')).version(), delegation(ctx)])
  const value = { server_version: version, delegated_to_mas: auth.delegated, ...(auth.issuer ? { issuer: auth.issuer } : {}) }
  if (auth.error !== undefined) {
    return { attention: true, summary: `MAS does not answer: Synapse's auth metadata fails (${auth.error}); Synapse ${version}`, value: { ...value, auth_error: auth.error } }
  }
  return { attention: false, summary: `Synapse ${version}; sign-in ${auth.delegated ? `by MAS at ${auth.issuer}` : 'by Synapse (no MAS)'}`, value }
}

async function delegation(ctx: RunContext): Promise<{ delegated: boolean | null; issuer?: string; error?: string }> {
  try {
    const metadata = await (await ctx.use('status')).authMetadata()
    return metadata ? { delegated: true, issuer: metadata.issuer } : { delegated: false }
  } catch (error) {
    // Synapse answers for MAS: an error here is MAS's (5xx), not the server's being away.
    if (SynadmError.is(error) && error.kind === 'api') return { delegated: null, error: error.message }
    throw error
  }
}

/** Background updates: paused needs attention (they stay paused until resumed or Synapse restarts). */
export async function backgroundUpdates(ctx: RunContext): Promise<StatusCheckResult> {
  const { enabled, current_updates: current } = await (await ctx.use('server')).backgroundUpdatesStatus()
  const running = Object.entries(current ?? {}).map(([database, update]): Record<string, unknown> => ({ database, ...update }))
  const names = running.map((update) => String(update.name)).join(', ')
  const value = { enabled, running }
  if (!enabled) return { attention: true, summary: `paused${names ? ` (held: ${names})` : ''}; resume: synadm background-updates enabled -e`, value }
  return { attention: false, summary: running.length ? `running: ${names}` : 'none running', value }
}

/** Scheduled tasks: one that failed in the last 24 h needs attention; Synapse keeps finished ones for a week. */
export async function scheduledTasks(ctx: RunContext): Promise<StatusCheckResult> {
  const { scheduled_tasks: tasks } = await (await ctx.use('server')).scheduledTasks({ status: ['active', 'failed'] })
  const since = Date.now() - DAY
  const brief = (task: Record<string, unknown>) => ({ id: task.id, action: task.action, resource_id: task.resource_id, timestamp_ms: task.timestamp_ms, error: task.error })
  const active = tasks.filter((task) => task.status === 'active').map(brief)
  const failed = tasks.filter((task) => task.status === 'failed' && Number(task.timestamp_ms) >= since).map(brief)
  const value = { active, failed_last_day: failed }
  if (!failed.length) return { attention: false, summary: `${active.length} active, none failed in the last 24 h`, value }
  const first = failed[0]
  const example = `${first.action}${first.error ? `: ${first.error}` : ''}`
  return { attention: true, summary: `${failed.length} failed in the last 24 h (${example}${failed.length > 1 ? '; …' : ''}), ${active.length} active`, value }
}

/** Reports wait until an admin deletes (dismisses) them: any waiting needs attention. */
function waiting(total: number, oldest: unknown, list: string): StatusCheckResult {
  if (!total) return { attention: false, summary: 'none waiting', value: { waiting: 0 } }
  const since = typeof oldest === 'number' ? `, the oldest from ${when(oldest)}` : ''
  return { attention: true, summary: `${total} waiting${since}; see: synadm ${list} -r`, value: { waiting: total, oldest_ts: oldest ?? null } }
}

export async function eventReports(ctx: RunContext): Promise<StatusCheckResult> {
  const page = await (await ctx.use('reports')).eventReports({ limit: 1, dir: 'f' })
  return waiting(page.total, page.event_reports[0]?.received_ts, 'report event list')
}

/** User reports (Synapse 1.152+); an older server has none to wait. */
export async function userReports(ctx: RunContext): Promise<StatusCheckResult> {
  try {
    const page = await (await ctx.use('reports')).userReports({ limit: 1, dir: 'f' })
    return waiting(page.total, page.user_reports[0]?.received_ts, 'report user list')
  } catch (error) {
    if (!unrecognized(error)) throw error
    return { attention: false, summary: 'none: this Synapse has no user reports (they came with 1.152)', value: { supported: false } }
  }
}

type Destination = { destination: string; failure_ts: number | null; retry_interval: number }

/** The failing destinations a page starts with (those with a failure_ts), up to the first that is not failing. */
function leadingFailing(destinations: Destination[]): Destination[] {
  const end = destinations.findIndex((d) => d.failure_ts === null || d.failure_ts === undefined)
  return end === -1 ? destinations : destinations.slice(0, end)
}

/**
 * Destinations failing now. Dead servers are common in federation, so failing ones are shown, not flagged; every
 * known destination failing (two or more) says it is this server's side that fails, and needs attention.
 */
export async function federation(ctx: RunContext): Promise<StatusCheckResult> {
  const api = await ctx.use('federation')
  // Synapse orders failure_ts as its database does: SQLite puts destinations that are not failing (null) first
  // in ascending order, PostgreSQL in descending. Asked both ways, one of the pages starts with the failing ones.
  const pages = await Promise.all((['b', 'f'] as const).map((dir) => api.destinations({ order_by: 'failure_ts', dir, limit: DESTINATIONS_READ })))
  const total = pages[0].total
  const [a, b] = pages.map((page) => leadingFailing(page.destinations))
  const failing = (a.length >= b.length ? a : b).sort((x, y) => x.failure_ts! - y.failure_ts!)
  const more = failing.length === DESTINATIONS_READ && total > DESTINATIONS_READ
  const count = `${failing.length}${more ? '+' : ''}`
  const worst = failing.slice(0, 3).map((d) => ({ destination: d.destination, failure_ts: d.failure_ts, retry_interval: d.retry_interval }))
  const value = { destinations: total, failing: failing.length, at_least: more, longest_failing: worst }
  if (!failing.length) return { attention: false, summary: `none of ${total} destinations failing`, value }
  const names = worst.map((d, i) => (i === 0 ? `${d.destination} (since ${when(d.failure_ts!)})` : d.destination)).join(', ')
  const all = failing.length === total && total >= 2
  return { attention: all, summary: `${count} of ${total} destinations failing${all ? ', every one: is federation out of this server broken?' : ''}; longest: ${names}`, value }
}

/**
 * Accounts created in the last 24 h and 7 days, counted in the newest accounts (the user list by creation time,
 * one bounded page: never the whole list). Shown, not flagged.
 */
export async function newAccounts(ctx: RunContext): Promise<StatusCheckResult> {
  // guests=false: a server delegating to MAS refuses the default (guests included)
  const page = await (await ctx.use('user')).list({ order_by: 'creation_ts', dir: 'b', limit: NEWEST_ACCOUNTS_READ, guests: false, deactivated: true })
  const now = Date.now()
  const created = page.users.map((user) => Number(user.creation_ts)).filter(Number.isFinite)
  const lastDay = created.filter((ts) => ts >= now - DAY).length
  const lastWeek = created.filter((ts) => ts >= now - 7 * DAY).length
  // Every account read is from the last 7 days: there may be more than were read.
  const more = page.users.length === NEWEST_ACCOUNTS_READ && lastWeek === NEWEST_ACCOUNTS_READ
  const plus = (n: number) => `${n}${more && n === NEWEST_ACCOUNTS_READ ? '+' : ''}`
  const read = more ? `; only the newest ${NEWEST_ACCOUNTS_READ} were read` : ''
  return {
    attention: false,
    summary: `${plus(lastDay)} in the last 24 h, ${plus(lastWeek)} in the last 7 days (of ${page.total} accounts, guests not counted${read})`,
    value: { last_day: lastDay, last_week: lastWeek, at_least: more, accounts: page.total },
  }
}

/** The local users with the most media (bytes), a few. */
export async function topMediaUsers(ctx: RunContext): Promise<StatusCheckResult> {
  const { users } = await (await ctx.use('server')).userMediaStatistics({ order_by: 'media_length', dir: 'b', limit: TOP })
  const rows = users.map(({ user_id, media_count, media_length }) => ({ user_id, media_count, media_length }))
  const summary = rows.length ? rows.slice(0, 3).map((u) => `${u.user_id} ${size(u.media_length)}`).join(', ') : 'no media uploaded'
  return { attention: false, summary, value: { users: rows } }
}

/** The rooms taking the most database space; on SQLite, which Synapse cannot measure, those with the most members. */
export async function largestRooms(ctx: RunContext): Promise<StatusCheckResult> {
  try {
    const { rooms } = await (await ctx.use('server')).largestRooms()
    const rows = [...rooms].sort((a, b) => b.estimated_size - a.estimated_size).slice(0, TOP)
    const summary = rows.length ? `by database size: ${rows.slice(0, 3).map((r) => `${r.room_id} ${size(r.estimated_size)}`).join(', ')}` : 'no rooms'
    return { attention: false, summary, value: { by: 'estimated_size', rooms: rows } }
  } catch (error) {
    // 400 "Endpoint requires using PostgreSQL"
    if (!SynadmError.is(error) || error.status !== 400) throw error
  }
  const { rooms } = await (await ctx.use('room')).listRooms({ order_by: 'joined_members', limit: TOP })
  const rows = rooms.map(({ room_id, name, joined_members }) => ({ room_id, name, joined_members }))
  const shown = rows.slice(0, 3).map((r) => `${r.name || r.room_id} ${r.joined_members}`).join(', ')
  return { attention: false, summary: `by joined members (database sizes need PostgreSQL)${shown ? `: ${shown}` : ': no rooms'}`, value: { by: 'joined_members', rooms: rows } }
}
