/** History purging: remove a room's old events, keep its state (declarations only). */
import { DAYS, daysFromNow, defineCommand, definePlugin, lazy, localDateTime, PLUGIN_API_VERSION, TIMESTAMP_MS, type EffectLine } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

/** `purge history of {target} before 2026-05-01 00:00:00`: the cut-off the options give, in words */
function purgeEffect({ options: o }: EffectLine): string {
  const ts = o.beforeDays !== undefined ? daysFromNow(-Number(o.beforeDays)) : Number(o.before ?? o.beforeTs)
  const cutOff = o.beforeEventId !== undefined ? `up to event ${o.beforeEventId}` : `before ${localDateTime(ts)}`
  return `purge history of {target} ${cutOff}${o.deleteLocal ? ", local users' events included" : ''}`
}

export const purge = defineCommand({
  path: 'history purge',
  description: "Purge a room's events before an event or a point in time",
  help:
    'Room state (joins, names, topics…) is always kept, and so is the latest event. Events sent by local users leave the ' +
    'timeline but stay in the database unless --delete-local. Media is not deleted, and the database only shrinks after a VACUUM. The purge runs in the ' +
    'background: follow it with history purge-status, or add --wait.',
  args: '<room_id>',
  argInfo: { room_id: { description: 'room ID (!id:server) or alias (#alias:server)', complete: 'room_id', id: 'room_or_alias' } },
  options: [
    { flags: '-i, --before-event-id <event_id>', description: "purge everything before this event ($…; quote it in shells)", id: 'event' },
    { flags: '-d, --before-days <days>', type: 'int', ...DAYS, description: 'purge everything older than this many days' },
    { flags: '--before <datetime>', type: 'datetime', description: "purge everything before this local time, e.g. '2021-01-01' or '2021-01-01 12:00:00'" },
    { flags: '--before-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'purge everything before this unix timestamp in ms' },
    { flags: '--delete-local', description: 'also delete events sent by local users (by default they are kept, as they may be the only copy)' },
  ],
  groups: [{ kind: 'one', options: ['beforeEventId', 'beforeDays', 'before', 'beforeTs'], title: 'Purge before' }],
  effect: purgeEffect,
  destructive: true,
  job: { checkLater: 'synadm history purge-status {id}' },
  // Synapse purges one room history at a time.
  bulk: { concurrency: 1 },
  load: commands('purge'),
})

export const purgeStatus = defineCommand({
  path: 'history purge-status',
  description: 'Show the status of a history purge (active, complete or failed)',
  args: '<purge_id>',
  argInfo: { purge_id: { description: "the purge_id printed by 'history purge'", id: 'job' } },
  load: commands('purgeStatus'),
})

export default definePlugin({
  name: 'history',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('history', () => import('./api.js').then((m) => m.createHistoryApi))
    ctx.group('history', 'Purge historic events from the Synapse database')
    for (const spec of [purge, purgeStatus]) ctx.command(spec)
  },
})
