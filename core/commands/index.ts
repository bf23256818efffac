/**
 * Core's own commands: the shell, configuration, the plugin list, server profiles, the audit log and shell
 * completion. They know no domain, and are a plugin like the others (declared with defineCommand; implementations
 * load when run, and take a CoreContext: a RunContext with the session).
 */
import { DOCUMENT_FORMATS } from '../output/formats.js'
import { definePlugin, PLUGIN_API_VERSION } from '../contract/plugin.js'
import { lazy } from '../contract/spec.js'
import { defineCommand } from '../contract/typed.js'
import { allProfiles } from '../config/profiles.js'
import { SHELLS } from './shells.js'

const commands = lazy(() => import('./actions.js'))
const completion = lazy(() => import('./shell-completion.js'))
const plugins = lazy(() => import('./plugins.js'))
const scaffold = lazy(() => import('./scaffold.js'))
const profiles = lazy(() => import('./servers.js'))

export const shell = defineCommand({
  path: 'shell',
  description: 'Open the synadm> shell (one command per line when fed from a pipe or file)',
  offline: true,
  ownsTerminal: true,
  load: commands('shell'),
})

export const config = defineCommand({
  path: 'config',
  description: "Modify synadm's configuration (prompts in a terminal; options for scripts)",
  help:
    'Writes the config file (default ~/.config/synadm.yaml; with -S NAME the profile NAME, created if new) with mode 0600. ' +
    'In a terminal without options it asks for every key; with options, --batch or without a terminal it changes only what is given.',
  offline: true,
  options: [
    { flags: '-u, --user <user>', description: 'admin user ID (@admin:example.org)' },
    { flags: '-t, --token <token>', description: 'admin access token (visible to other local users in the process list: prefer --token-file or the prompt)' },
    { flags: '--token-file <file>', type: 'file', description: 'read the access token from a file (- = stdin) and store it' },
    { flags: '--token-path <file>', type: 'file', description: 'store this file as where the token comes from (token_file; mode 0600 or stricter): the token stays out of the config' },
    { flags: '--token-command <command>', description: "store a command that prints the token (token_command), e.g. 'pass show matrix/prod'; run once per session" },
    { flags: '--production / --no-production', description: 'mark the profile as production: destructive commands always ask, naming the server' },
    { flags: '--audit-log <path>', description: "where the audit log goes ('off' = none; default ~/.local/state/synadm/audit.log)" },
    { flags: '-b, --base-url <url>', description: 'base URL of Synapse (http://localhost:8008)' },
    { flags: '-p, --admin-path <path>', description: 'Admin API path (/_synapse/admin)' },
    { flags: '-m, --matrix-path <path>', description: 'Matrix client API path (/_matrix)' },
    { flags: '-w, --timeout <seconds>', type: 'int', min: 1, max: 86_400, description: 'HTTP timeout in seconds (30)' },
    { flags: '-o, --output <format>', choices: DOCUMENT_FORMATS, description: 'default output format' },
    { flags: '-d, --server-discovery <mode>', choices: ['well-known', 'dns'], description: 'kept for compatibility; synadm finds the server name with whoami' },
    { flags: '-n, --homeserver <name>', description: 'server name for user IDs and local media (auto-retrieval = ask the server)' },
    { flags: '-i, --ssl-verify / --no-ssl-verify', description: 'verify TLS certificates' },
    { flags: '--mas-url <url>', description: "MAS's URL, for a server that delegates auth to MAS ('' = the one the server announces)" },
    { flags: '--mas-client-id <id>', description: "a MAS client allowed urn:mas:admin ('' = the access token serves MAS's admin API too)" },
    { flags: '--mas-client-secret-path <file>', type: 'file', description: "store this file (mode 0600 or stricter) as where the MAS client's secret comes from (mas_client_secret_file)" },
    { flags: '--mas-client-secret-command <command>', description: "store a command that prints the MAS client's secret (mas_client_secret_command)" },
    { flags: '--show', description: 'print the resolved settings and where each comes from (token redacted)' },
  ],
  load: commands('config'),
})

export const pluginsList = defineCommand({ path: 'plugins list', description: 'List loaded plugins, where they come from, and any that failed', offline: true, load: plugins('list') })

export const pluginsInstall = defineCommand({
  path: 'plugins install',
  description: 'Install a plugin: a package name exactly as npm knows it, a folder (./x), or a tarball',
  help: "Installs with npm into synadm's plugin folder ($XDG_DATA_HOME/synadm/plugins, ~/.local/share/synadm/plugins) and lists it in $XDG_CONFIG_HOME/synadm/plugins.yaml (~/.config/synadm/plugins.yaml), after checking that it loads with every module it declares; otherwise the folder is put back as it was.",
  args: '<plugin>',
  argInfo: { plugin: { description: 'package name (optionally @version), never guessed; a folder as a path (./x, /x, ~/x); or .tgz' } },
  offline: true,
  load: plugins('install'),
})

export const pluginsUninstall = defineCommand({
  path: 'plugins uninstall',
  description: 'Remove a plugin that plugins install added',
  args: '<plugin>',
  argInfo: { plugin: { description: 'its name as listed (hello, synadm-plugin-hello)' } },
  offline: true,
  load: plugins('uninstall'),
})

export const pluginsUpdate = defineCommand({
  path: 'plugins update',
  description: 'Update installed plugins (all, or those named) within the versions their entries allow',
  args: '[plugins...]',
  offline: true,
  load: plugins('update'),
})

export const pluginsVerify = defineCommand({ path: 'plugins verify', description: 'Check that installed plugins load, with all their modules', args: '<names...>', offline: true, hidden: true, load: plugins('verify') })

export const pluginsNew = defineCommand({
  path: 'plugins new',
  description: 'Start a plugin package: TypeScript, one command, a passing test, a README',
  help: "Writes the package to ./synadm-plugin-NAME (or --dir). Then: cd into it, npm install, npm test, npm run build, and 'synadm plugins install .' to use it.",
  args: '<name>',
  argInfo: { name: { description: 'the plugin name, also its command group (inactive → synadm-plugin-inactive, inactive …)' } },
  options: [{ flags: '-d, --dir <folder>', description: 'where to write it (default ./synadm-plugin-NAME)' }],
  offline: true,
  load: scaffold('create'),
})

export const servers = defineCommand({
  path: 'servers',
  description: 'List the server profiles (-S NAME): base URL, user, token source; --check asks each server whether it answers and takes the token',
  offline: true,
  options: [{ flags: '--check', description: 'ask each server whether it answers, then whether it takes the token (a whoami): reachable, authenticated' }],
  load: profiles('servers'),
})

export const use = defineCommand({
  path: 'use',
  description: 'Switch the synadm> shell to another server profile (the prompt shows it)',
  // A shell word: hidden from one-shot help and from completing `us` (which means user).
  hidden: true,
  args: '<name>',
  argInfo: { name: { description: 'a profile name (see synadm servers), or default', complete: 'server_profile' } },
  offline: true,
  load: profiles('use'),
})

export const audit = defineCommand({
  path: 'audit',
  description: 'Show the audit log: every change synadm sent, when, to which server, by which command, with its status',
  offline: true,
  // -o human: when, where, what was typed and what it touched, how it went; what every entry shares goes to a note.
  mainColumns: ['time', 'profile', 'command', 'path', 'status'],
  times: ['time'],
  dropsConstantColumns: true,
  options: [
    { flags: '--since <date>', type: 'datetime', description: 'entries from this local date/time on (YYYY-MM-DD[ HH:MM:SS])' },
    { flags: '--server <name>', description: 'entries of this profile (or base URL)', complete: 'server_profile' },
    { flags: '--command <text>', description: 'entries whose command line contains this text' },
    { flags: '--failed', description: 'only requests that failed (no answer, or a status of 300 or more)' },
  ],
  load: profiles('audit'),
})

export const completionScripts = SHELLS.map((shell) =>
  defineCommand({ path: `completion ${shell}`, description: `Print the ${shell} completion script (to source it, or to save it where ${shell} looks)`, offline: true, load: completion('script') }),
)

const shellOption = { flags: '-s, --shell <shell>', choices: SHELLS, description: 'the shell (default: your login shell, from $SHELL)' } as const

export const completionInstall = defineCommand({
  path: 'completion install',
  description: 'Install completion for your shell: a script under ~/.config/tabtab, sourced from the shell startup file',
  offline: true,
  options: [shellOption],
  load: completion('install'),
})

export const completionUninstall = defineCommand({ path: 'completion uninstall', description: 'Remove what completion install added', offline: true, options: [shellOption], load: completion('uninstall') })

export const completionServer = defineCommand({
  path: 'completion-server',
  description: 'Answer a completion request of the shell scripts (COMP_LINE, COMP_POINT, SHELL)',
  args: '[words...]',
  hidden: true,
  offline: true,
  load: completion('server'),
})

export const corePlugin = definePlugin({
  name: 'core',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.command(shell)
    ctx.command(config)
    ctx.group('plugins', 'Third-party plugins: list, install, update, uninstall, and start a new one')
    for (const spec of [pluginsList, pluginsInstall, pluginsUninstall, pluginsUpdate, pluginsVerify, pluginsNew]) ctx.command(spec)
    for (const spec of [servers, use, audit]) ctx.command(spec)
    ctx.wordCompleter('server_profile', () => allProfiles(process.env))
    ctx.group('completion', 'Shell completion (Tab) for synadm in bash, zsh, fish and PowerShell')
    for (const spec of [...completionScripts, completionInstall, completionUninstall, completionServer]) ctx.command(spec)
  },
})
