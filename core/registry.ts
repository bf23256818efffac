/** Every command, group, API and completion source that plugins declare, and the one matcher both front ends use. */
import type { CommandSpec } from './spec.js'

export interface RegisteredCommand {
  spec: CommandSpec
  words: string[]
  plugin: string
}

/** A plugin's API, built on first use from the session's HTTP clients. */
export type ApiFactory = (services: ApiServices) => unknown
export interface ApiServices {
  admin: import('./http.js').HttpClient
  matrix: import('./http.js').HttpClient
  serverName(): Promise<string>
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

export class Registry {
  private readonly byPath = new Map<string, RegisteredCommand>()
  readonly groups = new Map<string, { description: string; plugin: string }>()
  readonly apis = new Map<string, { load: () => Promise<ApiFactory>; plugin: string }>()
  readonly completionSources = new Map<string, { fetch: () => Promise<CompletionFetcher | CompletionProvider>; plugin: string }>()
  readonly wordCompleters = new Map<string, { complete: WordCompleter; plugin: string }>()

  addCommand(spec: CommandSpec, plugin: string): void {
    const words = spec.path.trim().split(/\s+/)
    const key = words.join(' ')
    const existing = this.byPath.get(key)
    if (existing) throw new Error(`command '${key}' is already provided by plugin '${existing.plugin}'`)
    for (let n = 1; n < words.length; n++) {
      const prefix = words.slice(0, n).join(' ')
      if (this.byPath.has(prefix)) throw new Error(`'${prefix}' is a command, it cannot also be a group`)
      if (!this.groups.has(prefix)) this.groups.set(prefix, { description: '', plugin })
    }
    const command = { spec, words, plugin }
    this.byPath.set(key, command)
    for (const alias of spec.aliases ?? []) {
      const aliasKey = alias.trim().split(/\s+/).join(' ')
      if (this.byPath.has(aliasKey)) throw new Error(`alias '${aliasKey}' is already taken`)
      this.byPath.set(aliasKey, command)
    }
  }

  addGroup(path: string, description: string, plugin: string): void {
    const existing = this.groups.get(path)
    if (existing?.description && existing.plugin !== plugin) {
      throw new Error(`group '${path}' is already described by plugin '${existing.plugin}'`)
    }
    this.groups.set(path, { description, plugin })
  }

  removePlugin(plugin: string): void {
    for (const [key, c] of this.byPath) if (c.plugin === plugin) this.byPath.delete(key)
    for (const [key, g] of this.groups) if (g.plugin === plugin) this.groups.delete(key)
    for (const [key, a] of this.apis) if (a.plugin === plugin) this.apis.delete(key)
    for (const [key, s] of this.completionSources) if (s.plugin === plugin) this.completionSources.delete(key)
    for (const [key, w] of this.wordCompleters) if (w.plugin === plugin) this.wordCompleters.delete(key)
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
    for (let n = Math.min(words.length, 6); n > 0; n--) {
      const key = words.slice(0, n).join(' ')
      const command = this.byPath.get(key)
      if (command) return { command, rest: words.slice(n) }
    }
    for (let n = Math.min(words.length, 6); n > 0; n--) {
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
