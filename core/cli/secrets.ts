/**
 * What in a command line is a secret, read from the command's declaration: `secretValues` (what the typed-secret
 * masking of core/kernel/log.ts is given) and `redactCommandLine` (a line as words, for the history and the audit
 * log), both built on the one redaction of core/kernel/log.ts.
 */
import { commandShape, type OptionDef } from './options.js'
import type { ArgSpec, CommandSpec } from '../contract/spec.js'
import { REDACTED, redactUrls, SECRET_FIELDS } from '../kernel/log.js'

/**
 * An option whose value is a secret: a password, an access token, a shared secret (not a file, path, command or
 * prompt naming one), or a registration token (a credential to register: `id: 'regtok'`).
 */
const SECRET_SWITCH = /^--?([\w-]*[-_])?(password|passwd|token|secret)$/i
const isSecretOption = (def: OptionDef) => def.values.length > 0 && def.type !== 'file' && (def.spec.id === 'regtok' || def.on.some((s) => SECRET_SWITCH.test(s)))
export const isSecretArg = (arg: ArgSpec | undefined) => arg?.id === 'regtok'

/** The secret values of a parsed command: what `typedSecrets` is given. */
export function secretValues(spec: CommandSpec, args: Record<string, unknown>, options: Record<string, unknown>): string[] {
  const shape = commandShape(spec)
  const values = [...shape.options.filter(isSecretOption).map((d) => options[d.key]), ...shape.args.filter(isSecretArg).map((a) => args[a.name])]
  return values.flat().filter((v): v is string => typeof v === 'string' && v !== '')
}

/** Secret fields of JSON typed as text, the text otherwise kept as typed (even when it is not valid JSON). */
const JSON_SECRET = new RegExp(`("(?:${SECRET_FIELDS.join('|')})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^\\s,}\\]]+)`, 'gi')
const redactJsonText = (text: string, marker: string) => (/^\s*[[{]/.test(text) ? text.replace(JSON_SECRET, `$1"${marker}"`) : text)

/** A word the grammar reads as an option (not a value, not `-`, not a negative number); as core/cli/globals.ts. */
const isSwitch = (word: string) => word.startsWith('-') && word !== '-' && word !== '--' && !/^-\d/.test(word)

/** Where the command's path (or an alias) stands in the words: [start, end); none without a command. */
function findPath(words: readonly string[], spec: CommandSpec | undefined): [number, number] {
  for (const path of spec ? [spec.path, ...(spec.aliases ?? [])].map((p) => p.trim().split(/\s+/)) : []) {
    for (let start = 0; start + path.length <= words.length; start++) {
      if (path.every((w, i) => words[start + i] === w)) return [start, start + path.length]
    }
  }
  return [words.length, words.length]
}

/** What the redaction of a line knows from the declarations: switches (null: a switch taking no value) and arguments. */
interface LineGrammar {
  /** the option a switch names: the command's own after its path, the global ones anywhere */
  option(name: string, afterPath: boolean): OptionDef | null | undefined
  secretArg(n: number): boolean
  marker: string
}

/**
 * A command line (its words, as typed) with every secret replaced by `marker`: the values of secret options (also
 * glued on, `-pX`, `--password=X`) and secret arguments of the command's declaration (`spec`: the matched command),
 * secret fields of JSON values, secrets in URLs; for switches no declaration names (`globals`: the global options)
 * their name decides (`--password`, `--access-token`). What is not a secret stays as typed.
 */
export function redactCommandLine(words: readonly string[], spec: CommandSpec | undefined, globals: readonly OptionDef[], marker = REDACTED): string[] {
  const shape = spec ? commandShape(spec) : undefined
  const own = new Map<string, OptionDef | null>(shape?.options.flatMap((d) => [...d.on.map((s) => [s, d] as const), ...d.off.map((s) => [s, null] as const)]))
  const global = new Map(globals.flatMap((d) => d.on.map((s) => [s, d] as const)))
  const args = shape?.args ?? []
  const grammar: LineGrammar = {
    option: (name, afterPath) => (afterPath && own.has(name) ? own.get(name) : global.get(name)),
    secretArg: (n) => (n < args.length ? isSecretArg(args[n]) : Boolean(args.at(-1)?.variadic && isSecretArg(args.at(-1)))),
    marker,
  }
  const [start, end] = findPath(words, spec)
  const out = [...words]
  let positional = 0
  for (let i = 0; i < words.length; i++) {
    if (i >= start && i < end) continue
    const afterPath = i >= end
    if (afterPath && words[i] === '--') {
      for (let j = i + 1; j < words.length; j++) out[j] = hideValue(words[j], grammar.secretArg(positional++), marker)
      break
    }
    if (isSwitch(words[i])) i = redactSwitch(words, i, afterPath, grammar, out)
    else out[i] = hideValue(words[i], afterPath && grammar.secretArg(positional++), marker)
  }
  return out
}

/** A value: the marker when it is a secret; else as typed, but for the secrets of a URL or JSON fields in it. */
const hideValue = (word: string, secret: boolean, marker: string) => (secret ? marker : redactJsonText(redactUrls(word, marker), marker))

/** Redacts the switch at `i` and the values it takes into `out`; returns the index of the last word it took. */
function redactSwitch(words: readonly string[], i: number, afterPath: boolean, grammar: LineGrammar, out: string[]): number {
  const word = words[i]
  const { marker } = grammar
  const eq = word.startsWith('--') ? word.indexOf('=') : -1
  const name = eq > 0 ? word.slice(0, eq) : word
  const def = grammar.option(name, afterPath)
  // A switch no declaration names: its name decides.
  const secret = def ? isSecretOption(def) : def === undefined && SECRET_SWITCH.test(name)
  if (eq > 0) {
    out[i] = `${name}=${hideValue(word.slice(eq + 1), secret, marker)}`
    return i
  }
  if (def !== undefined) {
    // `[value]`: a following switch is not its value
    const taken = !def || (def.optionalValue && words[i + 1]?.startsWith('-')) ? 0 : Math.min(def.values.length, words.length - i - 1)
    for (let j = i + 1; j <= i + taken; j++) out[j] = hideValue(words[j], secret, marker)
    return i + taken
  }
  // -pX: a value glued to a short switch (-ojson)
  const head = word.startsWith('--') ? undefined : grammar.option(word.slice(0, 2), afterPath)
  if (head && head.values.length === 1) {
    out[i] = word.slice(0, 2) + hideValue(word.slice(2), isSecretOption(head), marker)
    return i
  }
  if (!secret || i + 1 >= words.length || isSwitch(words[i + 1])) return i
  out[i + 1] = marker
  return i + 1
}
