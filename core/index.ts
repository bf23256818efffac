/**
 * The public API of synadm for plugins (built-in and third-party). Import only from here:
 * `import { definePlugin, lazy, type RunContext } from 'synadm'`.
 */
export { definePlugin, PLUGIN_API_VERSION, type PluginContext, type SynadmPlugin } from './plugin.js'
export { DAYS, lazy, TIMESTAMP_MS, type Action, type ArgSpec, type ChartSpec, type CommandSpec, type FleetOutcome, type FleetTable, type IdKind, type JobSpec, type OptionGroup, type OptionSpec, type PagedSpec } from './spec.js'
export { defineCommand, defineOptions, type ArgsOf, type OptionsOf } from './typed.js'
export type { RunContext, SecretSource } from './context.js'
export type { ApiFactory, ApiServices, ApiOf, CompletionFetcher, CompletionProvider, StatusCheck, StatusCheckResult, StatusCheckSpec } from './registry.js'
export { EXIT, SynadmError, usageError, type ErrorCode, type ErrorKind } from './errors.js'
export { HttpClient, path, replyField, type Method, type RequestOptions } from './http.js'
export { localDateTime, withDateTimes } from './output.js'
export { daysFromNow, parseDateTime } from './parse.js'
export { csvRow, parseCsv } from './csv.js'
export type { Page } from './paginate.js'
export type { Settings } from './config.js'
import type * as Tokens from './tokens.js'
/** A secret kept as token_file keeps the token: a file's first line, refused unless only its owner can read it. */
export const readSecretFile: typeof Tokens.readSecretFile = async (...args) => (await import('./tokens.js')).readSecretFile(...args)
/** A secret printed by a command, run as token_command is (node:child_process loads on first use). */
export const runSecretCommand: typeof Tokens.runSecretCommand = async (...args) => (await import('./tokens.js')).runSecretCommand(...args)
