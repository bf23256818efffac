// Plugins listed in the config: the example TypeScript package and vorpal extension load and run one-shot and in
// the shell; a plugin that fails to load is one stderr line and nothing else.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execute } from '../../core/execute/executor.js'
import { TEST_BASE_URL, runSynadm } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'
// synadm-plugin-hello adds a step to the user plugin's `user takedown`
import user from '../../plugins/user/index.js'
import { configured, examples } from './configured.js'

const whoamiPath = '/_matrix/client/v3/account/whoami'
const versionPath = '/_synapse/admin/v1/server_version'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const vorpalHello = join(examples, 'vorpal-hello', 'index.js')

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('plugins from the config', () => {
  it('loads the example package by its short name and the vorpal example with options', async () => {
    const s = await configured(['hello', [vorpalHello, { greeting: 'Hi' }]], { builtins: [server, user] })
    expect(s.io.stderr.text).toBe('')
    const listed = JSON.parse((await s.run(['plugins', 'list'])).stdout)
    expect(listed).toEqual(
      expect.arrayContaining([
        { name: 'synadm-plugin-hello', source: 'hello', version: '1.0.0', status: 'loaded' },
        { name: 'vorpal-hello', source: vorpalHello, version: '1.0.0', status: 'loaded' },
      ]),
    )
    api().get(whoamiPath).reply(200, { user_id: '@admin:synapse.test' }).get(versionPath).reply(200, { server_version: '1.160.0' })
    expect(JSON.parse((await s.run(['hello', 'greet', '-g', 'hi'])).stdout)).toEqual({ greeting: 'Hi, @admin:synapse.test!', server_version: '1.160.0' })
    expect(await s.run(['say', 'hello', 'there', '-u'])).toEqual({ code: 0, stdout: 'HELLO THERE\n', stderr: '' })
  })

  it('runs both in the shell fed with lines, as `synadm shell` from a pipe', async () => {
    const s = await configured(['hello', [vorpalHello, { greeting: 'Hi' }]], { builtins: [server, user] })
    api().get(versionPath).reply(200, { server_version: '1.160.0' })
    s.io.stdin.end('-o minified hello greet ada\nsay -r 2 abc | reverse\necho\nsay is raw here\nexit\nsay back\n')
    const code = await execute(s.session, ['shell'])
    expect({ code, stderr: s.io.stderr.text }).toEqual({ code: 0, stderr: '' })
    expect(s.io.stdout.text).toBe(
      ['{"greeting":"Hello, ada!","server_version":"1.160.0"}', 'cba', 'cba', 'Hi! Lines are echoed; exit leaves.', 'echo: say is raw here', 'back', ''].join('\n'),
    )
  })
})

const THROWS = `export default { name: 'throws-on-load', apiVersion: 1, setup() { throw new Error('cannot reach the licence server') } }\n`
const FUTURE = `export default { name: 'from-the-future', apiVersion: 2, setup(ctx) { ctx.command({ path: 'future', description: '', load: async () => () => 1 }) } }\n`
const TAKES_VERSION = `export default { name: 'takes-version', apiVersion: 1, setup(ctx) {
  ctx.command({ path: 'mine', description: 'would work alone', load: async () => () => 'mine' })
  ctx.command({ path: 'version', description: 'a better version', load: async () => () => 'hijacked' })
} }\n`
const VORPAL_TAKES_VERSION = `module.exports = (vorpal) => { vorpal.command('version', 'mine').action((args, cb) => cb()) }\n`
const NEITHER = `export const name = 'not a plugin'\n`

describe('plugins that fail to load', () => {
  it('each give one warning line; the rest of synadm works and exits 0', async () => {
    const s = await configured(['./throws.mjs', './future.mjs', './takes-version.mjs', './vorpal-version.cjs', './neither.mjs', 'nonexistent', 'hello'], {
      builtins: [server, user],
      files: { 'throws.mjs': THROWS, 'future.mjs': FUTURE, 'takes-version.mjs': TAKES_VERSION, 'vorpal-version.cjs': VORPAL_TAKES_VERSION, 'neither.mjs': NEITHER },
    })
    const warnings = s.io.stderr.text.split('\n').filter(Boolean)
    expect(warnings).toEqual([
      'synadm: warning: plugin throws-on-load (./throws.mjs) not loaded: cannot reach the licence server',
      'synadm: warning: plugin from-the-future (./future.mjs) not loaded: targets plugin API version 2, this synadm has version 1',
      "synadm: warning: plugin takes-version (./takes-version.mjs) not loaded: command 'version' is already provided by plugin 'server'",
      "synadm: warning: plugin vorpal-version (./vorpal-version.cjs) not loaded: command 'version' is already provided by plugin 'server'",
      'synadm: warning: plugin ./neither.mjs (./neither.mjs) not loaded: exports neither a synadm plugin (an object with apiVersion and setup) nor a vorpal extension function',
      expect.stringMatching(/^synadm: warning: plugin nonexistent \(nonexistent\) not loaded: cannot find package nonexistent or synadm-plugin-nonexistent from /),
    ])
    // What a failed plugin had registered is taken back; the built-in command is untouched.
    expect((await s.run(['mine'])).code).toBe(2)
    expect((await s.run(['future'])).code).toBe(2)
    api().get(versionPath).reply(200, { server_version: '1.160.0' })
    expect(await s.run(['version'])).toEqual({ code: 0, stdout: '{\n    "server_version": "1.160.0"\n}\n', stderr: '' })
    s.io.stdin.end('hello --help\nplugins list\n')
    expect(await execute(s.session, ['-o', 'jsonl', 'shell'])).toBe(0)
    const statuses = s.io.stdout.text.split('\n').filter((l) => l.startsWith('{"name"')).map((l) => JSON.parse(l))
    expect(statuses.filter((p) => p.status !== 'loaded').map((p) => p.name)).toEqual(['throws-on-load', 'from-the-future', 'takes-version', 'vorpal-version', './neither.mjs', 'nonexistent'])
    expect(s.io.stdout.text).toMatch(/^ {2}greet +Greet someone/m)
  })
})

describe('plugins install runs npm with exactly what was typed', () => {
  /** A stand-in npm first on PATH: records its arguments and answers like the registry for a name nobody published. */
  function fakeNpm() {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-fake-npm-'))
    const calls = join(dir, 'calls.jsonl')
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    writeFileSync(
      join(bin, 'npm'),
      `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(calls)}, JSON.stringify(process.argv.slice(2)) + '\\n')\nconsole.error('npm error code E404')\nconsole.error('npm error 404 Not Found - GET http://registry.invalid/' + process.argv.at(-1))\nprocess.exit(1)\n`,
      { mode: 0o755 },
    )
    const env = { PATH: `${bin}:${process.env.PATH}`, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') }
    const called = (): string[][] => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [])
    return { env, called }
  }

  it('asks npm for the name typed, once, after --, and for no synadm-plugin- name', async () => {
    const npm = fakeNpm()
    const result = await runSynadm([], ['plugins', 'install', 'vorpal-grep@0.2'], { env: npm.env })
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('synadm: npm install failed (exit 1): code E404') })
    expect(npm.called()).toHaveLength(1)
    expect(npm.called()[0].slice(-2)).toEqual(['--', 'vorpal-grep@0.2'])
    expect(npm.called().flat().filter((arg) => arg.includes('synadm-plugin'))).toEqual([])
  })

  it('takes a bare name for a package even where a folder of that name is in the working directory', async () => {
    const npm = fakeNpm()
    const folder = mkdtempSync(join(tmpdir(), 'synadm-plugin-planted-'))
    writeFileSync(join(folder, 'package.json'), '{"name":"planted","version":"1.0.0"}')
    const name = folder.slice(tmpdir().length + 1)
    expect((await runSynadm([], ['plugins', 'install', name], { env: npm.env })).code).toBe(1)
    expect(npm.called().map((args) => args.slice(-2))).toEqual([['--', name]])
  })

  it('refuses a name that starts with - as a usage error, before npm runs', async () => {
    const npm = fakeNpm()
    for (const what of ['--ignore-scripts=false', '-g']) {
      const result = await runSynadm([], ['plugins', 'install', '--', what], { env: npm.env })
      expect({ code: result.code, stderr: result.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: `synadm: '${what}' is not a plugin: a package name, folder or tarball does not start with '-'` })
    }
    expect(npm.called()).toEqual([])
  })
})
