/**
 * `synadm plugins list/install/uninstall/update`: npm installs packages into synadm's own plugin folder (never a
 * second synadm: peer dependencies are left to the link to the running synadm), and plugins.yaml lists them.
 * A plugin is kept only when it loads beside the built-in and configured ones, commands and APIs included;
 * otherwise the folder is put back as it was.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import type { CoreContext } from '../run/context.js'
import type * as spec from './index.js'
import { expandHome, type PluginEntry } from '../config/settings.js'
import { isPathEntry } from '../plugin-host/loader.js'
import { readPluginList, writePluginList } from '../plugin-host/plugin-list.js'
import { SynadmError, usageError } from '../kernel/errors.js'
import { ensurePackageDir, linkRunningSynadm, pluginListFile, pluginPackageDir, runningPackageRoot } from '../plugin-host/installed.js'
import { checkCompletionSources, loadBuiltins, loadConfigured, packageCandidates } from '../plugin-host/loader.js'
import { Registry } from '../cli/registry.js'

export function list(ctx: CoreContext<typeof spec.pluginsList>) {
  return ctx.session.plugins.map((p) => ({ name: p.name, source: p.source, version: p.version ?? null, status: p.error ? `failed: ${p.error}` : 'loaded' }))
}

/** npm's flags for synadm's folder: a plugin's peer dependency on synadm is not installed (the link stands for it). */
const NPM_FLAGS = ['--legacy-peer-deps', '--install-links', '--no-audit', '--no-fund', '--no-update-notifier']

/** Runs a program to its end (Ctrl-C stops it), collecting what it prints. */
function runToEnd(ctx: CoreContext, program: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { cwd, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'], signal: ctx.signal })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', fail)
    child.on('close', (status) => done({ code: status ?? 1, stdout, stderr }))
  })
}

async function npm(ctx: CoreContext, dir: string, args: string[]): Promise<void> {
  ctx.note(`npm ${args.filter((a) => !NPM_FLAGS.includes(a)).join(' ')}`)
  const { code, stdout, stderr } = await runToEnd(ctx, 'npm', args, dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
    throw new SynadmError('config', 'npm was not found: installing plugins needs npm, which comes with Node.js', { hint: 'put npm on PATH' })
  })
  if (code !== 0) {
    // npm writes its errors to stderr
    const reason = `${stderr}\n${stdout}`.split('\n').filter((line) => /npm (error|ERR!)/.test(line)).slice(0, 3).map((line) => line.replace(/^npm (error|ERR!) ?/, ''))
    throw new SynadmError('failure', `npm ${args[0]} failed (exit ${code})${reason.length ? ': ' + reason.join(' / ') : ''}`)
  }
}

interface Manifest {
  dependencies?: Record<string, string>
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

/** package.json and package-lock.json as they were, to put back when a plugin does not load. */
function snapshot(dir: string) {
  const files = ['package.json', 'package-lock.json'].map((name) => ({ file: join(dir, name), text: existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined }))
  return async (ctx: CoreContext) => {
    for (const { file, text } of files) if (text !== undefined) writeFileSync(file, text)
    await npm(ctx, dir, ['install', ...NPM_FLAGS])
    linkRunningSynadm(dir)
  }
}

/**
 * What the user typed, and nothing else: a path (made absolute for npm) or a tarball is installed from there; any
 * other word is the package name npm gets, with an optional version. No name is guessed (a `synadm-plugin-` name
 * asked for first would install whoever publishes it), and a word that starts with `-` is refused: npm would read
 * it as one of its options.
 */
function installSpec(what: string, cwd: string): string {
  if (what.startsWith('-')) throw usageError(`'${what}' is not a plugin: a package name, folder or tarball does not start with '-'`, 'a folder of that name: ./' + what)
  const local = isPathEntry(what) || what.startsWith('~') || /\.(tgz|tar\.gz)$/.test(what)
  return local ? resolve(cwd, expandHome(what)) : what
}

/**
 * `plugins verify NAME…` (hidden; run in a new process by install and update, so that the new versions are the
 * ones imported): loads the plugins from synadm's folder in a registry of their own, beside the built-in and the
 * other configured plugins, and loads every command implementation, API module and completion source they
 * declare: what fails here would fail at run time.
 */
export async function verify(ctx: CoreContext<typeof spec.pluginsVerify>) {
  const names = ctx.args.names as string[]
  const dir = pluginPackageDir(ctx.env)
  const resolved = await ctx.resolvedSettings()
  const others = resolved.settings.plugins.filter((e) => !names.some((name) => [name, ...packageCandidates(name)].some((n) => sameName(e, n))))
  const registry = new Registry()
  await loadBuiltins(registry, ctx.session.builtins)
  const all = await loadConfigured(registry, [...others, ...names], (e) => resolved.pluginBases.get(e) ?? dir, dir)
  const statuses = all.slice(others.length)
  checkCompletionSources(registry, statuses)
  const verified = []
  for (const status of statuses) {
    if (status.error) throw new SynadmError('failure', `plugin ${status.name} does not load: ${status.error}`)
    const commands = registry.commands().filter((c) => c.plugin === status.name)
    try {
      for (const command of commands) await command.spec.load()
      for (const api of [...registry.apis.values()].filter((a) => a.plugin === status.name)) await api.load()
      for (const source of [...registry.completionSources.values()].filter((s) => s.plugin === status.name)) await source.fetch()
      for (const check of [...registry.statusChecks.values()].filter((c) => c.plugin === status.name)) await check.spec.load()
    } catch (error) {
      throw new SynadmError('failure', `plugin ${status.name} loads, but not all of its modules do: ${(error as Error).message.split('\n')[0]}`)
    }
    verified.push({ name: status.name, package: status.source, version: status.version ?? null, commands: commands.map((c) => c.words.join(' ')) })
  }
  return verified
}

type Verified = Awaited<ReturnType<typeof verify>>

/** `plugins verify` in a new synadm process. */
async function verifyApart(ctx: CoreContext, names: string[]): Promise<Verified> {
  const bin = join(runningPackageRoot(), 'bin', 'synadm.js')
  const configFile = ctx.session.defaults.configFile
  const argv = [bin, ...(configFile ? ['-c', configFile] : []), '-o', 'json', 'plugins', 'verify', ...names]
  const { code, stdout, stderr } = await runToEnd(ctx, process.execPath, argv, ctx.session.io.cwd)
  if (code !== 0) {
    const reason = stderr.split('\n').find((line) => line.startsWith('synadm: ') && !line.startsWith('synadm: warning:'))
    throw new SynadmError('failure', reason?.replace(/^synadm: /, '') ?? `the check of ${names.join(', ')} failed (exit ${code})`)
  }
  return JSON.parse(stdout)
}

const sameName = (entry: PluginEntry, name: string) => (Array.isArray(entry) ? entry[0] : entry) === name

/** Brings a checked plugin into the running session too (the shell has it at once). */
async function adopt(ctx: CoreContext, dir: string, name: string) {
  ctx.session.registry.removePlugin(name)
  ctx.session.plugins = ctx.session.plugins.filter((p) => p.source !== name)
  const [status] = await loadConfigured(ctx.session.registry, [name], () => dir, dir)
  ctx.session.plugins.push(status)
}

export async function install(ctx: CoreContext<typeof spec.pluginsInstall>) {
  const what = String(ctx.args.plugin)
  const npmSpec = installSpec(what, ctx.session.io.cwd)
  const dir = pluginPackageDir(ctx.env)
  ensurePackageDir(dir)
  const before = readManifest(dir).dependencies ?? {}
  const restore = snapshot(dir)
  // `--`: whatever npmSpec holds, npm takes it as a package, never as an option
  await npm(ctx, dir, ['install', ...NPM_FLAGS, '--save', '--', npmSpec])
  linkRunningSynadm(dir)
  const after = readManifest(dir).dependencies ?? {}
  const name = Object.keys(after).find((key) => before[key] !== after[key]) ?? Object.keys(after).find((key) => npmSpec === key || npmSpec.startsWith(key + '@') || resolve(npmSpec) === resolve(dir, after[key].replace(/^file:/, '')))
  if (!name) throw new SynadmError('failure', `npm installed ${what}, but synadm cannot tell which package it is in ${join(dir, 'package.json')}`)
  let verified: Verified[number]
  try {
    ;[verified] = await verifyApart(ctx, [name])
  } catch (error) {
    ctx.note(`${name} is not kept: putting ${dir} back as it was`)
    await restore(ctx)
    throw error
  }
  const listFile = pluginListFile(ctx.env)
  const entries = await readPluginList(listFile)
  if (!entries.some((e) => sameName(e, name))) await writePluginList(listFile, [...entries, name])
  await adopt(ctx, dir, name)
  return { installed: name, version: verified.version, commands: verified.commands, list: listFile }
}

/** The entry of plugins.yaml that `what` names: as written, or by its package name's short forms. */
function findEntry(entries: PluginEntry[], what: string): PluginEntry | undefined {
  const names = [what, ...packageCandidates(what), ...(isAbsolute(what) ? [] : [resolve(what)])]
  return entries.find((e) => names.some((n) => sameName(e, n)))
}

export async function uninstall(ctx: CoreContext<typeof spec.pluginsUninstall>) {
  const what = String(ctx.args.plugin)
  const listFile = pluginListFile(ctx.env)
  const entries = await readPluginList(listFile)
  const entry = findEntry(entries, what)
  if (!entry) {
    const elsewhere = ctx.session.plugins.find((p) => !p.builtin && [p.source, p.name].includes(what))
    throw new SynadmError('usage', `${what} is not in ${listFile}`, {
      hint: elsewhere ? `it comes from another config file (synadm config --show, or the project's .synadmrc): remove it there` : "see 'synadm plugins list'",
    })
  }
  const name = String(Array.isArray(entry) ? entry[0] : entry)
  const dir = pluginPackageDir(ctx.env)
  if (!isPathEntry(name) && existsSync(join(dir, 'package.json')) && readManifest(dir).dependencies?.[name]) {
    await npm(ctx, dir, ['uninstall', ...NPM_FLAGS, '--', name])
    linkRunningSynadm(dir)
  }
  await writePluginList(listFile, entries.filter((e) => e !== entry))
  const status = ctx.session.plugins.find((p) => p.source === name)
  if (status) ctx.session.registry.removePlugin(status.name)
  ctx.session.plugins = ctx.session.plugins.filter((p) => p !== status)
  return { uninstalled: name }
}

export async function update(ctx: CoreContext<typeof spec.pluginsUpdate>) {
  const dir = pluginPackageDir(ctx.env)
  const installed = existsSync(join(dir, 'package.json')) ? Object.keys(readManifest(dir).dependencies ?? {}) : []
  const asked = ((ctx.args.plugins as string[] | undefined) ?? []).map((what) => installed.find((name) => [what, ...packageCandidates(what)].includes(name)) ?? what)
  const unknown = asked.filter((name) => !installed.includes(name))
  if (unknown.length) throw usageError(`not installed with synadm plugins install: ${unknown.join(', ')}`, "see 'synadm plugins list'")
  const names = asked.length ? asked : installed
  if (names.length === 0) {
    ctx.note('no plugins installed')
    return []
  }
  const versionOf = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version as string
    } catch {
      return null
    }
  }
  const before = Object.fromEntries(names.map((name) => [name, versionOf(name)]))
  const restore = snapshot(dir)
  await npm(ctx, dir, ['update', ...NPM_FLAGS, '--', ...names])
  linkRunningSynadm(dir)
  try {
    await verifyApart(ctx, names)
  } catch (error) {
    ctx.note(`putting ${dir} back as it was`)
    await restore(ctx)
    throw error
  }
  // A running shell keeps the modules it imported: the new versions run from the next start.
  return names.map((name) => ({ name, before: before[name], after: versionOf(name) }))
}
