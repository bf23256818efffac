/** The matrix plugin: Client-Server API calls as a user (declarations only). `matrix raw` lives in the raw plugin. */
import { defineCommand, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

export const login = defineCommand({
  path: 'matrix login',
  description: 'Log in with a password and receive an access token and a new device',
  help:
    "The device shows up in the user's device list as 'synadm matrix login command'. The password is asked for " +
    'in a hidden prompt, or read from --password-file (`-` = stdin).',
  args: '<user_id>',
  argInfo: { user_id: { description: 'localpart or full Matrix ID (@user:server)', complete: 'user_id', id: 'user' } },
  options: [
    { flags: '--password-file <file>', type: 'file', description: 'read the password from this file; - reads it from stdin' },
    {
      flags: '-p, --password <password>',
      description: 'the password (kept for compatibility: other users can see command lines; prefer the prompt or --password-file)',
    },
  ],
  groups: [{ kind: 'exclusive', options: ['passwordFile', 'password'], title: 'Password' }],
  writes: true,
  load: commands('login'),
})

export const adminClientConfig = defineCommand({
  path: 'matrix admin-client-config',
  description: "Show or change what your own Matrix clients receive as an admin (soft-failed and policy-server-flagged events)",
  help:
    'Synapse keeps these settings in the admin\'s account data (io.element.synapse.admin_client_config). Without ' +
    'options the current settings are shown; options change only what they name.',
  options: [
    { flags: '--soft-failed / --no-soft-failed', description: 'let your clients receive events that failed authorization softly' },
    { flags: '--spammy / --no-spammy', description: "let your clients receive events the room's policy server flagged as spam" },
  ],
  writes: true,
  load: commands('adminClientConfig'),
})

export default definePlugin({
  name: 'matrix',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('matrix', () => import('./api.js').then((m) => m.createMatrixApi))
    ctx.group('matrix', 'Execute Matrix (Client-Server) API calls')
    for (const spec of [login, adminClientConfig]) ctx.command(spec)
  },
})
