/** `synadm shell` and `synadm config`. */
import type { CoreContext } from '../run/context.js'
import type * as spec from './index.js'
import type { OptionsOf } from '../contract/typed.js'
import { assertComplete, KEYS, saveUserConfig, type Key } from '../config/settings.js'
import { SynadmError } from '../kernel/errors.js'
import { globalWords } from '../cli/globals.js'
import { DOCUMENT_FORMATS } from '../output/formats.js'
import { storeTokenSource, tokenSourceQuestions, masQuestions, storeMasSecretSource } from './servers.js'
import { Shell } from '../shell/shell.js'
import { REDACTED, redactText } from '../kernel/log.js'
import { DEFAULT_PROFILE } from '../config/profiles.js'

type ConfigOption = keyof OptionsOf<typeof spec.config>

export async function shell(ctx: CoreContext<typeof spec.shell>) {
  const { session, globals } = ctx
  // the session's -v is already its log level while the shell runs: repeating it on each line would double it
  const repl = new Shell(session, { globals: globalWords({ ...globals, verbose: 0 }) })
  if (session.io.interactive) await repl.runInteractive()
  else await repl.runStream()
}

/** config's options that set a key of the file, by option */
const OPTION_KEYS: Partial<Record<ConfigOption, Key>> = {
  user: 'user',
  token: 'token',
  baseUrl: 'base_url',
  adminPath: 'admin_path',
  matrixPath: 'matrix_path',
  timeout: 'timeout',
  output: 'format',
  serverDiscovery: 'server_discovery',
  homeserver: 'homeserver',
  sslVerify: 'ssl_verify',
  tokenCommand: 'token_command',
  production: 'production',
  auditLog: 'audit_log',
  masUrl: 'mas_url',
  masClientId: 'mas_client_id',
  masClientSecretCommand: 'mas_client_secret_command',
}

/** A setting as `config --show` prints it: the token REDACTED, a password in base_url too (core/kernel/log.ts). */
const shownValue = (key: Key, value: unknown) => (key === 'token' && value ? REDACTED : key === 'base_url' && typeof value === 'string' ? redactText(value) : value)

export async function config(ctx: CoreContext<typeof spec.config>) {
  const resolved = await ctx.resolvedSettings()
  if (ctx.options.show) {
    const { settings, sources } = resolved
    const shown = Object.fromEntries(KEYS.map((k) => [k, { value: shownValue(k, settings[k]), source: sources[k] }]))
    // -o before the words outranks every other source of the format for this run.
    if (ctx.globals.output) shown.format = { value: ctx.format, source: 'flag' }
    return shown
  }
  const values: Partial<Record<Key, unknown>> = {}
  for (const [option, key] of Object.entries(OPTION_KEYS) as [ConfigOption, Key][]) if (ctx.given.has(option)) values[key] = ctx.options[option]
  if (ctx.options.tokenFile) values.token = await ctx.secret({ file: ctx.options.tokenFile, what: 'access token', fileOption: '--token-file' })
  if (ctx.options.tokenPath) values.token_file = ctx.options.tokenPath
  if (ctx.options.masClientSecretPath) values.mas_client_secret_file = ctx.options.masClientSecretPath

  // Options given: change only those, without prompts, in a terminal too.
  if (ctx.interactive && Object.keys(values).length === 0) {
    const current = resolved.settings
    // Enter keeps the current value (shown as the placeholder); typing replaces it.
    const ask = (message: string, key: Key, required = false) => {
      const now = String(current[key] ?? '')
      return ctx.prompts.text(message, { placeholder: now, defaultValue: now, validate: required ? (v) => (v ? undefined : 'a value is required') : undefined })
    }
    ctx.note('Running configurator…')
    values.user = await ask('Synapse admin user name', 'user', true)
    Object.assign(values, await tokenSourceQuestions(ctx, current))
    values.base_url = await ask('Synapse base URL', 'base_url', true)
    values.admin_path = await ask('Synapse Admin API path', 'admin_path')
    values.matrix_path = await ask('Matrix API path', 'matrix_path')
    values.format = await ctx.prompts.select('Default output format', DOCUMENT_FORMATS.map((value) => ({ value })), String(current.format) as never)
    const timeout = Number(await ask('Default http timeout (seconds)', 'timeout'))
    if (!Number.isFinite(timeout) || timeout <= 0) throw new SynadmError('usage', 'the timeout must be a positive number of seconds')
    values.timeout = timeout
    values.server_discovery = await ctx.prompts.select('Server discovery (kept for the Python synadm; synadm asks whoami instead)', ['well-known', 'dns'].map((value) => ({ value })), String(current.server_discovery) as never)
    values.homeserver = await ask('Homeserver name ("auto-retrieval" or the domain part of your user ID)', 'homeserver')
    values.ssl_verify = await ctx.prompts.confirm('Verify TLS certificates?', current.ssl_verify !== false)
    // A named profile (-S NAME) may be production; the user file and a -c file stay the Python synadm's (whose config drops it).
    const profile = ctx.session.defaults.profile
    if (profile && profile !== DEFAULT_PROFILE) {
      values.production = await ctx.prompts.confirm(`Is ${profile} a production server? (destructive commands then always ask, naming it)`, current.production === true)
    }
    Object.assign(values, await masQuestions(ctx, current))
  } else if (Object.keys(values).length === 0) {
    throw new SynadmError('usage', 'nothing to change: give options such as -u, --token-file, -b', { hint: 'or run synadm config in a terminal to be asked' })
  }
  await saveUserConfig(resolved.file, await storeMasSecretSource(ctx, await storeTokenSource(ctx, values)))
  ctx.session.reset()
  ctx.note(`Saved to ${resolved.file} (readable by you only).`)
  try {
    assertComplete(await ctx.resolvedSettings())
  } catch (error) {
    ctx.note(`Still incomplete: ${(error as Error).message}`)
  }
}
