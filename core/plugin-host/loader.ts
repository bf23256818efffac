/**
 * Loads plugins: the built-in ones and those the config lists (a package name or a path, with options).
 * A plugin that fails — throws, targets another API version, or tries to take a command that exists —
 * is reported in one line and skipped; the rest of synadm works.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginEntry } from '../config/settings.js'
import { ensureSynadmResolves } from './installed.js'
import { installPlugin, isSynadmPlugin, PLUGIN_API_VERSION, type SynadmPlugin } from '../contract/plugin.js'
import { importModule } from '../kernel/modules.js'
import type { Registry } from '../cli/registry.js'
import type { CommandSpec } from '../contract/spec.js'

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

/** A plugin entry that is a path (relative to the file that lists it), not a package name. */
export const isPathEntry = (name: string) => name.startsWith('.') || isAbsolute(name)

/**
 * The installed packages a listed name may mean: the name as written first, then ESLint-style short names (`foo` →
 * `synadm-plugin-foo`, `@acme` → `@acme/synadm-plugin`, `@acme/foo` → `@acme/synadm-plugin-foo`). The typed name wins,
 * so a package installed later under the longer name never replaces the one the admin listed.
 */
export function packageCandidates(name: string): string[] {
  if (isPathEntry(name)) return [name]
  if (/^@[^/]+$/.test(name)) return [`${name}/synadm-plugin`]
  const scoped = /^(@[^/]+)\/(.+)$/.exec(name)
  if (scoped) return scoped[2].includes('synadm-plugin') ? [name] : [name, `${scoped[1]}/synadm-plugin-${scoped[2]}`]
  return name.includes('synadm-plugin') ? [name] : [name, `synadm-plugin-${name}`]
}

/** The file a plugin entry names: a path (relative to `base`), or a package found from `base` upwards. */
export function resolveEntry(name: string, base: string): string {
  if (isPathEntry(name)) return resolve(base, name)
  const require = createRequire(resolve(base, 'noop.js'))
  let lastError: unknown
  for (const candidate of packageCandidates(name)) {
    try {
      return require.resolve(candidate)
    } catch (error) {
      lastError = error
    }
  }
  throw new Error(`cannot find package ${packageCandidates(name).join(' or ')} from ${base}: ${(lastError as Error)?.message?.split('\n')[0]}`)
}

/** The version in the package.json of the package that holds `file` (the nearest one with a name). */
function packageVersion(file: string): string | undefined {
  for (let dir = dirname(file); dirname(dir) !== dir && !dir.endsWith('node_modules'); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (manifest.name) return typeof manifest.version === 'string' ? manifest.version : undefined
    } catch {}
  }
  return undefined
}

async function importEntry(name: string, base: string, packageDir: string): Promise<{ exported: unknown; version?: string }> {
  const file = resolveEntry(name, base)
  ensureSynadmResolves(file, packageDir)
  return { exported: await importModule(pathToFileURL(file).href), version: packageVersion(file) }
}

export function toPlugin(exported: unknown, name: string): SynadmPlugin {
  const candidate = (exported as { default?: unknown })?.default ?? exported
  if (isSynadmPlugin(candidate)) return candidate
  for (const adapt of adapters) {
    const plugin = adapt(candidate, name)
    if (plugin) return plugin
  }
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as SynadmPlugin).setup === 'function') {
    throw new Error(`has no apiVersion: add apiVersion: ${PLUGIN_API_VERSION} (the number) to the exported plugin`)
  }
  throw new Error('exports neither a synadm plugin (an object with apiVersion and setup) nor a vorpal extension function')
}

export async function loadPlugin(registry: Registry, plugin: SynadmPlugin, options: unknown, status: PluginStatus): Promise<PluginStatus> {
  status.name = plugin.name ?? status.name
  status.version = plugin.version
  if (plugin.apiVersion !== PLUGIN_API_VERSION) {
    status.error =
      typeof plugin.apiVersion === 'number'
        ? `targets plugin API version ${plugin.apiVersion}, this synadm has version ${PLUGIN_API_VERSION}`
        : `apiVersion must be the number ${PLUGIN_API_VERSION}, not ${JSON.stringify(plugin.apiVersion)}`
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
  for (const p of builtins) registry.trusted.add(p.name)
  return Promise.all(builtins.map((p) => loadPlugin(registry, p, undefined, { name: p.name, source: 'built-in', builtin: true })))
}

/** `packageDir`: synadm's plugin folder, whose link to the running synadm is renewed when a plugin from it loads */
export async function loadConfigured(registry: Registry, entries: PluginEntry[], baseOf: (entry: PluginEntry) => string, packageDir: string): Promise<PluginStatus[]> {
  const statuses: PluginStatus[] = []
  for (const entry of entries) {
    const [name, options] = Array.isArray(entry) ? entry : [entry, undefined]
    const status: PluginStatus = { name: String(name), source: String(name), builtin: false }
    try {
      const { exported, version } = await importEntry(String(name), baseOf(entry), packageDir)
      const loaded = await loadPlugin(registry, toPlugin(exported, String(name)), options, status)
      loaded.version = version ?? loaded.version
      statuses.push(loaded)
    } catch (error) {
      status.error = (error as Error).message.split('\n')[0]
      statuses.push(status)
    }
  }
  return statuses
}

/** Names a plugin's commands complete from: `complete:` of options and arguments. */
function completionNames(spec: CommandSpec): { what: string; source: string }[] {
  const named: { what: string; source: string }[] = []
  for (const option of spec.options ?? []) if (option.complete) named.push({ what: `option ${option.flags.split(/[ ,]+/).find((f) => f.startsWith('--')) ?? option.flags}`, source: option.complete })
  for (const [arg, info] of Object.entries(spec.argInfo ?? {})) if (info.complete) named.push({ what: `argument ${arg}`, source: info.complete })
  if (Array.isArray(spec.args)) for (const arg of spec.args) if (arg.complete) named.push({ what: `argument ${arg.name}`, source: arg.complete })
  return named
}

/**
 * Once every plugin has declared itself: a configured plugin whose command completes from a source nobody offers
 * (a typo such as 'user_ids') is taken back, like one whose setup threw.
 */
export function checkCompletionSources(registry: Registry, statuses: PluginStatus[]): void {
  const sourceNames = () => [...registry.completionSources.keys(), ...registry.wordCompleters.keys()]
  for (const status of statuses) {
    if (status.error || status.builtin) continue
    // asked per plugin, not per name: a plugin taken back takes its sources with it
    const known = sourceNames()
    const unknown = registry
      .commands()
      .filter((c) => c.plugin === status.name)
      .flatMap((c) => completionNames(c.spec).map((n) => ({ ...n, command: c.words.join(' ') })))
      .find((n) => !known.includes(n.source))
    if (!unknown) continue
    registry.removePlugin(status.name)
    status.error = `${unknown.command}: ${unknown.what} completes from '${unknown.source}', which no plugin offers (known sources: ${sourceNames().sort().join(', ')})`
  }
}
