/** Every command, group, API and completion source that plugins declare, and the one matcher both front ends use. */
import { commandShape, forgetShape } from './options.js'
import type { StepSpec } from '../contract/plan.js'
import { GROUP_KINDS, OPTION_TYPES, type CommandSpec } from '../contract/spec.js'

export interface RegisteredCommand {
  spec: CommandSpec
  words: string[]
  plugin: string
}

/** A plugin's API, built on first use from the session's HTTP clients. */
export type ApiFactory = (services: ApiServices) => unknown
export interface ApiServices {
  admin: import('../http/client.js').HttpClient
  matrix: import('../http/client.js').HttpClient
  serverName(): Promise<string>
  /**
   * A client for another API of the same server (MAS's admin API, its well-known): the session's token (a request
   * may send another, RequestOptions.token), timeout, TLS and logging, and the command's write checks and audit
   * log; `authentication: true` for a request that gets a token and changes nothing (sent in a dry run too, not
   * audited).
   */
  client(baseURL: string, o?: { authentication?: boolean }): Promise<import('../http/client.js').HttpClient>
  /** the session's settings (config file, environment, flags) */
  settings: import('../config/settings.js').Settings
  env: NodeJS.ProcessEnv
  /** a value worked out once per session (per server profile), as the server name is; a failure is not kept */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>
}

/** Another plugin's API, for completion sources */
export type ApiOf = <T>(ns: string) => Promise<T>

/** Live values for completion (user IDs, room IDs …): fetched in the background, cached, never awaited per key. */
export type CompletionFetcher = (api: ApiOf) => Promise<string[]>

/**
 * A completion source for big servers: `fetch` gets the values to cache (the first N, and whether the server has
 * more); `search` asks the server for values containing `prefix` when the cache is partial and the typed prefix
 * matches too little. Both are best effort: a failure leaves completion with what is cached.
 */
export interface CompletionProvider {
  fetch(api: ApiOf): Promise<{ values: string[]; partial: boolean }>
  search?(api: ApiOf, prefix: string): Promise<string[]>
}

/** A source as a provider: a plain fetcher's values are all there is. */
export function completionProvider(loaded: CompletionFetcher | CompletionProvider): CompletionProvider {
  if (typeof loaded !== 'function') return loaded
  return { fetch: async (api) => ({ values: await loaded(api), partial: false }) }
}

/** Values computed from the word being typed and local state (file paths): asked on every Tab, so fast and synchronous. */
export type WordCompleter = (word: string) => string[]

/** What a status check found: its value as data, one line for the screen, and whether an admin should look. */
export interface StatusCheckResult {
  /** the check's rule applied to what it found: true when an admin should look (a paused update, a waiting report) */
  attention: boolean
  /** one line for the status screen: `2 waiting, the oldest from 2026-12-01 10:00:00` */
  summary: string
  /** what was found, as data (`-o json`) */
  value?: unknown
}

/** A check `synadm status` runs, with the command's context (its requests, `ctx.use` of other plugins' APIs). */
export type StatusCheck = (ctx: import('../contract/run-context.js').RunContext) => Promise<StatusCheckResult>

/** A check a plugin adds to `synadm status`: declared at start, loaded and run when status runs. */
export interface StatusCheckSpec {
  /** its key in `-o json` and its column in a fleet's table: lower case, digits and `_` (`stale_rooms`) */
  name: string
  /** how the status screen names it: `stale rooms` */
  title: string
  load: () => Promise<StatusCheck>
}

export class Registry {
  private readonly byPath = new Map<string, RegisteredCommand>()
  readonly groups = new Map<string, { description: string; plugin: string }>()
  readonly apis = new Map<string, { load: () => Promise<ApiFactory>; plugin: string }>()
  readonly completionSources = new Map<string, { fetch: () => Promise<CompletionFetcher | CompletionProvider>; plugin: string }>()
  readonly wordCompleters = new Map<string, { complete: WordCompleter; plugin: string }>()
  /** the checks `synadm status` runs, in the order plugins declared them */
  readonly statusChecks = new Map<string, { spec: StatusCheckSpec; plugin: string }>()
  /**
   * Plugins whose declarations are not checked at start (the built-in ones: a unit test checks them all, and the
   * checks cost start-up time on every run)
   */
  readonly trusted = new Set<string>()
  /** the steps plugins added to plans (their own plan's steps are part of its declaration) */
  private readonly stepOwners = new Map<StepSpec, { plugin: string; steps: StepSpec[] }>()
  /** words of the longest path or alias: the matcher tries no longer prefixes */
  private depth = 0

  /** Registers a command; refuses a declaration that could never work (the plugin is then not loaded). */
  addCommand(spec: CommandSpec, plugin: string): void {
    const words = spec.path.trim().split(/\s+/)
    const key = words.join(' ')
    if (!this.trusted.has(plugin)) checkDeclaration(spec, key)
    const existing = this.byPath.get(key)
    if (existing) throw new Error(`command '${key}' is already provided by plugin '${existing.plugin}'`)
    for (let n = 1; n < words.length; n++) {
      const prefix = words.slice(0, n).join(' ')
      if (this.byPath.has(prefix)) throw new Error(`'${prefix}' is a command, it cannot also be a group`)
      if (!this.groups.has(prefix)) this.groups.set(prefix, { description: '', plugin })
    }
    const aliasKeys = (spec.aliases ?? []).map((alias) => alias.trim().split(/\s+/).join(' '))
    for (const aliasKey of aliasKeys) if (this.byPath.has(aliasKey)) throw new Error(`alias '${aliasKey}' is already taken`)
    const command = { spec, words, plugin }
    this.byPath.set(key, command)
    for (const aliasKey of aliasKeys) this.byPath.set(aliasKey, command)
    this.depth = Math.max(this.depth, words.length, ...aliasKeys.map((k) => k.split(' ').length))
  }

  addGroup(path: string, description: string, plugin: string): void {
    const existing = this.groups.get(path)
    if (existing?.description && existing.plugin !== plugin) {
      throw new Error(`group '${path}' is already described by plugin '${existing.plugin}'`)
    }
    this.groups.set(path, { description, plugin })
    this.depth = Math.max(this.depth, path.split(' ').length)
  }

  /**
   * Adds a step to a plan command's steps: after the step it names, else at the end. Refuses a plan that does not
   * exist, a name taken or unfit for a switch, and a step without load().
   */
  addStep(planPath: string, step: StepSpec, plugin: string): void {
    const plan = this.find(planPath)?.spec.plan
    if (!plan) throw new Error(`step '${step.name}': there is no plan command '${planPath}'`)
    if (!/^[a-z][a-z0-9-]*$/.test(step.name)) throw new Error(`step '${step.name}': names are lower case letters, digits and -, starting with a letter`)
    if (typeof step.load !== 'function') throw new Error(`step '${step.name}': no load() for the step`)
    if (plan.steps.some((s) => s.name === step.name)) throw new Error(`plan '${planPath}' already has a step '${step.name}'`)
    const after = step.after === undefined ? plan.steps.length - 1 : plan.steps.findIndex((s) => s.name === step.after)
    if (after < 0) throw new Error(`step '${step.name}': plan '${planPath}' has no step '${step.after}' to go after`)
    plan.steps.splice(after + 1, 0, step)
    this.stepOwners.set(step, { plugin, steps: plan.steps })
    forgetShape(this.find(planPath)!.spec)
  }

  removePlugin(plugin: string): void {
    for (const [step, owner] of this.stepOwners) {
      if (owner.plugin !== plugin) continue
      owner.steps.splice(owner.steps.indexOf(step), 1)
      this.stepOwners.delete(step)
    }
    for (const [key, c] of this.byPath) if (c.plugin === plugin) this.byPath.delete(key)
    for (const [key, g] of this.groups) if (g.plugin === plugin) this.groups.delete(key)
    for (const [key, a] of this.apis) if (a.plugin === plugin) this.apis.delete(key)
    for (const [key, s] of this.completionSources) if (s.plugin === plugin) this.completionSources.delete(key)
    for (const [key, w] of this.wordCompleters) if (w.plugin === plugin) this.wordCompleters.delete(key)
    for (const [key, c] of this.statusChecks) if (c.plugin === plugin) this.statusChecks.delete(key)
  }

  /** Registers a status check; refuses a name taken or unfit for a column, and a check without load(). */
  addStatusCheck(spec: StatusCheckSpec, plugin: string): void {
    if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) throw new Error(`status check '${spec.name}': names are lower case letters, digits and _, starting with a letter`)
    if (typeof spec.load !== 'function') throw new Error(`status check '${spec.name}': no load() for the check`)
    const existing = this.statusChecks.get(spec.name)
    if (existing) throw new Error(`status check '${spec.name}' is already provided by plugin '${existing.plugin}'`)
    this.statusChecks.set(spec.name, { spec, plugin })
  }

  find(path: string): RegisteredCommand | undefined {
    return this.byPath.get(path.trim().split(/\s+/).join(' '))
  }

  /** Primary registrations (no aliases), in declaration order. */
  commands(): RegisteredCommand[] {
    return [...new Set(this.byPath.values())]
  }

  /** Longest command path that prefixes the words; else the longest group prefix. */
  match(words: string[]): { command?: RegisteredCommand; group?: string; rest: string[] } {
    for (let n = Math.min(words.length, this.depth); n > 0; n--) {
      const key = words.slice(0, n).join(' ')
      const command = this.byPath.get(key)
      if (command) return { command, rest: words.slice(n) }
    }
    for (let n = Math.min(words.length, this.depth); n > 0; n--) {
      const key = words.slice(0, n).join(' ')
      if (this.groups.has(key)) return { group: key, rest: words.slice(n) }
    }
    return { rest: words }
  }

  /** The next words after a group prefix ('' = top level), with a description each. */
  children(prefix: string): { word: string; description: string; isGroup: boolean; hidden: boolean }[] {
    const depth = prefix ? prefix.split(' ').length : 0
    const seen = new Map<string, { word: string; description: string; isGroup: boolean; hidden: boolean }>()
    const under = (key: string) => (prefix ? key.startsWith(prefix + ' ') : true)
    for (const [key, g] of this.groups) {
      const words = key.split(' ')
      if (words.length === depth + 1 && under(key)) seen.set(words[depth], { word: words[depth], description: g.description, isGroup: true, hidden: false })
    }
    for (const [key, c] of this.byPath) {
      const words = key.split(' ')
      if (words.length === depth + 1 && under(key) && !seen.has(words[depth])) {
        seen.set(words[depth], { word: words[depth], description: c.spec.description, isGroup: false, hidden: Boolean(c.spec.hidden) })
      }
    }
    return [...seen.values()].sort((a, b) => a.word.localeCompare(b.word))
  }
}

/** What can never work in a declaration: refused when registered, with the command named. */
export function checkDeclaration(spec: CommandSpec, path: string): void {
  const refuse = (why: string) => {
    throw new Error(`command '${path}': ${why}`)
  }
  if (typeof spec.load !== 'function') refuse('no load() for its implementation')
  for (const option of spec.options ?? []) {
    if (option.type !== undefined && !OPTION_TYPES.includes(option.type)) refuse(`option '${option.flags}' has type '${option.type}'; types are ${OPTION_TYPES.join(', ')}`)
  }
  const { args, options } = commandShape(spec)
  const switches = new Map<string, string>()
  for (const def of options) {
    if (def.on.length === 0 && def.off.length === 0) refuse(`option '${def.spec.flags}' has no switch`)
    for (const s of [...def.on, ...def.off]) {
      if (!/^(-[^-\s]|--[^-\s][^\s]*)$/.test(s)) refuse(`option '${def.spec.flags}': '${s}' is not a switch`)
      if (switches.has(s)) refuse(`switch '${s}' is declared twice ('${switches.get(s)}', '${def.spec.flags}')`)
      switches.set(s, def.spec.flags)
    }
    if (def.spec.choices && def.spec.default !== undefined && !def.spec.choices.includes(def.spec.default as string)) {
      refuse(`option '${def.spec.flags}' defaults to '${def.spec.default}', which is not one of its choices`)
    }
  }
  args.forEach((arg, i) => {
    if (arg.variadic && i < args.length - 1) refuse(`argument ${arg.name.toUpperCase()} takes the rest, so it must come last`)
    if (arg.required && i > 0 && !args[i - 1].required) refuse(`required argument ${arg.name.toUpperCase()} follows an optional one`)
  })
  const keys = new Set(options.map((d) => d.key))
  for (const group of spec.groups ?? []) {
    if (!GROUP_KINDS.includes(group.kind)) refuse(`option group kind '${group.kind}'; kinds are ${GROUP_KINDS.join(', ')}`)
    const unknown = group.options.filter((k) => !keys.has(k))
    if (unknown.length) refuse(`option group ${group.title ? `'${group.title}' ` : ''}names ${unknown.map((k) => `'${k}'`).join(', ')}, not options of the command (${[...keys].join(', ')})`)
  }
  if (spec.paged && !keys.has(spec.paged.from ?? 'from')) refuse(`paged: the next-page token goes to option '${spec.paged.from ?? 'from'}', which the command does not declare`)
}
