/**
 * The global options, declared once. Everything else derives from GLOBAL_OPTIONS: parsing (the same click grammar
 * as every command's options, core/cli/parse.ts), the `Globals` type, which switches may follow the command words and
 * which of those take a value, the root, command and shell help, the shell's inherited options and completion.
 *
 * Adding a global option is one entry below (and reading `globals.<key>` where it matters): its key must be the
 * camelCase of its first long switch, as for command options (`--config-file` → `configFile`).
 */
import { usageError } from '../kernel/errors.js'
import { FORMATS } from '../output/formats.js'
import { commandShape, defineOption, type OptionDef } from './options.js'
import { parseCommandWords } from './parse.js'
import type { CommandSpec, OptionSpec } from '../contract/spec.js'

export interface GlobalOptionSpec extends OptionSpec {
  /** `count` (-vv = 2), a switch (boolean), or a value (`<…>` in flags: the last one given wins) */
  type?: 'count' | 'bool' | 'string'
  /**
   * May also follow the command words (`synadm user list --all -o jsonl`); a command's own switch of the same
   * name wins there. Options that decide how the command line is read (the config file) stand before only.
   */
  trailing: boolean
  /** Chosen once, when the process or the shell starts: a shell line may not give it. */
  perProcess?: boolean
  /** On a shell line it applies to that line only: the shell does not pass on what it was started with. */
  perLine?: boolean
}

export const GLOBAL_OPTIONS = {
  verbose: { flags: '-v, --verbose', type: 'count', trailing: true, description: 'log requests (-v), bodies (-vv), stack traces (-vv)' },
  batch: {
    flags: '--batch, --no-confirm, --yes, --non-interactive, --scripting',
    trailing: true,
    description: 'no interactive prompts; confirmations are taken as yes',
  },
  output: {
    flags: '-o, --output <format>',
    trailing: true,
    // not enforced here: -o also takes abbreviations
    suggest: FORMATS,
    description: 'output format (or y j m h p w); wide: tables with every column, whatever the terminal',
  },
  columns: {
    flags: '--columns <names>',
    trailing: true,
    description: 'only these columns of tables, in this order (human, wide, csv): --columns name,admin',
  },
  configFile: {
    flags: '-c, --config-file <path>',
    trailing: false,
    perProcess: true,
    description: 'configuration file (default ~/.config/synadm.yaml)',
  },
  pager: {
    flags: '--no-pager',
    trailing: true,
    description: 'never send output through a pager (in a terminal, output taller than the screen is paged)',
  },
  server: {
    flags: '-S, --server <name>',
    trailing: true,
    // The shell's start chooses the session's server (`use NAME` changes it); -S on a line is for that line.
    perLine: true,
    complete: 'server_profile',
    description: 'server profile (see synadm servers); a,b or all: a read on each server, labelled',
  },
  version: { flags: '--version', trailing: true, description: 'show the version and exit' },
  help: { flags: '-h, --help', trailing: true, description: 'show this message and exit' },
} as const satisfies Record<string, GlobalOptionSpec>

type Declared = typeof GLOBAL_OPTIONS
export type GlobalKey = keyof Declared
type ValueOf<S> = S extends { type: 'count' } ? number : S extends { flags: `${string}<${string}` } ? string | undefined : boolean
/** The global options of one invocation, by key of GLOBAL_OPTIONS. */
export type Globals = { -readonly [K in GlobalKey]: ValueOf<Declared[K]> }

export interface GlobalDef extends OptionDef {
  name: GlobalKey
  spec: GlobalOptionSpec
}

/** The declarations in the form the parser, help and completion use, in declaration order. */
export const GLOBAL_DEFS: GlobalDef[] = (Object.keys(GLOBAL_OPTIONS) as GlobalKey[]).map((name) => {
  const def = defineOption(GLOBAL_OPTIONS[name])
  if (def.key !== name) throw new Error(`bug: global option '${name}' must be keyed '${def.key}'`)
  return { ...def, name, spec: GLOBAL_OPTIONS[name] }
})

const BY_SWITCH = new Map(GLOBAL_DEFS.flatMap((d) => [...d.on, ...d.off].map((s) => [s, d] as const)))
/** Reads global options with the grammar of command options (clusters `-vv`, `-ojson`, `--output=json`). */
const GLOBAL_SPEC: CommandSpec = { path: '', description: '', options: GLOBAL_DEFS.map((d) => d.spec), load: async () => () => undefined }

function defaultGlobals(): Globals {
  const globals: Record<string, unknown> = {}
  // A switch that only turns something off (--no-pager) means it is on unless given.
  for (const d of GLOBAL_DEFS) globals[d.name] = d.type === 'count' ? 0 : d.values.length ? undefined : d.on.length === 0 && d.off.length > 0
  return globals as Globals
}

/** The global option a switch (as typed: `-o`, `--output=json`, `-ojson`) names, and whether its value is glued on. */
export function globalSwitch(word: string): { def: GlobalDef; inline: boolean } | undefined {
  if (word.startsWith('--')) {
    const def = BY_SWITCH.get(word.split('=')[0])
    return def && { def, inline: word.includes('=') }
  }
  const exact = BY_SWITCH.get(word)
  if (exact) return { def: exact, inline: false }
  const head = BY_SWITCH.get(word.slice(0, 2))
  if (head && head.values.length > 0) return { def: head, inline: true }
  return undefined
}

/** A word the grammar reads as an option (not a value, not `-`, not a negative number). */
const isSwitch = (word: string) => word.startsWith('-') && word !== '-' && word !== '--' && !/^-\d/.test(word)

/** How many leading words are global options (with their values): the command path starts after them. */
export function leadingGlobalsLength(words: readonly string[]): number {
  let i = 0
  while (i < words.length && isSwitch(words[i])) {
    const hit = globalSwitch(words[i])
    i += hit && !hit.inline && hit.def.on.includes(words[i]) ? 1 + hit.def.values.length : 1
  }
  return i
}

/** Reads global option words (the leading ones, plus any lifted from after the command). */
function readGlobals(words: string[]): Globals {
  const globals = defaultGlobals() as Record<string, unknown>
  if (words.length === 0) return globals as Globals
  const { options } = parseCommandWords(GLOBAL_SPEC, words)
  for (const d of GLOBAL_DEFS) if (options[d.key] !== undefined) globals[d.name] = d.type === 'bool' ? Boolean(options[d.key]) : options[d.key]
  return globals as Globals
}

/** Splits leading global options off the words; the rest starts with the command path. */
export function parseGlobals(words: string[]): { globals: Globals; rest: string[] } {
  const i = leadingGlobalsLength(words)
  return { globals: readGlobals(words.slice(0, i)), rest: words.slice(i) }
}

/**
 * Takes the global options out of the words after a command path (`synadm user list --all -o jsonl`), leaving
 * the command's own: a switch the command defines itself stays the command's, and so do the values of its options.
 * Returns the globals of the whole line: `leading` (the words before the path) and the lifted ones.
 */
export function liftGlobals(leading: string[], words: string[], own: Map<string, number>): { globals: Globals; rest: string[] } {
  const lifted: string[] = []
  const rest: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '--') {
      rest.push(...words.slice(i))
      break
    }
    const name = word.startsWith('--') ? word.split('=')[0] : word
    const arity = own.get(name)
    if (arity !== undefined) {
      const inline = word.includes('=')
      rest.push(...words.slice(i, i + 1 + (inline ? 0 : arity)))
      i += inline ? 0 : arity
      continue
    }
    const global = isSwitch(word) ? trailingGlobal(word, own) : undefined
    if (global) {
      lifted.push(word)
      if (global.takesNext) lifted.push(...words.slice(i + 1, i + 1 + global.def.values.length))
      i += global.takesNext ? global.def.values.length : 0
    } else rest.push(word)
  }
  return { globals: readGlobals([...leading, ...lifted]), rest }
}

/** Switches a command defines itself, with the number of values each takes. */
export function commandSwitches(spec: CommandSpec): Map<string, number> {
  return new Map(commandShape(spec).options.flatMap((d) => [...d.on.map((s) => [s, d.values.length] as const), ...d.off.map((s) => [s, 0] as const)]))
}

/**
 * A global option that may stand here, after the command words, where the command has no switch of its name:
 * `-o json`, `--output=json`, `-ojson`, or a cluster of global flags such as `-vv`.
 */
export function trailingGlobal(word: string, own: Map<string, number>): { def: GlobalDef; takesNext: boolean } | undefined {
  const hit = globalSwitch(word)
  if (hit?.def.spec.trailing && !own.has(hit.inline ? word.slice(0, 2) : word.split('=')[0])) {
    return { def: hit.def, takesNext: !hit.inline && hit.def.values.length > 0 }
  }
  // -vv: every letter a trailing global flag the command does not define
  const letters = /^-[a-zA-Z]{2,}$/.test(word) ? [...word.slice(1)].map((c) => BY_SWITCH.get('-' + c)) : []
  if (letters.length && letters.every((d) => d?.spec.trailing && d.values.length === 0) && ![...word.slice(1)].some((c) => own.has('-' + c))) {
    return { def: letters[0]!, takesNext: false }
  }
  return undefined
}

/** The words that give these globals again (the shell passes them on to each line); per-process ones are left out. */
export function globalWords(globals: Globals): string[] {
  const words: string[] = []
  const defaults = defaultGlobals()
  for (const d of GLOBAL_DEFS) {
    const value = globals[d.name]
    if (d.spec.perProcess || d.spec.perLine || value === defaults[d.name]) continue
    const switchName = d.on.find((s) => s.startsWith('--')) ?? d.on[0]
    if (d.type === 'count') words.push(...Array(value as number).fill(switchName))
    else if (d.values.length) words.push(switchName, String(value))
    else if (value) words.push(switchName)
  }
  return words
}

/** Refuses a shell line that gives an option the shell's start decides. */
export function refusePerProcess(globals: Globals): void {
  const defaults = defaultGlobals()
  const given = GLOBAL_DEFS.filter((d) => d.spec.perProcess && globals[d.name] !== defaults[d.name])
  if (given.length) throw usageError(`${given.map((d) => d.on.join('/')).join(', ')} is chosen when the shell starts, not per line`)
}
