/**
 * What a plugin declares about a command. Declarations are plain data plus a lazy loader, so help,
 * matching and completion work without importing any command implementation.
 */
import type { RunContext } from './run-context.js'
import type { PlanSpec } from './plan.js'

/** Arguments or options of a parsed command line, by name (core/cli/parse.ts fills them). */
export type Values = Record<string, unknown>

/** Names of completion sources, for editors; the package's types fill in the built-in ones (plugins/apis.ts). */
export interface CompletionSources {}
/** a completion source: a built-in one, or one a plugin offers */
export type CompletionSourceName = keyof CompletionSources | (string & {})

/** `file`: a readable file's path, or `-` for stdin, checked when the command line is read */
export const OPTION_TYPES = ['string', 'int', 'bool', 'count', 'datetime', 'file'] as const
export type OptionType = (typeof OPTION_TYPES)[number]

/**
 * The kind of identifier an argument or option holds. Core checks the grammar (core/contract/ids.ts) after parsing and
 * before any request; bulk targets and completion use the kind to know what a value is.
 * - `user`: a user ID (@name:server) or a localpart the command completes with the server name
 * - `user_full`: a full user ID only
 * - `room`: a room ID (!id:server, or !id for room versions 12+); `alias`: #name:server; `room_or_alias`: either
 * - `event`: an event ID ($…)
 * - `server`: a server name (federation destinations, remote media origins)
 * - `media`: a media ID; `mxc`: an mxc://server/media_id URI; `media_or_mxc`: either
 * - `device`: a device ID; `regtok`: a registration token; `report`: a numeric event/user report ID
 * - `group`: a legacy group ID (+name:server); `job`: a server-side job ID (purge_id, redact_id, delete_id)
 * - `ulid`: a ULID (26 characters of Crockford's base32), as the IDs of MAS's resources are
 */
export type IdKind =
  | 'user'
  | 'user_full'
  | 'room'
  | 'alias'
  | 'room_or_alias'
  | 'event'
  | 'server'
  | 'media'
  | 'mxc'
  | 'media_or_mxc'
  | 'device'
  | 'regtok'
  | 'report'
  | 'group'
  | 'job'
  | 'ulid'

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
  /**
   * values to offer without enforcing them (the server decides, or abbreviations are taken too): Tab completes
   * them and help lists them, as it does `choices`
   */
  suggest?: readonly string[]
  /** may be given several times; the value is an array */
  repeatable?: boolean
  /** name of a completion source for the value (see PluginContext.completionSource) */
  complete?: CompletionSourceName
  /** the value is an identifier of this kind: core checks its grammar before the command runs */
  id?: IdKind
  /** bounds of an `int` value (inclusive); without them, the safe integer range. Every built-in int declares one. */
  min?: number
  max?: number
  hidden?: boolean
}

/** Ranges shared by many options: `{ flags: '-d, --before-days <days>', type: 'int', ...DAYS, … }` */
export const DAYS = { min: 0, max: 36_500 } as const
/** epoch milliseconds from 1970 up to the latest instant a JavaScript Date holds */
export const TIMESTAMP_MS = { min: 0, max: 8_640_000_000_000_000 } as const

export interface ArgSpec {
  name: string
  required: boolean
  variadic: boolean
  description?: string
  /** name of a completion source */
  complete?: CompletionSourceName
  /**
   * the value is an identifier of this kind: core checks its grammar before the command runs; the first argument
   * having one makes the command bulk-capable (--targets)
   */
  id?: IdKind
}

/** exclusive: at most one; one: exactly one; any: at least one */
export const GROUP_KINDS = ['exclusive', 'one', 'any'] as const

export interface OptionGroup {
  kind: (typeof GROUP_KINDS)[number]
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
  /** option key of the page size (default limit) */
  limit?: string
  /**
   * page size for --all when -l is not given: the largest the endpoint serves well, measured (BENCHMARKS.md);
   * without it --all keeps the option's default
   */
  pageSize?: number
  /**
   * token: the next token is opaque (default). offset: it is the offset of the next item, so with `total`
   * --all fetches pages side by side
   */
  style?: 'token' | 'offset'
  /** key of the number of items in all pages (offset style), e.g. `total` */
  total?: string
  /** what the items are, for the "more pages" hint (default: `items`, `_` read as a space) */
  what?: string
}

/** A command whose one reply is a list of records (not paged), as `user rooms` and `report queue` print. */
export interface ListSpec {
  /** key of the list in the reply; without it the reply is the list */
  items?: string
}

export interface JobSpec {
  /** what to tell the user to run to check on the job later; `{id}` is replaced */
  checkLater: string
}

export interface BulkSpec {
  /** targets run at once by default (1 where the server does one job at a time); --concurrency overrides it */
  concurrency?: number
  /**
   * running it again on a target it already did changes nothing more (shadow-ban, deactivate, a PUT): a resumed run
   * re-runs the targets that were in flight when the earlier run was killed. Otherwise those are reported, not re-run.
   */
  idempotent?: boolean
}

/**
 * Bars beside the numbers of a list in `-o human` on a terminal (core/output/chart.ts draws them): for lists that are a
 * distribution, such as media use per user. Piped output and the other formats are unchanged.
 */
export interface ChartSpec {
  /** numeric columns that may get bars, in order: a table gets bars for the first of them it has */
  columns: readonly string[]
  /** the option that orders the list (e.g. `sort`): when it names one of `columns`, that column gets the bars */
  orderedBy?: string
  /** with `orderedBy`: bars only when the list is ordered by one of `columns` (a list by name gets none) */
  onlyOrdered?: boolean
}

/** One server's outcome in a fleet run (`-S a,b`), for CommandSpec.fleetTable. */
export interface FleetOutcome {
  /** the profile's name */
  server: string
  /** the command's exit code there */
  exitCode: number
  /** the JSON documents it printed */
  output: unknown[]
  /** its messages (stderr lines) */
  messages: string[]
}

/** What a command's fleetTable makes of all servers' outcomes: rows to print, the exit code, a closing message. */
export interface FleetTable {
  rows: Record<string, unknown>[]
  exitCode: number
  /** a closing line for stderr, printed after `synadm: ` */
  message?: string
}

/** What a command's effect is computed from: its parsed line. */
export interface EffectLine {
  args: Values
  options: Values
  /** the options typed (no defaults) */
  given: ReadonlySet<string>
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
  argInfo?: Record<string, { description?: string; complete?: CompletionSourceName; id?: IdKind }>
  options?: readonly OptionSpec[]
  groups?: readonly OptionGroup[]
  /** longer help text shown under the usage line */
  help?: string
  /** changes or removes data: the action must call ctx.confirm() before its first write */
  destructive?: boolean
  /**
   * What a line of the command does, as a verb phrase computed from its parsed options, `{target}` where its target
   * argument goes: `({ options }) => (options.unban ? 'lift the shadow-ban of {target}' : 'shadow-ban {target}')`.
   * Core says it where the action is about to happen: the confirmation of a --targets run (`shadow-ban 30 users`),
   * a fleet run's, and a dry run's `would` (`would: shadow-ban @spam:example.org`). Declare it on commands that
   * write, above all where options change what they do.
   */
  effect?: (line: EffectLine) => string
  /**
   * sends writes (any non-GET request) without being destructive; core adds --dry-run (destructive commands get it
   * too) and, in a dry run, refuses every write instead of sending it
   */
  writes?: boolean
  /** how the command runs over many targets (--targets); core adds --concurrency and --journal when it is set */
  bulk?: BulkSpec
  /**
   * the columns of its list that matter most, in a terminal shown first by `-o human` when not all fit the width
   * (the others are hidden with a note; `-o wide` and piped output show all)
   */
  mainColumns?: readonly string[]
  /**
   * fields of its output that hold points in time (ms since 1970, or ISO 8601 text), besides the ones core knows by
   * name (Matrix's `…_ts`, MAS's `…_at`, `expiry_time`, `last_seen`): `-o human` shows them as local dates
   */
  times?: readonly string[]
  /**
   * `-o human` leaves out the columns of its list that hold one value in every row, and names them with that value
   * in a note (`-o wide` and `--columns` show them): for lists where most fields repeat, such as the audit log
   */
  dropsConstantColumns?: boolean
  /** bars beside the numbers of its list in `-o human` on a terminal */
  chart?: ChartSpec
  /**
   * how a fleet run (`-S a,b`) shows the command: one row per server, made from every server's outcome (a server
   * that failed included) by the loaded function, instead of each server's items labelled with its name
   */
  fleetTable?: () => Promise<(outcomes: FleetOutcome[]) => FleetTable>
  /** the command reads a paged endpoint; core adds --all, and --where as for `list` */
  paged?: PagedSpec
  /**
   * the command prints a list of records; core adds --where (only the records it holds for), and a --targets run of
   * a command that only reads prints the records of every target as one list instead of a report
   */
  list?: ListSpec
  /** the command starts a server-side job; core adds --wait */
  job?: JobSpec
  /**
   * the command runs a plan of steps (declared with PluginContext.plan, core/contract/plan.ts): core adds --steps,
   * a `--NAME / --no-NAME` pair per step, the steps' options, --evidence, and the bulk options, and runs it
   */
  plan?: PlanSpec
  /** runs without a configured server (config, help, completion…) */
  offline?: boolean
  hidden?: boolean
  /** the command works the terminal itself (the shell): its output never goes through a pager */
  ownsTerminal?: boolean
  aliases?: readonly string[]
  /** `--help` runs the action, which shows help its own way (vorpal's Command.help) */
  ownsHelp?: boolean
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
