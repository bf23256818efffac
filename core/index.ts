/**
 * The public API of synadm for plugins (built-in and third-party). Import only from here:
 * `import { definePlugin, lazy, type RunContext } from 'synadm'`.
 */
export { definePlugin, PLUGIN_API_VERSION, type PluginContext, type SynadmPlugin } from './plugin.js'
export { DAYS, lazy, TIMESTAMP_MS, type Action, type ArgSpec, type CommandSpec, type IdKind, type JobSpec, type OptionGroup, type OptionSpec, type PagedSpec } from './spec.js'
export { defineCommand, defineOptions, type ArgsOf, type OptionsOf } from './typed.js'
export type { RunContext, SecretSource } from './context.js'
export type { ApiFactory, ApiServices, ApiOf, CompletionFetcher, CompletionProvider } from './registry.js'
export { EXIT, SynadmError, usageError, type ErrorCode, type ErrorKind } from './errors.js'
export { HttpClient, path, replyField, type Method, type RequestOptions } from './http.js'
export { localDateTime, withDateTimes } from './output.js'
export { daysFromNow, parseDateTime } from './parse.js'
export { csvRow, parseCsv } from './csv.js'
export type { Page } from './paginate.js'
