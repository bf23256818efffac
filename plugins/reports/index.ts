/** The reports plugin: reports users filed about events and about other users (declarations only). */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))
const queueCommand = lazy(() => import('./queue.js'))

const paging = defineOptions([
  { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the list (from a previous next_token)' },
  { flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: 'reports per page' },
  { flags: '-r, --reverse', description: 'oldest first [default: newest first]' },
  { flags: '-u, --user-id <user_id>', description: 'only reports filed by this user (localpart or @user:server)', complete: 'user_id', id: 'user' },
])
const eventReportId = { report_id: { description: 'the numeric ID of the event report', id: 'report' as const, complete: 'event_report_id' } }
const userReportId = { report_id: { description: 'the numeric ID of the user report', id: 'report' as const, complete: 'user_report_id' } }

export const queue = defineCommand({
  path: 'report queue',
  description: 'Every event and user report, grouped by the reported user (or room), most reported first',
  help: [
    'Reads every report (event reports; user reports where Synapse has them, 1.152+; an older server is said on',
    'stderr). One record per reported user (the sender of a reported event, the target of a user report), or with',
    '--by room per room of reported events: reports, event_reports, user_reports, first_ts, last_ts, reporters,',
    "reasons, and the IDs that 'report event|user details|delete' take. --where picks groups (reports>=3,",
    "reasons~casino); -o jsonl of --by user is the --targets of a user command.",
  ].join('\n'),
  options: [
    { flags: '--by <what>', choices: ['user', 'room'], default: 'user', description: 'group by the reported user, or by the room of the reported events' },
    { flags: '--datetime, --dt / --timestamp, --ts', default: true, description: 'show first_ts and last_ts as local date and time, or as ms timestamps' },
  ],
  list: {},
  mainColumns: ['user_id', 'room_id', 'room_name', 'reports', 'last_ts', 'reasons', 'reporters'],
  load: queueCommand('queue'),
})

export const eventReports = defineCommand({
  path: 'report event list',
  description: 'List event reports',
  options: [
    ...paging,
    { flags: '--room-id <room_id>', description: 'only reports about events in this room', complete: 'room_id', id: 'room' },
    { flags: '-s, --sender <user_id>', description: 'only reports about events this user sent', complete: 'user_id', id: 'user' },
  ],
  paged: { items: 'event_reports', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  mainColumns: ['id', 'received_ts', 'room_id', 'sender', 'user_id', 'reason'],
  load: commands('eventReports'),
})

export const eventReport = defineCommand({
  path: 'report event details',
  description: 'Show one event report, with the reported event',
  args: '<report_id>',
  argInfo: eventReportId,
  load: commands('eventReport'),
})

export const deleteEventReport = defineCommand({
  path: 'report event delete',
  description: 'Delete (dismiss) one event report',
  help: 'Asks first (unless --batch), showing the report. The reported event is not touched.',
  args: '<report_id>',
  argInfo: eventReportId,
  destructive: true,
  load: commands('deleteEventReport'),
})

export const userReports = defineCommand({
  path: 'report user list',
  description: 'List user reports',
  options: [...paging, { flags: '-t, --target <user_id>', description: 'only reports about this user', complete: 'user_id', id: 'user' }],
  paged: { items: 'user_reports', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  load: commands('userReports'),
})

export const userReport = defineCommand({
  path: 'report user details',
  description: 'Show one user report',
  args: '<report_id>',
  argInfo: userReportId,
  load: commands('userReport'),
})

export const deleteUserReport = defineCommand({
  path: 'report user delete',
  description: 'Delete (dismiss) one user report',
  help: 'Asks first (unless --batch), showing the report. The reported account is not touched.',
  args: '<report_id>',
  argInfo: userReportId,
  destructive: true,
  load: commands('deleteUserReport'),
})

export default definePlugin({
  name: 'reports',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('reports', () => import('./api.js').then((m) => m.createReportsApi))
    ctx.completionSource('event_report_id', () => import('./completion.js').then((m) => m.eventReportIds))
    ctx.completionSource('user_report_id', () => import('./completion.js').then((m) => m.userReportIds))
    ctx.group('report', 'Reports users filed about events and other users')
    ctx.command(queue)

    ctx.group('report event', 'Reports about events')
    for (const spec of [eventReports, eventReport, deleteEventReport]) ctx.command(spec)

    ctx.group('report user', 'Reports about users')
    for (const spec of [userReports, userReport, deleteUserReport]) ctx.command(spec)
  },
})
