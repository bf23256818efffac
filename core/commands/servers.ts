/** Server profiles (`servers`, `use`), where the token comes from (for `config`), and `audit`. */
import { createReadStream, existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import * as readline from 'node:readline'
import { auditLogFile, type AuditEntry, auditEntries } from '../run/audit.js'
import { expandHome, TOKEN_KEYS, tokenKeysGiven, type Key, type Settings, type TokenKey } from '../config/settings.js'
import type { CoreContext } from '../run/context.js'
import type * as spec from './index.js'
import { SynadmError, usageError } from '../kernel/errors.js'
import { HttpClient } from '../http/client.js'
import { allProfiles, DEFAULT_PROFILE, namedProfiles } from '../config/profiles.js'
import { apiBase } from '../run/session.js'
import { readTokenFile, readSecretFile } from '../config/tokens.js'
import type { RunContext } from '../contract/run-context.js'
import type { Session } from '../run/session.js'
import { redactText } from '../kernel/log.js'

const tokenSource = (s: Partial<Settings>): TokenKey => (s.token_command ? 'token_command' : s.token_file ? 'token_file' : 'token')

/** The configurator's questions about the token: where it comes from, then the token or its reference. */
export async function tokenSourceQuestions(ctx: CoreContext, current: Partial<Settings>): Promise<Partial<Record<Key, unknown>>> {
  const how = await ctx.prompts.select(
    'Where does the access token come from?',
    [
      { value: 'token' as const, label: 'typed here, kept in the config file (mode 0600)' },
      { value: 'token_file' as const, label: 'a file of its own (mode 0600 or stricter)' },
      { value: 'token_command' as const, label: 'a command that prints it, e.g. pass show matrix/prod' },
    ],
    tokenSource(current),
  )
  if (how === 'token') {
    const keep = Boolean(current.token)
    const token = await ctx.prompts.password(`Synapse admin user token ${keep ? '[REDACTED] (Enter keeps it)' : '[NOT SET]'}`, { allowEmpty: keep })
    return token ? { token } : {}
  }
  const now = String(current[how] ?? '')
  const message = how === 'token_file' ? 'Token file (mode 0600 or stricter)' : 'Token command (run without a shell unless it uses shell syntax)'
  return { [how]: await ctx.prompts.text(message, { placeholder: now, defaultValue: now, validate: (v) => (v ? undefined : 'a value is required') }) }
}

/**
 * One token source per profile: the one being stored replaces the others. A token file is checked now (mode,
 * content) and stored as an absolute path; a command is stored as given, not run.
 */
export async function storeTokenSource(ctx: CoreContext, values: Partial<Record<Key, unknown>>): Promise<Partial<Record<Key, unknown>>> {
  const given = tokenKeysGiven(values)
  if (given.length > 1) throw usageError(`give one of --token/--token-file, --token-path, --token-command, not ${given.length}`)
  if (given.length === 0) return values
  if (values.token_file) {
    const file = expandHome(String(values.token_file))
    values.token_file = isAbsolute(file) ? file : resolve(ctx.session.io.cwd, file)
    await readTokenFile(String(values.token_file))
  }
  for (const key of TOKEN_KEYS) if (key !== given[0]) values[key] = null
  return values
}

/**
 * A server that delegates auth to MAS: where MAS is (empty: as the server announces it) and, for MAS's admin API, a
 * client's ID and where its secret comes from (empty: the access token serves MAS too). An empty answer removes the key.
 */
export async function masQuestions(ctx: RunContext, current: Partial<Settings>): Promise<Partial<Record<Key, unknown>>> {
  const ask = async (message: string, key: Key) => {
    const now = String(current[key] ?? '')
    return (await ctx.prompts.text(message, { placeholder: now, defaultValue: now })) || null
  }
  const values: Partial<Record<Key, unknown>> = {}
  values.mas_url = await ask('MAS URL, if the server delegates auth to MAS (empty: the one the server announces)', 'mas_url')
  values.mas_client_id = await ask("MAS client ID for MAS's admin API (empty: the access token serves MAS too)", 'mas_client_id')
  if (!values.mas_client_id) return { ...values, mas_client_secret_file: null, mas_client_secret_command: null }
  const how = await ctx.prompts.select(
    "Where does the MAS client's secret come from?",
    [
      { value: 'mas_client_secret_file' as const, label: 'a file of its own (mode 0600 or stricter)' },
      { value: 'mas_client_secret_command' as const, label: 'a command that prints it' },
      { value: 'env' as const, label: 'the environment variable SYNADM_MAS_CLIENT_SECRET' },
    ],
    current.mas_client_secret_command ? 'mas_client_secret_command' : current.mas_client_secret_file ? 'mas_client_secret_file' : 'env',
  )
  if (how === 'env') return { ...values, mas_client_secret_file: null, mas_client_secret_command: null }
  values[how] = await ask(how === 'mas_client_secret_file' ? 'Secret file (mode 0600 or stricter)' : 'Secret command (run without a shell unless it uses shell syntax)', how)
  return values
}

/** One source of the MAS client's secret: the one being stored replaces the other; a file is checked now. */
export async function storeMasSecretSource(ctx: CoreContext, values: Partial<Record<Key, unknown>>): Promise<Partial<Record<Key, unknown>>> {
  const { mas_client_secret_file: file, mas_client_secret_command: command } = values
  if (file && command) throw usageError('give one of --mas-client-secret-path and --mas-client-secret-command, not both')
  if (file) {
    const path = expandHome(String(file))
    values.mas_client_secret_file = isAbsolute(path) ? path : resolve(ctx.session.io.cwd, path)
    await readSecretFile(String(values.mas_client_secret_file), 'mas_client_secret_file', 'secret')
    values.mas_client_secret_command = null
  } else if (command) values.mas_client_secret_file = null
  return values
}

/** `synadm servers`: each profile with its server, user and token source; with --check, whether it answers. */
export async function servers(ctx: CoreContext<typeof spec.servers>) {
  const { session } = ctx
  const names = allProfiles(session.io.env)
  const rows = await Promise.all(
    names.map(async (name) => {
      const other = session.forProfile(name)
      let settings: Settings
      let file: string
      let sources: Record<string, string>
      try {
        ;({ settings, file, sources } = await other.settings())
      } catch (error) {
        return { name, base_url: null, user: null, production: null, token: null, file: null, current: false, ...(ctx.options.check ? { reachable: (error as Error).message, authenticated: 'not checked' } : {}) }
      }
      // The default profile when nothing sets it up: no file, no SYNADM_BASE_URL.
      if (name === DEFAULT_PROFILE && !existsSync(file) && sources.base_url === 'default') return undefined
      const row = {
        name,
        base_url: redactText(settings.base_url),
        user: settings.user,
        production: settings.production,
        token: settings.token || settings.token_file || settings.token_command ? tokenSource(settings) : 'none',
        file,
        current: name === session.profile,
      }
      return ctx.options.check ? { ...row, ...(await check(other, settings, ctx)) } : row
    }),
  )
  return rows.filter((row) => row !== undefined)
}

/** Whether the server answers, then whether it takes the token (as `gh auth status` asks). */
async function check(profile: Session, settings: Settings, ctx: CoreContext): Promise<{ reachable: string; authenticated: string }> {
  const answers = await reachable(settings, ctx)
  return { reachable: answers, authenticated: answers === 'yes' ? await authenticated(profile, settings, ctx) : 'not checked' }
}

/** 'yes: @user:server' when the token is taken (and whose it is, when not the configured user's), or why not: a whoami. */
async function authenticated(profile: Session, settings: Settings, ctx: CoreContext): Promise<string> {
  try {
    const { matrix } = await profile.http()
    const { user_id } = await matrix.get<{ user_id?: string }>('client/v3/account/whoami', { signal: ctx.signal })
    // `user` may be a localpart (`admin`), as the Python synadm's configurator takes it
    const configured = settings.user
    const same = !configured || !user_id || user_id === configured || user_id.slice(1, user_id.indexOf(':')) === configured.replace(/^@/, '')
    return same ? `yes: ${user_id ?? configured}` : `yes: ${user_id} (not the configured ${configured})`
  } catch (error) {
    return `no: ${(error as Error).message}`
  }
}

/** 'yes', or why not: the client API's versions endpoint, which needs no token. */
async function reachable(settings: Settings, ctx: CoreContext): Promise<string> {
  const matrix = new HttpClient({
    baseURL: apiBase(settings, settings.matrix_path),
    token: '',
    timeoutMs: Math.min(settings.timeout, 10) * 1000,
    verifyTls: settings.ssl_verify,
    log: ctx.log,
  })
  try {
    await matrix.get('client/versions', { signal: ctx.signal, token: null })
    return 'yes'
  } catch (error) {
    return `no: ${(error as Error).message}`
  }
}

/** `use NAME` in the shell: later lines go to that server; the prompt shows it. */
export function use(ctx: CoreContext<typeof spec.use>) {
  const name = String(ctx.args.name)
  if (!ctx.inShell) throw usageError('use switches the server of the synadm> shell', `for one command give -S ${name}: synadm -S ${name} …`)
  if (name !== DEFAULT_PROFILE && !namedProfiles(ctx.session.io.env).includes(name)) {
    throw usageError(`no server profile '${name}'`, `synadm servers lists them; synadm config -S ${name} creates it`)
  }
  ctx.session.useProfile(name)
}

/** `synadm audit`: the audit log's entries, filtered, in any output format. */
export async function audit(ctx: CoreContext<typeof spec.audit>) {
  const file = auditLogFile(await ctx.settings(), ctx.session.io.env)
  if (!file) throw new SynadmError('config', 'the audit log is switched off (audit_log: off)')
  if (!existsSync(file)) return []
  const since = ctx.options.since as number | undefined
  const server = ctx.options.server as string | undefined
  const command = ctx.options.command as string | undefined
  const entries: AuditEntry[] = []
  const lines = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })
  // A write's intent and outcome lines are one entry (core/run/audit.ts).
  for (const entry of await auditEntries(lines, () => ctx.log.warn(`${file}: a line that is not an entry was skipped`))) {
    if (since !== undefined && Date.parse(entry.time) < since) continue
    if (server !== undefined && entry.profile !== server && entry.base_url !== server) continue
    if (command !== undefined && !entry.command.includes(command)) continue
    if (ctx.options.failed && entry.status !== null && entry.status < 300) continue
    entries.push(entry)
  }
  return ctx.format === 'human' || ctx.format === 'wide' ? entries.map(readablePath) : entries
}

/**
 * For people: the endpoint as `synadm raw` and `synadm matrix raw` take it (`v1/users/@spam:example.org/shadow_ban`),
 * its IDs decoded; files (json, csv …) keep the path as logged.
 */
function readablePath(entry: AuditEntry): AuditEntry {
  const [path, query] = entry.path.replace(/^\/_synapse\/admin\/|^\/_matrix\//, '').split('?', 2)
  const decoded = path.split('/').map((segment) => {
    try {
      return decodeURIComponent(segment).includes('/') ? segment : decodeURIComponent(segment)
    } catch {
      return segment
    }
  })
  return { ...entry, path: decoded.join('/') + (query === undefined ? '' : `?${query}`) }
}
