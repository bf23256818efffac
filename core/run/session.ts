/**
 * What lives as long as the process (one-shot) or the REPL: settings, HTTP clients, caches.
 * Everything is created on first use, so `--help` or completion never reads config or opens a connection.
 */
import { existsSync } from 'node:fs'
import { isatty } from 'node:tty'
import type { Readable, Writable } from 'node:stream'
import { assertComplete, loadSettings, type ResolvedSettings, type Settings } from '../config/settings.js'
import { DEFAULT_PROFILE, sessionDefaults, type SessionDefaults } from '../config/profiles.js'
import { SynadmError } from '../kernel/errors.js'
import { HttpClient, type BoundDefaults } from '../http/client.js'
import { createLogger, type Logger } from '../kernel/log.js'
import type { ApiFactory, ApiServices, Registry } from '../cli/registry.js'
import type { PluginStatus } from '../plugin-host/loader.js'
import { pluginList } from '../plugin-host/plugin-list.js'
import type { SynadmPlugin } from '../contract/plugin.js'

export interface IO {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  env: NodeJS.ProcessEnv
  cwd: string
  /** a person at a terminal can answer prompts */
  interactive: boolean
}

/** What takes over the shell's lines until the user types `exit`: a vorpal extension's mode, such as `repl`. */
export interface ShellMode {
  /** shown in the prompt: `synadm repl: ` */
  delimiter: string
  /** handles one line as typed (no pipes, no command lookup); returns an exit code and never throws */
  run(line: string, signal?: AbortSignal): Promise<number>
  /** the user typed `exit` */
  exit(): Promise<void>
}

export function processIO(): IO {
  return {
    // made on first use: most commands never read stdin, and Node builds the stream when it is first touched
    get stdin() {
      return process.stdin
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interactive: isatty(0) && Boolean(process.stderr.isTTY),
  }
}

/** The base URL of one of the server's APIs: `base_url` joined with `admin_path` or `matrix_path`. */
export const apiBase = (settings: Pick<Settings, 'base_url'>, path: string) => `${settings.base_url}/${path.replace(/^\/+|\/+$/g, '')}`

export class Session {
  private resolved?: Promise<ResolvedSettings>
  /** sessions of other profiles named with -S on a shell line, kept for the shell's life */
  private readonly others = new Map<string, Session>()
  /** tokens from token_file / token_command by config file: a command runs once per session, also across `use` */
  private tokens = new Map<string, Promise<string>>()
  private clients?: { admin: HttpClient; matrix: HttpClient }
  /** clients for other APIs of the server (MAS's), by base URL */
  private readonly otherClients = new Map<string, HttpClient>()
  /** values plugins work out once per session (ApiServices.memo) */
  private readonly memos = new Map<string, Promise<unknown>>()
  private serverNameCache?: Promise<string>
  private readonly apiFactories = new Map<string, Promise<ApiFactory>>()
  logLevel = 0
  /** what loaded and what failed, for `synadm plugins list` */
  plugins: PluginStatus[] = []
  /** the built-in plugins this synadm was started with, core's own first (`plugins install` checks a new plugin beside them) */
  builtins: SynadmPlugin[] = []
  /** set while a mode has the shell's lines */
  mode?: ShellMode
  /** consulted before every write of a command (fleet runs refuse, or confirm once for all servers) */
  writeGuard?: (method: string, path: string) => void | Promise<void>

  constructor(
    readonly registry: Registry,
    public io: IO,
    readonly defaults: SessionDefaults = {},
  ) {}

  /** The profile's name for prompts, labels and the audit log: `default`, a named profile, or the -c file. */
  get profile(): string {
    return this.defaults.profile ?? this.defaults.configFile ?? DEFAULT_PROFILE
  }

  /** Switches to another profile (`use NAME` in the shell): settings, clients and caches start afresh. */
  useProfile(name: string): void {
    Object.assign(this.defaults, { configFile: undefined, profile: undefined, fleet: undefined }, sessionDefaults({ server: name }, this.io.env))
    this.reset()
  }

  /** The session of another profile for one command (`-S NAME` on a line), with this session's streams. */
  profileSession(name: string): Session {
    let other = this.others.get(name)
    if (!other) this.others.set(name, (other = this.forProfile(name)))
    other.io = this.io
    other.logLevel = this.logLevel
    return other
  }

  /** A session on another profile that shares this one's plugins, streams and token cache (fleet runs). */
  forProfile(name: string, io: IO = this.io): Session {
    const other = new Session(this.registry, io, { profile: name, ...sessionDefaults({ server: name }, io.env) })
    other.plugins = this.plugins
    other.builtins = this.builtins
    other.logLevel = this.logLevel
    other.tokens = this.tokens
    return other
  }

  get log(): Logger {
    return createLogger(this.logLevel, (line) => this.io.stderr.write(line))
  }

  /** A logger that asks the level on every line: the HTTP clients outlive one shell line, its -v does not. */
  readonly liveLog: Logger = ((session: Session): Logger => ({
    get level() {
      return session.logLevel
    },
    info: (message) => session.log.info(message),
    debug: (message) => session.log.debug(message),
    warn: (message) => session.log.warn(message),
  }))(this)

  /** Settings for this session; `configFile` of the first call wins (REPL lines share one config). */
  settings(configFile = this.defaults.configFile): Promise<ResolvedSettings> {
    // A named profile is an explicit choice of server: project config (.synadmrc …) does not override it.
    const project = !this.defaults.profile || this.defaults.profile === DEFAULT_PROFILE
    this.resolved ??= loadSettings({ configFile, env: this.io.env, cwd: this.io.cwd, project, pluginList }).catch((error) => {
      this.resolved = undefined
      throw error
    })
    return this.resolved
  }

  /** Runs fn with stdout redirected (a pipe between shell commands). */
  async withStdout<T>(stdout: Writable | undefined, fn: () => Promise<T>): Promise<T> {
    if (!stdout) return fn()
    const original = this.io
    this.io = { ...original, stdout }
    try {
      return await fn()
    } finally {
      this.io = original
    }
  }

  /** Forget settings and clients (after `synadm config` wrote a new file). */
  reset(): void {
    this.resolved = undefined
    this.clients = undefined
    this.otherClients.clear()
    this.memos.clear()
    this.serverNameCache = undefined
    this.apiFactories.clear()
    this.others.clear()
  }

  async http(): Promise<{ admin: HttpClient; matrix: HttpClient }> {
    if (this.clients) return this.clients
    const resolved = await this.settings()
    const { profile } = this.defaults
    if (profile && profile !== DEFAULT_PROFILE && !existsSync(resolved.file)) {
      throw new SynadmError('config', `no server profile '${profile}' (${resolved.file} does not exist)`, { hint: `synadm servers lists the profiles; synadm config -S ${profile} creates it` })
    }
    assertComplete(resolved)
    const s = resolved.settings
    const token = await this.token(resolved)
    const common = { token, timeoutMs: s.timeout * 1000, maxReplyBytes: Math.round(s.max_reply_mb * 1024 * 1024), verifyTls: s.ssl_verify, log: this.liveLog }
    this.clients = {
      admin: new HttpClient({ ...common, baseURL: apiBase(s, s.admin_path) }),
      matrix: new HttpClient({ ...common, baseURL: apiBase(s, s.matrix_path) }),
    }
    return this.clients
  }

  /** A client for another API of this server (MAS's): the Admin API client's token, timeout, TLS and logging. */
  async client(baseURL: string): Promise<HttpClient> {
    const { admin } = await this.http()
    let client = this.otherClients.get(baseURL)
    if (!client) this.otherClients.set(baseURL, (client = new HttpClient({ ...admin.options, baseURL })))
    return client
  }

  /** What plugins' APIs are built on: the clients with one command's signal, write checks and audit log (`bound`). */
  async services(bound: BoundDefaults = {}): Promise<ApiServices> {
    const { admin, matrix } = await this.http()
    const { settings } = await this.settings()
    return {
      admin: admin.bind(bound),
      matrix: matrix.bind(bound),
      serverName: () => this.serverName(),
      client: async (baseURL, o = {}) => (await this.client(baseURL)).bind(o.authentication ? { signal: bound.signal } : bound),
      settings,
      env: this.io.env,
      memo: <T>(key: string, make: () => Promise<T>) => {
        let value = this.memos.get(key) as Promise<T> | undefined
        if (!value) {
          this.memos.set(key, (value = make()))
          value.catch(() => this.memos.delete(key))
        }
        return value
      },
    }
  }

  /** The access token: `token`, else token_file's or token_command's (read or run once per session). */
  private token(resolved: ResolvedSettings): Promise<string> {
    const { settings } = resolved
    if (settings.token || !(settings.token_file || settings.token_command)) return Promise.resolve(settings.token)
    const key = `${resolved.file}\0${settings.token_file}\0${settings.token_command}`
    let token = this.tokens.get(key)
    if (!token) {
      // tokens.ts (and node:child_process for token_command) load only for a profile that names one
      token = import('../config/tokens.js').then(({ resolveToken }) => resolveToken(settings, this.io.env))
      this.tokens.set(key, token)
      token.catch(() => this.tokens.delete(key))
    }
    return token
  }

  /**
   * The local server name: the `homeserver` setting, else the domain of the admin's own user ID from
   * whoami — never federation discovery, which fails behind many proxies. Cached for the session.
   */
  serverName(): Promise<string> {
    this.serverNameCache ??= (async () => {
      const { settings } = await this.settings()
      if (settings.homeserver && settings.homeserver !== 'auto-retrieval') return settings.homeserver
      const { matrix } = await this.http()
      const { user_id: userId } = await matrix.get<{ user_id: string }>('client/v3/account/whoami')
      return userId.slice(userId.indexOf(':') + 1)
    })().catch((error) => {
      this.serverNameCache = undefined
      throw error
    })
    return this.serverNameCache
  }

  /** Another plugin's API over the given (per-invocation) services; the module loads once. */
  async api<T>(namespace: string, services: ApiServices): Promise<T> {
    let factory = this.apiFactories.get(namespace)
    if (!factory) {
      const entry = this.registry.apis.get(namespace)
      if (!entry) throw new SynadmError('failure', `no plugin provides the '${namespace}' API`)
      factory = entry.load()
      this.apiFactories.set(namespace, factory)
      factory.catch(() => this.apiFactories.delete(namespace))
    }
    return (await factory)(services) as T
  }
}
