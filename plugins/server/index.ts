/** Server-wide commands: the Synapse version, and (in time) background updates, scheduled tasks, statistics. */
import { definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

export default definePlugin({
  name: 'server',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('server', () => import('./api.js').then((m) => m.createServerApi))
    ctx.command({ path: 'version', description: 'Get the Synapse server version', load: commands('version') })
  },
})
