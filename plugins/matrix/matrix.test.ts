import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import matrix from './index.js'

const LOGIN = '/_matrix/client/v3/login'
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([matrix], ['-o', 'json', ...argv], options)
const loginBody = (password: string) => ({
  type: 'm.login.password',
  identifier: { type: 'm.id.user', user: '@alice:synapse.test' },
  password,
  initial_device_display_name: 'synadm matrix login command',
})
const reply = { user_id: '@alice:synapse.test', access_token: 'syt_new', device_id: 'DEV' }
// The login must not carry the admin's token.
const server = () => nock(TEST_BASE_URL, { badheaders: ['authorization'] })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('matrix login', () => {
  it('reads the password from stdin with --password-file -', async () => {
    const scope = server().post(LOGIN, loginBody('s3cret pw')).reply(200, reply)
    const result = await run(['matrix', 'login', 'alice', '--password-file', '-'], { input: 's3cret pw\n' })
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(reply)
    expect(scope.isDone()).toBe(true)
  })

  it('reads the password from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'login-')), 'pw')
    writeFileSync(file, 'from-file\r\n')
    const scope = server().post(LOGIN, loginBody('from-file')).reply(200, reply)
    expect((await run(['matrix', 'login', '@alice:synapse.test', '--password-file', file])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('keeps -p for compatibility, and says why not to use it', async () => {
    const scope = server().post(LOGIN, loginBody('argv')).reply(200, reply)
    expect((await run(['matrix', 'login', 'alice', '-p', 'argv'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
    const help = await run(['matrix', 'login', 'alice', '--help'])
    expect(help.stdout).toContain('other users can see command lines')
  })

  it('asks in a terminal', async () => {
    const scope = server().post(LOGIN, loginBody('typed')).reply(200, reply)
    const result = await run(['matrix', 'login', 'alice'], { interactive: true, input: 'typed\r' })
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('without a terminal and without a password it says how to give one', async () => {
    const result = await run(['matrix', 'login', 'alice'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('--password-file FILE (- for stdin)')
  })

  it('an empty password file, -p with --password-file, a bad user ID are usage errors', async () => {
    expect((await run(['matrix', 'login', 'alice', '--password-file', '-'], { input: '\n' })).code).toBe(EXIT.usage)
    expect((await run(['matrix', 'login', 'alice', '-p', 'x', '--password-file', '-'])).code).toBe(EXIT.usage)
    expect((await run(['matrix', 'login', 'no good', '-p', 'x'])).code).toBe(EXIT.usage)
  })

  it('a wrong password exits 6; an unreachable server exits 4', async () => {
    server().post(LOGIN).reply(403, { errcode: 'M_FORBIDDEN', error: 'Invalid username or password' })
    const wrong = await run(['matrix', 'login', 'alice', '-p', 'bad'])
    expect(wrong.code).toBe(EXIT.auth)
    expect(wrong.stderr).toContain('Invalid username or password')
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['matrix', 'login', 'alice', '-p', 'x'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('matrix admin-client-config', () => {
  const CONFIG = '/_matrix/client/v3/user/%40admin%3Asynapse.test/account_data/io.element.synapse.admin_client_config'
  const admin = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
  const whoami = () => admin().get('/_matrix/client/v3/account/whoami').reply(200, { user_id: '@admin:synapse.test' })

  it('shows {} when the admin never set it', async () => {
    whoami()
    admin().get(CONFIG).reply(404, { errcode: 'M_NOT_FOUND', error: 'Account data not found' })
    expect(json(await run(['matrix', 'admin-client-config']))).toEqual({})
  })

  it('changes only the named settings and shows the result', async () => {
    whoami()
    admin().get(CONFIG).reply(200, { return_soft_failed_events: true })
    const put = admin().put(CONFIG, { return_soft_failed_events: true, return_policy_server_spammy_events: false }).reply(200, {})
    admin().get(CONFIG).reply(200, { return_soft_failed_events: true, return_policy_server_spammy_events: false })
    const result = await run(['matrix', 'admin-client-config', '--no-spammy'])
    expect(result.code).toBe(0)
    expect(put.isDone()).toBe(true)
    expect(json(result)).toEqual({ return_soft_failed_events: true, return_policy_server_spammy_events: false })
  })

  it('fails with the server error for other errors', async () => {
    whoami()
    admin().get(CONFIG).reply(403, { errcode: 'M_FORBIDDEN', error: 'Cannot get account data for other users.' })
    expect((await run(['matrix', 'admin-client-config'])).code).toBe(EXIT.auth)
  })
})
