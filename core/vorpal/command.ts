/**
 * A vorpal Command: the builder extensions chain (`.option().autocomplete().action()`), keeping vorpal's field
 * names (`_name`, `options`, `_fn` …) that extensions and vorpal's own helpers read, and its translation into a
 * synadm CommandSpec and back (vorpal-style `args` from a parsed invocation).
 */
import { EventEmitter } from 'node:events'
import type { RunContext } from '../contract/run-context.js'
import { defineOption, parseArgSyntax } from '../cli/options.js'
import type { Action, ArgSpec, CommandSpec, OptionSpec } from '../contract/spec.js'
import type { AutocompleteSource } from './autocomplete.js'
import type { CommandInstance } from './instance.js'

export type Callback = (error?: unknown, data?: unknown) => void
export type ActionFn = (this: CommandInstance, args: never, callback: Callback) => unknown
export type ValidateFn = (this: CommandInstance, args: VorpalArgs) => unknown

/** What a vorpal action gets: positionals by name, options by long name (kebab-case), piped input. */
export interface VorpalArgs {
  options: Record<string, unknown>
  stdin?: string[]
  [name: string]: unknown
}

export class VorpalOption {
  readonly short?: string
  readonly long?: string
  /** `<value>` */
  readonly required: boolean
  /** `[value]` */
  readonly optional: boolean
  /** a `--no-x` switch: given means false */
  readonly negated: boolean
  private readonly value?: string

  constructor(
    readonly flags: string,
    readonly description = '',
    readonly autocomplete?: AutocompleteSource,
  ) {
    const tokens = flags.split(/[ ,|]+/).filter(Boolean)
    for (const token of tokens.filter((t) => t.startsWith('-')).slice(0, 2)) {
      if (token.startsWith('--')) this.long = token
      else this.short = token
    }
    this.value = tokens.find((t) => /^[<[]/.test(t))
    this.required = this.value?.startsWith('<') ?? false
    this.optional = this.value?.startsWith('[') ?? false
    this.negated = flags.includes('-no-')
  }

  /** vorpal's key in `args.options`: the long name without `--` and `no-`, else the short letter */
  name(): string {
    return this.long ? this.long.replace(/^--/, '').replace(/^no-/, '') : (this.short ?? '').replace(/^-/, '')
  }

  /** the same switches in synadm's option grammar */
  toOptionSpec(complete?: string): OptionSpec {
    const switches = [this.short, this.long].filter(Boolean).join(', ')
    return { flags: this.value ? `${switches} ${this.value}` : switches, description: this.description, complete }
  }
}

/** vorpal sorts positionals: required first, variadic last */
function sortArgs(args: ArgSpec[]): ArgSpec[] {
  const rank = (a: ArgSpec) => (a.variadic ? 2 : a.required ? 0 : 1)
  return [...args].sort((a, b) => rank(a) - rank(b))
}

export class VorpalCommand extends EventEmitter {
  _name: string
  _description: string
  _args: ArgSpec[]
  _aliases: string[] = []
  options: VorpalOption[] = []
  _mode: boolean
  _hidden: boolean
  _allowUnknownOptions = false
  _types: { string?: string[]; boolean?: string[] } = {}
  _fn?: ActionFn
  _init?: ActionFn
  _delimiter?: string
  _autocomplete?: AutocompleteSource
  _validate?: ValidateFn
  _cancel?: (this: CommandInstance) => void
  _help?: ActionFn
  _done?: (this: CommandInstance) => void
  _usage?: string

  constructor(
    spec: string,
    description: string | undefined,
    readonly parent: unknown,
    options: { mode?: boolean; noHelp?: boolean } = {},
  ) {
    super()
    const cut = spec.search(/[<[]/)
    this._name = (cut < 0 ? spec : spec.slice(0, cut)).trim().split(/\s+/).join(' ')
    this._args = sortArgs(parseArgSyntax(cut < 0 ? '' : spec.slice(cut)))
    this._description = description ?? ''
    this._mode = Boolean(options.mode)
    this._hidden = Boolean(options.noHelp)
  }

  option(flags: string, description?: string, autocomplete?: AutocompleteSource | { autocomplete?: AutocompleteSource }) {
    const source = autocomplete && !Array.isArray(autocomplete) && typeof autocomplete === 'object' && 'autocomplete' in autocomplete ? autocomplete.autocomplete : (autocomplete as AutocompleteSource | undefined)
    this.options.push(new VorpalOption(flags, description, source))
    return this
  }

  action(fn: ActionFn) {
    this._fn = fn
    return this
  }

  alias(...names: (string | string[])[]) {
    this._aliases.push(...names.flat())
    return this
  }

  description(text?: string) {
    if (text === undefined) return this._description
    this._description = text
    return this
  }

  arguments(syntax: string) {
    this._args = sortArgs(parseArgSyntax(syntax))
    return this
  }

  usage(text?: string) {
    if (text === undefined) return this._usage
    this._usage = text
    return this
  }

  autocomplete(source: AutocompleteSource) {
    this._autocomplete = source
    return this
  }

  validate(fn: ValidateFn) {
    this._validate = fn
    return this
  }

  cancel(fn: (this: CommandInstance) => void) {
    this._cancel = fn
    return this
  }

  hidden() {
    this._hidden = true
    return this
  }

  /** as vorpal's: `--help` runs fn as the action (args, callback), instead of the generated help */
  help(fn: ActionFn) {
    this._help = fn
    return this
  }

  allowUnknownOptions(allow = true) {
    this._allowUnknownOptions = allow
    return this
  }

  types(types: { string?: string[]; boolean?: string[] }) {
    this._types = types
    return this
  }

  /** modes: runs when the mode is entered */
  init(fn: ActionFn) {
    this._init = fn
    return this
  }

  /** modes: the prompt while in the mode */
  delimiter(text: string) {
    this._delimiter = text
    return this
  }

  done(fn: (this: CommandInstance) => void) {
    this._done = fn
    return this
  }

  /** vorpal 1.12 keeps this function and never calls it (command.js, session.js): accepted, chainable, unused */
  after(_fn: (this: CommandInstance) => void) {
    return this
  }

  use(fn: (command: this) => unknown) {
    return fn(this) ?? this
  }
}

/** Names of the completion sources a command's autocomplete registers (word completers). */
export const completionSourceNames = (command: VorpalCommand) => ({
  args: `vorpal:${command._name}`,
  option: (option: VorpalOption) => `vorpal:${command._name}:${option.name()}`,
})

export function toCommandSpec(command: VorpalCommand, action: Action): CommandSpec {
  const sources = completionSourceNames(command)
  return {
    path: command._name,
    description: command._description,
    args: command._args.map((arg) => ({ ...arg, complete: command._autocomplete ? sources.args : undefined })),
    options: command.options.map((option) => option.toOptionSpec(option.autocomplete ? sources.option(option) : undefined)),
    hidden: command._hidden,
    aliases: command._aliases,
    allowUnknownOptions: command._allowUnknownOptions,
    ownsHelp: Boolean(command._help),
    // Extensions run locally; they reach Synapse, if at all, through vorpal.exec of synadm commands.
    offline: true,
    load: async () => action,
  }
}

// minimist's rule: number-looking words become numbers
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$|^0x[0-9a-f]+$/i

/** The invocation as vorpal shows it: numbers coerced, options by vorpal name, absent options left out. */
export function vorpalArgs(command: VorpalCommand, ctx: Pick<RunContext, 'args' | 'options' | 'given'>): VorpalArgs {
  const strings = new Set(command._types.string ?? [])
  const coerce = (name: string, value: unknown) => (typeof value === 'string' && !strings.has(name) && NUMBER.test(value) ? Number(value) : value)
  const args: VorpalArgs = { options: {} }
  for (const arg of command._args) {
    const value = ctx.args[arg.name]
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue
    args[arg.name] = Array.isArray(value) ? value.map((v) => coerce(arg.name, v)) : coerce(arg.name, value)
  }
  const known = new Set<string>()
  for (const option of command.options) {
    const key = defineOption(option.toOptionSpec()).key
    known.add(key)
    if (!ctx.given.has(key)) continue
    const name = option.name()
    args.options[name] = option.negated ? false : coerce(name, ctx.options[key])
  }
  // allowUnknownOptions: kept under the name as typed
  for (const key of ctx.given) if (!known.has(key)) args.options[key] = coerce(key, ctx.options[key])
  return args
}
