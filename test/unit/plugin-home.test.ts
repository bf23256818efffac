// Third-party plugins as synadm finds and checks them: the list in plugins.yaml (and its move out of the Python
// synadm's config file), synadm's plugin folder with its link to the running synadm, the setup mistakes a plugin
// author makes, and `plugins new`.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { pluginNames } from '../../core/commands/scaffold.js'
import { runningPackageRoot } from '../../core/plugin-host/installed.js'
import { runSynadm } from '../../testing.js'
import { repoRoot } from './configured.js'

const home = () => mkdtempSync(join(tmpdir(), 'synadm-home-'))

/** A package in synadm's plugin folder, as `plugins install` leaves it. */
function installed(data: string, name: string, index: string, version = '2.3.4') {
  const dir = join(data, 'synadm', 'plugins', 'node_modules', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: './index.js' }))
  writeFileSync(join(dir, 'index.js'), index)
}

const PLUGIN = (name: string, command: string, extra = '') =>
  `export default { name: '${name}', apiVersion: 1, setup(ctx) { ctx.command({ path: '${command}', description: 'd', ${extra} load: async () => () => ({ ran: '${command}' }) }) } }\n`

function envFor(dir: string) {
  return { XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') }
}

function listPlugins(dir: string, entries: unknown[]) {
  mkdirSync(join(dir, 'config', 'synadm'), { recursive: true })
  writeFileSync(join(dir, 'config', 'synadm', 'plugins.yaml'), yaml.dump({ plugins: entries }))
}

describe('plugins.yaml and the plugin folder', () => {
  it('loads packages from synadm plugin folder, with their version from package.json, and paths from the list folder', async () => {
    const dir = home()
    installed(join(dir, 'data'), 'synadm-plugin-one', PLUGIN('one', 'one'))
    listPlugins(dir, ['one', './two.mjs'])
    writeFileSync(join(dir, 'config', 'synadm', 'two.mjs'), PLUGIN('two', 'two'))
    const result = await runSynadm([], ['-o', 'json', 'plugins', 'list'], { env: envFor(dir) })
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout).filter((p: { source: string }) => p.source !== 'built-in')).toEqual([
      { name: 'one', source: 'one', version: '2.3.4', status: 'loaded' },
      { name: 'two', source: './two.mjs', version: null, status: 'loaded' },
    ])
    expect(JSON.parse((await runSynadm([], ['one'], { env: envFor(dir) })).stdout)).toEqual({ ran: 'one' })
  })

  it('a listed name loads that package, not one installed later under the synadm-plugin- name', async () => {
    const dir = home()
    installed(join(dir, 'data'), 'lineplug', PLUGIN('lineplug', 'lineplug'))
    installed(join(dir, 'data'), 'synadm-plugin-lineplug', PLUGIN('squatter', 'squatted'))
    listPlugins(dir, ['lineplug'])
    const result = await runSynadm([], ['lineplug'], { env: envFor(dir) })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ ran: 'lineplug' })
    expect((await runSynadm([], ['squatted'], { env: envFor(dir) })).code).toBe(2)
  })

  it("points the folder's node_modules/synadm at the running synadm, replacing a link to another one", async () => {
    const dir = home()
    installed(join(dir, 'data'), 'synadm-plugin-one', PLUGIN('one', 'one'))
    listPlugins(dir, ['one'])
    const link = join(dir, 'data', 'synadm', 'plugins', 'node_modules', 'synadm')
    symlinkSync(tmpdir(), link)
    expect((await runSynadm([], ['one'], { env: envFor(dir) })).code).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readlinkSync(link)).toBe(runningPackageRoot())
    expect(runningPackageRoot()).toBe(repoRoot)
  })

  it("gives a plugin in the folder the running synadm for 'synadm' on its first start (no link yet)", async () => {
    const dir = home()
    installed(join(dir, 'data'), 'synadm-plugin-dated', `import { localDateTime } from 'synadm'\n${PLUGIN('dated', 'dated').replace("({ ran: 'dated' })", '({ at: localDateTime(0).length })')}`)
    listPlugins(dir, ['dated'])
    const result = await runSynadm([], ['dated'], { env: envFor(dir) })
    expect({ code: result.code, stderr: result.stderr, out: JSON.parse(result.stdout || 'null') }).toEqual({ code: 0, stderr: '', out: { at: 19 } })
  })

  describe('the list in the Python synadm config file', () => {
    const savedHome = process.env.HOME
    afterEach(() => {
      process.env.HOME = savedHome
    })

    it('moves to plugins.yaml once, saying so; the other settings stay', async () => {
      const dir = home()
      process.env.HOME = dir
      mkdirSync(join(dir, '.config'), { recursive: true })
      const userFile = join(dir, '.config', 'synadm.yaml')
      writeFileSync(userFile, yaml.dump({ user: '@admin:example.org', base_url: 'http://localhost:8008', plugins: ['./local.mjs', ['one', { a: 1 }]] }), { mode: 0o600 })
      writeFileSync(join(dir, '.config', 'local.mjs'), PLUGIN('local', 'local'))
      installed(join(dir, 'data'), 'synadm-plugin-one', PLUGIN('one', 'one'))
      const env = { ...envFor(dir), XDG_CONFIG_HOME: join(dir, '.config'), SYNADM_CONFIG: undefined }
      const first = await runSynadm([], ['local'], { env })
      expect(first.stderr).toBe(`synadm: warning: moved the plugin list from ${userFile} to ${join(dir, '.config', 'synadm', 'plugins.yaml')} (the Python synadm's config command would drop it)\n`)
      expect(JSON.parse(first.stdout)).toEqual({ ran: 'local' })
      expect(yaml.load(readFileSync(userFile, 'utf8'))).toEqual({ user: '@admin:example.org', base_url: 'http://localhost:8008' })
      expect(lstatSync(userFile).mode & 0o777).toBe(0o600)
      expect((yaml.load(readFileSync(join(dir, '.config', 'synadm', 'plugins.yaml'), 'utf8')) as { plugins: unknown }).plugins).toEqual([
        join(dir, '.config', 'local.mjs'),
        ['one', { a: 1 }],
      ])
      const again = await runSynadm([], ['one'], { env })
      expect({ stderr: again.stderr, out: JSON.parse(again.stdout) }).toEqual({ stderr: '', out: { ran: 'one' } })
    })
  })
})

describe('plugins uninstall and update, refusing before npm runs', () => {
  it('name a plugin that plugins install did not add', async () => {
    const dir = home()
    listPlugins(dir, ['./p.mjs'])
    writeFileSync(join(dir, 'config', 'synadm', 'p.mjs'), PLUGIN('p', 'p'))
    const uninstall = await runSynadm([], ['plugins', 'uninstall', 'hello'], { env: envFor(dir) })
    expect({ code: uninstall.code, stderr: uninstall.stderr }).toEqual({
      code: 2,
      stderr: `synadm: hello is not in ${join(dir, 'config', 'synadm', 'plugins.yaml')}\nhint: see 'synadm plugins list'\n`,
    })
    const update = await runSynadm([], ['plugins', 'update', 'hello'], { env: envFor(dir) })
    expect({ code: update.code, stderr: update.stderr }).toEqual({ code: 2, stderr: "synadm: not installed with synadm plugins install: hello\nhint: see 'synadm plugins list'\n" })
  })

  it('uninstall takes a path entry off the list without npm', async () => {
    const dir = home()
    listPlugins(dir, ['./p.mjs'])
    writeFileSync(join(dir, 'config', 'synadm', 'p.mjs'), PLUGIN('p', 'p'))
    const result = await runSynadm([], ['-o', 'json', 'plugins', 'uninstall', './p.mjs'], { env: envFor(dir) })
    expect({ code: result.code, out: JSON.parse(result.stdout) }).toEqual({ code: 0, out: { uninstalled: './p.mjs' } })
    expect(yaml.load(readFileSync(join(dir, 'config', 'synadm', 'plugins.yaml'), 'utf8'))).toEqual({ plugins: [] })
  })
})

describe('setup mistakes of plugin authors', () => {
  const statusOf = async (index: string, builtins: string[] = []) => {
    const dir = home()
    listPlugins(dir, ['./p.mjs'])
    writeFileSync(join(dir, 'config', 'synadm', 'p.mjs'), index)
    const result = await runSynadm([], ['-o', 'json', 'plugins', 'list'], { env: envFor(dir), builtins })
    const statuses: { name: string; status: string }[] = JSON.parse(result.stdout)
    return { warning: result.stderr.trim(), loaded: statuses.filter((p) => p.status === 'loaded').map((p) => p.name) }
  }

  it('apiVersion as a string, or missing', async () => {
    expect((await statusOf(`export default { name: 'p', apiVersion: '1', setup() {} }`)).warning).toBe(
      'synadm: warning: plugin p (./p.mjs) not loaded: apiVersion must be the number 1, not "1"',
    )
    expect((await statusOf(`export default { name: 'p', setup() {} }`)).warning).toBe(
      'synadm: warning: plugin ./p.mjs (./p.mjs) not loaded: has no apiVersion: add apiVersion: 1 (the number) to the exported plugin',
    )
  })

  it('a command without load(), or an option type synadm does not know, names the command', async () => {
    const noLoad = `export default { name: 'p', apiVersion: 1, setup(ctx) { ctx.command({ path: 'p one', description: 'd' }) } }`
    expect((await statusOf(noLoad)).warning).toBe("synadm: warning: plugin p (./p.mjs) not loaded: command 'p one': no load() for its implementation")
    const integer = PLUGIN('p', 'p one', "options: [{ flags: '--days <n>', type: 'integer', description: 'd' }],")
    expect((await statusOf(integer)).warning).toBe(
      "synadm: warning: plugin p (./p.mjs) not loaded: command 'p one': option '--days <n>' has type 'integer'; types are string, int, bool, count, datetime, file",
    )
  })

  it('a completion source nobody offers takes the plugin back, naming the known ones', async () => {
    const typo = PLUGIN('p', 'p one', "args: '<who>', argInfo: { who: { complete: 'user_ids' } },")
    const { warning, loaded } = await statusOf(typo, ['user', 'room'])
    expect(warning).toBe(
      "synadm: warning: plugin p (./p.mjs) not loaded: p one: argument who completes from 'user_ids', which no plugin offers (known sources: room_alias, room_id, server_profile, user_id)",
    )
    expect(loaded).not.toContain('p')
    const right = await statusOf(PLUGIN('p', 'p one', "options: [{ flags: '--who <u>', description: 'w', complete: 'user_id' }],"), ['user'])
    expect(right).toEqual({ warning: '', loaded: expect.arrayContaining(['p', 'user']) })
  })
})

describe('plugins new', () => {
  it('names the package and group from the plugin name', () => {
    expect(pluginNames('inactive')).toEqual({ packageName: 'synadm-plugin-inactive', group: 'inactive' })
    expect(pluginNames('synadm-plugin-inactive')).toEqual({ packageName: 'synadm-plugin-inactive', group: 'inactive' })
    expect(pluginNames('@acme/audit')).toEqual({ packageName: '@acme/synadm-plugin-audit', group: 'audit' })
    expect(() => pluginNames('Bad Name')).toThrow(/cannot name a plugin/)
  })

  it('writes a package whose synadm devDependency is the running synadm, and refuses a folder in use', async () => {
    const dir = home()
    const result = await runSynadm([], ['-o', 'json', 'plugins', 'new', 'inactive', '--dir', join(dir, 'p')])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).files).toEqual(['package.json', 'tsconfig.json', '.gitignore', 'src/index.ts', 'src/commands.ts', 'test/inactive.test.ts', 'README.md'])
    const manifest = JSON.parse(readFileSync(join(dir, 'p', 'package.json'), 'utf8'))
    expect(manifest).toMatchObject({ name: 'synadm-plugin-inactive', keywords: ['synadm-plugin'], devDependencies: { synadm: `file:${repoRoot}` } })
    expect(readFileSync(join(dir, 'p', 'src', 'index.ts'), 'utf8')).toContain("path: 'inactive user'")
    const again = await runSynadm([], ['plugins', 'new', 'inactive', '--dir', join(dir, 'p')])
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 2, stderr: `synadm: ${join(dir, 'p')} exists and is not empty\nhint: choose another folder with --dir\n` })
    expect(existsSync(join(dir, 'p', 'node_modules'))).toBe(false)
  })
})
