// A third-party plugin's whole path, as an author and an admin take it, with synadm as npm packs it: synadm in
// npm's global layout under a temporary prefix, `plugins new`, a command added that imports a runtime helper from
// 'synadm', build and test, `plugins install` into a fresh HOME, its commands against the real Synapse one-shot and
// in the shell, `plugins update`, `plugins uninstall`; a plugin that does not load is not kept.
//
// Every install is npm's own: synadm's tarball with `npm install --global --prefix`, the scaffold's tools with
// `npm install` (both --prefer-offline: `npm ci` has put every package in npm's cache, and the registry answers
// for anything else), and `plugins install` runs npm offline.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { synapse } from './synapse-info.js'

interface Ran {
  code: number
  stdout: string
  stderr: string
}

function exec(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(options.input ?? '')
  })
}

const work = mkdtempSync(join(tmpdir(), 'synadm-plugin-path-'))
const prefix = join(work, 'prefix')
const globalSynadm = join(prefix, 'lib', 'node_modules', 'synadm')
const home = join(work, 'home')
const author = join(work, 'author')
const pluginDir = join(author, 'synadm-plugin-inactive')

/** The environment of a person with a fresh HOME: synadm from the prefix's bin first on PATH, npm offline. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, npm_config_offline: 'true', npm_config_update_notifier: 'false' }
  for (const key of ['SYNADM_CONFIG', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME']) delete env[key]
  return env
}

const synadm = (args: string[], options: { input?: string; cwd?: string } = {}) =>
  exec(join(prefix, 'bin', 'synadm'), args, { env: userEnv(), cwd: options.cwd ?? home, input: options.input })

/** A runtime helper from 'synadm' (localDateTime) and the typed built-in user API, in a command the author adds. */
const CREATED = `import { localDateTime, type RunContext } from 'synadm'

export async function created(ctx: RunContext) {
  const userId = await ctx.userId(String(ctx.args.user_id))
  const { creation_ts } = await (await ctx.use('user')).details(userId)
  // the user details give seconds since the epoch
  return { user_id: userId, created: localDateTime(creation_ts * 1000) }
}
`

/**
 * A stand-in registry on loopback that serves each package of `packages` (name → folder, packed here) and records
 * every path npm asks for: the registry is the one place where a guessed name would show.
 */
async function standInRegistry(packages: Record<string, string>) {
  const env = { ...process.env, npm_config_update_notifier: 'false' }
  const tarballs = new Map<string, Buffer>()
  for (const [name, dir] of Object.entries(packages)) {
    const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: dir, env })
    expect(packed.code, packed.stderr).toBe(0)
    tarballs.set(name, readFileSync(join(work, JSON.parse(packed.stdout)[0].filename)))
  }
  const asked: string[] = []
  const server = createServer((req, res) => {
    asked.push(decodeURIComponent(req.url!))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const tarball = /^\/-\/(.+)\.tgz$/.exec(req.url!)
    const name = tarball ? tarball[1] : decodeURIComponent(req.url!.slice(1))
    const data = tarballs.get(name)
    if (!data) return void (res.writeHead(404, { 'Content-Type': 'application/json' }), res.end('{"error":"Not found"}'))
    if (tarball) return void (res.writeHead(200, { 'Content-Type': 'application/octet-stream' }), res.end(data))
    const integrity = `sha512-${createHash('sha512').update(data).digest('base64')}`
    const version = { name, version: '1.0.0', type: 'module', exports: './index.js', dist: { tarball: `${origin}/-/${name}.tgz`, integrity } }
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ name, 'dist-tags': { latest: '1.0.0' }, versions: { '1.0.0': version } }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return { url, asked, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) }
}

/** A plugin package whose one command says which package it came from. */
function pluginPackage(name: string): string {
  const dir = join(author, 'packages', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: './index.js' }))
  writeFileSync(join(dir, 'index.js'), `export default { name: '${name}', apiVersion: 1, setup(ctx) { ctx.command({ path: 'which-package', description: 'd', offline: true, load: async () => () => ({ from: '${name}' }) }) } }\n`)
  return dir
}

describe.skipIf(!inject('synapse').available)('a third-party plugin from plugins new to plugins uninstall', () => {
  beforeAll(async () => {
    const env = { ...process.env, npm_config_update_notifier: 'false' }
    const packed = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: repoRoot, env })
    expect(packed.code, packed.stderr).toBe(0)
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!)
    const installed = await exec('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { env, timeoutMs: 240_000 })
    expect(installed.code, installed.stderr).toBe(0)
    // The admin's settings in the default place, as `synadm config` writes them.
    mkdirSync(join(home, '.config'), { recursive: true })
    writeFileSync(join(home, '.config', 'synadm.yaml'), readFileSync(synapse().configFile), { mode: 0o600 })
    mkdirSync(author)
  }, 300_000)

  it('scaffolds a package that builds and whose test passes', async () => {
    const created = await synadm(['-o', 'json', 'plugins', 'new', 'inactive'], { cwd: author })
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('Next: cd ') })
    const manifest = JSON.parse(readFileSync(join(pluginDir, 'package.json'), 'utf8'))
    expect(manifest.devDependencies.synadm).toBe(`file:${globalSynadm}`)
    const env = { ...process.env, npm_config_update_notifier: 'false' }
    const installed = await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: pluginDir, env, timeoutMs: 240_000 })
    expect(installed.code, installed.stderr).toBe(0)
    // The author adds a command.
    writeFileSync(join(pluginDir, 'src', 'created.ts'), CREATED)
    const index = readFileSync(join(pluginDir, 'src', 'index.ts'), 'utf8')
    writeFileSync(
      join(pluginDir, 'src', 'index.ts'),
      index.replace(
        '  },\n} satisfies SynadmPlugin',
        "    ctx.command({ path: 'inactive created', description: 'When the account was created', args: '<user_id>', argInfo: { user_id: { complete: 'user_id' } }, load: () => import('./created.js').then((m) => m.created) })\n  },\n} satisfies SynadmPlugin",
      ),
    )
    const built = await exec('npm', ['run', 'build'], { cwd: pluginDir, env })
    expect(built.code, built.stdout + built.stderr).toBe(0)
    expect(readdirSync(join(pluginDir, 'dist')).sort()).toEqual(['commands.d.ts', 'commands.js', 'created.d.ts', 'created.js', 'index.d.ts', 'index.js'])
    const tested = await exec('npm', ['test'], { cwd: pluginDir, env })
    expect(tested.code, tested.stdout + tested.stderr).toBe(0)
    expect(tested.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests +2 passed/)
  }, 360_000)

  it('installs it into a fresh HOME and runs it one-shot and in the shell', async () => {
    const { adminUserId } = synapse()
    const installed = await synadm(['-o', 'json', 'plugins', 'install', pluginDir])
    expect(installed.code, installed.stderr).toBe(0)
    expect(JSON.parse(installed.stdout)).toEqual({
      installed: 'synadm-plugin-inactive',
      version: '0.1.0',
      commands: ['inactive user', 'inactive created'],
      list: join(home, '.config', 'synadm', 'plugins.yaml'),
    })
    expect(yaml.load(readFileSync(join(home, '.config', 'synadm', 'plugins.yaml'), 'utf8'))).toEqual({ plugins: ['synadm-plugin-inactive'] })
    // Installed as a copy, beside the link to the synadm that runs it.
    const folder = join(home, '.local', 'share', 'synadm', 'plugins', 'node_modules')
    expect(readdirSync(folder).filter((f) => !f.startsWith('.')).sort()).toEqual(['synadm', 'synadm-plugin-inactive'])

    const user = await synadm(['-o', 'json', 'inactive', 'user', adminUserId])
    expect({ code: user.code, stderr: user.stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(user.stdout)).toEqual({ user_id: adminUserId, admin: true, displayname: expect.anything() })
    const created = await synadm(['-o', 'json', 'inactive', 'created', adminUserId])
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' })
    // the test server's admin was made by the harness: this year or last, not in 1970 (seconds taken as ms)
    const { created: when } = JSON.parse(created.stdout)
    expect(JSON.parse(created.stdout)).toEqual({ user_id: adminUserId, created: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) })
    expect(Number(when.slice(0, 4))).toBeGreaterThanOrEqual(new Date().getFullYear() - 1)
    expect(when.slice(0, 10) <= new Date().toLocaleDateString('sv')).toBe(true)

    const shell = await synadm(['-o', 'minified', 'shell'], { input: `inactive user ${adminUserId}\ninactive created @nobody:${synapse().serverName}\nplugins list\n` })
    const lines = shell.stdout.trim().split('\n')
    expect(JSON.parse(lines[0])).toMatchObject({ user_id: adminUserId, admin: true })
    expect(JSON.parse(lines[1])).toContainEqual({ name: 'synadm-plugin-inactive', source: 'synadm-plugin-inactive', version: '0.1.0', status: 'loaded' })
    expect(shell.stderr).toContain('1 of 3 commands failed')
    expect(shell.code).toBe(9)
  }, 120_000)

  it('keeps it through plugins update and removes it with plugins uninstall', async () => {
    const updated = await synadm(['-o', 'json', 'plugins', 'update'])
    expect(updated.code, updated.stderr).toBe(0)
    expect(JSON.parse(updated.stdout)).toEqual([{ name: 'synadm-plugin-inactive', before: '0.1.0', after: '0.1.0' }])
    const verified = await synadm(['-o', 'json', 'plugins', 'verify', 'inactive'])
    expect(JSON.parse(verified.stdout)).toEqual([{ name: 'synadm-plugin-inactive', package: 'inactive', version: '0.1.0', commands: ['inactive user', 'inactive created'] }])

    const removed = await synadm(['-o', 'json', 'plugins', 'uninstall', 'inactive'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(JSON.parse(removed.stdout)).toEqual({ uninstalled: 'synadm-plugin-inactive' })
    expect(yaml.load(readFileSync(join(home, '.config', 'synadm', 'plugins.yaml'), 'utf8'))).toEqual({ plugins: [] })
    const gone = await synadm(['inactive', 'user', 'x'])
    expect({ code: gone.code, stderr: gone.stderr }).toEqual({ code: 2, stderr: expect.stringContaining("No such command 'inactive'") })
  }, 120_000)

  it('does not keep a plugin whose command module does not load, and puts the folder back', async () => {
    const broken = join(author, 'broken')
    mkdirSync(broken)
    writeFileSync(join(broken, 'package.json'), JSON.stringify({ name: 'synadm-plugin-broken', version: '1.0.0', type: 'module', exports: './index.js' }))
    writeFileSync(join(broken, 'index.js'), "export default { name: 'broken', apiVersion: 1, setup(ctx) { ctx.command({ path: 'broken', description: 'b', load: () => import('./run.js').then((m) => m.run) }) } }\n")
    writeFileSync(join(broken, 'run.js'), "import { nothing } from 'synadm'\nexport const run = () => nothing\n")
    const manifest = () => readFileSync(join(home, '.local', 'share', 'synadm', 'plugins', 'package.json'), 'utf8')
    const before = manifest()
    const result = await synadm(['plugins', 'install', broken])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^synadm: plugin broken loads, but not all of its modules do: .*nothing/m)
    expect(JSON.parse(manifest()).dependencies ?? {}).toEqual(JSON.parse(before).dependencies ?? {})
    expect(yaml.load(readFileSync(join(home, '.config', 'synadm', 'plugins.yaml'), 'utf8'))).toEqual({ plugins: [] })
  }, 120_000)

  it("resolves 'synadm' for a plugin file outside synadm's folder too", async () => {
    const file = join(author, 'dated.mjs')
    writeFileSync(
      file,
      "import { localDateTime } from 'synadm'\nexport default { name: 'dated', apiVersion: 1, setup(ctx) { ctx.command({ path: 'dated', description: 'd', offline: true, load: async () => () => ({ at: localDateTime(0).length }) }) } }\n",
    )
    writeFileSync(join(home, '.config', 'synadm', 'plugins.yaml'), yaml.dump({ plugins: [file] }))
    const result = await synadm(['-o', 'json', 'dated'])
    expect({ code: result.code, stderr: result.stderr, stdout: JSON.parse(result.stdout) }).toEqual({ code: 0, stderr: '', stdout: { at: 19 } })
  })

  it('installs the package named, and never asks the registry for a synadm-plugin- name of it', async () => {
    // Whoever published synadm-plugin-lineplug would have been installed in place of lineplug, install scripts and all.
    const registry = await standInRegistry({ lineplug: pluginPackage('lineplug'), 'synadm-plugin-lineplug': pluginPackage('synadm-plugin-lineplug') })
    try {
      const npm = { npm_config_registry: registry.url, npm_config_offline: 'false', npm_config_cache: join(work, 'npm-cache'), npm_config_audit: 'false' }
      const run = (args: string[]) => exec(join(prefix, 'bin', 'synadm'), args, { env: { ...userEnv(), ...npm }, cwd: home })
      const installed = await run(['-o', 'json', 'plugins', 'install', 'lineplug'])
      expect(installed.code, installed.stderr).toBe(0)
      expect(JSON.parse(installed.stdout)).toMatchObject({ installed: 'lineplug', version: '1.0.0', commands: ['which-package'] })
      expect(registry.asked.filter((path) => path.includes('synadm-plugin-lineplug'))).toEqual([])
      expect(JSON.parse((await run(['-o', 'json', 'which-package'])).stdout)).toEqual({ from: 'lineplug' })

      // A name npm would read as one of its options: refused, and npm never runs.
      const asked = registry.asked.length
      const refused = await run(['plugins', 'install', '--', `--registry=${registry.url}`])
      expect({ code: refused.code, stderr: refused.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: expect.stringContaining("is not a plugin: a package name, folder or tarball does not start with '-'") })
      expect(registry.asked.length).toBe(asked)
      expect((await run(['plugins', 'uninstall', 'lineplug'])).code).toBe(0)
    } finally {
      await registry.close()
    }
  }, 120_000)
})
