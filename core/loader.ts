/**
 * Loads plugins: the built-in ones and those the config lists (a package name or a path, with options).
 * A plugin that fails — throws, targets another API version, or tries to take a command that exists —
 * is reported in one line and skipped; the rest of synadm works.
 */
import { createRequire } from 'node:module'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginEntry } from './config.js'
import { installPlugin, isSynadmPlugin, PLUGIN_API_VERSION, type SynadmPlugin } from './plugin.js'
import { importModule } from './modules.js'
import type { Registry } from './registry.js'

export interface PluginStatus {
  name: string
  source: string
  builtin: boolean
  version?: string
  error?: string
}

/** Adapts other plugin shapes (vorpal extensions) to the contract; set by core/vorpal when present. */
export type PluginAdapter = (exported: unknown, name: string) => SynadmPlugin | undefined
const adapters: PluginAdapter[] = []
export const registerPluginAdapter = (adapter: PluginAdapter) => void adapters.push(adapter)

/** ESLint-style short names: `foo` → `synadm-plugin-foo`, `@acme` → `@acme/synadm-plugin`, `@acme/foo` → `@acme/synadm-plugin-foo`. */
export function packageCandidates(name: string): string[] {
  if (name.startsWith('.') || isAbsolute(name)) return [name]
  if (/^@[^/]+$/.test(name)) return [`${name}/synadm-plugin`]
  const scoped = /^(@[^/]+)\/(.+)$/.exec(name)
  if (scoped) return scoped[2].includes('synadm-plugin') ? [name] : [`${scoped[1]}/synadm-plugin-${scoped[2]}`, name]
  return name.includes('synadm-plugin') ? [name] : [`synadm-plugin-${name}`, name]
}

async function importEntry(name: string, base: string): Promise<unknown> {
  if (name.startsWith('.') || isAbsolute(name)) return importModule(pathToFileURL(resolve(base, name)).href)
  const require = createRequire(resolve(base, 'noop.js'))
  let lastError: unknown
  for (const candidate of packageCandidates(name)) {
    try {
      return await importModule(pathToFileURL(require.resolve(candidate)).href)
    } catch (error) {
      lastError = error
    }
  }
  throw new Error(`cannot find package ${packageCandidates(name).join(' or ')} from ${base}: ${(lastError as Error)?.message?.split('\n')[0]}`)
}

export function toPlugin(exported: unknown, name: string): SynadmPlugin {
  const candidate = (exported as { default?: unknown })?.default ?? exported
  if (isSynadmPlugin(candidate)) return candidate
  for (const adapt of adapters) {
    const plugin = adapt(candidate, name)
    if (plugin) return plugin
  }
  throw new Error('exports neither a synadm plugin (definePlugin) nor a vorpal extension function')
}

export async function loadPlugin(registry: Registry, plugin: SynadmPlugin, options: unknown, status: PluginStatus): Promise<PluginStatus> {
  status.name = plugin.name ?? status.name
  status.version = plugin.version
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    status.error = `targets plugin API version ${plugin.apiVersion}, this synadm has version ${PLUGIN_API_VERSION}`
    return status
  }
  try {
    await installPlugin(registry, plugin, options)
  } catch (error) {
    status.error = (error as Error).message
  }
  return status
}

export async function loadBuiltins(registry: Registry, builtins: SynadmPlugin[]): Promise<PluginStatus[]> {
  return Promise.all(builtins.map((p) => loadPlugin(registry, p, undefined, { name: p.name, source: 'built-in', builtin: true })))
}

export async function loadConfigured(registry: Registry, entries: PluginEntry[], baseOf: (entry: PluginEntry) => string): Promise<PluginStatus[]> {
  const statuses: PluginStatus[] = []
  for (const entry of entries) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined]
    const status: PluginStatus = { name: String(name), source: String(name), builtin: false }
    try {
      const exported = await importEntry(String(name), baseOf(entry))
      statuses.push(await loadPlugin(registry, toPlugin(exported, String(name)), options, status))
    } catch (error) {
      status.error = (error as Error).message.split('\n')[0]
      statuses.push(status)
    }
  }
  return statuses
}
