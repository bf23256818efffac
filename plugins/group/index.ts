/** Legacy groups (communities), which Synapse dropped in 1.61 (declarations only). */
import { defineCommand, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

export const deleteGroup = defineCommand({
  path: 'group delete',
  description: 'Delete a local group (community), on Synapse before 1.61',
  args: '<group_id>',
  argInfo: { group_id: { description: 'group ID (+name:server)', id: 'group' } },
  effect: () => 'delete group {target}',
  destructive: true,
  load: commands('deleteGroup'),
})

export default definePlugin({
  name: 'group',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('group', () => import('./api.js').then((m) => m.createGroupApi))
    ctx.group('group', 'Manage groups (communities); Synapse 1.61 and later have none')
    ctx.command(deleteGroup)
  },
})
