import { asQuestion, daysFromNow, localDateTime, replyField, SynadmError, usageError, type RunContext } from '../../core/index.js'
import type { PurgeHistoryBody, PurgeStatus } from './api.js'
import type * as spec from './index.js'

/** The cut-off the options give, as the request body wants it. */
function cutOff(options: RunContext<typeof spec.purge>['options']): PurgeHistoryBody {
  if (options.beforeEventId !== undefined) return { purge_up_to_event_id: options.beforeEventId }
  if (options.beforeDays !== undefined) return { purge_up_to_ts: daysFromNow(-options.beforeDays) }
  // --before arrives as epoch ms; --before-ts 0 is a real cut-off (the epoch), not "unset".
  const ts = Number(options.before ?? options.beforeTs)
  if (ts < 0) throw usageError(`--before-ts must not be negative, not ${ts}`)
  return { purge_up_to_ts: ts }
}

export async function purge(ctx: RunContext<typeof spec.purge>) {
  const rooms = await ctx.use('room')
  const history = await ctx.use('history')
  const body = cutOff(ctx.options)
  if (ctx.options.deleteLocal) body.delete_local_events = true
  const roomId = await rooms.resolveRoom(ctx.args.room_id, ctx.note)

  const room = await rooms.details(roomId)
  let purgeUpTo: Record<string, unknown>
  if ('purge_up_to_event_id' in body) {
    const { event } = await rooms.fetchEvent(body.purge_up_to_event_id)
    if (event.room_id !== roomId) throw usageError(`event ${body.purge_up_to_event_id} is in room ${event.room_id}, not in ${roomId}`)
    purgeUpTo = { event_id: body.purge_up_to_event_id, sent: localDateTime(event.origin_server_ts), sender: event.sender }
  } else {
    purgeUpTo = { time: localDateTime(body.purge_up_to_ts), timestamp: body.purge_up_to_ts }
  }
  await ctx.confirm(asQuestion(ctx.effect(roomId)!), {
    room: { room_id: roomId, name: room.name ?? null, canonical_alias: room.canonical_alias ?? null, joined_members: room.joined_members },
    purge_events_before: purgeUpTo,
    events_of_local_users: body.delete_local_events ? 'deleted' : 'kept in the database, though no longer in the timeline',
    always_kept: 'room state (joins, names, topics…) and the latest event',
  })

  const reply = await history.purge(roomId, body)
  reply.purge_id = replyField(reply, 'purge_id', `the purge of ${roomId}`)
  if (!ctx.options.wait) {
    ctx.note(`Purge started; check on it with: ${ctx.checkLater(reply.purge_id)}`)
    return reply
  }
  try {
    const final = await ctx.wait<PurgeStatus>({
      what: `history purge of ${roomId}`,
      poll: () => history.status(reply.purge_id),
      status: (status) => status.status,
      id: reply.purge_id,
      done: ['complete'],
      failed: ['failed'],
    })
    return { ...reply, ...final }
  } catch (error) {
    // The final status alone would not say which purge failed.
    const failedReply = (error as { reply?: PurgeStatus }).reply
    if (SynadmError.is(error) && failedReply) Object.assign(error, { reply: { ...reply, ...failedReply } })
    throw error
  }
}

export async function purgeStatus(ctx: RunContext<typeof spec.purgeStatus>) {
  return (await ctx.use('history')).status(ctx.args.purge_id)
}
