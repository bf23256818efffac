/**
 * Settings, resolved once per session: flag > environment > config files > defaults.
 * The user file is the Python synadm's `~/.config/synadm.yaml`, read and written with the same keys;
 * project config (`.synadmrc*`, `synadm.config.*`, `package.json#synadm`) comes through cosmiconfig.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile, rename, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SynadmError } from '../kernel/errors.js'
import { importModule } from '../kernel/modules.js'

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

export const KEYS = ['user', 'token', 'base_url', 'admin_path', 'matrix_path', 'timeout', 'max_reply_mb', 'format', 'ssl_verify', 'homeserver', 'server_discovery', 'token_file', 'token_command', 'production', 'audit_log'] as const
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
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SynadmError('config', `cannot read ${path}: ${(error as Error).message}`)
  }
  try {
    const data = await parseYaml(text)
    if (data === null || data === undefined) return {}
    if (typeof data !== 'object' || Array.isArray(data)) throw new Error('not a mapping of keys to values')
    return data as Record<string, unknown>
  } catch (error) {
    throw new SynadmError('config', `${path} is not valid configuration: ${(error as Error).message.split('\n')[0]}`)
  }
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
  if (key === 'base_url' && value !== '' && value !== null && value !== undefined && !/^https?:$/.test(urlProtocol(String(value)))) {
    throw new SynadmError('config', `${origin}: base_url must be an http:// or https:// URL, e.g. https://matrix.example.org, not '${value}'`)
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

/**
 * Whether cosmiconfig's project search could find anything: walks up from cwd to the nearest package.json,
 * as that search does. Most runs have no project config, and this spares them loading cosmiconfig.
 */
function mayHaveProjectConfig(cwd: string): boolean {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      names = []
    }
    if (names.some((n) => PROJECT_FILES.includes(n))) return true
    if (names.includes('package.json')) {
      try {
        return 'synadm' in JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      } catch {
        return true // let cosmiconfig report the broken file
      }
    }
    if (dirname(dir) === dir) return false
  }
}

async function searchProjectConfig(cwd: string) {
  if (!mayHaveProjectConfig(cwd)) return null
  // Loaded only here, so a command that needs no config pays nothing for it.
  const mod = await import('cosmiconfig')
  // CommonJS package: named export under plain node, `default` once bundled.
  const cosmiconfig = mod.cosmiconfig ?? (mod as unknown as { default: typeof mod }).default.cosmiconfig
  // JavaScript configs load through importModule: cosmiconfig's own import() has no loader inside the bundle.
  const loadJs = async (filepath: string) => {
    const mod = await importModule(pathToFileURL(filepath).href)
    return mod.default ?? mod
  }
  const explorer = cosmiconfig('synadm', {
    searchStrategy: 'project',
    searchPlaces: ['package.json', ...PROJECT_FILES],
    loaders: { '.js': loadJs, '.mjs': loadJs, '.cjs': loadJs },
  })
  try {
    return await explorer.search(cwd)
  } catch (error) {
    throw new SynadmError('config', `project configuration: ${(error as Error).message.split('\n')[0]}`)
  }
}

export interface LoadOptions {
  configFile?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** skip the project search (tests, or `-c` pointing elsewhere explicitly) */
  project?: boolean
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
  entries(env: NodeJS.ProcessEnv): Promise<{ entry: PluginEntry; base: string }[]>
}

export async function loadSettings(options: LoadOptions = {}): Promise<ResolvedSettings> {
  const env = options.env ?? process.env
  const file = resolve(expandHome(options.configFile ?? defaultConfigFile(env)))
  const settings: Settings = { ...DEFAULTS, plugins: [] }
  const sources = Object.fromEntries(Object.keys(DEFAULTS).map((k) => [k, 'default'])) as Record<keyof Settings, Source>
  const pluginBases = new Map<PluginEntry, string>()
  const warnings: string[] = []
  const useTokenSource = (key: TokenKey, source: Source) => {
    for (const other of TOKEN_KEYS) {
      if (other === key) continue
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

  const userData = await readYamlFile(file)
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
    const mode = (await stat(file)).mode & 0o777
    if (mode & 0o077) warnings.push(`${file} holds a token and can be read by others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`)
  }
  for (const { entry, base } of (await options.pluginList?.entries(env)) ?? []) {
    settings.plugins.push(entry)
    pluginBases.set(entry, base)
    sources.plugins = 'file'
  }

  let projectFile: string | undefined
  if (options.project ?? true) {
    const found = await searchProjectConfig(options.cwd ?? process.cwd())
    if (found && !found.isEmpty && found.filepath !== file) {
      projectFile = found.filepath
      if (found.config && typeof found.config === 'object') {
        if ('token' in found.config) warnings.push(`${projectFile} holds a token: keep tokens in ${file} (mode 0600), not in project files`)
        apply(found.config as Record<string, unknown>, 'project', projectFile)
      }
    }
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
  return { settings, sources, file, pluginBases, projectFile, warnings }
}

/** Throws a config error naming what is missing, or returns quietly. */
export function assertComplete(resolved: ResolvedSettings): void {
  const { settings } = resolved
  const missing = REQUIRED.filter((key) => !settings[key] && !(key === 'token' && (settings.token_file || settings.token_command)))
  if (missing.length === 0) return
  throw new SynadmError('config', `synadm is not configured: ${missing.join(', ')} missing (config file ${resolved.file})`, {
    code: 'not_configured',
    hint: "run 'synadm config' to set it up, or set SYNADM_" + missing[0].toUpperCase(),
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
  await mkdir(dirname(target), { recursive: true })
  const temp = `${target}.${process.pid}.tmp`
  await writeFile(temp, text, { mode })
  await chmod(temp, mode)
  await rename(temp, target)
}
