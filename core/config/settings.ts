/**
 * Settings, resolved once per session: flag > environment > config files > defaults.
 * The user file is the Python synadm's `~/.config/synadm.yaml`, read and written with the same keys;
 * project config (`.synadmrc*`, `synadm.config.*`, `package.json#synadm`) is searched for from the working
 * directory and believed only as trust.ts allows (README: Security, Config files and folders).
 */
// Config is read synchronously, and node:fs/promises (with the streams and readline modules it loads) is reached
// through fs.promises only when a file is written: every start reads config, few write it.
import { promises as fsp, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SynadmError } from '../kernel/errors.js'
import { importModule } from '../kernel/modules.js'
import { configDir } from '../kernel/dirs.js'
import { redactText } from '../kernel/log.js'
import { currentIdentity, ownFileDoubt, projectFileDoubt, type Identity } from './trust.js'

export interface Settings {
  user: string
  token: string
  base_url: string
  admin_path: string
  matrix_path: string
  timeout: number
  /** a reply larger than this many MiB is an error instead of being read into memory */
  max_reply_mb: number
  format: string
  ssl_verify: boolean
  homeserver: string
  server_discovery: string
  /** where the token comes from instead of `token`: a file (0600 or stricter), or a command's output */
  token_file: string
  token_command: string
  /** destructive commands ask even in the shell's confirm-once mode, and name the server */
  production: boolean
  /** the audit log's path; '' = the default under the XDG state folder; 'off' = none */
  audit_log: string
  /** plugins to load: a package name or path, optionally with options */
  plugins: PluginEntry[]
  /** the pager for long output in a terminal (a command line), or false for none; true = $PAGER or less */
  pager: string | boolean
  /** MAS, for servers that delegate auth to it: its URL (else the one the server announces) */
  mas_url: string
  /** a MAS client allowed urn:mas:admin, and where its secret comes from (else the access token serves MAS too) */
  mas_client_id: string
  mas_client_secret_file: string
  mas_client_secret_command: string
}

export type PluginEntry = string | [string, unknown]

/** Where each setting came from, for `synadm config --show` and for tests. */
export type Source = 'default' | 'file' | 'project' | 'env' | 'flag'

export interface ResolvedSettings {
  settings: Settings
  sources: Record<keyof Settings, Source>
  /** the user config file (read, and written by `synadm config`) */
  file: string
  /** plugins are resolved relative to the file that lists them */
  pluginBases: Map<PluginEntry, string>
  projectFile?: string
  warnings: string[]
}

export const KEYS = ['user', 'token', 'base_url', 'admin_path', 'matrix_path', 'timeout', 'max_reply_mb', 'format', 'ssl_verify', 'homeserver', 'server_discovery', 'token_file', 'token_command', 'production', 'audit_log', 'mas_url', 'mas_client_id', 'mas_client_secret_file', 'mas_client_secret_command'] as const
export type Key = (typeof KEYS)[number]

export const DEFAULTS: Settings = {
  user: '',
  token: '',
  base_url: 'http://localhost:8008',
  admin_path: '/_synapse/admin',
  matrix_path: '/_matrix',
  timeout: 30,
  max_reply_mb: 64,
  format: 'yaml',
  ssl_verify: true,
  homeserver: 'auto-retrieval',
  server_discovery: 'well-known',
  token_file: '',
  token_command: '',
  production: false,
  audit_log: '',
  plugins: [],
  pager: true,
  mas_url: '',
  mas_client_id: '',
  mas_client_secret_file: '',
  mas_client_secret_command: '',
}

/** One of these gives the token; a source that names one overrides the others of lower sources. */
export const TOKEN_KEYS = ['token', 'token_file', 'token_command'] as const
export type TokenKey = (typeof TOKEN_KEYS)[number]
/** The token keys that `data` gives a value (null and '' give none). */
export const tokenKeysGiven = (data: Partial<Record<string, unknown>>): TokenKey[] => TOKEN_KEYS.filter((k) => data[k] !== undefined && data[k] !== null && data[k] !== '')

/** Settings without which no request can be made. */
export const REQUIRED: Key[] = ['user', 'token', 'base_url']

export const expandHome = (path: string) => (path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path)

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return expandHome(env.SYNADM_CONFIG ?? '~/.config/synadm.yaml')
}

const FLAT_LINE = /^([A-Za-z_][\w-]*):(?: +(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|([^\s'"#&*!|>%@`[\]{},-][^#]*?|-?\d[^#]*?)))? *$/

function plainScalar(text: string): unknown {
  if (text === '' || text === '~' || /^null$/i.test(text)) return null
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  if (/^[-+]?\d+$/.test(text)) return Number(text)
  if (/^[-+]?(\d+\.\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return Number(text)
  return text
}

/**
 * The Python synadm writes flat `key: value` YAML. Such a file is read here directly; anything else (lists,
 * nesting, anchors, odd scalars) goes to js-yaml, which then loads — this spares most runs ~10 ms of start-up.
 * A unit test holds the two readers equal.
 */
export function readFlatYaml(text: string): Record<string, unknown> | undefined {
  const data: Record<string, unknown> = {}
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || /^\s*#/.test(line) || line === '---') continue
    const m = FLAT_LINE.exec(line)
    if (!m) return undefined
    const [, key, single, double, plain] = m
    if (single !== undefined) data[key] = single.replace(/''/g, "'")
    else if (double !== undefined) {
      if (/\\[^"\\/bfnrtu]/.test(double)) return undefined // YAML escapes JSON lacks
      data[key] = JSON.parse(`"${double}"`)
    } else if (plain !== undefined && /: |:$| #/.test(plain)) return undefined
    else data[key] = plainScalar(plain ?? '')
  }
  return data
}

export async function parseYaml(text: string): Promise<unknown> {
  const flat = readFlatYaml(text)
  if (flat) return flat
  const { default: yaml } = await import('js-yaml')
  return yaml.load(text)
}

export async function readYamlFile(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SynadmError('config', `cannot read ${path}: ${(error as Error).message}`)
  }
  return asMapping(path, () => parseYaml(text))
}

/** What `parse` gives, when it is a mapping of keys to values (nothing is an empty one); else a config error. */
async function asMapping(path: string, parse: () => unknown): Promise<Record<string, unknown>> {
  try {
    const data = await parse()
    if (data === null || data === undefined) return {}
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error('not a mapping of keys to values')
    return data as Record<string, unknown>
  } catch (error) {
    throw new SynadmError('config', `${path} is not valid configuration: ${(error as Error).message.split('\n')[0]}`)
  }
}

/**
 * One of your own config files (user file, profile, plugin list, trusted folders), refused when another user
 * could change it, as ssh refuses such a ~/.ssh/config.
 */
export async function readOwnYamlFile(path: string, id: Identity | undefined): Promise<Record<string, unknown> | undefined> {
  const data = await readYamlFile(path)
  const doubt = data && ownFileDoubt(path, id)
  if (doubt) {
    throw new SynadmError('config', `${doubt}: synadm reads no config file that someone else can change`, {
      hint: /belongs to another user/.test(doubt) ? `use a copy of your own: cp ${path} FILE` : `chmod go-w ${path}`,
    })
  }
  return data
}

const urlProtocol = (text: string) => {
  try {
    const url = new URL(text)
    return url.hostname ? url.protocol : ''
  } catch {
    return ''
  }
}

function coerce(key: Key, value: unknown, origin: string): unknown {
  if (key === 'timeout') {
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0) throw new SynadmError('config', `${origin}: timeout must be a positive number of seconds, not '${value}'`)
    return n
  }
  if (key === 'max_reply_mb') {
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0 || n > 1024 * 1024) throw new SynadmError('config', `${origin}: max_reply_mb must be a positive number of MiB, not '${value}'`)
    return n
  }
  if ((key === 'base_url' || key === 'mas_url') && value !== '' && value !== null && value !== undefined && !/^https?:$/.test(urlProtocol(String(value)))) {
    throw new SynadmError('config', `${origin}: ${key} must be an http:// or https:// URL, e.g. https://${key === 'base_url' ? 'matrix' : 'auth'}.example.org, not '${value}'`)
  }
  if (key === 'ssl_verify' || key === 'production') {
    if (typeof value === 'boolean') return value
    if (/^(true|yes|1|on)$/i.test(String(value))) return true
    if (/^(false|no|0|off)$/i.test(String(value))) return false
    throw new SynadmError('config', `${origin}: ${key} must be true or false, not '${value}'`)
  }
  if (key === 'audit_log' && (value === false || /^(false|no|off|none)$/i.test(String(value)))) return 'off'
  return value === null || value === undefined ? '' : String(value)
}

const PROJECT_FILES = ['.synadmrc', '.synadmrc.json', '.synadmrc.yaml', '.synadmrc.yml', '.synadmrc.js', '.synadmrc.mjs', '.synadmrc.cjs', 'synadm.config.js', 'synadm.config.mjs', 'synadm.config.cjs']
/** project configs that are code: they run only from a trusted folder */
const CODE_CONFIG = /\.[cm]?js$/

/**
 * What a project config outside a trusted folder may not set: these run code (token_command, plugins, pager),
 * send one of your files as the token (token_file) or lower a safeguard (audit_log, ssl_verify, production).
 * A file that sets one is not read at all: half of it could send your token where the other half meant not to.
 */
const TRUSTED_ONLY = ['token_file', 'token_command', 'plugins', 'pager', 'audit_log', 'ssl_verify', 'production', 'mas_client_secret_file', 'mas_client_secret_command']
/** What a project config sets that is said on stderr: where the token goes, what runs, what is recorded. */
const ANNOUNCED = ['base_url', 'token', 'token_file', 'token_command', 'ssl_verify', 'plugins', 'audit_log', 'mas_url']

/** The folders whose project configs you trust, beyond your own config folder: `folders:` in this file. */
const trustedListFile = (env: NodeJS.ProcessEnv) => join(configDir(env), 'trusted.yaml')

const realOrAsIs = (path: string) => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** Your config folder and the folders listed in trusted.yaml, as real paths. */
async function trustedFolders(env: NodeJS.ProcessEnv, id: Identity | undefined): Promise<string[]> {
  const listFile = trustedListFile(env)
  const folders = (await readOwnYamlFile(listFile, id))?.folders ?? []
  if (!Array.isArray(folders) || folders.some((f) => typeof f !== 'string' || !isAbsolute(expandHome(f)))) {
    throw new SynadmError('config', `${listFile}: folders must be a list of absolute paths`)
  }
  return [configDir(env), ...folders.map(expandHome)].map((folder) => realOrAsIs(resolve(folder)))
}

/** A regular file the project search found, and the folders it looked in on the way (the working directory first). */
interface Found {
  file: string
  searched: string[]
}

const isRegularFile = (path: string) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Whether a package.json has a `synadm` key (a broken one might: reading it as config reports it). */
const packageNamesSynadm = (file: string) => {
  try {
    return 'synadm' in JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return true
  }
}

/**
 * The project search, in cosmiconfig's order: from the working directory up, in each folder package.json's
 * `synadm` key, then PROJECT_FILES in turn. It ends with a folder holding a package.json (or package.yaml), with
 * your home folder when the working directory is inside it, and at the root. Only regular files count (a folder
 * or FIFO so named is passed over). Synchronous and cheap, since most runs find nothing.
 */
function* projectFiles(cwd: string, home: string): Generator<Found> {
  const searched: string[] = []
  const inHome = cwd === home || cwd.startsWith(home === sep ? sep : home + sep)
  for (let dir = cwd; ; dir = dirname(dir)) {
    searched.push(dir)
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      names = []
    }
    const packageFile = join(dir, 'package.json')
    if (names.includes('package.json') && isRegularFile(packageFile) && packageNamesSynadm(packageFile)) yield { file: packageFile, searched: [...searched] }
    for (const name of PROJECT_FILES) {
      if (names.includes(name) && isRegularFile(join(dir, name))) yield { file: join(dir, name), searched: [...searched] }
    }
    if (names.includes('package.json') || names.includes('package.yaml') || (inHome && dir === home) || dirname(dir) === dir) return
  }
}

/** A project file's settings: JSON, YAML, or (trusted folders only) a module's default export. */
function parseProjectFile(file: string, text: string): Promise<Record<string, unknown>> {
  return asMapping(file, async () => {
    if (CODE_CONFIG.test(file)) {
      // through importModule: inside the bundle a bare import() has no loader
      const mod = await importModule(pathToFileURL(file).href)
      return mod.default ?? mod
    }
    if (basename(file) === 'package.json') return JSON.parse(text).synadm
    if (file.endsWith('.json')) return JSON.parse(text)
    return parseYaml(text)
  })
}

/**
 * The project config: the first non-empty file the search finds, if trust.ts believes it and it sets nothing
 * reserved to trusted folders; otherwise none, and a warning says which file and why.
 */
async function readProjectConfig(options: { cwd: string; env: NodeJS.ProcessEnv; userFile: string; id: Identity | undefined; warnings: string[] }) {
  const { env, id, warnings } = options
  const home = realOrAsIs(resolve(env.HOME || homedir()))
  let trusted: string[] | undefined
  for (const { file, searched } of projectFiles(realOrAsIs(resolve(options.cwd)), home)) {
    if (file === options.userFile) continue
    trusted ??= await trustedFolders(env, id)
    const inTrustedFolder = trusted.includes(dirname(file))
    const trustHint = ` (if you trust the folder, list it under folders: in ${trustedListFile(env)})`
    const doubt = inTrustedFolder ? undefined : projectFileDoubt(file, searched, id)
    if (doubt) return void warnings.push(`ignoring ${file}: ${doubt}`)
    if (!inTrustedFolder && CODE_CONFIG.test(file)) return void warnings.push(`ignoring ${file}: a JavaScript config runs only from a trusted folder${trustHint}`)
    const text = readFileSync(file, 'utf8')
    if (!text.trim()) continue // passed over, as cosmiconfig did
    const data = await parseProjectFile(file, text)
    const reserved = inTrustedFolder ? [] : TRUSTED_ONLY.filter((key) => data[key] !== undefined)
    if (reserved.length) return void warnings.push(`ignoring ${file}: a project config sets ${reserved.join(', ')} only in a trusted folder${trustHint}`)
    return { file, data }
  }
  return undefined
}

export interface LoadOptions {
  configFile?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** skip the project search (tests, or `-c` pointing elsewhere explicitly) */
  project?: boolean
  /** whose files are believed; default: this process's user */
  identity?: Identity
  /** the plugin list kept beside the settings (core/plugin-host/plugin-list.ts); without it, only `plugins:` keys count */
  pluginList?: PluginListSource
}

/**
 * The list of plugins synadm keeps in a file of its own (plugins.yaml), handed in by the session: settings read no
 * plugin folder themselves (the plugin host sits above them).
 */
export interface PluginListSource {
  /** takes `plugins:` out of the Python synadm's user file (whose `config` command would drop it); the line saying so */
  moveOutOf(file: string, data: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<string>
  /** the list's entries, each with the folder it resolves from */
  entries(env: NodeJS.ProcessEnv, id?: Identity): Promise<{ entry: PluginEntry; base: string }[]>
}

export async function loadSettings(options: LoadOptions = {}): Promise<ResolvedSettings> {
  const env = options.env ?? process.env
  const file = resolve(expandHome(options.configFile ?? defaultConfigFile(env)))
  const settings: Settings = { ...DEFAULTS, plugins: [] }
  const sources = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, 'default'])) as Record<keyof Settings, Source>
  const pluginBases = new Map<PluginEntry, string>()
  const warnings: string[] = []
  const id = options.identity ?? currentIdentity()
  // A token source overrides the others of lower sources: a key it clears is now that source's doing; one that
  // was never set keeps its source (config --show says `default`, not the file that set another key).
  const useTokenSource = (key: TokenKey, source: Source) => {
    for (const other of TOKEN_KEYS) {
      if (other === key || !settings[other]) continue
      settings[other] = ''
      sources[other] = source
    }
  }

  const apply = (data: Record<string, unknown>, source: Source, origin: string) => {
    if (data.protocol !== undefined && data.protocol !== 'http') {
      throw new SynadmError('config', `${origin}: protocol '${data.protocol}' is not supported; use protocol: http with an http(s) base_url`)
    }
    const tokenKeys = tokenKeysGiven(data)
    if (tokenKeys.length > 1) throw new SynadmError('config', `${origin}: give one of ${TOKEN_KEYS.join(', ')}, not ${tokenKeys.join(' and ')}`)
    for (const key of KEYS) {
      if (data[key] === undefined) continue
      ;(settings as unknown as Record<string, unknown>)[key] = coerce(key, data[key], origin)
      sources[key] = source
    }
    if (tokenKeys.length === 1) useTokenSource(tokenKeys[0], source)
    if (data.plugins !== undefined) {
      if (!Array.isArray(data.plugins)) throw new SynadmError('config', `${origin}: plugins must be a list`)
      for (const entry of data.plugins as PluginEntry[]) {
        settings.plugins.push(entry)
        pluginBases.set(entry, dirname(origin))
      }
      sources.plugins = source
    }
    if (data.pager !== undefined && data.pager !== null) {
      settings.pager = typeof data.pager === 'boolean' ? data.pager : /^(off|no|false|never)$/i.test(String(data.pager)) ? false : String(data.pager)
      sources.pager = source
    }
  }

  const userData = await readOwnYamlFile(file, id)
  // The default user file is the Python synadm's, whose `config` command drops keys it does not know: its plugin
  // list moves to plugins.yaml (a file named with -c or SYNADM_CONFIG is left as it is).
  const isDefaultFile = options.configFile === undefined && env.SYNADM_CONFIG === undefined
  if (userData?.plugins !== undefined && isDefaultFile && options.pluginList) {
    const moved = await options.pluginList.moveOutOf(file, userData, env).catch(() => undefined)
    if (moved) {
      warnings.push(moved)
      delete userData.plugins
    }
  }
  if (userData) apply(userData, 'file', file)
  if (userData?.token) {
    // as ssh does for keys: a token others can read is as good as theirs
    const mode = statSync(file).mode & 0o777
    if (mode & 0o077) warnings.push(`${file} holds a token and can be read by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`)
  }
  for (const { entry, base } of (await options.pluginList?.entries(env, id)) ?? []) {
    settings.plugins.push(entry)
    pluginBases.set(entry, base)
    sources.plugins = 'file'
  }

  const project = (options.project ?? true) ? await readProjectConfig({ cwd: options.cwd ?? process.cwd(), env, userFile: file, id, warnings }) : undefined
  if (project) {
    if ('token' in project.data) warnings.push(`${project.file} holds a token: keep tokens in ${file} (mode 0600), not in project files`)
    apply(project.data, 'project', project.file)
  }

  for (const key of KEYS) {
    const value = env[`SYNADM_${key.toUpperCase()}`]
    if (value !== undefined && value !== '') {
      ;(settings as unknown as Record<string, unknown>)[key] = coerce(key, value, `SYNADM_${key.toUpperCase()}`)
      sources[key] = 'env'
      if ((TOKEN_KEYS as readonly string[]).includes(key)) useTokenSource(key as TokenKey, 'env')
    }
  }
  settings.base_url = settings.base_url.replace(/\/+$/, '')
  settings.mas_url = settings.mas_url.replace(/\/+$/, '')
  if (project) announceProjectKeys(project, settings, sources, warnings)
  return { settings, sources, file, pluginBases, projectFile: project?.file, warnings }
}

/** Says once, on stderr, what a project config decides that matters for the token (unless env overrode it). */
function announceProjectKeys(project: { file: string; data: Record<string, unknown> }, settings: Settings, sources: Record<keyof Settings, Source>, warnings: string[]) {
  const keys = ANNOUNCED.filter((key) => project.data[key] !== undefined && sources[key as keyof Settings] === 'project')
  if (keys.length === 0) return
  const where = [
    ...(keys.includes('base_url') ? [`the token goes to ${redactText(settings.base_url)}`] : []),
    ...(keys.includes('mas_url') ? [`MAS is asked at ${redactText(settings.mas_url)}`] : []),
  ].map((text, i) => (i ? ` and ${text}` : `: ${text}`)).join('')
  warnings.push(`the project config ${project.file} sets ${keys.join(', ')}${where}`)
}

/** Throws a config error naming what is missing, or returns quietly. */
export function assertComplete(resolved: ResolvedSettings): void {
  const { settings } = resolved
  const missing = REQUIRED.filter((key) => !settings[key] && !(key === 'token' && (settings.token_file || settings.token_command)))
  if (missing.length === 0) return
  throw new SynadmError('config', `synadm is not configured: ${missing.join(', ')} missing (config file ${resolved.file})`, {
    code: 'not_configured',
    // every setting that is missing, or setting the first would only lead to the next error
    hint: `run 'synadm config' to set it up, or set ${missing.map((key) => `SYNADM_${key.toUpperCase()}`).join(', ')}`,
  })
}

/**
 * Writes the Python-compatible file: YAML with sorted keys, mode 0600 from the first byte. Keys it does not
 * change are kept; a value of null removes its key.
 */
export async function saveUserConfig(file: string, values: Partial<Record<Key, unknown>>): Promise<void> {
  const existing = (await readYamlFile(file)) ?? {}
  const merged: Record<string, unknown> = { ...existing }
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete merged[key]
    else if (value !== undefined) merged[key] = value
  }
  const { default: yaml } = await import('js-yaml')
  await writeFileAtomic(file, yaml.dump(merged, { sortKeys: true }), 0o600)
}

/** A new file renamed over the old one, with `mode` from the first byte. */
export async function writeFileAtomic(file: string, text: string, mode: number): Promise<void> {
  const target = isAbsolute(file) ? file : resolve(file)
  await fsp.mkdir(dirname(target), { recursive: true })
  const temp = `${target}.${process.pid}.tmp`
  await fsp.writeFile(temp, text, { mode })
  await fsp.chmod(temp, mode)
  await fsp.rename(temp, target)
}
