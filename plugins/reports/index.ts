/** The reports plugin: reports users filed about events and about other users (declarations only). */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const paging = defineOptions([
  { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the list (from a previous next_token)' },
  { flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: 'reports per page' },
  { flags: '-r, --reverse', description: 'oldest first [default: newest first]' },
  { flags: '-u, --user-id <user_id>', description: 'only reports filed by this user (localpart or @user:server)', complete: 'user_id', id: 'user' },
])
const reportId = { report_id: { description: 'the numeric ID of the report', id: 'report' as const } }

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
  argInfo: reportId,
  load: commands('eventReport'),
})

export const deleteEventReport = defineCommand({
  path: 'report event delete',
  description: 'Delete (dismiss) one event report',
  help: 'Asks first (unless --batch), showing the report. The reported event is not touched.',
  args: '<report_id>',
  argInfo: reportId,
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
  argInfo: reportId,
  load: commands('userReport'),
})

export const deleteUserReport = defineCommand({
  path: 'report user delete',
  description: 'Delete (dismiss) one user report',
  help: 'Asks first (unless --batch), showing the report. The reported account is not touched.',
  args: '<report_id>',
  argInfo: reportId,
  destructive: true,
  load: commands('deleteUserReport'),
})

export default definePlugin({
  name: 'reports',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('reports', () => import('./api.js').then((m) => m.createReportsApi))
    ctx.group('report', 'Reports users filed about events and other users')

    ctx.group('report event', 'Reports about events')
    for (const spec of [eventReports, eventReport, deleteEventReport]) ctx.command(spec)

    ctx.group('report user', 'Reports about users')
    for (const spec of [userReports, userReport, deleteUserReport]) ctx.command(spec)
  },
})
