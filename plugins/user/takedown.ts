/**
 * `user takedown`'s steps, refusals and evidence, and `user export` (which writes the same evidence). Core runs the
 * plan (core/campaigns/plan.ts): refusals and surveys read every target before anything is written; the steps then
 * run in declaration order per target. Surveys keep what later steps need in `facts` (the rooms to redact in are
 * read before anything is redacted or left).
 */
import { replyField, SynadmError, type EvidenceCollector, type PagedSpec, type PlanTarget, type RunContext, type StepAction, type StepSurvey } from '../../core/index.js'
import type { MasUser } from '../mas/api.js'
import type { MediaItem, UserDetails } from './api.js'
import { knownUser, waitForRedaction } from './commands.js'
import type * as spec from './index.js'
import { masAccount, onMas } from './mas.js'

/** Memberships whose rooms hold events of the user (an invite or a knock leaves none to redact or read). */
const ROOMS_WITH_EVENTS = new Set(['join', 'leave', 'ban'])
/** recent_events reads at most this many rooms per user, and this many events per room */
export const RECENT_ROOMS = 100
export const RECENT_EVENTS = 50
const PAGE_SIZE = 1000
const offsetPages = (items: string): PagedSpec => ({ items, next: 'next_token', from: 'from', style: 'offset', total: 'total' })

/** The server has no such thing (404), or does not know the endpoint (an older Synapse). */
const isAbsent = (error: unknown) => SynadmError.is(error) && (error.status === 404 || error.errcode === 'M_UNRECOGNIZED')

const userIdOf = (ctx: RunContext, target: PlanTarget) => ctx.userId(target.id)
/** The account's details, read once per run by the refusals and the surveys (ctx.perRun). */
const surveyedDetails = async (ctx: RunContext, target: PlanTarget) => {
  const userId = await userIdOf(ctx, target)
  return ctx.perRun(`user details ${userId}`, async () => (await ctx.use('user')).details(userId))
}
/** The user's MAS account on a server that delegates auth to MAS, else undefined (read once per run). */
const masUserOf = async (ctx: RunContext, target: PlanTarget) => {
  const userId = await userIdOf(ctx, target)
  return ctx.perRun(`mas account ${userId}`, async () => ((await onMas(ctx)) ? (await masAccount(ctx, userId)).user : undefined))
}

// --- refusals ---------------------------------------------------------------------------------------------------

/** Why a target must not be taken down: another server's user, a server admin, an account that does not exist. */
export async function refuses(ctx: RunContext, target: PlanTarget): Promise<string | undefined> {
  const userId = await userIdOf(ctx, target)
  if (userId.slice(userId.indexOf(':') + 1) !== (await ctx.serverName())) return 'is on another server'
  let details: UserDetails
  try {
    details = await surveyedDetails(ctx, target)
  } catch (error) {
    if (SynadmError.is(error) && error.kind === 'notFound') return 'no such user'
    throw error
  }
  if (details.admin) return 'is a server admin'
  let mas: MasUser | undefined
  try {
    mas = await masUserOf(ctx, target)
  } catch (error) {
    // MAS would have to lock and deactivate it (an application service's user is not MAS's)
    if (SynadmError.is(error) && error.kind === 'notFound') return 'has no account in MAS'
    throw error
  }
  // MAS decides who may ask for admin rights: such an account is an admin too.
  if (mas?.admin) return 'is a server admin (in MAS)'
  return undefined
}

// --- the steps --------------------------------------------------------------------------------------------------

const lock: StepAction = {
  async survey(ctx, target) {
    const mas = await masUserOf(ctx, target)
    const locked = mas ? mas.locked_at !== null : Boolean((await surveyedDetails(ctx, target)).locked)
    return locked ? { nothingToDo: true, affects: 'already locked' } : { affects: mas ? 'the account (in MAS)' : 'the account' }
  },
  async run(ctx, target) {
    const userId = await userIdOf(ctx, target)
    const mas = await masUserOf(ctx, target)
    if (mas) {
      await (await ctx.use('mas')).lockUser(mas.id)
      return { locked: true, through: 'MAS' }
    }
    await (await ctx.use('user')).createOrModify(userId, { locked: true })
    return { locked: true }
  },
}

const suspend: StepAction = {
  async survey(ctx, target) {
    return (await surveyedDetails(ctx, target)).suspended ? { nothingToDo: true, affects: 'already suspended' } : { affects: 'the account' }
  },
  async run(ctx, target) {
    return (await ctx.use('user')).setSuspended(await userIdOf(ctx, target), true)
  },
}

const shadowBan: StepAction = {
  async survey(ctx, target) {
    return (await surveyedDetails(ctx, target)).shadow_banned ? { nothingToDo: true, affects: 'already shadow-banned' } : { affects: 'the account' }
  },
  async run(ctx, target) {
    await (await ctx.use('user')).shadowBan(await userIdOf(ctx, target))
    return { shadow_banned: true }
  },
}

/** The rooms the user is or was in, as its memberships say: read before anything is redacted or left. */
async function roomsOf(ctx: RunContext, userId: string): Promise<string[]> {
  const { memberships } = await (await ctx.use('user')).memberships(userId)
  return Object.entries(memberships).filter(([, membership]) => ROOMS_WITH_EVENTS.has(membership)).map(([roomId]) => roomId)
}

/** the redact step's own options */
type RedactOptions = { redactRoom?: string[]; redactReason?: string; redactSince?: number; redactUntil?: number; redactLimit?: number }

const redact: StepAction = {
  async survey(ctx, target) {
    const chosen = (ctx.options as RedactOptions).redactRoom
    // Synapse's own "all rooms" (rooms: []) leaves out the rooms the user left: the survey names every room instead.
    const rooms = chosen?.length ? chosen : await roomsOf(ctx, await userIdOf(ctx, target))
    if (rooms.length === 0) return { nothingToDo: true, affects: 'in no room' }
    return { affects: `events in ${rooms.length} room(s)`, facts: { rooms } }
  },
  async run(ctx, target) {
    const o = ctx.options as RedactOptions
    const userId = await userIdOf(ctx, target)
    const { rooms } = target.facts.redact as { rooms: string[] }
    const users = await ctx.use('user')
    const body = {
      rooms,
      ...(o.redactReason !== undefined ? { reason: o.redactReason } : {}),
      // only when given: a Synapse before 1.157 refuses the fields
      ...(o.redactSince !== undefined ? { after_ts: o.redactSince } : {}),
      ...(o.redactUntil !== undefined ? { before_ts: o.redactUntil } : {}),
      ...(o.redactLimit !== undefined ? { limit: o.redactLimit } : {}),
    }
    const redactId = replyField(await users.redact(userId, body), 'redact_id', `the redaction of ${userId}'s events`)
    const final = await waitForRedaction(ctx, users, redactId)
    const failed = Object.keys(final.failed_redactions ?? {}).length
    return { redact_id: redactId, rooms: rooms.length, status: final.status, failed_redactions: failed }
  },
}

const quarantineMedia: StepAction = {
  async survey(ctx, target) {
    const { total } = await (await ctx.use('user')).media(await userIdOf(ctx, target), { limit: 1 })
    return total ? { affects: `${total} media file(s)` } : { nothingToDo: true, affects: 'no media' }
  },
  async run(ctx, target) {
    return (await ctx.use('media')).quarantineByUser(await userIdOf(ctx, target))
  },
}

/** Deactivations run one at a time in this process: parallel ones make Synapse re-join users to rooms (synapse#16290). */
let deactivations: Promise<unknown> = Promise.resolve()
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const turn = deactivations.then(work, work)
  deactivations = turn.catch(() => undefined)
  return turn
}

const deactivate: StepAction = {
  async survey(ctx, target) {
    const details = await surveyedDetails(ctx, target)
    const mas = await masUserOf(ctx, target)
    const deactivated = mas ? mas.deactivated_at !== null : details.deactivated
    if (deactivated && details.erased) return { nothingToDo: true, affects: 'already deactivated and erased' }
    return { affects: mas ? 'the account (through MAS)' : 'the account' }
  },
  async run(ctx, target) {
    const userId = await userIdOf(ctx, target)
    const mas = await masUserOf(ctx, target)
    return oneAtATime(async () => {
      if (mas) return { deactivated: true, erased: true, through: 'MAS', mas: await (await ctx.use('mas')).deactivateUser(mas.id, false) }
      return { deactivated: true, erased: true, ...(await (await ctx.use('user')).deactivate(userId, true)) }
    })
  },
}

/** The event and user reports against a user; user reports undefined when the server has none (before Synapse 1.152). */
export async function reportsAgainst(ctx: RunContext, userId: string): Promise<{ event: Record<string, unknown>[]; user?: Record<string, unknown>[] }> {
  const api = await ctx.use('reports')
  // Filtered here too: a server that ignores the query parameter would otherwise hand over every report.
  const event = await allReports(ctx, (from) => api.eventReports({ from, limit: PAGE_SIZE, dir: 'f', event_sender_user_id: userId }), 'event_reports')
  try {
    const user = await allReports(ctx, (from) => api.userReports({ from, limit: PAGE_SIZE, dir: 'f', target_user_id: userId }), 'user_reports')
    return { event: event.filter((r) => r.sender === userId), user: user.filter((r) => r.target_user_id === userId) }
  } catch (error) {
    if (!isAbsent(error)) throw error
    return { event: event.filter((r) => r.sender === userId) }
  }
}

async function allReports(ctx: RunContext, fetch: (from: unknown) => Promise<unknown>, items: string): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = []
  for await (const report of ctx.items<Record<string, unknown>>(async (token) => (await fetch(token ?? 0)) as never, offsetPages(items))) all.push(report)
  return all
}

interface ReportFacts {
  event: string[]
  user: string[]
}

const resolveReports: StepAction = {
  async survey(ctx, target) {
    const found = await reportsAgainst(ctx, await userIdOf(ctx, target))
    const { reportId } = await ctx.use('reports')
    const facts: ReportFacts = { event: found.event.map(reportId), user: (found.user ?? []).map(reportId) }
    const words = `${facts.event.length} event report(s), ${found.user ? `${facts.user.length} user report(s)` : 'no user reports on this server (Synapse 1.152+)'}`
    return facts.event.length + facts.user.length ? { affects: words, facts } : { nothingToDo: true, affects: words }
  },
  async run(ctx, target) {
    const { event, user } = target.facts['resolve-reports'] as ReportFacts
    const api = await ctx.use('reports')
    const events = await api.resolve('event', event)
    const users = await api.resolve('user', user)
    return { resolved: events.resolved + users.resolved, already_gone: events.already_gone + users.already_gone }
  },
}

export const steps = { lock, suspend, shadowBan, redact, quarantineMedia, deactivate, resolveReports } satisfies Record<string, StepAction>

// --- evidence and export -------------------------------------------------------------------------------------------

/** A part of the evidence the server does not have: recorded as absent with the reason, not a failure. */
async function part<T>(read: () => Promise<T>): Promise<T | { absent: string }> {
  try {
    return await read()
  } catch (error) {
    if (!isAbsent(error)) throw error
    const e = error as SynadmError
    return { absent: e.errcode ? `${e.errcode}: ${e.serverMessage ?? e.message}` : e.message }
  }
}

async function allMedia(ctx: RunContext, userId: string) {
  const users = await ctx.use('user')
  const media: MediaItem[] = []
  const fetchPage = (token: unknown) => users.media(userId, { from: (token as number | undefined) ?? 0, limit: PAGE_SIZE }) as never
  for await (const item of ctx.items<MediaItem>(fetchPage, offsetPages('media'))) media.push(item)
  return { total: media.length, media }
}

/** The user's latest events in each room it is or was in (the first RECENT_ROOMS rooms). */
async function recentEvents(ctx: RunContext, userId: string) {
  const rooms = await roomsOf(ctx, userId)
  const roomApi = await ctx.use('room')
  const filter = JSON.stringify({ senders: [userId] })
  const byRoom: Record<string, unknown> = {}
  for (const roomId of rooms.slice(0, RECENT_ROOMS)) {
    byRoom[roomId] = await part(async () => (await roomApi.messages(roomId, { dir: 'b', limit: RECENT_EVENTS, filter })).chunk)
  }
  return {
    note: `the latest ${RECENT_EVENTS} events of ${userId} in each room, for ${Math.min(rooms.length, RECENT_ROOMS)} of its ${rooms.length} room(s) (at most ${RECENT_ROOMS} are read)`,
    rooms: rooms.length,
    rooms_read: Math.min(rooms.length, RECENT_ROOMS),
    events_by_room: byRoom,
  }
}

/** What a takedown destroys, per target: what `--evidence DIR` and `user export` write. */
export const collectEvidence: EvidenceCollector = async (ctx, target) => {
  const userId = await ctx.userId(target)
  const users = await ctx.use('user')
  return {
    details: await part(() => users.details(userId)),
    memberships: await part(() => users.memberships(userId)),
    devices: await part(() => users.devices(userId)),
    whois: await part(() => users.whois(userId)),
    media: await part(() => allMedia(ctx, userId)),
    reports: await part(async () => {
      const found = await reportsAgainst(ctx, userId)
      return { event_reports: found.event, user_reports: found.user ?? { absent: 'this server has no user reports (Synapse 1.152+)' } }
    }),
    recent_events: await part(() => recentEvents(ctx, userId)),
    account_data: await part(() => users.accountData(userId)),
    pushers: await part(() => users.pushers(userId)),
  }
}

export async function exportUser(ctx: RunContext<typeof spec.exportUser>) {
  const userId = await ctx.userId(ctx.args.user_id)
  // a mistyped ID stops here (exit 7), before a folder of absent documents is written
  await knownUser(userId, (await ctx.use('user')).details(userId))
  const documents = await collectEvidence(ctx, userId)
  const files = await ctx.saveEvidence(ctx.options.dir!, userId, documents)
  return files.map((file, i) => ({ user_id: userId, document: Object.keys(documents)[i], file }))
}
