/** Core's own commands: the shell, configuration, and the plugin list. They know no domain. */
import { definePlugin, PLUGIN_API_VERSION } from '../plugin.js'
import { lazy } from '../spec.js'

const commands = lazy(() => import('./actions.js'))
const FORMATS = ['yaml', 'json', 'minified', 'human', 'pprint'] as const

export const corePlugin = definePlugin({
  name: 'core',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.command({
      path: 'shell',
      description: 'Open the synadm> shell (one command per line when fed from a pipe or file)',
      offline: true,
      load: commands('shell'),
    })
    ctx.command({
      path: 'config',
      description: "Modify synadm's configuration (prompts in a terminal; options for scripts)",
      help: 'Writes the config file (default ~/.config/synadm.yaml) with mode 0600. With --batch or without a terminal only the given options are changed.',
      offline: true,
      options: [
        { flags: '-u, --user <user>', description: 'admin user ID (@admin:example.org)' },
        { flags: '-t, --token <token>', description: 'admin access token (visible to other local users in the process list: prefer --token-file or the prompt)' },
        { flags: '--token-file <file>', type: 'file', description: 'read the access token from a file (- = stdin)' },
        { flags: '-b, --base-url <url>', description: 'base URL of Synapse (http://localhost:8008)' },
        { flags: '-p, --admin-path <path>', description: 'Admin API path (/_synapse/admin)' },
        { flags: '-m, --matrix-path <path>', description: 'Matrix client API path (/_matrix)' },
        { flags: '-w, --timeout <seconds>', type: 'int', description: 'HTTP timeout in seconds (30)' },
        { flags: '-o, --output <format>', choices: FORMATS, description: 'default output format' },
        { flags: '-d, --server-discovery <mode>', choices: ['well-known', 'dns'], description: 'kept for compatibility; synadm finds the server name with whoami' },
        { flags: '-n, --homeserver <name>', description: 'server name for user IDs and local media (auto-retrieval = ask the server)' },
        { flags: '-i, --ssl-verify / --no-ssl-verify', description: 'verify TLS certificates' },
        { flags: '--show', description: 'print the resolved settings and where each comes from (token redacted)' },
      ],
      load: commands('config'),
    })
    ctx.command({ path: 'plugins', description: 'List loaded plugins, where they come from, and any that failed', offline: true, load: commands('plugins') })
  },
})
