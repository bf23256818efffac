/** The plugin contract: built-in domains and third-party packages declare themselves the same way. */
import type { ApiFactory, CompletionFetcher, CompletionProvider, Registry, WordCompleter, StatusCheckSpec } from '../cli/registry.js'
import type { CommandSpec } from './spec.js'
import type { PlanCommandSpec, StepSpec } from './plan.js'

/** Bumped on breaking changes of PluginContext, CommandSpec or RunContext. */
export const PLUGIN_API_VERSION = 1

export interface SynadmPlugin {
  name: string
  version?: string
  /** the PLUGIN_API_VERSION the plugin was written against */
  apiVersion: number
  /** Declarations only: keep it synchronous-cheap; implementations load lazily. */
  setup(ctx: PluginContext, options?: unknown): void | Promise<void>
}

export interface PluginContext {
  readonly pluginName: string
  /** describe a command group (`user`), shown in help */
  group(path: string, description: string): void
  command(spec: CommandSpec): void
  /** a command that runs a plan of steps over its targets (core/contract/plan.ts): `user takedown` */
  plan(spec: PlanCommandSpec): void
  /** adds a step to a plan, this plugin's or another's (`ctx.step('user takedown', {...})`) */
  step(planPath: string, spec: StepSpec): void
  /** offer an API to other plugins: `ctx.use('user')` in a command gets it */
  provide(namespace: string, load: () => Promise<ApiFactory>): void
  /** a named source of live completion values (`user_id`, `room_id` …); a provider can also search the server */
  completionSource(name: string, load: () => Promise<CompletionFetcher | CompletionProvider>): void
  /** a named completion computed from the typed word on the spot (file paths …), for `complete:` like a source */
  wordCompleter(name: string, complete: WordCompleter): void
  /** a check `synadm status` runs (and a column of its fleet table): what it found and whether that needs attention */
  statusCheck(spec: StatusCheckSpec): void
}

/** A plan's command: destructive (it asks once for all targets), bulk-capable; core runs it, so it has no action. */
function planCommand(spec: PlanCommandSpec): CommandSpec {
  const plan = { ...spec.plan, steps: [...spec.plan.steps] }
  return { ...spec, plan, destructive: true, bulk: { concurrency: spec.plan.concurrency, idempotent: true }, load: async () => planRunsInCore }
}

const planRunsInCore = () => {
  throw new Error('a plan command runs through core (core/campaigns/plan.ts), not through its load()')
}

export const definePlugin = (plugin: SynadmPlugin): SynadmPlugin => plugin

export function isSynadmPlugin(value: unknown): value is SynadmPlugin {
  return typeof value === 'object' && value !== null && typeof (value as SynadmPlugin).setup === 'function' && 'apiVersion' in value
}

/** Runs a plugin's setup against the registry; on failure, everything it registered is taken back. */
export async function installPlugin(registry: Registry, plugin: SynadmPlugin, options?: unknown): Promise<void> {
  const name = plugin.name
  const ctx: PluginContext = {
    pluginName: name,
    group: (path, description) => registry.addGroup(path, description, name),
    command: (spec) => registry.addCommand(spec, name),
    plan: (spec) => registry.addCommand(planCommand(spec), name),
    step: (planPath, spec) => registry.addStep(planPath, spec, name),
    provide: (namespace, load) => {
      if (registry.apis.has(namespace)) throw new Error(`API '${namespace}' is already provided by plugin '${registry.apis.get(namespace)!.plugin}'`)
      registry.apis.set(namespace, { load, plugin: name })
    },
    completionSource: (source, load) => {
      if (registry.completionSources.has(source) || registry.wordCompleters.has(source)) throw new Error(`completion source '${source}' is already provided`)
      registry.completionSources.set(source, { fetch: load, plugin: name })
    },
    wordCompleter: (source, complete) => {
      if (registry.completionSources.has(source) || registry.wordCompleters.has(source)) throw new Error(`completion source '${source}' is already provided`)
      registry.wordCompleters.set(source, { complete, plugin: name })
    },
    statusCheck: (spec) => registry.addStatusCheck(spec, name),
  }
  try {
    await plugin.setup(ctx, options)
  } catch (error) {
    registry.removePlugin(name)
    throw error
  }
}
