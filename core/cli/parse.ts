/**
 * One grammar for both front ends: the one-shot CLI hands over argv, the REPL hands over the words of a line.
 * The grammar is click's (what Python synadm users type), so `synadm user list -l 10` and the same line at
 * the `synadm>` prompt produce the same Invocation.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { usageError } from '../kernel/errors.js'
import { idProblem } from '../contract/ids.js'
import { commandShape, displayName, type OptionDef } from './options.js'
import { dateProblem, parseDateTime } from './dates.js'
import { lookAlikes } from './suggest.js'
import type { ArgSpec, CommandSpec, IdKind, Values } from '../contract/spec.js'

/** Splits a line into pipe segments of words: shell-like quotes and backslash escapes, `|` outside quotes. */
export function scanLine(line: string): { segments: string[][]; endsInSpace: boolean } {
  const segments: string[][] = [[]]
  let word: string | null = null
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote) {
      if (ch === quote) quote = null
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      word ??= ''
    } else if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i]
    } else if (/\s/.test(ch)) {
      if (word !== null) segments[segments.length - 1].push(word)
      word = null
    } else if (ch === '|') {
      if (word !== null) segments[segments.length - 1].push(word)
      word = null
      segments.push([])
    } else word = (word ?? '') + ch
  }
  if (word !== null) segments[segments.length - 1].push(word)
  return { segments, endsInSpace: word === null && !quote && /\s$/.test(line) }
}

export { daysFromNow, parseDateTime } from './dates.js'

/** click's wording for a range: `x>=0`, `1<=x<=64` */
function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}<=x<=${max}`
  return min !== undefined ? `x>=${min}` : `x<=${max}`
}

/** A value shown in an error: control characters escaped, so a stray one cannot garble the terminal. */
const shown = (raw: string) => raw.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

/** An identifier's grammar (core/contract/ids.ts), checked before any request is built from it. */
function checkId(kind: IdKind | undefined, name: string, raw: string) {
  const problem = kind && idProblem(kind, raw)
  if (problem) throw usageError(`Invalid value for '${name}': '${shown(raw)}' ${problem}.`)
}

function convert(def: OptionDef, name: string, raw: string): unknown {
  const bad = (why: string) => usageError(`Invalid value for '${name}': '${shown(raw)}' ${why}.`)
  switch (def.type) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(raw)) throw bad('is not a valid integer')
      const n = Number(raw)
      // beyond 2^53 a number is silently rounded: refused like any other value out of range
      if (!Number.isSafeInteger(n)) throw bad(`is not in the range ${rangeText(def.spec.min ?? Number.MIN_SAFE_INTEGER, def.spec.max ?? Number.MAX_SAFE_INTEGER)}`)
      if ((def.spec.min !== undefined && n < def.spec.min) || (def.spec.max !== undefined && n > def.spec.max)) {
        throw bad(`is not in the range ${rangeText(def.spec.min, def.spec.max)}`)
      }
      return n
    }
    case 'file': {
      // as click's File: '-' is stdin; a path must name a readable file now, not when the action gets to it
      if (raw === '-') return raw
      try {
        accessSync(raw, constants.R_OK)
        if (statSync(raw).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' })
      } catch (error) {
        const why = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory' }[(error as NodeJS.ErrnoException).code ?? '']
        throw usageError(`Invalid value for '${name}': '${shown(raw)}': ${why ?? 'cannot be read'}.`)
      }
      return raw
    }
    case 'datetime': {
      const problem = dateProblem(raw)
      if (problem) throw bad(problem)
      return parseDateTime(raw)
    }
    default:
      if (def.spec.choices && !def.spec.choices.includes(raw)) {
        throw bad(`is not one of ${def.spec.choices.map((c) => `'${c}'`).join(', ')}`)
      }
      checkId(def.spec.id, name, raw)
      const problem = def.check?.(raw)
      if (problem) throw bad(problem)
      return raw
  }
}

export interface ParsedCommand {
  args: Values
  options: Values
  /** options the user actually typed (defaults excluded), for "only send what was given" */
  given: Set<string>
}

/** Parses the words after a command's path. Throws usage errors with click's wording. */
export function parseCommandWords(spec: CommandSpec, words: string[]): ParsedCommand {
  const { args: argSpecs, options: defs, target } = commandShape(spec)
  const { options, given, positionals } = readWords(spec, defs, words)
  // --help is eager, as in click: missing or extra arguments do not matter then
  if (options.help) return { args: {}, options, given }
  const args = assignArguments(argSpecs, positionals, given.has('targets') ? target : undefined)
  for (const def of defs) {
    if (options[def.key] === undefined && def.spec.default !== undefined) options[def.key] = def.spec.default
  }
  checkGroups(spec, defs, given)
  return { args, options, given }
}

/** The switches of a command, each with its option and the side of an on/off pair it is. */
type Switches = Map<string, { def: OptionDef; on: boolean }>

/** What a command's words set: options by key, the keys typed, and the positional words in order. */
class Reading {
  readonly options: Values = {}
  readonly given = new Set<string>()
  readonly positionals: string[] = []

  set(def: OptionDef, value: unknown) {
    this.given.add(def.key)
    if (def.type === 'count') this.options[def.key] = ((this.options[def.key] as number) ?? 0) + 1
    else if (def.spec.repeatable) ((this.options[def.key] as unknown[]) ??= []).push(value)
    else this.options[def.key] = value
  }
}

/** Options and positionals, left to right: `--` ends the options; `-`, and words such as `-5`, are positionals. */
function readWords(spec: CommandSpec, defs: OptionDef[], words: string[]): Reading {
  const switches: Switches = new Map()
  for (const def of defs) {
    for (const s of def.on) switches.set(s, { def, on: true })
    for (const s of def.off) switches.set(s, { def, on: false })
  }
  const reading = new Reading()
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '--') {
      reading.positionals.push(...words.slice(i + 1))
      break
    }
    if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
      reading.positionals.push(word)
      continue
    }
    const split = splitSwitch(word, switches)
    if ('cluster' in split) {
      for (const s of split.cluster) reading.set(switches.get(s)!.def, switches.get(s)!.on)
      continue
    }
    const hit = switches.get(split.name)
    if (hit) i += readOption(reading, hit, split.name, split.inline, words.slice(i + 1))
    else if (spec.allowUnknownOptions) {
      const key = split.name.replace(/^-+/, '')
      reading.options[key] = split.inline ?? true
      reading.given.add(key)
    } else throw unknownOption(split.name, switches)
  }
  return reading
}

/** click's error for a switch the command does not have, with the long switches that look like it. */
function unknownOption(name: string, switches: Switches) {
  const near = name.startsWith('--') ? lookAlikes(name, [...switches.keys()].filter((s) => s.startsWith('--'))) : []
  return usageError(`No such option: ${name}`, near.length ? `did you mean ${near.join(', ')}?` : undefined)
}

/** `--name=value` → the switch and its value; `-l10` → `-l` and `10` (glued on); `-vv` → a cluster of flags. */
function splitSwitch(word: string, switches: Switches): { name: string; inline?: string } | { cluster: string[] } {
  const eq = word.indexOf('=')
  if (word.startsWith('--') && eq > 0) return { name: word.slice(0, eq), inline: word.slice(eq + 1) }
  if (word.startsWith('--') || word.length <= 2 || switches.has(word)) return { name: word }
  const head = switches.get(word.slice(0, 2))
  if (head && head.def.values.length === 1) return { name: word.slice(0, 2), inline: word.slice(2) }
  const cluster = [...word.slice(1)].map((c) => '-' + c)
  if (cluster.every((s) => switches.get(s)?.def.values.length === 0)) return { cluster }
  return { name: word }
}

/** Sets one option from its switch: a flag, or its value(s) glued on or from the words after it. Returns the words it took. */
function readOption(reading: Reading, { def, on }: { def: OptionDef; on: boolean }, name: string, inline: string | undefined, after: string[]): number {
  if (!on || def.values.length === 0) {
    if (inline !== undefined) throw usageError(`Option '${name}' does not take a value.`)
    reading.set(def, def.type === 'count' ? 1 : on)
    return 0
  }
  const raw: string[] = inline === undefined ? [] : [inline]
  let taken = 0
  while (raw.length < def.values.length) {
    const next = after[taken]
    if (next === undefined || (def.optionalValue && next.startsWith('-'))) break
    raw.push(next)
    taken++
  }
  if (raw.length === 0 && def.optionalValue) {
    reading.set(def, true)
    return taken
  }
  if (raw.length < def.values.length) {
    throw usageError(def.values.length > 1 ? `Option '${name}' requires ${def.values.length} arguments.` : `Option '${name}' requires an argument.`)
  }
  const values = raw.map((r) => convert(def, name, r))
  reading.set(def, values.length === 1 ? values[0] : values)
  return taken
}

/**
 * The positional words as the declared arguments, each checked against its ID grammar. `byTargets`: the target
 * argument --targets stands for (one or the other).
 */
function assignArguments(argSpecs: ArgSpec[], positionals: string[], byTargets: ArgSpec | undefined): Values {
  const args: Values = {}
  let p = 0
  for (const arg of argSpecs) {
    if (arg === byTargets) continue
    if (arg.variadic) {
      args[arg.name] = positionals.slice(p)
      if (arg.required && positionals.length <= p) throw usageError(`Missing argument '${arg.name.toUpperCase()}'.`)
      p = positionals.length
    } else if (p < positionals.length) args[arg.name] = positionals[p++]
    else if (arg.required) throw usageError(`Missing argument '${arg.name.toUpperCase()}'.`)
  }
  if (p < positionals.length && byTargets && p === 0) throw usageError(`Give ${byTargets.name.toUpperCase()} or --targets, not both.`)
  if (p < positionals.length) {
    throw usageError(`Got unexpected extra argument${positionals.length - p > 1 ? 's' : ''} (${positionals.slice(p).join(' ')})`)
  }
  for (const arg of argSpecs) {
    const value = args[arg.name]
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) checkId(arg.id, arg.name.toUpperCase(), item as string)
  }
  return args
}

function checkGroups(spec: CommandSpec, defs: OptionDef[], given: Set<string>) {
  for (const group of spec.groups ?? []) {
    const used = group.options.filter((k) => given.has(k))
    const title = group.title ? `'${group.title}' ` : ''
    const list = () =>
      group.options
        .map((k) => defs.find((d) => d.key === k))
        .filter((d): d is OptionDef => d !== undefined)
        .map((d) => `  ${displayName(d)}`)
        .join('\n')
    if (group.kind !== 'any' && used.length > 1) {
      throw usageError(`Mutually exclusive options from ${title}option group cannot be used at the same time:\n${list()}`)
    }
    if (group.kind === 'one' && used.length === 0) {
      throw usageError(`Missing one of the required mutually exclusive options from ${title}option group:\n${list()}`)
    }
    if (group.kind === 'any' && used.length === 0) {
      throw usageError(`At least one of the following options from ${title}option group is required:\n${list()}`)
    }
  }
}
