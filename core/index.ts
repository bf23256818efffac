/**
 * The public API of synadm for plugins (built-in and third-party). Import only from here:
 * `import { definePlugin, lazy, type RunContext } from 'synadm'`.
 */
export { definePlugin, PLUGIN_API_VERSION, type PluginContext, type SynadmPlugin } from './contract/plugin.js'
export { DAYS, lazy, TIMESTAMP_MS, type Action, type ArgSpec, type ChartSpec, type CommandSpec, type EffectLine, type FleetOutcome, type FleetTable, type IdKind, type JobSpec, type ListSpec, type OptionGroup, type OptionSpec, type PagedSpec } from './contract/spec.js'
export type { EvidenceCollector, PlanCommandSpec, PlanSpec, PlanTarget, StepAction, StepSpec, StepSurvey } from './contract/plan.js'
export { defineCommand, defineOptions, type ArgsOf, type OptionsOf } from './contract/typed.js'
export { completeAlias } from './contract/ids.js'
export type { RunContext, SecretSource } from './contract/run-context.js'
export { completionProvider, type ApiFactory, type ApiServices, type ApiOf, type CompletionFetcher, type CompletionProvider, type StatusCheck, type StatusCheckResult, type StatusCheckSpec } from './cli/registry.js'
export { EXIT, SynadmError, usageError, type ErrorCode, type ErrorKind } from './kernel/errors.js'
export { HttpClient, path, replyField, type Method, type RequestOptions } from './http/client.js'
export { localDateTime, withDateTimes } from './output/formats.js'
export { daysFromNow, parseDateTime } from './cli/parse.js'
export { compileWhere, whereProblem } from './cli/where.js'
export { asQuestion } from './cli/effect.js'
export { csvRow, parseCsv } from './output/csv.js'
export type { Page } from './run/paginate.js'
export type { Settings } from './config/settings.js'
import type * as Tokens from './config/tokens.js'
/** A secret kept as token_file keeps the token: a file's first line, refused unless only its owner can read it. */
export const readSecretFile: typeof Tokens.readSecretFile = async (...args) => (await import('./config/tokens.js')).readSecretFile(...args)
/** A secret printed by a command, run as token_command is (node:child_process loads on first use). */
export const runSecretCommand: typeof Tokens.runSecretCommand = async (...args) => (await import('./config/tokens.js')).runSecretCommand(...args)
