/**
 * The status plugin: `synadm status`, one screen of what needs an admin's attention on a server, or a row per
 * server of a fleet; its checks are declared like any plugin's (declarations only).
 */
import { defineCommand, definePlugin, lazy, PLUGIN_API_VERSION, type StatusCheck } from '../../core/index.js'
import type * as Checks from './checks.js'

const commands = lazy(() => import('./commands.js'))
const check = (name: keyof typeof Checks) => () => import('./checks.js').then((m) => m[name] as StatusCheck)

/** The built-in checks, in the order of the screen: name (json key, fleet column), title, implementation. */
const CHECKS: [string, string, keyof typeof Checks][] = [
  ['synapse', 'server', 'server'],
  ['background_updates', 'background updates', 'backgroundUpdates'],
  ['scheduled_tasks', 'scheduled tasks', 'scheduledTasks'],
  ['event_reports', 'event reports', 'eventReports'],
  ['user_reports', 'user reports', 'userReports'],
  ['federation', 'federation', 'federation'],
  ['new_accounts', 'new accounts', 'newAccounts'],
  ['top_media_users', 'top media users', 'topMediaUsers'],
  ['largest_rooms', 'largest rooms', 'largestRooms'],
]

export const status = defineCommand({
  path: 'status',
  description: 'Show at a glance what needs attention on the server, or on each server of a fleet (-S all)',
  help:
    'One line per check, marked ok, ! (needs attention) or ? (could not be read): the version and whether sign-in is ' +
    'delegated to MAS, background updates (paused: !), scheduled tasks (failed in the last 24 h: !), event and user ' +
    'reports (waiting: !), failing federation destinations, accounts created in the last 24 h and 7 days, the top ' +
    'media users and the largest rooms; plugins add their own. All read at once, a few requests each, nothing cached. ' +
    'Exit 0 when nothing needs attention, 12 when something does (the report is printed either way). With -S a,b or ' +
    '-S all: a row per server, the checks as columns, the worst first; a server that does not answer is a row too.',
  chart: { columns: ['media_length', 'estimated_size', 'joined_members'] },
  fleetTable: () => import('./commands.js').then((m) => m.fleetTable),
  load: commands('status'),
})

export default definePlugin({
  name: 'status',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('status', () => import('./api.js').then((m) => m.createStatusApi))
    ctx.command(status)
    for (const [name, title, implementation] of CHECKS) ctx.statusCheck({ name, title, load: check(implementation) })
  },
})
