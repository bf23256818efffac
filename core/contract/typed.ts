/**
 * Typed options and arguments for actions, derived from the declaration (as citty's defineCommand or oclif's
 * Flags do): declare with `defineCommand`, and the action that takes `RunContext<typeof spec>` reads
 * `ctx.options.limit` as a number and `ctx.args.user_id` as a string, without casts. Types only: the helpers
 * below return their argument, so declarations stay plain data and actions stay lazily loaded (an action module
 * imports its declaration with `import type`).
 *
 * The key of an option is the camelCase of its first long switch (`--user-id` → `userId`, a lone `--no-x` → `x`),
 * as core/cli/options.ts reads it at run time; its value:
 * - `type: 'int' | 'count' | 'datetime'` → number (datetime: epoch ms); `bool`, or a switch without a value → boolean
 * - `choices` → their union; a value (`<n>`) → string; several values (`<medium> <address>`) → string[]; `[value]` → string | true
 * - an on/off pair whose on side takes a value (`--txn-id <id> / --no-txn-id`) → that value | false (the off switch)
 * - `repeatable` → an array; without a `default`, `| undefined` (on/off pairs: undefined when neither is given)
 * - the option that receives a paged command's next-page token also takes the token (a string) under --all
 */
import type { CommandSpec, OptionSpec, Values } from './spec.js'

/** Declares a command, keeping its literal types for `RunContext<typeof spec>`. */
export const defineCommand = <const S extends CommandSpec>(spec: S): S => spec
/** Declares options shared by several commands, keeping their literal types. */
export const defineOptions = <const O extends readonly OptionSpec[]>(options: O): O => options

type OnPart<F extends string> = F extends `${infer On} / ${string}` ? On : F
type NoCommas<S extends string> = S extends `${infer A},${infer B}` ? `${A} ${NoCommas<B>}` : S
type Words<S extends string> = S extends `${infer A} ${infer B}` ? [...Words<A>, ...Words<B>] : S extends '' ? [] : [S]
type FlagWords<F extends string> = Words<NoCommas<OnPart<F>>>
type SwitchesOf<W extends string[]> = W extends [infer H extends string, ...infer R extends string[]] ? (H extends `-${string}` ? [H, ...SwitchesOf<R>] : SwitchesOf<R>) : []
type ValuesOf<W extends string[]> = W extends [infer H extends string, ...infer R extends string[]] ? (H extends `<${string}` | `[${string}` ? [H, ...ValuesOf<R>] : ValuesOf<R>) : []
type FirstLong<W extends string[]> = W extends [infer H extends string, ...infer R extends string[]] ? (H extends `--${string}` ? H : FirstLong<R>) : undefined
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S
type Undash<S extends string> = S extends `--${infer R}` ? R : S extends `-${infer R}` ? R : S

type Switches<F extends string> = SwitchesOf<FlagWords<F>>
/** The key an option's flags give it in ctx.options. */
export type OptionKey<F extends string> =
  Switches<F> extends [`--no-${infer X}`]
    ? ValuesOf<FlagWords<F>> extends []
      ? Camel<X>
      : Camel<`no-${X}`>
    : FirstLong<Switches<F>> extends `--${infer L}`
      ? Camel<L>
      : Switches<F> extends [infer H extends string, ...string[]]
        ? Camel<Undash<H>>
        : never

type OnValue<O extends OptionSpec> = O['type'] extends 'int' | 'count' | 'datetime'
  ? number
  : O['type'] extends 'bool'
    ? boolean
    : O extends { choices: readonly (infer C)[] }
      ? C
      : ValuesOf<FlagWords<O['flags']>> extends []
        ? boolean
        : ValuesOf<FlagWords<O['flags']>> extends [`[${string}`]
          ? string | true
          : ValuesOf<FlagWords<O['flags']>> extends [string]
            ? string
            : string[]
/** the off switch of a pair sets the option to false (core/cli/parse.ts; a count to 1); for a switch without a value that is its boolean */
type Scalar<O extends OptionSpec> = O['flags'] extends `${string} / ${string}` ? (O['type'] extends 'count' ? OnValue<O> : OnValue<O> | false) : OnValue<O>

type Present<O extends OptionSpec, T> = O extends { default: {} | null } ? T : T | undefined
/** The value an option has in ctx.options. */
export type OptionValue<O extends OptionSpec> = Present<O, O extends { repeatable: true } ? Scalar<O>[] : Scalar<O>>

type OptionList<S extends CommandSpec> = NonNullable<S['options']>[number]
type Declared<S extends CommandSpec> = { [O in OptionList<S> as OptionKey<O['flags']>]: OptionValue<O> }
type CoreAdded<S> = (S extends { paged: object } ? { all?: boolean } : {}) & (S extends { paged: object } | { list: object } ? { where?: string[] } : {}) & (S extends { job: object } ? { wait?: boolean } : {}) & { help?: boolean }
type PagedFrom<S> = S extends { paged: { from: infer K extends string } } ? K : S extends { paged: object } ? 'from' : never
type WithTokens<T, K> = { [P in keyof T]: P extends K ? T[P] | string : T[P] }

/** ctx.options of a command declared with defineCommand; plain Values for a spec that is not literal. */
export type OptionsOf<S extends CommandSpec> = CommandSpec extends S ? Values : string extends OptionList<S>['flags'] ? Values : WithTokens<Declared<S>, PagedFrom<S>> & CoreAdded<S>

type ArgWords<A extends string> = Words<A>
type ArgEntry<W extends string> = W extends `<${infer N}...>` | `<...${infer N}>`
  ? [N, string[]]
  : W extends `[${infer N}...]` | `[...${infer N}]`
    ? [N, string[]]
    : W extends `<${infer N}>`
      ? [N, string]
      : W extends `[${infer N}]`
        ? [N, string | undefined]
        : never
type ArgsFrom<A extends string> = { [E in ArgEntry<ArgWords<A>[number]> as E[0]]: E[1] }

/** ctx.args of a command declared with defineCommand (usage syntax `<user_id> [reason] [files...]`). */
export type ArgsOf<S extends CommandSpec> = CommandSpec extends S ? Values : S extends { args: infer A extends string } ? (string extends A ? Values : ArgsFrom<A>) : S extends { args: readonly unknown[] } ? Values : {}
