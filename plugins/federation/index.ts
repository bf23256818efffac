/** The federation plugin: the servers this one talks to, and their connection state (declarations only). */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const paging = defineOptions([
  { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the list (from a previous next_token)' },
  { flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: 'entries per page' },
  { flags: '-r, --reverse', description: 'reverse the sort order' },
])
const destination = { destination: { description: 'server name of the destination, e.g. matrix.org', id: 'server' as const } }

export const list = defineCommand({
  path: 'federation list',
  description: 'List federation destinations with their retry state',
  help: 'failure_ts is set while a destination is failing; retry_last_ts and retry_interval describe the back-off.',
  options: [
    ...paging,
    {
      flags: '-s, --sort <field>',
      choices: ['destination', 'retry_last_ts', 'retry_interval', 'failure_ts', 'last_successful_stream_ordering'],
      description: 'sort by this field [default: destination]',
    },
    { flags: '-d, --destination <name>', description: 'only destinations whose name contains this' },
  ],
  paged: { items: 'destinations', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  mainColumns: ['destination', 'failure_ts', 'retry_last_ts', 'retry_interval'],
  load: commands('list'),
})
export const details = defineCommand({
  path: 'federation details',
  description: 'Show the retry state of one destination',
  args: '<destination>',
  argInfo: destination,
  load: commands('details'),
})
export const rooms = defineCommand({
  path: 'federation rooms',
  description: 'List the rooms this server shares with a destination',
  args: '<destination>',
  argInfo: destination,
  options: paging,
  paged: { items: 'rooms', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  load: commands('rooms'),
})
export const resetConnection = defineCommand({
  path: 'federation reset-connection',
  description: "Clear a destination's retry back-off and try to reach it now",
  args: '<destination>',
  argInfo: destination,
  writes: true,
  load: commands('resetConnection'),
})

export default definePlugin({
  name: 'federation',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('federation', () => import('./api.js').then((m) => m.createFederationApi))
    ctx.group('federation', 'Federation destinations: the servers this one sends to')
    for (const spec of [list, details, rooms, resetConnection]) ctx.command(spec)
  },
})
