/**
 * The list of plugins `synadm plugins install/uninstall` maintain, `$XDG_CONFIG_HOME/synadm/plugins.yaml`: packages
 * resolve from synadm's plugin folder, paths from the list's folder. The session hands `pluginList` to the settings
 * loader, which adds these entries to `plugins:` of the config files (and moves the Python synadm user file's list here).
 */
import { dirname } from 'node:path'
import { readOwnYamlFile, writeFileAtomic, type PluginEntry, type PluginListSource } from '../config/settings.js'
import type { Identity } from '../config/trust.js'
import { SynadmError } from '../kernel/errors.js'
import { pluginListFile, pluginPackageDir } from './installed.js'
import { isPathEntry, resolveEntry } from './loader.js'

/** The list, refused (exit 3) when someone else could change it: it names code that runs. */
export async function readPluginList(listFile: string, id?: Identity): Promise<PluginEntry[]> {
  const data = await readOwnYamlFile(listFile, id)
  if (data?.plugins === undefined || data.plugins === null) return []
  if (!Array.isArray(data.plugins)) throw new SynadmError('config', `${listFile}: plugins must be a list`)
  return data.plugins as PluginEntry[]
}

export async function writePluginList(listFile: string, entries: PluginEntry[]): Promise<void> {
  const { default: yaml } = await import('js-yaml')
  const text = '# Plugins synadm loads at start: written by `synadm plugins install/uninstall`, yours to edit too.\n'
  await writeFileAtomic(listFile, text + yaml.dump({ plugins: entries }), 0o644)
}

/** The list's entries, each with the folder it resolves from. */
async function listedEntries(env: NodeJS.ProcessEnv, id?: Identity): Promise<{ entry: PluginEntry; base: string }[]> {
  const listFile = pluginListFile(env)
  return (await readPluginList(listFile, id)).map((entry) => {
    const name = String(Array.isArray(entry) ? entry[0] : entry)
    return { entry, base: isPathEntry(name) ? dirname(listFile) : pluginPackageDir(env) }
  })
}

/**
 * Moves `plugins:` of the user file into plugins.yaml (paths made absolute, since the list lives elsewhere;
 * packages installed the old way, under ~/.config/node_modules, become the path of their entry file) and drops it
 * from the user file. Returns the line that says so.
 */
async function moveOutOf(file: string, userData: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<string> {
  if (!Array.isArray(userData.plugins)) throw new Error('not a list')
  const listFile = pluginListFile(env)
  const base = dirname(file)
  const moved = (userData.plugins as PluginEntry[]).map((entry) => {
    const [name, options] = Array.isArray(entry) ? entry : [String(entry), undefined]
    if (typeof name !== 'string') throw new Error('a plugin name is not text')
    // the loader's lookup; a package it cannot find stays as named
    let target = name
    try {
      target = resolveEntry(name, base)
    } catch {}
    return Array.isArray(entry) ? ([target, options] as PluginEntry) : target
  })
  const existing = await readPluginList(listFile)
  const known = new Set(existing.map((e) => JSON.stringify(e)))
  await writePluginList(listFile, [...existing, ...moved.filter((e) => !known.has(JSON.stringify(e)))])
  const rest = { ...userData }
  delete rest.plugins
  const { default: yaml } = await import('js-yaml')
  await writeFileAtomic(file, yaml.dump(rest, { sortKeys: true }), 0o600)
  return `moved the plugin list from ${file} to ${listFile} (the Python synadm's config command would drop it)`
}

/** What the settings loader reads the list through. */
export const pluginList: PluginListSource = { moveOutOf, entries: listedEntries }
