/**
 * What an action gets, as plugins see it: the RunContext and the invocation it was made from. Types only: core's
 * run layer (core/run/context.ts) builds it; the types it names from the layers above are type-only imports.
 */
import type { Globals } from '../cli/globals.js'
import type { StatusCheckSpec } from '../cli/registry.js'
import type { Values, CommandSpec, PagedSpec } from './spec.js'
import type { ResolvedSettings, Settings } from '../config/settings.js'
import type { HttpClient } from '../http/client.js'
import type { SynadmError } from '../kernel/errors.js'
import type { Logger } from '../kernel/log.js'
import type { Format, TableLayout } from '../output/formats.js'
import type { AuditSubject } from '../run/audit.js'
import type { WaitOptions } from '../run/jobs.js'
import type { Page } from '../run/paginate.js'
import type { Prompts } from '../run/prompts.js'
import type { ArgsOf, OptionsOf } from './typed.js'

/** A parsed command line: what both front ends produce, and what the executor runs. */
export interface Invocation {
  command: CommandSpec
  /** positional arguments by name */
  args: Values
  /** options by camelCase long name, defaults applied */
  options: Values
  /** options the user typed (no defaults): send only these where Synapse patches */
  given: Set<string>
  globals: Globals
  /**
   * what the previous command of a shell pipe printed: one entry per line (one per `this.log` call when it was a
   * vorpal extension's command)
   */
  stdin?: string[]
  /** the words as typed (global options included), for the audit log */
  words?: string[]
}

/** The APIs plugins offer, by name; the package's types fill in the built-in ones (plugins/apis.ts). */
export interface Apis {}

/**
 * What an action gets. `RunContext<typeof spec>` (a spec declared with defineCommand) types `options` and `args`
 * from the declaration; a plain `RunContext` has them as untyped Values.
 */
export interface RunContext<S extends CommandSpec = any> extends Omit<Invocation, 'options' | 'args'> {
  /** options by camelCase long name, defaults applied */
  options: OptionsOf<S>
  /** positional arguments by name */
  args: ArgsOf<S>
  signal: AbortSignal
  log: Logger
  prompts: Prompts
  format: Format
  /** how tables fit the terminal and which columns they show (--columns, the command's mainColumns) */
  tables: TableLayout
  /** a person can answer prompts (terminal, not --batch) */
  interactive: boolean
  /** the command is a line of the synadm> shell */
  inShell: boolean
  /** --dry-run: reads happen, every write throws instead of being sent; confirm() ends the run with its preview */
  dryRun: boolean
  /** settings of the session (config file, env, flags) */
  settings(): Promise<Settings>
  resolvedSettings(): Promise<ResolvedSettings>
  /** Admin API client, base `{base_url}/{admin_path}` */
  admin(): Promise<HttpClient>
  /** client API client, base `{base_url}/{matrix_path}` */
  matrix(): Promise<HttpClient>
  /** another plugin's API: typed for the built-in ones (`ctx.use('user')` is a UserApi), else as `use<T>` says */
  use<K extends keyof Apis>(namespace: K): Promise<Apis[K]>
  use<T>(namespace: string): Promise<T>
  /** the local server name (homeserver setting, else whoami), cached per session */
  serverName(): Promise<string>
  /** the checks plugins declared for `synadm status` (ctx.statusCheck), in the order they were declared */
  statusChecks(): StatusCheckSpec[]
  /** synadm's [mxid] rule: `alice` → `@alice:server`; a full ID as is; anything else a usage error */
  userId(value: string): Promise<string>
  /** an optional option's value: undefined stays undefined */
  userId(value: string | undefined): Promise<string | undefined>
  /**
   * Asks before a destructive step (unless --batch), showing `preview` first. Refuses without a terminal.
   * Destructive commands cannot send a write before this returned.
   */
  confirm(question: string, preview?: unknown): Promise<void>
  /**
   * What this line does, in words: the command's declared `effect` with `target` (the target argument as the
   * action resolved it: `!id:server` for a typed alias) in place of `{target}`; undefined when none is declared.
   * For confirmations: `ctx.confirm(asQuestion(ctx.effect(roomId)!), preview)`.
   */
  effect(target?: string): string | undefined
  /** print a document now (for commands that show several), in the chosen format */
  emit(data: unknown): Promise<void>
  /** the environment (tests inject their own) */
  env: NodeJS.ProcessEnv
  /** a whole file; `-` reads stdin */
  readFile(file: string): Promise<string>
  /**
   * A secret, never required on argv: the value typed on the command line (kept for compatibility), a file
   * (`-` = stdin; one final line break dropped), an environment variable, or a hidden prompt in a terminal.
   */
  secret(source: SecretSource): Promise<string>
  /**
   * Writes documents about a target into DIR/<target>/ (folders 0700, files 0600, through the one redaction), for
   * evidence and data requests; refuses a DIR that others can write. Returns the files written.
   */
  saveEvidence(dir: string, target: string, documents: Record<string, unknown>): Promise<string[]>
  /** a line for the person, on stderr (not data) */
  note(message: string): void
  /** every page of a paged endpoint */
  pages(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec): AsyncGenerator<Page>
  items<T = unknown>(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec): AsyncGenerator<T>
  /**
   * A value made once per run of the command and shared by all its targets (a bulk run's, a plan's): `make` runs for
   * the first asker of `key`, the others get its promise. For reads many targets repeat (the details of a room
   * several users are in); gone when the command ends.
   */
  perRun<T>(key: string, make: () => Promise<T>): Promise<T>
  /** the command that checks on job `id` later: the spec's job.checkLater with the ID filled in */
  checkLater(id: string): string
  /** poll job `id` until it completes or fails (used with --wait); Ctrl-C prints checkLater(id) */
  wait<T>(o: Omit<WaitOptions<T>, 'signal' | 'progress' | 'interactive' | 'checkLater'> & { id: string }): Promise<T>
  /**
   * Runs `each` for every item as --targets runs a command: one confirmation for the set (unless a dry run),
   * --concurrency, --journal (items named by `target`), the report on stdout, a summary on stderr; each item gets a
   * context of its own whose writes obey --dry-run. Declare `bulk` on the command to get those options. Returns the
   * report; throw `bulkFailure(summary)`'s error to exit as a bulk run does (9 when some failed, 130 after Ctrl-C).
   */
  forEach<T>(items: { target: string; value: T }[], each: (value: T, ctx: RunContext) => Promise<unknown>, o?: { effect?: unknown }): Promise<BulkSummary>
  /** the error a bulk run ends with (undefined when all succeeded) */
  bulkFailure(summary: BulkSummary): SynadmError | undefined
  /** what `each` of forEach returns for an item it leaves alone on purpose: counted as skipped, not done */
  skipped(reason: string): unknown
  /** what the audit log records with each write of this command; a bulk run's targets share it, with the run's ID */
  audit: AuditSubject
}

export interface BulkSummary {
  /** items in the list */
  total: number
  entries: { target: string; ok: boolean; result?: unknown; skipped?: string; error?: string; exit_code?: number }[]
  done: number
  failed: number
  skipped: number
  notStarted: number
  stoppedBy?: SynadmError
}

export interface SecretSource {
  /** what the secret is, for prompts and messages: 'password' */
  what: string
  /** the option that names a file, for the hint: '--password-file' */
  fileOption: string
  typed?: unknown
  file?: unknown
  envVar?: string
  /** the user asked for the prompt (`-p`): a terminal beats the environment variable */
  ask?: boolean
  /** ask twice (new passwords) */
  repeat?: boolean
}
