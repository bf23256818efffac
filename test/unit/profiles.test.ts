// Server profiles (-S), fleet reads, token_file / token_command and the audit log, with HTTP mocked by nock.
// The same behaviours against two real Synapses: test/integration/profiles.test.ts.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { commandLine } from '../../core/run/audit.js'
import { loadSettings } from '../../core/config/settings.js'
import { EXIT } from '../../core/kernel/errors.js'
import { json, runSynadm } from '../../core/app/in-process.js'
import { tokenCommandArgv } from '../../core/config/tokens.js'
import { demoPlugin } from './fixtures/demo-plugin.js'

const PROD = 'http://prod.test'
const STAGING = 'http://staging.test'
let dir: string
let env: Record<string, string | undefined>

/** A profile file, as `synadm config -S NAME` writes it. */
function profile(name: string, values: Record<string, unknown>) {
  const folder = join(dir, 'config', 'synadm', 'servers')
  mkdirSync(folder, { recursive: true })
  const text = Object.entries(values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n') + '\n'
  writeFileSync(join(folder, `${name}.yaml`), text, { mode: 0o600 })
}

const base = (url: string, token: string) => ({ user: '@admin:x.test', base_url: url, homeserver: 'x.test', format: 'json', ...(token ? { token } : {}) })
const run = (argv: string[], options: Parameters<typeof runSynadm>[2] = {}) => runSynadm([demoPlugin], argv, { ...options, env: { ...env, ...options.env } })
const auditLines = () => readFileSync(env.SYNADM_AUDIT_LOG!, 'utf8').trim().split('\n').map((l) => JSON.parse(l))

beforeAll(() => nock.disableNetConnect())
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'synadm-profiles-'))
  // No SYNADM_* server settings from the environment: the profiles decide.
  env = {
    SYNADM_BASE_URL: undefined,
    SYNADM_USER: undefined,
    SYNADM_TOKEN: undefined,
    SYNADM_HOMESERVER: undefined,
    SYNADM_CONFIG: join(dir, 'config', 'synadm.yaml'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    SYNADM_AUDIT_LOG: join(dir, 'state', 'audit.log'),
  }
  profile('prod', { ...base(PROD, 'prod-token'), production: true })
  profile('staging', base(STAGING, 'staging-token'))
})
afterEach(() => nock.cleanAll())

describe('named server profiles', () => {
  it('-S NAME uses that profile, before or after the command words', async () => {
    const scope = nock(STAGING).matchHeader('authorization', 'Bearer staging-token').get('/_synapse/admin/v2/users').query(true).times(2).reply(200, { users: [{ name: 'a' }] })
    expect(json(await run(['-S', 'staging', 'demo', 'list']))).toEqual({ users: [{ name: 'a' }] })
    expect(json(await run(['demo', 'list', '--server', 'staging']))).toEqual({ users: [{ name: 'a' }] })
    expect(scope.isDone()).toBe(true)
  })

  it('SYNADM_SERVER picks the profile; an unknown one is named with a hint', async () => {
    nock(PROD).get('/_synapse/admin/v2/users').query(true).reply(200, { users: [] })
    const main = await import('../../core/app/start.js')
    const { testIO } = await import('../../core/app/in-process.js')
    const io = testIO({ env: { ...env, SYNADM_SERVER: 'prod' } })
    expect(await main.main(['demo', 'list'], [demoPlugin], io)).toBe(0)
    const missing = await run(['-S', 'nosuch', 'demo', 'list'])
    expect(missing.code).toBe(EXIT.config)
    expect(missing.stderr).toMatch(/no server profile 'nosuch'.*\nhint: synadm servers lists the profiles/)
  })

  it('-c and -S together are a usage error', async () => {
    const main = await import('../../core/app/start.js')
    const { testIO } = await import('../../core/app/in-process.js')
    const io = testIO({ env })
    expect(await main.main(['-c', join(dir, 'x.yaml'), '-S', 'prod', 'demo', 'list'], [demoPlugin], io)).toBe(EXIT.usage)
    expect(io.stderr.text).toMatch(/-c and -S both choose/)
  })

  it('servers lists every profile with its token source, never the token', async () => {
    const result = await run(['-o', 'json', 'servers'])
    const rows = json(result)
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['prod', 'staging'])
    expect(rows[0]).toMatchObject({ base_url: PROD, production: true, token: 'token' })
    expect(result.stdout).not.toContain('prod-token')
  })

  it('config -S NAME creates a profile; --token-command stores the reference, not a token', async () => {
    const result = await run(['config', '-S', 'new', '-u', '@a:new.test', '-b', 'http://new.test', '--token-command', 'pass show matrix/new', '--production'])
    expect(result.code).toBe(0)
    const file = join(dir, 'config', 'synadm', 'servers', 'new.yaml')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const saved = readFileSync(file, 'utf8')
    expect(saved).toContain('token_command: pass show matrix/new')
    expect(saved).toContain('production: true')
    expect(saved).not.toMatch(/^token:/m)
    // a token stored later replaces the reference: one source per profile
    await run(['config', '-S', 'new', '--token-file', '-'], { input: 'literal-token\n' })
    const after = readFileSync(file, 'utf8')
    expect(after).toContain('token: literal-token')
    expect(after).not.toContain('token_command')
  })
})

describe('fleet reads', () => {
  beforeEach(() => {
    nock(PROD).matchHeader('authorization', 'Bearer prod-token').get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: '@p:x.test' }], total: 1 })
    nock(STAGING).matchHeader('authorization', 'Bearer staging-token').get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: '@s:x.test' }], total: 1 })
  })

  it('labels every item with its server in json', async () => {
    const result = await run(['-S', 'prod,staging', '-o', 'json', 'demo', 'list'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([{ server: 'prod', name: '@p:x.test' }, { server: 'staging', name: '@s:x.test' }])
    expect(result.stderr).toContain('[prod] total: 1')
  })

  it('a server field in jsonl and csv, a column in human', async () => {
    const jsonl = await run(['-S', 'all', '-o', 'jsonl', 'demo', 'list'])
    expect(jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l).server)).toEqual(['prod', 'staging'])
    for (const [url, token] of [[PROD, 'prod-token'], [STAGING, 'staging-token']]) {
      nock(url).matchHeader('authorization', `Bearer ${token}`).get('/_synapse/admin/v2/users').query(true).times(2).reply(200, { users: [{ name: `@${url.slice(7, 8)}:x.test` }] })
    }
    expect((await run(['-S', 'all', '-o', 'csv', 'demo', 'list'])).stdout).toBe('server,name\nprod,@p:x.test\nstaging,@s:x.test\n')
    const human = (await run(['-S', 'prod,staging', '-o', 'human', 'demo', 'list'])).stdout
    expect(human.split('\n')[0]).toMatch(/^server\s+name$/)
    expect(human).toMatch(/^staging\s+@s:x\.test$/m)
  })

  it('one failing server: the others print, its error is labelled, exit 9', async () => {
    profile('broken', base('http://broken.test', 't'))
    nock('http://broken.test').get('/_synapse/admin/v2/users').query(true).reply(500, { errcode: 'M_UNKNOWN', error: 'boom' })
    const result = await run(['-S', 'prod,broken', '-o', 'jsonl', 'demo', 'list'])
    expect(result.code).toBe(EXIT.partial)
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l).server)).toEqual(['prod'])
    expect(result.stderr).toMatch(/^\[broken\] synadm: 500 M_UNKNOWN: boom/m)
  })
})

describe('writes across servers', () => {
  it('are refused without --batch, before anything is sent', async () => {
    const result = await run(['-S', 'prod,staging', 'demo', 'job'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toMatch(/refusing to write on 2 servers at once \(prod, staging\)/)
    expect(nock.pendingMocks()).toEqual([])
  })

  it('with --batch run on each server, the list of servers shown once', async () => {
    const prod = nock(PROD).post('/_synapse/admin/v1/jobs').reply(200, { id: 'p1' })
    const staging = nock(STAGING).post('/_synapse/admin/v1/jobs').reply(200, { id: 's1' })
    const result = await run(['--batch', '-S', 'prod,staging', '-o', 'json', 'demo', 'job'])
    expect(result.code).toBe(0)
    expect(prod.isDone() && staging.isDone()).toBe(true)
    expect(json(result)).toEqual([{ server: 'prod', id: 'p1' }, { server: 'staging', id: 's1' }])
    expect(result.stderr.match(/writing on prod \(PRODUCTION\), staging/g)).toHaveLength(1)
  })
})

describe('tokens kept out of the config file', () => {
  it('token_file must be 0600 or stricter; the reason is given', async () => {
    const tokenFile = join(dir, 'token')
    writeFileSync(tokenFile, 'file-token\n', { mode: 0o644 })
    chmodSync(tokenFile, 0o644)
    profile('filed', { ...base(PROD, ''), token_file: tokenFile })
    const refused = await run(['-S', 'filed', 'demo', 'list'])
    expect(refused.code).toBe(EXIT.config)
    expect(refused.stderr).toContain(`token_file ${tokenFile} is refused: its mode 0644 lets other users read or change it`)
    expect(refused.stderr).toContain(`hint: chmod 600 ${tokenFile}`)
    chmodSync(tokenFile, 0o600)
    nock(PROD).matchHeader('authorization', 'Bearer file-token').post('/_synapse/admin/v1/jobs').reply(200, { id: 'f1' })
    const ok = await run(['-vv', '-S', 'filed', 'demo', 'job'])
    expect(ok.code).toBe(0)
    expect(ok.stdout + ok.stderr + readFileSync(env.SYNADM_AUDIT_LOG!, 'utf8')).not.toContain('file-token')
  })

  it('token_file naming a folder is a configuration error (exit 3), not a bare EISDIR', async () => {
    const folder = join(dir, 'tokens')
    mkdirSync(folder, { mode: 0o700 })
    profile('folder', { ...base(PROD, ''), token_file: folder })
    const refused = await run(['-S', 'folder', 'demo', 'list'])
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: EXIT.config, stderr: `synadm: token_file ${folder} is a folder: name the file that holds the token\n` })
  })

  it('token_command runs once per session, without a shell unless asked, its stderr shown on failure', async () => {
    const counter = join(dir, 'runs')
    profile('cmd', { ...base(PROD, ''), token_command: `sh -c 'echo run >> ${counter}; echo command-token'` })
    nock(PROD).matchHeader('authorization', 'Bearer command-token').get('/_synapse/admin/v2/users').query(true).times(2).reply(200, { users: [] })
    const result = await run(['-S', 'cmd', 'shell'], { input: 'demo list\ndemo list\n' })
    expect(result.code).toBe(0)
    expect(readFileSync(counter, 'utf8')).toBe('run\n')
    expect(result.stdout + result.stderr).not.toContain('command-token')

    profile('failing', { ...base(PROD, ''), token_command: `${process.execPath} -e "console.error('gpg: decryption failed'); process.exit(2)"` })
    const failed = await run(['-S', 'failing', 'demo', 'list'])
    expect(failed.code).toBe(EXIT.config)
    expect(failed.stderr).toContain('token_command failed (exit 2): gpg: decryption failed')
  })

  it('only shell syntax brings a shell', () => {
    expect(tokenCommandArgv('pass show "matrix/prod server"')).toEqual(['pass', 'show', 'matrix/prod server'])
    expect(tokenCommandArgv('pass show matrix/prod | head -1')).toEqual(['/bin/sh', '-c', 'pass show matrix/prod | head -1'])
  })

  it('one token source per file; the environment overrides the file', async () => {
    profile('both', { ...base(PROD, 'x'), token_command: 'echo y' })
    await expect(loadSettings({ configFile: join(dir, 'config', 'synadm', 'servers', 'both.yaml'), env: {}, project: false })).rejects.toThrow(/give one of token, token_file, token_command, not token and token_command/)
    profile('cmd', { ...base(PROD, ''), token_command: 'echo y' })
    const { settings } = await loadSettings({ configFile: join(dir, 'config', 'synadm', 'servers', 'cmd.yaml'), env: { SYNADM_TOKEN: 'from-env' }, project: false })
    expect(settings).toMatchObject({ token: 'from-env', token_command: '' })
  })
})

describe('the audit log', () => {
  it('records each write (not reads) with server, command and status, mode 0600', async () => {
    nock(PROD).get('/_synapse/admin/v2/users').query(true).reply(200, { users: [] })
    nock(PROD).post('/_synapse/admin/v1/deactivate/%40bob%3Ax.test').reply(200, { id_server_unbind_result: 'success' })
    expect((await run(['-S', 'prod', 'demo', 'list'])).code).toBe(0)
    expect((await run(['--batch', '-S', 'prod', 'demo', 'remove', 'bob'])).code).toBe(0)
    expect(statSync(env.SYNADM_AUDIT_LOG!).mode & 0o777).toBe(0o600)
    // the intent, written before the request, then the outcome: one entry for `synadm audit`
    const [intent, entry, ...more] = auditLines()
    expect(more).toEqual([])
    expect(intent).toMatchObject({ id: entry.id, pending: true, status: null, method: 'POST' })
    expect(entry).toMatchObject({
      profile: 'prod',
      base_url: PROD,
      user: '@admin:x.test',
      command: 'synadm --batch -S prod demo remove bob',
      method: 'POST',
      path: '/v1/deactivate/%40bob%3Ax.test',
      status: 200,
      run_id: null,
      dry_run: false,
    })
    expect(entry.duration_ms).toBeGreaterThanOrEqual(0)
    expect(Date.parse(entry.time)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('a failed write is recorded with its status; audit --failed finds it', async () => {
    nock(PROD).post('/_synapse/admin/v1/jobs').reply(403, { errcode: 'M_FORBIDDEN', error: 'not admin' })
    nock(STAGING).post('/_synapse/admin/v1/jobs').reply(200, { id: 's' })
    expect((await run(['-S', 'prod', 'demo', 'job'])).code).toBe(EXIT.auth)
    expect((await run(['-S', 'staging', 'demo', 'job'])).code).toBe(0)
    const failed = json(await run(['-o', 'json', 'audit', '--failed']))
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ profile: 'prod', status: 403, error: expect.stringContaining('M_FORBIDDEN') })
    expect(json(await run(['-o', 'json', 'audit', '--server', 'staging'])).map((e: { status: number }) => e.status)).toEqual([200])
    expect(json(await run(['-o', 'json', 'audit', '--command', 'nothing like it']))).toEqual([])
    const csv = (await run(['-o', 'csv', 'audit'])).stdout.split('\n')
    expect(csv[0]).toBe('time,profile,base_url,user,command,method,path,status,duration_ms,run_id,dry_run,error')
    expect(csv).toHaveLength(4)
  })

  it('a log that cannot be written stops the write, with a clear message', async () => {
    writeFileSync(join(dir, 'not-a-folder'), '')
    const scope = nock(PROD).post('/_synapse/admin/v1/jobs').reply(200, { id: 'never' })
    const result = await run(['-S', 'prod', 'demo', 'job'], { env: { SYNADM_AUDIT_LOG: join(dir, 'not-a-folder', 'audit.log') } })
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toMatch(/^synadm: cannot write the audit log .*not-a-folder\/audit\.log: .*nothing was sent\nhint: /m)
    expect(scope.isDone()).toBe(false)
  })

  it('audit_log: off records nothing', async () => {
    nock(PROD).post('/_synapse/admin/v1/jobs').reply(200, { id: 'x' })
    expect((await run(['-S', 'prod', 'demo', 'job'], { env: { SYNADM_AUDIT_LOG: 'off' } })).code).toBe(0)
    expect(() => statSync(join(dir, 'state', 'audit.log'))).toThrow()
  })

  it('the command line keeps no secrets', () => {
    const spec = {
      path: 'user modify',
      description: '',
      options: [
        { flags: '-P, --password <password>', description: '' },
        { flags: '--password-file <file>', description: '' },
        { flags: '-d, --data <json>', description: '' },
      ],
      load: async () => () => undefined,
    }
    expect(commandLine(['user', 'modify', 'bob', '-P', 'hunter2', '--password-file', '/tmp/pw'], spec)).toBe('synadm user modify bob -P REDACTED --password-file /tmp/pw')
    expect(commandLine(['user', 'modify', 'bob', '--password=hunter2', '-Phunter2'], spec)).toBe('synadm user modify bob --password=REDACTED -PREDACTED')
    expect(commandLine(['user', 'modify', '-d', '{"password":"hunter2","displayname":"B"}'], spec)).toBe(`synadm user modify -d '{"password":"REDACTED","displayname":"B"}'`)
  })
})
