/** Server-wide commands: version, background updates, scheduled tasks, statistics (declarations only). */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION, TIMESTAMP_MS } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const beforeOptions = (what: string) =>
  defineOptions([
    { flags: '--before <date>', type: 'datetime', description: `${what} before this local date/time, e.g. 2024-01-01` },
    { flags: '--before-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: `${what} before this unix timestamp in ms` },
  ])

export const version = defineCommand({ path: 'version', description: 'Get the Synapse server version', load: commands('version') })

export const backgroundUpdatesStatus = defineCommand({
  path: 'background-updates status',
  description: 'Show whether background updates run, and the ones running now per database',
  load: commands('backgroundUpdatesStatus'),
})

export const backgroundUpdatesEnabled = defineCommand({
  path: 'background-updates enabled',
  description: 'Show whether background updates run; pause or resume them',
  help: 'Pausing (--disable) lasts until Synapse restarts. Useful while a large update slows the server down.',
  options: [{ flags: '-e, --enable / -d, --disable', description: 'resume (-e) or pause (-d) background updates [default: only show]' }],
  writes: true,
  load: commands('backgroundUpdatesEnabled'),
})

export const startBackgroundJob = defineCommand({
  path: 'background-updates start-job',
  description: 'Queue a background job: populate_stats_process_rooms, regenerate_directory or event_resign',
  help:
    'populate_stats_process_rooms recalculates room statistics; regenerate_directory rebuilds the user directory; ' +
    'event_resign re-signs events (with --old-key and --before/--before-ts). Follow progress with `background-updates status`.',
  args: '<job_name>',
  argInfo: { job_name: { description: 'populate_stats_process_rooms, regenerate_directory or event_resign' } },
  options: [{ flags: '--old-key <key_id>', description: 'event_resign: the signing key ID whose signatures are replaced' }, ...beforeOptions('event_resign: events sent')],
  groups: [{ kind: 'exclusive', options: ['before', 'beforeTs'] }],
  writes: true,
  load: commands('startBackgroundJob'),
})

export const scheduledTasks = defineCommand({
  path: 'scheduled-tasks list',
  description: 'List scheduled tasks, optionally filtered',
  options: [
    { flags: '-a, --action <name>', repeatable: true, description: 'only tasks of this action, e.g. shutdown_and_purge_room (repeatable)' },
    { flags: '-r, --resource-id <id>', description: 'only tasks on this resource (a room ID, user ID …)' },
    { flags: '-s, --status <status>', repeatable: true, choices: ['scheduled', 'active', 'complete', 'cancelled', 'failed'], description: 'only tasks in this state (repeatable)' },
    ...beforeOptions('only tasks last updated'),
  ],
  groups: [{ kind: 'exclusive', options: ['before', 'beforeTs'] }],
  load: commands('scheduledTasks'),
})

export const userMediaStatistics = defineCommand({
  path: 'statistics user-media',
  description: 'List local users with the number and total size of the media they uploaded',
  options: [
    { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the list (from a previous next_token)' },
    { flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: 'users per page' },
    { flags: '-s, --sort <field>', choices: ['user_id', 'displayname', 'media_length', 'media_count'], description: 'sort by this field [default: user_id]' },
    { flags: '-r, --reverse', description: 'reverse the sort order (e.g. largest first with -s media_length)' },
    { flags: '--since <date>', type: 'datetime', description: 'count only media uploaded since this local date/time' },
    { flags: '--since-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'count only media uploaded since this unix timestamp in ms' },
    { flags: '--until <date>', type: 'datetime', description: 'count only media uploaded before this local date/time' },
    { flags: '--until-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'count only media uploaded before this unix timestamp in ms' },
    { flags: '-n, --search <term>', description: 'only users whose ID localpart or display name contains this' },
  ],
  groups: [
    { kind: 'exclusive', options: ['since', 'sinceTs'] },
    { kind: 'exclusive', options: ['until', 'untilTs'] },
  ],
  paged: { items: 'users', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  chart: { columns: ['media_length', 'media_count'], orderedBy: 'sort' },
  load: commands('userMediaStatistics'),
})

export const largestRooms = defineCommand({
  path: 'statistics largest-rooms',
  description: 'List the rooms taking the most database space (estimate; PostgreSQL only)',
  chart: { columns: ['estimated_size'] },
  load: commands('largestRooms'),
})

export default definePlugin({
  name: 'server',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('server', () => import('./api.js').then((m) => m.createServerApi))
    ctx.command(version)

    ctx.group('background-updates', "Watch and steer Synapse's background database updates")
    for (const spec of [backgroundUpdatesStatus, backgroundUpdatesEnabled, startBackgroundJob]) ctx.command(spec)

    ctx.group('scheduled-tasks', "Synapse's scheduled tasks (room deletions, redactions …)")
    ctx.command(scheduledTasks)

    ctx.group('statistics', 'Storage statistics')
    for (const spec of [userMediaStatistics, largestRooms]) ctx.command(spec)
  },
})
