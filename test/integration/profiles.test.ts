// Server profiles against two real Synapses (the suite's and a second one started here): fleet reads labelled
// by server, `use` in a terminal, writes through every front end in the audit log, concurrent appends, tokens from
// token_file / token_command that appear nowhere, and the Python synadm reading each profile with -c.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { login } from '../synapse/client.mjs'
import { repoRoot, startSynapse, writeSynadmConfig, type RunningSynapse } from '../synapse/server.mjs'
import { parseJson, runSynadm, type RunResult } from './cli.js'
import { registerUser, uniqueName } from './fixtures.js'
import { synapse } from './synapse-info.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
const tmuxSocket = `synadm-test-${process.pid}-profiles`
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', tmuxSocket, ...args], { encoding: 'utf8' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(!inject('synapse').available)('server profiles on two Synapses', () => {
  let second: RunningSynapse
  let home: string
  let servers: string
  /** every output of every run here, grepped for the tokens at the end */
  const seen: string[] = []
  let fileToken: string
  let commandToken: string
  /** users that exist on one server only (the servers have names of their own, as a fleet's servers do) */
  let onFirst: string
  let onSecond: string

  const env = () => ({
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  })
  const synadm = async (args: string[], input?: string): Promise<RunResult> => {
    const result = await runSynadm(args, { configFile: null, env: env(), input })
    seen.push(result.stdout, result.stderr)
    return result
  }
  const auditLog = () => join(home, '.local', 'state', 'synadm', 'audit.log')
  const profile = (name: string, values: Record<string, unknown>) => writeFileSync(join(servers, `${name}.yaml`), yaml.dump(values), { mode: 0o600 })

  beforeAll(async () => {
    // another server_name than the suite's: nothing here may depend on the two sharing one
    second = await startSynapse({ serverName: 'second.synadm.test' })
    home = mkdtempSync(join(tmpdir(), 'synadm-profiles-'))
    servers = join(home, '.config', 'synadm', 'servers')
    mkdirSync(servers, { recursive: true })
    writeSynadmConfig(join(home, '.config', 'synadm.yaml'), synapse())
    writeSynadmConfig(join(servers, 'second.yaml'), second)
    // production: destructive commands ask even in a --batch shell
    const secondConfig = yaml.load(readFileSync(join(servers, 'second.yaml'), 'utf8')) as Record<string, unknown>
    profile('second', { ...secondConfig, production: true })

    // token_file: a token of an admin of the first server, in a file of its own (0600)
    const filer = await registerUser(uniqueName('filer'), { admin: true })
    fileToken = filer.token
    const tokenFile = join(home, 'first.token')
    writeFileSync(tokenFile, fileToken + '\n', { mode: 0o600 })
    profile('filed', { user: filer.userId, token_file: tokenFile, base_url: synapse().url, homeserver: synapse().serverName })
    // token_command: a fresh login to the second server, printed by a program (a password manager's stand-in)
    commandToken = await login(second, second.adminUserId, second.adminPassword)
    const script = join(home, 'print-token')
    writeFileSync(script, `#!/bin/sh\necho '${commandToken}'\n`, { mode: 0o700 })
    profile('vault', { user: second.adminUserId, token_command: script, base_url: second.url, homeserver: second.serverName })

    onFirst = (await registerUser(uniqueName('first'))).userId
    onSecond = (await registerUser(uniqueName('second'), {}, second)).userId
  })

  afterAll(async () => {
    spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'])
    await second?.stop()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  it('servers lists the profiles; --check tells which answer', async () => {
    profile('down', { user: '@a:b', token: 'x', base_url: 'http://127.0.0.1:9' })
    const result = await synadm(['-o', 'json', 'servers', '--check'])
    rmSync(join(servers, 'down.yaml'))
    expect(result.code).toBe(0)
    const rows = parseJson<Record<string, unknown>[]>(result.stdout)
    expect(rows.map((r) => r.name)).toEqual(['default', 'down', 'filed', 'second', 'vault'])
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]))
    expect(byName.second).toMatchObject({ base_url: second.url, production: true, token: 'token', reachable: 'yes', authenticated: `yes: ${second.adminUserId}` })
    expect(byName.filed).toMatchObject({ token: 'token_file', reachable: 'yes', authenticated: expect.stringMatching(/^yes: @filer/) })
    expect(byName.vault).toMatchObject({ token: 'token_command', reachable: 'yes', authenticated: `yes: ${second.adminUserId}` })
    expect(byName.down).toMatchObject({ reachable: expect.stringMatching(/^no: cannot connect/), authenticated: 'not checked' })
  })

  it('a fleet read runs on both servers and labels every result', async () => {
    const result = await synadm(['-S', 'default,second', '-o', 'jsonl', 'user', 'list', '--all'])
    expect(result.code).toBe(0)
    const users = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { server: string; name: string })
    expect(users.filter((u) => u.name === onSecond).map((u) => u.server)).toEqual(['second'])
    expect(users.filter((u) => u.name === onFirst).map((u) => u.server)).toEqual(['default'])
    expect(new Set(users.map((u) => u.server))).toEqual(new Set(['default', 'second']))

    const all = await synadm(['-S', 'all', '-o', 'json', 'version'])
    expect(all.code).toBe(0)
    const versions = parseJson<{ server: string; server_version: string }[]>(all.stdout)
    expect(versions.map((v) => v.server)).toEqual(['default', 'filed', 'second', 'vault'])
    expect(versions.every((v) => v.server_version === synapse().version)).toBe(true)
    const table = await synadm(['-S', 'default,second', '-o', 'human', 'version'])
    expect(table.stdout.split('\n')[0]).toMatch(/^server\s+server_version$/)
    expect((await synadm(['-S', 'default,second', '-o', 'csv', 'version'])).stdout).toBe(`server,server_version\ndefault,${synapse().version}\nsecond,${second.version}\n`)
  })

  it('a write across servers is refused without --batch', async () => {
    const result = await synadm(['-S', 'default,second', 'user', 'modify', onSecond, '-n', 'Never'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('refusing to write on 2 servers at once (default, second)')
  })

  it('writes from one-shot, shell, bulk and a third-party plugin are in the audit log, with server and status', async () => {
    expect((await synadm(['--batch', '-S', 'second', 'user', 'modify', onSecond, '-n', 'One Shot'])).code).toBe(0)
    expect((await synadm(['--batch', '-S', 'filed', 'shell'], `user modify ${onFirst} -n 'In Shell'\n`)).code).toBe(0)
    expect((await synadm(['--batch', '-S', 'vault', 'user', 'modify', '--targets', '-', '-n', 'Bulk'], `${onSecond}\n`)).code).toBe(0)
    // a plugin as a third party writes one: a file listed in plugins.yaml
    const pluginFile = join(home, 'renamer.mjs')
    writeFileSync(
      pluginFile,
      `export default { name: 'renamer', apiVersion: 1, setup(ctx) { ctx.command({ path: 'renamer set', description: 'rename', args: '<user> <name>',
        load: async () => async (c) => (await c.admin()).put('v2/users/' + encodeURIComponent(c.args.user), { displayname: c.args.name }) }) } }\n`,
    )
    writeFileSync(join(home, '.config', 'synadm', 'plugins.yaml'), yaml.dump({ plugins: [pluginFile] }))
    const plugin = await synadm(['-S', 'second', 'renamer', 'set', onSecond, 'Plugged'])
    rmSync(join(home, '.config', 'synadm', 'plugins.yaml'))
    expect(plugin.code).toBe(0)
    const failed = await synadm(['-S', 'second', 'raw', '-m', 'post', 'v1/no-such-endpoint'])
    expect(failed.code).not.toBe(0)

    expect(statSync(auditLog()).mode & 0o777).toBe(0o600)
    const entries = parseJson<Record<string, unknown>[]>((await synadm(['-o', 'json', 'audit'])).stdout)
    const find = (text: string) => entries.find((e) => String(e.command).includes(text))
    expect(find('One Shot')).toMatchObject({ profile: 'second', base_url: second.url, method: 'PUT', status: 200, run_id: null, dry_run: false })
    expect(find('In Shell')).toMatchObject({ profile: 'filed', base_url: synapse().url, method: 'PUT', status: 200 })
    expect(find('--targets')).toMatchObject({ profile: 'vault', base_url: second.url, status: 200, run_id: expect.stringMatching(/^bulk-/) })
    expect(find('renamer set')).toMatchObject({ profile: 'second', path: `/v2/users/${encodeURIComponent(onSecond)}`, status: 200 })
    expect(find('no-such-endpoint')).toMatchObject({ profile: 'second', method: 'POST', status: 404 })
    const onlyFailed = parseJson<Record<string, unknown>[]>((await synadm(['-o', 'json', 'audit', '--failed'])).stdout)
    expect(onlyFailed.map((e) => e.status)).toEqual([404])
    const ofFiled = (await synadm(['-o', 'jsonl', 'audit', '--server', 'filed'])).stdout.trim().split('\n')
    expect(ofFiled.map((l) => JSON.parse(l).profile)).toEqual(['filed'])
    const human = await synadm(['-o', 'human', 'audit', '--command', 'One Shot', '--since', '2000-01-01'])
    expect(human.stdout).toMatch(/^time\s+profile\s+base_url/)
    expect(human.stdout).toContain('One Shot')
  })

  it('10 processes writing at once leave only whole lines', async () => {
    const before = readFileSync(auditLog(), 'utf8').trim().split('\n').length
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => synadm(['--batch', '-S', 'second', 'user', 'modify', onSecond, '-n', `Writer ${i}`])))
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0))
    const lines = readFileSync(auditLog(), 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    const entries = lines.map((line) => JSON.parse(line) as { command: string; id: string; pending?: boolean })
    // each write is two lines: its intent (pending, before the request) and its outcome, under one id
    expect(entries).toHaveLength(before + 20)
    const written = entries.slice(before)
    expect(written.filter((e) => e.pending)).toHaveLength(10)
    expect(new Set(written.map((e) => e.id)).size).toBe(10)
    expect(new Set(entries.slice(before).map((e) => e.command))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `synadm --batch -S second user modify ${onSecond} -n 'Writer ${i}'`)))
  }, 120_000)

  it('tokens from token_file and token_command work and appear nowhere', async () => {
    const whoFiled = await synadm(['-vv', '-S', 'filed', '-o', 'json', 'matrix', 'raw', 'client/v3/account/whoami'])
    expect(whoFiled.code).toBe(0)
    const whoVault = await synadm(['-vv', '-S', 'vault', '-o', 'json', 'matrix', 'raw', 'client/v3/account/whoami'])
    expect(parseJson(whoVault.stdout)).toMatchObject({ user_id: second.adminUserId })
    const shown = await synadm(['-S', 'vault', 'config', '--show'])
    expect(shown.stdout).toContain('token_command')
    for (const token of [fileToken, commandToken]) {
      expect(seen.join('\n')).not.toContain(token)
      expect(readFileSync(auditLog(), 'utf8')).not.toContain(token)
    }
  })

  it('the Python synadm reads each profile that holds a token with -c', async () => {
    const info = synapse()
    if (!info.pythonRoot) return
    // a profile made by our config command, with our extra keys
    const made = await synadm(['config', '-S', 'made', '-u', second.adminUserId, '-b', second.url, '-n', second.serverName, '--token-file', '-', '--production'], second.adminToken + '\n')
    expect(made.code).toBe(0)
    const inside = mkdtempSync(join(info.pythonRoot, 'srv', 'synadm-profiles-'))
    try {
      for (const [name, file] of [['default', join(home, '.config', 'synadm.yaml')], ['second', join(servers, 'second.yaml')], ['made', join(servers, 'made.yaml')]]) {
        copyFileSync(file, join(inside, `${name}.yaml`))
        chmodSync(join(inside, `${name}.yaml`), 0o600)
        const python = spawnSync('chroot', [info.pythonRoot, 'env', 'HOME=/root', 'synadm', '-c', `${inside.slice(info.pythonRoot.length)}/${name}.yaml`, '--batch', '-o', 'json', 'version'], { encoding: 'utf8' })
        expect({ name, status: python.status, out: python.stdout }).toMatchObject({ name, status: 0, out: expect.stringContaining('server_version') })
      }
    } finally {
      rmSync(inside, { recursive: true, force: true })
    }
  })

  it.skipIf(!hasTmux)('use NAME in the shell switches the prompt and the server; production asks even in a --batch shell', async () => {
    const vars = Object.entries(env()).map(([k, v]) => `${k}=${v}`)
    tmux('new-session', '-d', '-s', 'p', '-x', '160', '-y', '40', 'env', ...vars, process.execPath, join(repoRoot, 'bin/synadm.js'), '--batch')
    const until = async (expected: RegExp) => {
      for (const started = Date.now(); ; await sleep(50)) {
        const text = tmux('capture-pane', '-p', '-t', 'p')
        if (expected.test(text)) return text
        if (Date.now() - started > 10_000) throw new Error(`screen never showed ${expected}:\n${text}`)
      }
    }
    const type = (line: string) => (tmux('send-keys', '-t', 'p', '-l', '--', line), tmux('send-keys', '-t', 'p', 'Enter'))
    await until(/synadm@default>\s*$/m)
    // by localpart: each server makes it one of its own users (a full ID of the other server would ask Synapse
    // about a remote user, which it refuses with 400 rather than 404)
    const localpart = onSecond.slice(1, onSecond.indexOf(':'))
    type(`-o minified user details ${localpart}`)
    await until(/synadm: user \S+ does not exist on this server\n(hint: .*\n)?synadm@default>\s*$/)
    type('use second')
    await until(/synadm@second>\s*$/m)
    type(`-o minified user details ${localpart}`)
    await until(new RegExp(`\\{"name":"${onSecond.replace(/[.$]/g, '\\$&')}"`))
    type(`user deactivate ${onSecond}`)
    await until(/\[second: PRODUCTION, http:\/\/127\.0\.0\.1:\d+\] /)
    tmux('send-keys', '-t', 'p', 'Enter') // the default answer: no
    await until(/aborted: nothing was changed\nsynadm@second>\s*$/)
    type('exit')
  })
})
