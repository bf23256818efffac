/**
 * `room takedown`: the steps of the plan (declared in index.ts), its refusals and its evidence. Core runs the plan
 * (core/campaigns/plan.ts): refusals and surveys read every room first, then one preview and one confirmation, then
 * each room's steps in order. Steps read what the surveys found from `target.facts`, never the room as it is then.
 */
import { compileWhere, replyField, SynadmError, usageError, whereProblem, type EvidenceCollector, type PlanTarget, type RunContext, type StepAction } from '../../core/index.js'
import type { MasApi } from '../apis.js'
import { localMemberRecords, waitForDeletion } from './commands.js'

/** The plan's options the steps read (ctx.options holds every option of the plan). */
interface TakedownOptions {
  membersWhere?: string[]
  maxLocalMembers?: number
  message?: string
  newRoomUserId?: string
}
const optionsOf = (ctx: RunContext) => ctx.options as TakedownOptions

/** event reports per request while collecting a room's reports */
const REPORT_PAGE = 100
const REPORT_PAGES = { items: 'event_reports', next: 'next_token', from: 'from', style: 'offset', total: 'total' } as const
/** the latest events `--evidence` keeps of a room */
const EVIDENCE_EVENTS = 200

// ---------------------------------------------------------------------------------------------- refusals

/** A room's details, asked once per run (the refusal, the delete step's survey and the evidence all read them). */
const roomDetails = async (ctx: RunContext, roomId: string) => ctx.perRun(`room details ${roomId}`, async () => (await ctx.use('room')).details(roomId))

/**
 * The filter of the members to take down, checked before anything is read: the members step without a filter would
 * take down every local member, legitimate ones too, so it needs --members-where; a filter without the step would do
 * nothing the admin can see.
 */
function memberFilter(ctx: RunContext, target: PlanTarget): ((record: unknown) => boolean) | undefined {
  const o = optionsOf(ctx)
  const expressions = o.membersWhere ?? []
  for (const expression of expressions) {
    const problem = whereProblem(expression)
    if (problem) throw usageError(`--members-where '${expression}' ${problem}`)
  }
  if (!target.chosen.includes('members')) {
    if (expressions.length) throw usageError('--members-where picks the members that the members step takes down, but that step is not chosen', 'add --members (or name members in --steps)')
    return undefined
  }
  if (!expressions.length) throw usageError('the members step needs --members-where: it takes down only the local members that match, never all of them', "e.g. --members-where 'name~^@spam' --members-where 'creation_ts>=2026-12-06'")
  return compileWhere(expressions)
}

/** Why a room must not be taken down: unknown to this server, or more local members than --max-local-members. */
export async function refuses(ctx: RunContext, target: PlanTarget): Promise<string | undefined> {
  memberFilter(ctx, target)
  let room
  try {
    room = await roomDetails(ctx, target.id)
  } catch (error) {
    if (SynadmError.is(error) && error.kind === 'notFound') return 'not known to this server'
    throw error
  }
  const limit = optionsOf(ctx).maxLocalMembers ?? 0
  const local = room.joined_local_members ?? 0
  if (limit > 0 && local > limit) return `has ${local} local members (limit ${limit}): is it really a spam room? raise --max-local-members to go on`
  return undefined
}

// ---------------------------------------------------------------------------------------------- steps

export const block: StepAction = {
  async survey(ctx, target) {
    const { block: blocked } = await (await ctx.use('room')).blockStatus(target.id)
    return { nothingToDo: blocked }
  },
  async run(ctx, target) {
    return (await ctx.use('room')).setBlocked(target.id, true)
  },
}

export const quarantineMedia: StepAction = {
  async survey(ctx, target) {
    const { local, remote } = await (await ctx.use('media')).roomMedia(target.id)
    const count = local.length + remote.length
    return { affects: count, nothingToDo: count === 0 }
  },
  async run(ctx, target) {
    return (await ctx.use('media')).quarantineInRoom(target.id)
  },
}

/** The MAS API when the server delegates auth to MAS (the accounts are MAS's then), else undefined. */
async function masOf(ctx: RunContext): Promise<MasApi | undefined> {
  const mas = await ctx.use('mas')
  return (await mas.onMas()) ? mas : undefined
}

/**
 * MAS decides who is an admin on a server that delegates auth to it (Synapse's own flag is ignored): the record
 * says what MAS says; a member MAS does not know (an application service's user) is marked, since MAS cannot lock it.
 */
async function withMasAdmin(mas: MasApi, record: Record<string, unknown>): Promise<void> {
  try {
    record.admin = (await mas.userOf(String(record.user_id))).admin
  } catch (error) {
    if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
    record.in_mas = false
  }
}

export const members: StepAction = {
  async survey(ctx, target) {
    const matches = memberFilter(ctx, target)
    if (!matches) return { nothingToDo: true }
    const records = await localMemberRecords(ctx, target.id)
    const mas = await masOf(ctx)
    if (mas) for (const record of records) await withMasAdmin(mas, record)
    // `name` too: the user ID as user list calls it, so a --where of a user list works here as typed
    const chosen = records.filter((record) => matches({ ...record, name: record.user_id }))
    const untouchable = chosen.flatMap((record) => {
      if (record.admin === true) return [`${record.user_id} is a server admin`]
      return record.in_mas === false ? [`${record.user_id} has no MAS account (a bridge's?): take it down by hand`] : []
    })
    if (untouchable.length) return { refuse: untouchable.join('; ') }
    const ids = chosen.map((record) => String(record.user_id))
    return { affects: ids.length, nothingToDo: ids.length === 0, facts: ids }
  },
  /** Locks every chosen member first, so all of them stop at once, then deactivates each with erase. */
  async run(ctx, target) {
    const ids = (target.facts.members ?? []) as string[]
    const mas = await masOf(ctx)
    const done: string[] = []
    try {
      if (mas) {
        const accounts = []
        for (const id of ids) accounts.push(await mas.userOf(id))
        for (const account of accounts) await mas.lockUser(account.id)
        done.push('locked')
        for (const account of accounts) await mas.deactivateUser(account.id, false)
      } else {
        const users = await ctx.use('user')
        for (const id of ids) await users.createOrModify(id, { locked: true })
        done.push('locked')
        for (const id of ids) await users.deactivate(id, true)
      }
    } catch (error) {
      throw partly(error, done.length ? `the members were locked, not all deactivated` : undefined)
    }
    return { deactivated_and_erased: ids }
  },
}

/** An error after part of a step was done: the message says what, so nothing is half-done silently. */
function partly(error: unknown, done: string | undefined): unknown {
  if (!SynadmError.is(error) || !done) return error
  return new SynadmError(error.kind, `${error.message}; ${done}`, { hint: error.hint, status: error.status, errcode: error.errcode, cause: error })
}

export const deleteRoom: StepAction = {
  async survey(ctx, target) {
    const room = await roomDetails(ctx, target.id)
    const o = optionsOf(ctx)
    // a message is posted in a new room that someone owns: the admin synadm acts as, unless --new-room-user-id says
    const admin = () => ctx.perRun('whoami', async () => (await (await ctx.use('matrix')).whoami()).user_id)
    const newRoomUserId = (await ctx.userId(o.newRoomUserId)) ?? (o.message === undefined ? undefined : await admin())
    return { affects: `${room.joined_members ?? 0} members (${room.joined_local_members ?? 0} local)`, facts: { new_room_user_id: newRoomUserId } }
  },
  async run(ctx, target) {
    const api = await ctx.use('room')
    const { message } = optionsOf(ctx)
    const newRoomUserId = (target.facts.delete as { new_room_user_id?: string } | undefined)?.new_room_user_id
    const body = { purge: true, block: true, ...(newRoomUserId !== undefined && { new_room_user_id: newRoomUserId }), ...(message !== undefined && { message }) }
    const reply = await api.deleteRoom(target.id, body)
    return waitForDeletion(ctx, api, target.id, replyField(reply, 'delete_id', `the deletion of ${target.id}`))
  },
}

/** Every event report about the room, all pages. */
async function roomReports(ctx: RunContext, roomId: string): Promise<Record<string, unknown>[]> {
  const api = await ctx.use('reports')
  const fetchPage = (token: unknown) => api.eventReports({ room_id: roomId, from: token ?? 0, limit: REPORT_PAGE, dir: 'f' })
  const reports: Record<string, unknown>[] = []
  for await (const report of ctx.items<Record<string, unknown>>(fetchPage, REPORT_PAGES)) reports.push(report)
  // the filter is the server's: keep only what it was asked for, should an older one ignore it
  return reports.filter((report) => report.room_id === roomId)
}

export const resolveReports: StepAction = {
  async survey(ctx, target) {
    const { reportId } = await ctx.use('reports')
    const ids = (await roomReports(ctx, target.id)).map(reportId)
    return { affects: ids.length, nothingToDo: ids.length === 0, facts: ids }
  },
  /** Deletes each report the survey found; one that went away meanwhile (404) is not an error. */
  async run(ctx, target) {
    return (await ctx.use('reports')).resolve('event', (target.facts['resolve-reports'] ?? []) as string[])
  },
}

// ---------------------------------------------------------------------------------------------- evidence

/** The latest events of a room, newest first, up to `count`. */
async function latestEvents(ctx: RunContext, roomId: string, count: number): Promise<unknown[]> {
  const api = await ctx.use('room')
  const events: unknown[] = []
  let from: string | undefined
  while (events.length < count) {
    const page = await api.messages(roomId, { dir: 'b', limit: count - events.length, from })
    events.push(...page.chunk)
    if (!page.end || page.chunk.length === 0) break
    from = page.end
  }
  return events
}

/** What a room's takedown destroys, read before its first step. */
export const evidence: EvidenceCollector = async (ctx, roomId) => {
  const rooms = await ctx.use('room')
  const media = await ctx.use('media')
  return {
    details: await roomDetails(ctx, roomId),
    state: await rooms.state(roomId),
    members: await rooms.members(roomId),
    messages: await latestEvents(ctx, roomId, EVIDENCE_EVENTS),
    media: await media.roomMedia(roomId),
    reports: await roomReports(ctx, roomId),
    aliases: await rooms.aliasesOf(roomId),
    block: await rooms.blockStatus(roomId),
  }
}
