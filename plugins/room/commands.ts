import { asQuestion, replyField, SynadmError, usageError, type OptionsOf, type RunContext } from '../../core/index.js'
import type { DeleteRoomBody, DeleteStatus, RoomApi, RoomListQuery, RoomRecord } from './api.js'
import type * as spec from './index.js'

const roomApi = (ctx: RunContext) => ctx.use('room')

/** A room argument (ID or alias) as a room ID; an alias's room ID is shown on stderr. */
async function roomArg(ctx: RunContext, value: string): Promise<string> {
  return (await roomApi(ctx)).resolveRoom(value, ctx.note)
}

/** --filter: checked here, so a typo is a usage error rather than a server 400. */
function eventFilter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    JSON.parse(value)
  } catch {
    throw usageError(`--filter is not JSON: ${value}`)
  }
  return value
}

type ListOptions = OptionsOf<typeof spec.list>
/** The options of the room list that `room list`, `room search` and `room power-levels` share; -e and --public are list's own. */
type Listing = Pick<ListOptions, 'from' | 'limit' | 'sort' | 'reverse'> & Partial<Pick<ListOptions, 'empty' | 'public'>>

function listQuery(o: Listing, searchTerm: string | undefined): RoomListQuery {
  return {
    from: o.from,
    limit: o.limit,
    search_term: searchTerm,
    order_by: o.sort,
    dir: o.reverse ? 'b' : undefined,
    empty_rooms: o.empty,
    public_rooms: o.public,
  }
}

const listPage = async (ctx: RunContext<typeof spec.list> | RunContext<typeof spec.search>, searchTerm: string | undefined) =>
  (await roomApi(ctx)).listRooms(listQuery(ctx.options, searchTerm))

export const list = (ctx: RunContext<typeof spec.list>) => listPage(ctx, ctx.options.name)
export const search = (ctx: RunContext<typeof spec.search>) => listPage(ctx, ctx.args.search_term)

export async function details(ctx: RunContext<typeof spec.details>) {
  return (await roomApi(ctx)).details(await roomArg(ctx, ctx.args.room_id))
}

export async function members(ctx: RunContext<typeof spec.members>) {
  return (await roomApi(ctx)).members(await roomArg(ctx, ctx.args.room_id))
}

/** The account fields a `room local-members` record carries. */
const MEMBER_FIELDS = ['displayname', 'admin', 'deactivated', 'locked', 'shadow_banned', 'user_type', 'last_seen_ts'] as const

export async function localMembers(ctx: RunContext<typeof spec.localMembers>) {
  return localMemberRecords(ctx, await roomArg(ctx, ctx.args.room_id))
}

/** A room's joined members of this server, each with the account fields of MEMBER_FIELDS (`room local-members`). */
export async function localMemberRecords(ctx: RunContext, roomId: string): Promise<Record<string, unknown>[]> {
  const { members } = await (await roomApi(ctx)).members(roomId)
  const local = `:${await ctx.serverName()}`
  const users = await ctx.use('user')
  const records: Record<string, unknown>[] = []
  // One member at a time: a bulk run already asks for several rooms at once.
  for (const userId of members.filter((m) => m.endsWith(local))) {
    const account = await users.details(userId)
    const fields = Object.fromEntries(MEMBER_FIELDS.map((f) => [f, account[f] ?? null]))
    // v2/users/<id> gives creation_ts in seconds, the user list in ms: ms here, so --where compares both alike
    records.push({ room_id: roomId, user_id: userId, ...fields, creation_ts: account.creation_ts == null ? null : account.creation_ts * 1000 })
  }
  return records
}

export async function state(ctx: RunContext<typeof spec.state>) {
  return (await roomApi(ctx)).state(await roomArg(ctx, ctx.args.room_id), ctx.options.type)
}

/** Room fields `room power-levels` leaves out unless --all-details. */
const DETAIL_FIELDS = [
  'creator', 'encryption', 'federatable', 'guest_access', 'history_visibility', 'join_rules',
  'joined_local_members', 'joined_members', 'public', 'state_events', 'version',
]
/** room state requests in flight at once */
const STATE_CONCURRENCY = 8

async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

export async function powerLevels(ctx: RunContext<typeof spec.powerLevels>) {
  const api = await roomApi(ctx)
  const o = ctx.options
  // Like synadm: one room is found through the list's search, so the output keeps the list's shape.
  const searchTerm = o.roomId === undefined ? o.name : await roomArg(ctx, o.roomId)
  const page = await api.listRooms(listQuery(o, searchTerm))
  let withPowerLevels = 0
  const rooms = await mapConcurrently(page.rooms, STATE_CONCURRENCY, async (room) => {
    const { state: events } = await api.state(room.room_id, 'm.room.power_levels')
    const levels = events.find((event) => event.type === 'm.room.power_levels')
    if (levels) withPowerLevels++
    const shown: RoomRecord = o.allDetails ? { ...room } : Object.fromEntries(Object.entries(room).filter(([key]) => !DETAIL_FIELDS.includes(key))) as RoomRecord
    return { ...shown, power_levels: (levels?.content.users as Record<string, number> | undefined) ?? {} }
  })
  return { ...page, rooms, rooms_w_power_levels_curr_batch: withPowerLevels }
}

export async function resolve(ctx: RunContext<typeof spec.resolve>) {
  const api = await roomApi(ctx)
  const value = ctx.args.room_id_or_alias
  if (ctx.options.reverse) return api.aliasesOf(await roomArg(ctx, value))
  if (value.startsWith('!')) throw usageError(`'${value}' is already a room ID; -r lists its aliases`)
  return api.resolveRoom(value)
}

export async function join(ctx: RunContext<typeof spec.join>) {
  const api = await roomApi(ctx)
  const userId = await ctx.userId(ctx.args.user_id)
  const target = ctx.args.room_id_or_alias
  await roomArg(ctx, target)
  // The server gets the alias as typed: it then also knows which servers to join a remote room through.
  return api.join(target, userId)
}

export async function makeAdmin(ctx: RunContext<typeof spec.makeAdmin>) {
  const api = await roomApi(ctx)
  const userId = await ctx.userId(ctx.options.userId)
  const roomId = await roomArg(ctx, ctx.args.room_id)
  try {
    return await api.makeAdmin(roomId, userId)
  } catch (error) {
    if (SynadmError.is(error) && error.errcode === 'M_UNKNOWN' && /creator/i.test(error.serverMessage ?? '')) {
      throw new SynadmError(error.kind, error.message, {
        ...error,
        hint: 'in room version 12 the creators hold unlimited power and cannot be given a power level (MSC4289)',
      })
    }
    throw error
  }
}

export async function block(ctx: RunContext<typeof spec.block>) {
  return (await roomApi(ctx)).setBlocked(await roomArg(ctx, ctx.args.room_id), ctx.options.block !== false)
}

export async function blockStatus(ctx: RunContext<typeof spec.blockStatus>) {
  return (await roomApi(ctx)).blockStatus(await roomArg(ctx, ctx.args.room_id))
}

/** Polls a v2 deletion until it ends; throws jobFailed (with the final status) when it failed or was cancelled. */
export async function waitForDeletion(ctx: RunContext, api: RoomApi, roomId: string, deleteId: string) {
  try {
    return await ctx.wait<DeleteStatus>({
      what: `deletion of ${roomId}`,
      poll: () => api.deleteStatus(deleteId),
      status: (reply) => reply.status,
      id: deleteId,
      done: ['complete'],
      failed: ['failed', 'cancelled'],
    })
  } catch (error) {
    // The status reply carries no reason; Synapse logs one.
    if (!SynadmError.is(error) || error.kind !== 'jobFailed' || error.hint) throw error
    const reply = (error as { reply?: DeleteStatus }).reply
    throw Object.assign(new SynadmError('jobFailed', error.message, { hint: `Synapse's log tells why: look for ${deleteId} there` }), { reply })
  }
}

/** What both delete commands send: the purge flags, and only the options that were given. */
function deleteBody(ctx: RunContext<typeof spec.deleteRoom> | RunContext<typeof spec.purgeEmpty>, extra: Partial<DeleteRoomBody> = {}): DeleteRoomBody {
  const purge = ctx.options.purge !== false
  const body: DeleteRoomBody = { block: false, ...extra, purge }
  if (ctx.options.forcePurge && purge) body.force_purge = true
  return body
}

export async function deleteRoom(ctx: RunContext<typeof spec.deleteRoom>) {
  const api = await roomApi(ctx)
  const o = ctx.options
  const newRoomUserId = await ctx.userId(o.newRoomUserId)
  const roomId = await roomArg(ctx, ctx.args.room_id)
  if (o.purge === false && o.forcePurge) ctx.note('--force-purge is ignored: --no-purge keeps the room in the database')
  const body = deleteBody(ctx, {
    block: Boolean(o.block),
    ...(newRoomUserId !== undefined && { new_room_user_id: newRoomUserId }),
    ...(o.roomName !== undefined && { room_name: o.roomName }),
    ...(o.message !== undefined && { message: o.message }),
  })

  let room: RoomRecord
  try {
    room = await api.details(roomId)
  } catch (error) {
    if (SynadmError.is(error) && error.kind === 'notFound') {
      throw new SynadmError('notFound', `room ${roomId} is not known to this server`, { hint: 'to block a room the server does not know yet, use synadm room block', status: error.status, errcode: error.errcode })
    }
    throw error
  }
  const { members: joined, total } = await api.members(roomId)
  const localSuffix = `:${await ctx.serverName()}`
  const localMembers = joined.filter((member) => member.endsWith(localSuffix))
  await ctx.confirm(asQuestion(ctx.effect(roomId)!), {
    room: pick(room, ['room_id', 'name', 'canonical_alias', 'creator', 'joined_members', 'joined_local_members', 'public', 'room_type']),
    members: { total, local: localMembers },
    local_members_go_to: newRoomUserId
      ? { new_room_by: newRoomUserId, name: body.room_name ?? "Synapse's default", message: body.message ?? "Synapse's default" }
      : 'nowhere: they are removed from the room',
    blocked_afterwards: body.block,
    purged_from_database: body.purge ? (body.force_purge ? 'yes, forced' : 'yes') : 'no',
    api: o.v1 ? 'v1, synchronous' : 'v2, background job',
  })

  if (o.v1) return api.deleteRoomNow(roomId, body)
  const reply = await api.deleteRoom(roomId, body)
  reply.delete_id = replyField(reply, 'delete_id', `the deletion of ${roomId}`)
  if (!o.wait) {
    ctx.note(`Deletion started; check on it with: ${ctx.checkLater(reply.delete_id)}`)
    return reply
  }
  return waitForDeletion(ctx, api, roomId, reply.delete_id)
}

function pick(record: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.filter((key) => key in record).map((key) => [key, record[key]]))
}

export async function deleteStatus(ctx: RunContext<typeof spec.deleteStatus>) {
  const api = await roomApi(ctx)
  if (ctx.options.deleteId !== undefined) return api.deleteStatus(ctx.options.deleteId)
  // the 'one' group: without -d, -r was given
  return api.deleteStatusOfRoom(await roomArg(ctx, ctx.options.roomId!))
}

export async function purgeEmpty(ctx: RunContext<typeof spec.purgeEmpty>) {
  const api = await roomApi(ctx)
  const o = ctx.options

  // Sorted by local members, fewest first: the first room with a local member ends the search.
  const empty: RoomRecord[] = []
  const fetchPage = (from: unknown) => api.listRooms({ from: (from as number | undefined) ?? 0, limit: o.batchSize, order_by: 'joined_local_members', dir: 'b' })
  for await (const room of ctx.items<RoomRecord>(fetchPage, { items: 'rooms', next: 'next_batch' })) {
    if (room.joined_local_members !== 0) break
    empty.push(room)
  }
  if (o.dryRun) {
    ctx.note(`Dry run: ${empty.length} room(s) without local members would be deleted.`)
    return empty.map((room) => room.room_id)
  }
  if (empty.length === 0) {
    ctx.note('Every room has a local member; nothing to delete.')
    return []
  }
  await ctx.confirm(
    `Are you sure you want to delete the ${empty.length} listed empty rooms?`,
    empty.map((room) => pick(room, ['room_id', 'name', 'canonical_alias', 'joined_members'])),
  )

  const body = deleteBody(ctx)
  const results: Record<string, unknown>[] = []
  const failures: SynadmError[] = []
  /** A failed room is reported and the others go on; Ctrl-C stops, showing every delete_id so far. */
  const recordFailure = (error: unknown, result: Record<string, unknown>) => {
    if (!SynadmError.is(error)) throw error
    if (error.kind === 'cancelled') throw Object.assign(error, { reply: results })
    failures.push(error)
    return result
  }
  for (const { room_id } of empty) {
    try {
      results.push({ room_id, ...(await (o.v1 ? api.deleteRoomNow(room_id, body) : api.deleteRoom(room_id, body))) })
    } catch (error) {
      results.push(recordFailure(error, { room_id, error: (error as Error).message }))
    }
  }
  if (o.wait && !o.v1) {
    for (const [index, result] of results.entries()) {
      if (typeof result.delete_id !== 'string') continue
      try {
        results[index] = await waitForDeletion(ctx, api, String(result.room_id), result.delete_id)
      } catch (error) {
        results[index] = recordFailure(error, (error as { reply?: Record<string, unknown> }).reply ?? { ...result, error: (error as Error).message })
      }
    }
  } else if (!o.v1) {
    ctx.note(`Deletions started; check on each with: ${ctx.checkLater('<delete_id>')}`)
  }
  if (failures.length > 0) {
    // Only failed jobs (the requests all went through) count as a failed job; anything else is a partial failure.
    const kind = failures.every((f) => f.kind === 'jobFailed') ? 'jobFailed' : 'partial'
    throw Object.assign(new SynadmError(kind, `${failures.length} of ${empty.length} room deletions failed`), { reply: results })
  }
  return results
}

export async function messages(ctx: RunContext<typeof spec.messages>) {
  const o = ctx.options
  return (await roomApi(ctx)).messages(await roomArg(ctx, ctx.args.room_id), {
    from: o.from,
    to: o.to,
    limit: o.limit,
    dir: o.dir,
    filter: eventFilter(o.filter),
  })
}

export async function timestampToEvent(ctx: RunContext<typeof spec.timestampToEvent>) {
  const o = ctx.options
  // the 'one' group: --at or --at-ts was given
  const ts = (o.atTs ?? o.at)!
  return (await roomApi(ctx)).timestampToEvent(await roomArg(ctx, ctx.args.room_id), ts, o.dir)
}

export async function context(ctx: RunContext<typeof spec.context>) {
  const o = ctx.options
  return (await roomApi(ctx)).eventContext(await roomArg(ctx, ctx.args.room_id), ctx.args.event_id, {
    limit: o.limit,
    filter: eventFilter(o.filter),
  })
}

export async function hierarchy(ctx: RunContext<typeof spec.hierarchy>) {
  const o = ctx.options
  return (await roomApi(ctx)).hierarchy(await roomArg(ctx, ctx.args.room_id), {
    from: o.from,
    limit: o.limit,
    max_depth: o.maxDepth,
  })
}

export async function event(ctx: RunContext<typeof spec.event>) {
  return (await roomApi(ctx)).fetchEvent(ctx.args.event_id)
}

export async function forwardExtremities(ctx: RunContext<typeof spec.forwardExtremities>) {
  return (await roomApi(ctx)).forwardExtremities(await roomArg(ctx, ctx.args.room_id))
}

export async function deleteForwardExtremities(ctx: RunContext<typeof spec.deleteForwardExtremities>) {
  const api = await roomApi(ctx)
  const roomId = await roomArg(ctx, ctx.args.room_id)
  const current = await api.forwardExtremities(roomId)
  await ctx.confirm(`Delete the ${current.count} forward extremities of ${roomId}?`, current)
  return api.deleteForwardExtremities(roomId)
}
