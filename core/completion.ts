/**
 * The one completion engine: the REPL's Tab and shell completion (tabtab) both ask it. It works from
 * declarations and a cache of live values only, so it never loads command implementations or waits on the network.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { GLOBAL_OPTIONS } from './globals.js'
import { commandShape, defineOption, type OptionDef } from './options.js'
import { scanLine } from './parse.js'
import type { Registry } from './registry.js'

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

const FORMAT_CHOICES = ['yaml', 'json', 'minified', 'human', 'pprint', 'jsonl', 'csv']
const GLOBAL_DEFS = GLOBAL_OPTIONS.map(defineOption)

function switchesOf(defs: OptionDef[]): Candidate[] {
  return defs.filter((d) => !d.spec.hidden).flatMap((d) => [...d.on, ...d.off].filter((s) => s.startsWith('--')).map((value) => ({ value, description: d.spec.description })))
}

function valuesFor(source: { choices?: readonly string[]; complete?: string }, word: string, registry: Registry, live: LiveValues): Candidate[] {
  if (source.choices) return source.choices.map((value) => ({ value }))
  if (!source.complete) return []
  const local = registry.wordCompleters.get(source.complete)
  return (local ? local.complete(word) : live(source.complete)).map((value) => ({ value }))
}

/** Candidates for the last word of `line` (the text before the cursor). */
export function complete(registry: Registry, line: string, live: LiveValues = () => []): Completion {
  const { segments, endsInSpace } = scanLine(line)
  const words = segments[segments.length - 1]
  const word = endsInSpace || words.length === 0 ? '' : words[words.length - 1]
  const before = endsInSpace ? words : words.slice(0, -1)
  const filter = (candidates: Candidate[]) => ({ word, candidates: candidates.filter((c) => c.value.startsWith(word)) })

  // Global options stand before the command words.
  let i = 0
  while (i < before.length && before[i].startsWith('-')) i += ['-o', '--output', '-c', '--config-file'].includes(before[i]) ? 2 : 1
  const previous = before[before.length - 1]
  if (i > before.length) return filter(previous === '-o' || previous === '--output' ? FORMAT_CHOICES.map((value) => ({ value })) : [])
  const path = before.slice(i)

  const match = registry.match(path)
  if (!match.command) {
    if (match.rest.length > 0) return { word, candidates: [] }
    if (word.startsWith('-')) return filter(path.length === 0 ? switchesOf(GLOBAL_DEFS) : [{ value: '--help' }])
    return filter(registry.children(match.group ?? '').filter((c) => !c.hidden).map((c) => ({ value: c.word, description: c.description })))
  }

  const { args, options } = commandShape(match.command.spec)
  const bySwitch = new Map(options.flatMap((d) => [...d.on, ...d.off].map((s) => [s, d] as const)))
  // Walk the typed words to learn which options are used and which positional comes next.
  const used = new Set<OptionDef>()
  let positionals = 0
  let pendingValue: OptionDef | undefined
  let valuesLeft = 0
  for (const w of match.rest) {
    if (valuesLeft > 0) {
      valuesLeft--
      continue
    }
    const def = bySwitch.get(w.split('=')[0])
    if (def) {
      used.add(def)
      if (!w.includes('=') && def.on.includes(w)) valuesLeft = def.values.length
    } else if (!w.startsWith('-')) positionals++
  }
  if (valuesLeft > 0) {
    pendingValue = [...used].pop()
    return filter(pendingValue ? valuesFor({ choices: pendingValue.spec.choices, complete: pendingValue.spec.complete }, word, registry, live) : [])
  }
  if (word.startsWith('-')) return filter(switchesOf(options.filter((d) => d.spec.repeatable || !used.has(d))))
  const arg = args[Math.min(positionals, args.length - 1)]
  if (!arg || (positionals >= args.length && !arg.variadic)) return { word, candidates: [] }
  return filter(valuesFor(arg, word, registry, live))
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
