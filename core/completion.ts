/**
 * The one completion engine: the REPL's Tab and shell completion (tabtab) both ask it. It works from
 * declarations and a cache of live values only, so it never loads command implementations or waits on the network.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { commandSwitches, GLOBAL_DEFS, globalSwitch, leadingGlobalsLength, trailingGlobal, type GlobalDef } from './globals.js'
import { commandShape, type OptionDef } from './options.js'
import { scanLine } from './parse.js'
import type { Registry } from './registry.js'
import type { CommandSpec } from './spec.js'

export interface Candidate {
  value: string
  description?: string
}

export interface Completion {
  /** the word being completed (what candidates replace) */
  word: string
  candidates: Candidate[]
}

/** Live values by completion source name (user_id, room_id …). */
export type LiveValues = (source: string) => string[]

function switchesOf(defs: OptionDef[]): Candidate[] {
  return defs.filter((d) => !d.spec.hidden).flatMap((d) => [...d.on, ...d.off].filter((s) => s.startsWith('--')).map((value) => ({ value, description: d.spec.description })))
}

function valuesFor(source: { choices?: readonly string[]; complete?: string }, word: string, registry: Registry, live: LiveValues): Candidate[] {
  if (source.choices) return source.choices.map((value) => ({ value }))
  if (!source.complete) return []
  const local = registry.wordCompleters.get(source.complete)
  return (local ? local.complete(word) : live(source.complete)).map((value) => ({ value }))
}

const globalValues = (def: GlobalDef): Candidate[] => (def.spec.suggest ?? def.spec.choices ?? []).map((value) => ({ value }))

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
  return { used, positionals, pending, valuesLeft }
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
    return filter(pending ? globalValues(pending.def) : [])
  }
  const path = before.slice(lead)

  const match = registry.match(path)
  if (!match.command) {
    if (match.rest.length > 0) return { word, candidates: [] }
    if (word.startsWith('-')) return filter(path.length === 0 ? switchesOf(GLOBAL_DEFS) : [{ value: '--help' }])
    return filter(registry.children(match.group ?? '').filter((c) => !c.hidden).map((c) => ({ value: c.word, description: c.description })))
  }

  const { args, options } = commandShape(match.command.spec)
  const own = commandSwitches(match.command.spec)
  const { used, positionals, pending, valuesLeft } = walkWords(match.command.spec, match.rest)
  if (valuesLeft > 0 && pending) {
    const global = GLOBAL_DEFS.find((d) => d === pending)
    return filter(global ? globalValues(global) : valuesFor({ choices: pending.spec.choices, complete: pending.spec.complete }, word, registry, live))
  }
  if (word.startsWith('-')) {
    const unused = (d: OptionDef) => d.spec.repeatable || d.type === 'count' || !used.has(d)
    // After the command's own: each global option that may stand here, by its first long name the command leaves free.
    const globals = GLOBAL_DEFS.filter((d) => d.spec.trailing && !d.spec.hidden && d.name !== 'help' && unused(d)).flatMap((d) => {
      const free = d.on.find((s) => s.startsWith('--') && !own.has(s))
      return free ? [{ value: free, description: d.spec.description }] : []
    })
    return filter([...switchesOf(options.filter(unused)), ...globals])
  }
  const arg = args[Math.min(positionals, args.length - 1)]
  if (!arg || (positionals >= args.length && !arg.variadic)) return { word, candidates: [] }
  return filter(valuesFor(arg, word, registry, live))
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
  const { args, options } = commandShape(match.command.spec)
  const { used, positionals, pending, valuesLeft } = walkWords(match.command.spec, match.rest)
  if (valuesLeft > 0 && pending) return valueNames(pending).slice(pending.values.length - valuesLeft).join(' ')
  const parts: string[] = []
  for (const [n, arg] of args.entries()) {
    if (n < positionals && !arg.variadic) continue
    const name = arg.name.toUpperCase() + (arg.variadic ? '...' : '')
    parts.push(arg.required && n >= positionals ? name : `[${name}]`)
  }
  for (const def of options) {
    if (def.spec.hidden || (used.has(def) && !def.spec.repeatable) || def.on.includes('--help')) continue
    const flag = def.on.find((s) => !s.startsWith('--')) ?? def.on[0] ?? def.off[0]
    parts.push(`[${[flag, ...valueNames(def)].join(' ')}]`)
  }
  return parts.join(' ') || undefined
}

export const completionCacheFile = (env: NodeJS.ProcessEnv = process.env) => join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'synadm', 'completion.json')

/** Live values cached on disk, shared by the REPL (which refreshes them) and shell completion (which only reads). */
export class CompletionCache {
  private data: Record<string, { values: string[]; updated: number }> = {}
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

  async store(source: string, values: string[]): Promise<void> {
    this.data[source] = { values: values.slice(0, 5000), updated: Date.now() }
    await mkdir(dirname(this.file), { recursive: true })
    await writeFile(this.file, JSON.stringify(this.data), { mode: 0o600 })
  }
}
