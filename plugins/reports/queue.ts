/** `report queue`: every event report and user report, grouped by the reported user or room, most reported first. */
import { SynadmError, withDateTimes, type PagedSpec, type RunContext } from '../../core/index.js'
import type { ReportsApi } from './api.js'
import type * as spec from './index.js'

/** Reports asked for per page: the queue reads them all. */
const PAGE_SIZE = 1000
const pagesOf = (items: string): PagedSpec => ({ items, next: 'next_token', from: 'from', style: 'offset', total: 'total' })

/** One report, of either kind, as the queue groups it. */
interface Report {
  kind: 'event' | 'user'
  id: number
  received_ts: number
  reporter: string
  reason: string | null
  /** the reported user: an event's sender, a user report's target */
  user: string
  room?: { id: string; name: unknown; alias: unknown }
}

type Group = Record<string, unknown>

export async function queue(ctx: RunContext<typeof spec.queue>) {
  const api = await ctx.use('reports')
  const reports = [...(await eventReports(ctx, api)), ...(await userReports(ctx, api))]
  const groups = ctx.options.by === 'room' ? byRoom(ctx, reports) : byUser(reports)
  groups.sort((a, b) => Number(b.reports) - Number(a.reports) || Number(b.last_ts) - Number(a.last_ts))
  return ctx.options.datetime ? withDateTimes(groups, ['first_ts', 'last_ts']) : groups
}

async function eventReports(ctx: RunContext, api: ReportsApi): Promise<Report[]> {
  const fetchPage = (token: unknown) => api.eventReports({ from: token ?? 0, limit: PAGE_SIZE, dir: 'f' })
  const reports: Report[] = []
  for await (const r of ctx.items<Record<string, unknown>>(fetchPage, pagesOf('event_reports'))) {
    const room = { id: String(r.room_id), name: r.name ?? null, alias: r.canonical_alias ?? null }
    reports.push({ kind: 'event', id: Number(r.id), received_ts: Number(r.received_ts), reporter: String(r.user_id), reason: reasonOf(r), user: String(r.sender), room })
  }
  return reports
}

/** User reports, where the server has them (Synapse 1.152+); an older server's absence is said, not an error. */
async function userReports(ctx: RunContext, api: ReportsApi): Promise<Report[]> {
  const fetchPage = (token: unknown) => api.userReports({ from: token ?? 0, limit: PAGE_SIZE, dir: 'f' })
  const reports: Report[] = []
  try {
    for await (const r of ctx.items<Record<string, unknown>>(fetchPage, pagesOf('user_reports'))) {
      reports.push({ kind: 'user', id: Number(r.id), received_ts: Number(r.received_ts), reporter: String(r.user_id), reason: reasonOf(r), user: String(r.target_user_id) })
    }
  } catch (error) {
    if (!(SynadmError.is(error) && error.status === 404 && error.errcode === 'M_UNRECOGNIZED')) throw error
    ctx.note('this server has no user reports (Synapse 1.152 added them): the queue holds event reports only')
  }
  return reports
}

const reasonOf = (r: Record<string, unknown>) => (typeof r.reason === 'string' && r.reason !== '' ? r.reason : null)

/** One group per reported user: event reports about what they sent, user reports about them. */
function byUser(reports: Report[]): Group[] {
  return grouped(reports, (r) => r.user).map((list) => ({
    user_id: list[0].user,
    ...counts(list),
    rooms: distinct(list.map((r) => r.room?.id)),
    ...common(list),
  }))
}

/** One group per room of reported events; user reports name no room and are left out, with a line saying so. */
function byRoom(ctx: RunContext, reports: Report[]): Group[] {
  const aboutUsers = reports.filter((r) => !r.room).length
  if (aboutUsers) ctx.note(`${aboutUsers} user report(s) name no room: 'report queue --by user' groups them`)
  return grouped(reports.filter((r) => r.room), (r) => r.room!.id).map((list) => ({
    room_id: list[0].room!.id,
    room_name: list.at(-1)!.room!.name,
    canonical_alias: list.at(-1)!.room!.alias,
    ...counts(list),
    senders: distinct(list.map((r) => r.user)),
    ...common(list),
  }))
}

function counts(list: Report[]) {
  const events = list.filter((r) => r.kind === 'event').length
  return { reports: list.length, event_reports: events, user_reports: list.length - events }
}

/** What every group shows: when, by whom, why, and the IDs that `report event|user details|delete` take. */
function common(list: Report[]) {
  const times = list.map((r) => r.received_ts)
  return {
    first_ts: Math.min(...times),
    last_ts: Math.max(...times),
    reporters: distinct(list.map((r) => r.reporter)),
    reasons: distinct(list.map((r) => r.reason)),
    event_report_ids: list.filter((r) => r.kind === 'event').map((r) => r.id),
    user_report_ids: list.filter((r) => r.kind === 'user').map((r) => r.id),
  }
}

function grouped(reports: Report[], key: (r: Report) => string): Report[][] {
  const groups = new Map<string, Report[]>()
  for (const r of reports) {
    const list = groups.get(key(r))
    if (list) list.push(r)
    else groups.set(key(r), [r])
  }
  return [...groups.values()]
}

const distinct = <T>(values: (T | null | undefined)[]): T[] => [...new Set(values.filter((v): v is T => v !== null && v !== undefined))]
