/**
 * Where plugins installed with `synadm plugins install` live, and how their `import … from 'synadm'` reaches the
 * synadm that runs them:
 * - the list: `$XDG_CONFIG_HOME/synadm/plugins.yaml` (the Python synadm's `config` command rewrites
 *   ~/.config/synadm.yaml with its own keys only, so the list does not live there);
 * - the packages: an npm project of synadm's own, `$XDG_DATA_HOME/synadm/plugins` (package.json, node_modules);
 * - `node_modules/synadm` in that folder: a link to the running synadm's package, renewed whenever another synadm
 *   (upgraded, moved, run through npx) loads the plugins. A plugin elsewhere (a path, a project's node_modules)
 *   from which 'synadm' does not resolve to the running synadm gets a module resolution hook instead.
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { configDir, dataDir } from '../kernel/dirs.js'
import { requireModule } from '../kernel/modules.js'

/** the plugin list that `plugins install/uninstall` maintain */
export const pluginListFile = (env: NodeJS.ProcessEnv) => join(configDir(env), 'plugins.yaml')
/** the npm project that holds installed plugin packages */
export const pluginPackageDir = (env: NodeJS.ProcessEnv) => join(dataDir(env), 'plugins')

let runningRoot: string | undefined
/** The folder of the running synadm's package (its package.json names synadm): a checkout, a global install, npx's cache. */
export function runningPackageRoot(): string {
  if (runningRoot) return runningRoot
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'synadm') return (runningRoot = realpathSync(dir))
    } catch {}
  }
  throw new Error('cannot find the package.json of the running synadm')
}

/** Creates the plugin folder's package.json when it is missing. */
export function ensurePackageDir(dir: string): void {
  mkdirSync(dir, { recursive: true })
  const manifest = join(dir, 'package.json')
  if (!existsSync(manifest)) {
    const text = JSON.stringify({ name: 'synadm-plugins', private: true, description: 'Plugins installed by synadm plugins install', dependencies: {} }, null, 2)
    writeFileSync(manifest, text + '\n')
  }
}

/** Points `DIR/node_modules/synadm` at the running synadm (atomically: a new link renamed over the old one). */
export function linkRunningSynadm(dir: string): void {
  const root = runningPackageRoot()
  const link = join(dir, 'node_modules', 'synadm')
  try {
    if (readlinkSync(link) === root) return
  } catch {}
  mkdirSync(dirname(link), { recursive: true })
  const temp = `${link}.${process.pid}.tmp`
  try {
    unlinkSync(temp)
  } catch {}
  symlinkSync(root, temp, 'dir')
  renameSync(temp, link)
}

let hookRegistered = false
/** Resolves 'synadm' and 'synadm/…' to the running synadm for every module imported from now on (~60 ms, once). */
function registerResolveHook(): void {
  if (hookRegistered) return
  hookRegistered = true
  const root = pathToFileURL(runningPackageRoot() + sep).href
  requireModule('node:module').register(new URL('bin/resolve-synadm.mjs', root).href, { data: { root } })
}

/** Before a plugin's module is imported: make sure its `import … from 'synadm'` gets the running synadm. */
export function ensureSynadmResolves(pluginFile: string, packageDir: string): void {
  // In synadm's folder the link decides; it is checked without resolving 'synadm' first, because a failed
  // lookup would stay in Node's package.json cache and spoil the import after the link is made.
  if (pluginFile.startsWith(packageDir + sep)) return linkRunningSynadm(packageDir)
  let found: string | undefined
  try {
    found = dirname(createRequire(pluginFile).resolve('synadm/package.json'))
  } catch {}
  if (found !== runningPackageRoot()) registerResolveHook()
}
