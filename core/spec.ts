/**
 * What a plugin declares about a command. Declarations are plain data plus a lazy loader, so help,
 * matching and completion work without importing any command implementation.
 */
import type { RunContext } from './context.js'

export type OptionType = 'string' | 'int' | 'bool' | 'count' | 'datetime' | 'file'

export interface OptionSpec {
  /**
   * click-style flags: `-l, --limit <n>`, `-d, --deactivated`, an on/off pair `-g, --guests / -G, --no-guests`,
   * aliases `-p, --batch-size, --paginate <n>`, several values `-t, --threepid <medium> <address>`.
   */
  flags: string
  description: string
  type?: OptionType
  default?: unknown
  choices?: readonly string[]
  /** may be given several times; the value is an array */
  repeatable?: boolean
  /** name of a completion source for the value (see PluginContext.completionSource) */
  complete?: string
  hidden?: boolean
}

export interface ArgSpec {
  name: string
  required: boolean
  variadic: boolean
  description?: string
  /** name of a completion source */
  complete?: string
}

export interface OptionGroup {
  /** exclusive: at most one; one: exactly one; any: at least one */
  kind: 'exclusive' | 'one' | 'any'
  /** option keys (camelCase of the first long name) */
  options: readonly string[]
  title?: string
}

export interface PagedSpec {
  /** key of the list in each page, e.g. `users` */
  items: string
  /** key of the next-page token in the reply (default next_token) */
  next?: string
  /** option key that receives the token (default from) */
  from?: string
}

export interface JobSpec {
  /** what to tell the user to run to check on the job later; `{id}` is replaced */
  checkLater: string
}

export type Action = (ctx: RunContext) => unknown | Promise<unknown>
export type ActionLoader = () => Promise<Action>

export interface CommandSpec {
  /** words of the command, e.g. `user list` */
  path: string
  description: string
  /** positional args in usage syntax: `<user_id> [alias] [words...]`, or parsed ArgSpecs */
  args?: string | ArgSpec[]
  /** per-argument extra data keyed by arg name (description, completion source) */
  argInfo?: Record<string, { description?: string; complete?: string }>
  options?: OptionSpec[]
  groups?: OptionGroup[]
  /** longer help text shown under the usage line */
  help?: string
  /** changes or removes data: the action must call ctx.confirm() before its first write */
  destructive?: boolean
  /** the command reads a paged endpoint; core adds --all */
  paged?: PagedSpec
  /** the command starts a server-side job; core adds --wait */
  job?: JobSpec
  /** runs without a configured server (config, help, completion…) */
  offline?: boolean
  hidden?: boolean
  aliases?: string[]
  /** unknown switches are kept in ctx.options under their name as typed (`--x-y=v` → `x-y`) instead of a usage error */
  allowUnknownOptions?: boolean
  load: ActionLoader
}

/** `lazy(() => import('./commands.js'))('list')` → a loader that imports the module only when run. */
export function lazy<M>(loadModule: () => Promise<M>) {
  let pending: Promise<M> | undefined
  return <K extends keyof M>(name: K): ActionLoader =>
    async () => {
      pending ??= loadModule()
      const action = (await pending)[name]
      if (typeof action !== 'function') throw new Error(`command implementation ${String(name)} is missing`)
      return action as unknown as Action
    }
}
