/**
 * The one completion engine: the REPL's Tab and shell completion (tabtab) both ask it. It answers from
 * declarations and a cache of live values, never loading command implementations. On a big server the cache
 * holds only the first values of a source; when the typed prefix matches too little, the engine asks the
 * server's search, waiting at most a short deadline (results that come later join the cache for the next Tab).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { cacheDir } from '../kernel/dirs.js'
import { commandSwitches, GLOBAL_DEFS, globalSwitch, leadingGlobalsLength, trailingGlobal } from '../cli/globals.js'
import { commandShape, type OptionDef } from '../cli/options.js'
import { scanLine } from '../cli/parse.js'
import { DEFAULT_PROFILE } from '../config/profiles.js'
import { completionProvider, type ApiOf, type Registry } from '../cli/registry.js'
import type { Session } from '../run/session.js'
import type { CommandSpec } from '../contract/spec.js'

export interface Candidate {
  value: string
  description?: string
}

export interface Completion {
  /** the word being completed (what candidates replace) */
  word: string
  candidates: Candidate[]
  /** the live source the candidates came from, and the prefix of its values the typed word stands for */
  live?: { source: string; prefix: string }
}

/** Live values by completion source name (user_id, room_id …). */
export type LiveValues = (source: string) => string[]

function switchesOf(defs: OptionDef[]): Candidate[] {
  return defs.filter((d) => !d.spec.hidden).flatMap((d) => [...d.on, ...d.off].filter((s) => s.startsWith('--')).map((value) => ({ value, description: d.spec.description })))
}

/** What a value can be completed from: choices, a completion source, and the kind of ID it takes. */
interface ValueSpec {
  choices?: readonly string[]
  suggest?: readonly string[]
  complete?: string
  id?: string
}

/**
 * The live source for a value and how the typed word maps onto its values: a user argument takes localparts
 * (`al` → `alice`), a room argument aliases (`#lob` → `#lobby:server`). The sources are named after the kinds.
 */
function liveSourceOf(spec: ValueSpec, word: string): { source?: string; localparts?: boolean } {
  switch (spec.id) {
    case 'user':
      return { source: spec.complete ?? 'user_id', localparts: word !== '' && !word.startsWith('@') }
    case 'room_or_alias':
      return { source: word.startsWith('#') ? 'room_alias' : word.startsWith('!') || word === '' ? (spec.complete === 'room_alias' ? 'room_id' : spec.complete ?? 'room_id') : undefined }
    case 'alias':
      return { source: 'room_alias' }
    default:
      return { source: spec.complete }
  }
}

const localpartOf = (userId: string) => userId.slice(1, userId.includes(':') ? userId.indexOf(':') : undefined)

function valuesFor(spec: ValueSpec, word: string, registry: Registry, live: LiveValues): { values: string[]; live?: { source: string; prefix: string } } {
  const offered = spec.choices ?? spec.suggest
  if (offered) return { values: [...offered] }
  const local = spec.complete ? registry.wordCompleters.get(spec.complete) : undefined
  if (local) return { values: local.complete(word) }
  const { source, localparts } = liveSourceOf(spec, word)
  if (!source) return { values: [] }
  const values = live(source)
  if (localparts) return { values: values.filter((v) => v.startsWith('@')).map(localpartOf), live: { source, prefix: '@' + word } }
  return { values, live: { source, prefix: word } }
}

/**
 * Walks the words typed after a command path: which options are used, which positional comes next, and the
 * option still owed values; global options may stand among them (`user list -o json --all`), where the command
 * has no switch of their name.
 */
function walkWords(spec: CommandSpec, rest: string[]) {
  const { options } = commandShape(spec)
  const own = commandSwitches(spec)
  const bySwitch = new Map(options.flatMap((d) => [...d.on, ...d.off].map((s) => [s, d] as const)))
  const used = new Set<OptionDef>()
  let positionals = 0
  let pending: OptionDef | undefined
  let valuesLeft = 0
  for (const w of rest) {
    if (valuesLeft > 0) {
      valuesLeft--
      continue
    }
    const def = bySwitch.get(w.split('=')[0])
    const global = def ? undefined : trailingGlobal(w, own)
    if (def) {
      used.add(def)
      pending = def
      if (!w.includes('=') && def.on.includes(w)) valuesLeft = def.values.length
    } else if (global) {
      used.add(global.def)
      pending = global.def
      if (global.takesNext) valuesLeft = global.def.values.length
    } else if (!w.startsWith('-')) positionals++
  }
  return { used, positionals, pending, valuesLeft, ...grammarLeft(spec, used, positionals) }
}

/**
 * What the grammar still allows after the words typed: an option of an exclusive group is ruled out once another
 * of the group is given; --targets and the argument it stands for exclude each other, so `args` are the arguments
 * still to come (without the target once --targets is given) and `allowed` tells the options still possible.
 */
function grammarLeft(spec: CommandSpec, used: Set<OptionDef>, positionals: number) {
  const { args, options, target } = commandShape(spec)
  const usedKeys = new Set([...used].map((d) => d.key))
  const byTargets = Boolean(target) && usedKeys.has('targets')
  const exclusive = (spec.groups ?? []).filter((g) => g.kind !== 'any')
  const ruledOut = new Set(options.filter((d) => exclusive.some((g) => g.options.includes(d.key) && g.options.some((k) => k !== d.key && usedKeys.has(k)))))
  if (target && positionals > 0) for (const d of options) if (d.key === 'targets') ruledOut.add(d)
  return { args: byTargets ? args.filter((a) => a !== target) : args, allowed: (d: OptionDef) => !ruledOut.has(d) }
}

/** Candidates for the last word of `line` (the text before the cursor). */
export function complete(registry: Registry, line: string, live: LiveValues = () => []): Completion {
  const { segments, endsInSpace } = scanLine(line)
  const words = segments[segments.length - 1]
  const word = endsInSpace || words.length === 0 ? '' : words[words.length - 1]
  const before = endsInSpace ? words : words.slice(0, -1)
  const filter = (candidates: Candidate[]) => ({ word, candidates: candidates.filter((c) => c.value.startsWith(word)) })

  // Global options before the command words; the word may be the value of the last one.
  const lead = leadingGlobalsLength(before)
  if (lead > before.length) {
    const pending = globalSwitch(before[before.length - 1])
    return filter(pending ? valuesFor(pending.def.spec, word, registry, live).values.map((value) => ({ value })) : [])
  }
  const path = before.slice(lead)

  const match = registry.match(path)
  if (!match.command) {
    if (match.rest.length > 0) return { word, candidates: [] }
    if (word.startsWith('-')) return filter(path.length === 0 ? switchesOf(GLOBAL_DEFS) : [{ value: '--help' }])
    return filter(registry.children(match.group ?? '').filter((c) => !c.hidden).map((c) => ({ value: c.word, description: c.description })))
  }

  const { options } = commandShape(match.command.spec)
  const own = commandSwitches(match.command.spec)
  const { used, positionals, pending, valuesLeft, args, allowed } = walkWords(match.command.spec, match.rest)
  const answer = (found: { values: string[]; live?: Completion['live'] }): Completion => ({ ...filter(found.values.map((value) => ({ value }))), ...(found.live ? { live: found.live } : {}) })
  // an option's value, the command's or a global one's (`user list -o ⇥`, `-S ⇥`)
  if (valuesLeft > 0 && pending) return answer(valuesFor(pending.spec, word, registry, live))
  if (word.startsWith('-')) {
    const unused = (d: OptionDef) => allowed(d) && (d.spec.repeatable || d.type === 'count' || !used.has(d))
    // After the command's own: each global option that may stand here, by its first long name the command leaves free.
    const globals = GLOBAL_DEFS.filter((d) => d.spec.trailing && !d.spec.hidden && d.name !== 'help' && unused(d)).flatMap((d) => {
      const free = d.on.find((s) => s.startsWith('--') && !own.has(s))
      return free ? [{ value: free, description: d.spec.description }] : []
    })
    return filter([...switchesOf(options.filter(unused)), ...globals])
  }
  const arg = args[Math.min(positionals, args.length - 1)]
  if (!arg || (positionals >= args.length && !arg.variadic)) return { word, candidates: [] }
  return answer(valuesFor(arg, word, registry, live))
}

/** An option's value as a hint names it: by the option (`-l LIMIT`), or by each placeholder when it takes several. */
function valueNames(def: OptionDef): string[] {
  const long = def.on.find((s) => s.startsWith('--'))
  if (def.values.length === 1 && long) return [long.slice(2).replace(/-/g, '_').toUpperCase()]
  return def.values.map((v) => v.toUpperCase())
}

/**
 * What the command typed so far takes next, redis-cli style: `USER_ID [-f FROM] [-l LIMIT] …` after `user list `,
 * from declarations only, so it is cheap enough for every key.
 */
export function hint(registry: Registry, line: string): string | undefined {
  const { segments, endsInSpace } = scanLine(line)
  const words = segments[segments.length - 1]
  const path = words.slice(leadingGlobalsLength(words))
  if (path.length === 0) return undefined
  const match = registry.match(path)
  // Groups get no hint: Tab lists their commands.
  if (!match.command) return undefined
  // A word being typed is not finished yet: no hint until the space after it, except right after the command path.
  if (!endsInSpace && match.rest.length > 0) return undefined
  const { options } = commandShape(match.command.spec)
  const { used, positionals, pending, valuesLeft, args, allowed } = walkWords(match.command.spec, match.rest)
  if (valuesLeft > 0 && pending) return valueNames(pending).slice(pending.values.length - valuesLeft).join(' ')
  const parts: string[] = []
  for (const [n, arg] of args.entries()) {
    if (n < positionals && !arg.variadic) continue
    const name = arg.name.toUpperCase() + (arg.variadic ? '...' : '')
    parts.push(arg.required && n >= positionals ? name : `[${name}]`)
  }
  for (const def of options) {
    if (def.spec.hidden || !allowed(def) || (used.has(def) && !def.spec.repeatable) || def.on.includes('--help')) continue
    const flag = def.on.find((s) => !s.startsWith('--')) ?? def.on[0] ?? def.off[0]
    parts.push(`[${[flag, ...valueNames(def)].join(' ')}]`)
  }
  return parts.join(' ') || undefined
}

/** Live values differ per server: each profile has its own cache (`completion.json` for the default). */
export const completionCacheFile = (env: NodeJS.ProcessEnv = process.env, profile = DEFAULT_PROFILE) =>
  join(cacheDir(env), profile === DEFAULT_PROFILE ? 'completion.json' : `completion@${profile.replace(/[^\w.-]/g, '_')}.json`)

/** Cached values a source keeps at most (the file is read on every shell-completion Tab) */
const CACHE_LIMIT = 10_000

/** Live values cached on disk, shared by the REPL (which refreshes them) and shell completion (which only reads). */
export class CompletionCache {
  private data: Record<string, { values: string[]; updated: number; partial?: boolean }> = {}
  private loaded?: Promise<void>

  constructor(readonly file = completionCacheFile()) {}

  load(): Promise<void> {
    this.loaded ??= readFile(this.file, 'utf8')
      .then((text) => void (this.data = JSON.parse(text)))
      .catch(() => undefined)
    return this.loaded
  }

  values(source: string): string[] {
    return this.data[source]?.values ?? []
  }

  age(source: string): number {
    const updated = this.data[source]?.updated
    return updated ? Date.now() - updated : Infinity
  }

  /** the server may have values the cache has not: never fetched, or more than the first page */
  partial(source: string): boolean {
    const entry = this.data[source]
    return !entry || entry.partial === true
  }

  async store(source: string, values: string[], partial = false): Promise<void> {
    this.data[source] = { values: values.slice(0, CACHE_LIMIT), updated: Date.now(), partial: partial || values.length > CACHE_LIMIT }
    await this.save()
  }

  /** Values found by a search join the cache (first, so the limit drops fetched values before found ones). */
  async add(source: string, found: string[]): Promise<void> {
    const entry = this.data[source]
    const known = new Set(entry?.values ?? [])
    const fresh = found.filter((v) => !known.has(v))
    if (!fresh.length) return
    this.data[source] = { values: [...fresh, ...(entry?.values ?? [])].slice(0, CACHE_LIMIT), updated: entry?.updated ?? 0, partial: true }
    await this.save()
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true })
    await writeFile(this.file, JSON.stringify(this.data), { mode: 0o600 })
  }
}

/** How long a Tab waits for the server's search before answering from the cache (keys wait at most this long). */
export const SEARCH_DEADLINE_MS = 400
/** a typed prefix with fewer cached matches than this asks the server (when the cache is partial) */
const ENOUGH_MATCHES = 10

/**
 * Completion with live values: from the cache, and from the server's search where the cache is partial and the
 * prefix matches too little. `api` gives the plugins' APIs (it may fail: no config, no server). Shared by the
 * synadm> shell and the shell-completion server.
 */
export class LiveCompletion {
  private readonly refreshing = new Set<string>()
  private readonly searches = new Map<string, Promise<void>>()

  constructor(
    private readonly registry: Registry,
    readonly cache: CompletionCache,
    private readonly api: () => Promise<ApiOf>,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** Completion on a session's server: its plugins' APIs, asked only when a value is fetched or searched. */
  static of(session: Session, cache: CompletionCache, log?: (message: string) => void): LiveCompletion {
    const api = async () => {
      const services = await session.services()
      return <T>(ns: string) => session.api<T>(ns, services)
    }
    return new LiveCompletion(session.registry, cache, api, log)
  }

  /** Loads the cache, then refreshes every source in the background. */
  async warm(): Promise<void> {
    await this.cache.load()
    for (const source of this.registry.completionSources.keys()) void this.refresh(source)
  }

  private async provider(source: string) {
    const entry = this.registry.completionSources.get(source)
    return entry ? completionProvider(await entry.fetch()) : undefined
  }

  /** Fetches a source's first values into the cache; failures are silent (completion is best effort). */
  async refresh(source: string): Promise<void> {
    if (this.refreshing.has(source)) return
    this.refreshing.add(source)
    try {
      const provider = await this.provider(source)
      if (!provider) return
      const { values, partial } = await provider.fetch(await this.api())
      await this.cache.store(source, values, partial)
      // The fresh values replace what searches had added: a Tab searches again.
      for (const key of this.searches.keys()) if (JSON.parse(key)[0] === source) this.searches.delete(key)
    } catch (error) {
      this.log(`completion source ${source} not refreshed: ${(error as Error).message}`)
    } finally {
      this.refreshing.delete(source)
    }
  }

  /**
   * The answer from the cache `now`, and where the cache is partial and the prefix matches too little, `later`:
   * the answer with the server's values if they come within `deadlineMs` and add candidates (else undefined).
   */
  answer(line: string, deadlineMs = SEARCH_DEADLINE_MS): { now: Completion; later?: Promise<Completion | undefined> } {
    const now = complete(this.registry, line, (source) => this.cache.values(source))
    const { live } = now
    if (!live || now.candidates.length >= ENOUGH_MATCHES || !this.cache.partial(live.source)) return { now }
    const key = JSON.stringify([live.source, live.prefix])
    let search = this.searches.get(key)
    if (!search) {
      search = this.search(key, live.source, live.prefix)
      this.searches.set(key, search)
    }
    const later = async () => {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)))
      const outcome = await Promise.race([search.then(() => 'found' as const), late])
      clearTimeout(timer)
      if (outcome === 'late') return undefined
      const fresh = complete(this.registry, line, (source) => this.cache.values(source))
      return fresh.candidates.length > now.candidates.length ? fresh : undefined
    }
    return { now, later: later() }
  }

  /** Candidates for the text before the cursor; waits for the server at most `deadlineMs`. */
  async complete(line: string, deadlineMs = SEARCH_DEADLINE_MS): Promise<Completion> {
    const { now, later } = this.answer(line, deadlineMs)
    return (await later) ?? now
  }

  /** The server's values for a prefix, joined to the cache; never rejects. A failed search is tried again next time. */
  private async search(key: string, source: string, prefix: string): Promise<void> {
    try {
      const provider = await this.provider(source)
      if (!provider?.search) return
      const found = await provider.search(await this.api(), prefix)
      await this.cache.add(source, found.filter((v) => v.startsWith(prefix)))
    } catch (error) {
      this.searches.delete(key)
      this.log(`completion search in ${source} failed: ${(error as Error).message}`)
    }
  }
}
