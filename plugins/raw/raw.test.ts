import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import raw from './index.js'

const api = (token = 'test-token') => nock(TEST_BASE_URL).matchHeader('authorization', `Bearer ${token}`)
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([raw], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('raw', () => {
  it('GETs the endpoint below the Admin API as typed, with no body', async () => {
    const scope = api()
      .get('/_synapse/admin/v2/users/%40alice%3Asynapse.test')
      .reply(200, function (_uri, body) {
        return { name: '@alice:synapse.test', body }
      })
    const result = await run(['raw', 'v2/users/%40alice%3Asynapse.test'])
    expect(json(result)).toEqual({ name: '@alice:synapse.test', body: '' })
    expect(scope.isDone()).toBe(true)
  })

  it('keeps a query string in the endpoint', async () => {
    const scope = api().get('/_synapse/admin/v2/users').query({ limit: '1' }).reply(200, { users: [] })
    expect((await run(['raw', 'v2/users?limit=1'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('sends -d with post/put/delete; default body {}', async () => {
    const scope = api()
      .post('/_synapse/admin/v1/media/protect/abc', {})
      .reply(200, {})
      .put('/_synapse/admin/v1/registration_tokens/t', { uses_allowed: 2 })
      .reply(200, { token: 't' })
      .delete('/_synapse/admin/v1/registration_tokens/t', { x: [1] })
      .reply(200, {})
    expect((await run(['raw', 'v1/media/protect/abc', '-m', 'post'])).code).toBe(0)
    expect(json(await run(['raw', 'v1/registration_tokens/t', '-m', 'put', '-d', '{"uses_allowed": 2}']))).toEqual({ token: 't' })
    expect((await run(['raw', '/v1/registration_tokens/t', '-m', 'delete', '-d', '{"x":[1]}'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('reads the body from a file or from stdin (-f -)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'raw-')), 'body.json')
    writeFileSync(file, '{"enabled": false}')
    const scope = api()
      .post('/_synapse/admin/v1/background_updates/enabled', { enabled: false })
      .reply(200, { enabled: false })
      .post('/_synapse/admin/v1/background_updates/enabled', { enabled: true })
      .reply(200, { enabled: true })
    expect(json(await run(['raw', 'v1/background_updates/enabled', '-m', 'post', '-f', file]))).toEqual({ enabled: false })
    expect(json(await run(['raw', 'v1/background_updates/enabled', '-m', 'post', '-f', '-'], { input: '{"enabled": true}' }))).toEqual({ enabled: true })
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    [['raw', 'v1/x', '-m', 'post', '-d', '{bad'], 'is not JSON'],
    [['raw', 'v1/x', '-d', '{}', '-f', '-'], "Mutually exclusive options from 'Data'"],
    [['raw', 'v1/x', '-d', '{"a":1}'], 'GET requests carry no body'],
    [['raw', 'v1/x', '-m', 'patch'], "'patch' is not one of"],
    [['raw'], "Missing argument 'ENDPOINT'"],
  ])('%j is a usage error', async (argv, message) => {
    const result = await run(argv)
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(message)
  })

  it.each([
    [404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }, EXIT.notFound],
    [403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' }, EXIT.auth],
    [400, { errcode: 'M_INVALID_PARAM', error: 'bad' }, EXIT.api],
  ])('an error reply (%i) exits non-zero with nothing on stdout', async (status, body, code) => {
    api().get('/_synapse/admin/v1/nothing').reply(status, body)
    const result = await run(['raw', 'v1/nothing'])
    expect(result.code).toBe(code)
    expect(result.stdout).toBe('')
  })

  it('a network failure exits 4', async () => {
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['raw', 'v1/server_version'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('matrix raw', () => {
  it('sends to the client API with the admin token by default', async () => {
    const scope = api().get('/_matrix/client/versions').reply(200, { versions: ['v1.11'] })
    expect(json(await run(['matrix', 'raw', 'client/versions']))).toEqual({ versions: ['v1.11'] })
    expect(scope.isDone()).toBe(true)
  })

  it('token precedence: --token, then $MTOKEN, then the admin token', async () => {
    const whoami = '/_matrix/client/v3/account/whoami'
    const flag = api('from-flag').get(whoami).reply(200, { user_id: '@flag:s' })
    expect(json(await run(['matrix', 'raw', 'client/v3/account/whoami', '-t', 'from-flag'], { env: { MTOKEN: 'from-env' } }))).toEqual({ user_id: '@flag:s' })
    const env = api('from-env').get(whoami).reply(200, { user_id: '@env:s' })
    expect(json(await run(['matrix', 'raw', 'client/v3/account/whoami'], { env: { MTOKEN: 'from-env' } }))).toEqual({ user_id: '@env:s' })
    const admin = api().get(whoami).reply(200, { user_id: '@admin:s' })
    expect(json(await run(['matrix', 'raw', 'client/v3/account/whoami'], { env: { MTOKEN: '' } }))).toEqual({ user_id: '@admin:s' })
    expect([flag.isDone(), env.isDone(), admin.isDone()]).toEqual([true, true, true])
  })

  it('--prompt asks for the token in a terminal, and overrides $MTOKEN', async () => {
    const scope = api('typed-token').put('/_matrix/client/v3/profile/%40u%3As/displayname', { displayname: 'U' }).reply(200, {})
    const result = await run(['matrix', 'raw', 'client/v3/profile/%40u%3As/displayname', '-m', 'put', '-d', '{"displayname":"U"}', '-p'], {
      interactive: true,
      input: 'typed-token\r',
      env: { MTOKEN: 'from-env' },
    })
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('--prompt without a terminal, and -t with -p, are usage errors', async () => {
    expect((await run(['matrix', 'raw', 'client/versions', '-p'])).code).toBe(EXIT.usage)
    const both = await run(['matrix', 'raw', 'client/versions', '-p', '-t', 'x'])
    expect(both.code).toBe(EXIT.usage)
    expect(both.stderr).toContain("'Matrix token'")
  })

  it('a refused user token exits 6', async () => {
    api('stale').get('/_matrix/client/v3/account/whoami').reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' })
    expect((await run(['matrix', 'raw', 'client/v3/account/whoami', '-t', 'stale'])).code).toBe(EXIT.auth)
  })
})
