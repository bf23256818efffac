/**
 * stderr logging for -v/-vv, and the one redaction and the one escaping of everything synadm writes to a screen or
 * a file: `redact` (JSON bodies), `redactText` (URLs, paths and queries in any text), `redactCommandLine` (a command
 * line as words, from the command's declaration) and `escapeControl` (text from servers and files shown on a
 * terminal).
 */
import { commandShape, type OptionDef } from './options.js'
import type { ArgSpec, CommandSpec } from './spec.js'

export interface Logger {
  /** -v and up */
  info(message: string): void
  /** -vv and up */
  debug(message: string): void
  /** always */
  warn(message: string): void
  readonly level: number
}

export const REDACTED = 'REDACTED'

/** JSON fields whose value is a secret, in bodies and in JSON typed on a command line. */
const SECRET_FIELDS = ['password', 'new_password', 'token', 'access_token', 'refresh_token', 'registration_shared_secret', 'shared_secret', 'mac', 'nonce', 'authorization']
const SECRET_KEYS = new RegExp(`^(${SECRET_FIELDS.join('|')})$`, 'i')

/** A deep copy with secret fields replaced, safe to log or print. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && v ? REDACTED : redact(v)]))
  }
  return value
}

/** Query parameters whose value is a secret (Matrix passes tokens and client secrets in query strings too). */
const SECRET_PARAMS = 'access_token|refresh_token|login_token|loginToken|token|client_secret|password|new_password|registration_shared_secret|shared_secret|mac|nonce'
const SECRET_QUERY = new RegExp(`([?&;](?:${SECRET_PARAMS})=)[^&#\\s'")]+`, 'gi')
/** Path segments that are secrets: a registration token lets anyone register (`registration_tokens/new` creates one). */
const SECRET_SEGMENT = /(\/registration_tokens\/)(?!new(?![\w.~%-]))[\w.~%-]+/g
/** user:password@ in a URL (a base_url may carry them) */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s'"]+@/gi

/**
 * Text with the secrets in any URLs or paths it mentions replaced: secret query parameters, secret path segments
 * and user info; and the secret values typed on the running command line (see `typedSecrets`). Every log line,
 * every error message, the audit log and every URL shown (servers, config --show) go through it.
 */
export function redactText(text: string): string {
  return typed.reduce((out, pattern) => out.replace(pattern, REDACTED), redactUrls(text))
}

const redactUrls = (text: string, marker = REDACTED) => text.replace(URL_USERINFO, `$1${marker}@`).replace(SECRET_QUERY, `$1${marker}`).replace(SECRET_SEGMENT, `$1${marker}`)

/** A secret typed shorter than this is not looked for in free text (it would hide ordinary words). */
const MIN_TYPED_SECRET = 3
let typed: RegExp[] = []

/**
 * The secret values typed for the command now running (a registration token argument, a password option): the
 * server may quote them back (Synapse's "No such registration token: X"), so redactText masks them too, as whole
 * words. A new command replaces them; the targets of a bulk run add theirs (`add`).
 */
export function typedSecrets(values: readonly string[], add = false): void {
  const patterns = values.filter((v) => v.length >= MIN_TYPED_SECRET).map((v) => new RegExp(`(?<![\\w.~-])${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.~-])`, 'g'))
  typed = add ? [...typed, ...patterns] : patterns
}

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

/** A word the grammar reads as an option (not a value, not `-`, not a negative number); as core/globals.ts. */
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

/** C0 controls, DEL and C1 controls: what a terminal acts on instead of showing. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Text with its control characters shown as escapes (`\n`, `\t`, `\x1b`, `\x07` …), so that what a server or a
 * file says cannot move the cursor, retitle the terminal or start a line of its own.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

export function createLogger(level: number, write: (line: string) => void): Logger {
  const line = (message: string) => escapeControl(redactText(message))
  return {
    level,
    info: (message) => level >= 1 && write(`INFO  ${line(message)}\n`),
    debug: (message) => level >= 2 && write(`DEBUG ${line(message)}\n`),
    warn: (message) => write(`WARN  ${line(message)}\n`),
  }
}
