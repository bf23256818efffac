// The plugin's own tests: synadm runs in-process with the plugin beside the built-in user and server plugins,
// whose APIs it uses; HTTP is mocked with nock. Only the package's public exports are imported.
import nock from 'nock'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import hello from '../src/index.js'

const whoamiPath = '/_matrix/client/v3/account/whoami'
const versionPath = '/_synapse/admin/v1/server_version'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([hello], ['-o', 'json', ...argv], { builtins: ['user', 'server'], ...options })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('synadm-plugin-hello', () => {
  it('hello whoami returns the client API reply unchanged', async () => {
    const reply = { user_id: '@admin:synapse.test', device_id: 'ABC', is_guest: false }
    const scope = api().get(whoamiPath).reply(200, reply)
    const result = await run(['hello', 'whoami'])
    expect(json(result)).toEqual(reply)
    expect(scope.isDone()).toBe(true)
  })

  it('hello greet greets the token owner with the server version', async () => {
    const scope = api().get(whoamiPath).reply(200, { user_id: '@admin:synapse.test' }).get(versionPath).reply(200, { server_version: '1.160.0' })
    expect(json(await run(['hello', 'greet']))).toEqual({ greeting: 'Hello, @admin:synapse.test!', server_version: '1.160.0' })
    expect(scope.isDone()).toBe(true)
  })

  it('hello greet NAME -g welcome --shout asks no whoami', async () => {
    const scope = api().get(versionPath).reply(200, { server_version: '1.160.0' })
    expect(json(await run(['hello', 'greet', 'bob', '-g', 'welcome', '--shout']))).toEqual({ greeting: 'WELCOME, BOB!', server_version: '1.160.0' })
    expect(scope.isDone()).toBe(true)
  })

  it('refuses a greeting that is not a choice, before any request', async () => {
    const result = await run(['hello', 'greet', '-g', 'howdy'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("'howdy' is not one of 'hello', 'hi', 'welcome'")
  })

  it('exits 6 on a refused token and 4 when the server cannot be reached', async () => {
    api().get(whoamiPath).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' })
    const refused = await run(['hello', 'whoami'])
    expect(refused.code).toBe(6)
    expect(refused.stderr).toMatch(/^synadm: /)
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['hello', 'whoami'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(4)
    nock.disableNetConnect()
  })

  it('hello admins pages through the user list of admins, with dates on request', async () => {
    const first = { users: [{ name: '@admin:synapse.test', displayname: 'Admin', admin: true, deactivated: false, creation_ts: 1700000000000 }], total: 2, next_token: '1' }
    const second = { users: [{ name: '@root:synapse.test', displayname: null, admin: true, deactivated: false, creation_ts: 1710000000000 }], total: 2 }
    const scope = api()
      .get('/_synapse/admin/v2/users').query({ admins: 'true', limit: '100' }).reply(200, first)
      .get('/_synapse/admin/v2/users').query({ admins: 'true', limit: '100', from: '1' }).reply(200, second)
    expect(json(await run(['hello', 'admins']))).toEqual([
      { name: '@admin:synapse.test', displayname: 'Admin', creation_ts: 1700000000000 },
      { name: '@root:synapse.test', displayname: null, creation_ts: 1710000000000 },
    ])
    expect(scope.isDone()).toBe(true)
    api().get('/_synapse/admin/v2/users').query(true).reply(200, second)
    const [dated] = json(await run(['hello', 'admins', '--datetime']))
    expect(dated.creation_ts).toMatch(/^2024-03-\d\d \d\d:\d\d:\d\d$/)
  })

  it('shows its commands in help without loading them', async () => {
    const result = await run(['hello', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^ {2}greet +Greet someone/m)
    expect(result.stdout).toMatch(/^ {2}whoami +Show whom/m)
  })

  it('adds a step to user takedown: --hello-notice sends the notice right after the lock, once per account', async () => {
    const user = '@spam:synapse.test'
    const enc = encodeURIComponent(user)
    // how synadm learns the server does not delegate auth to MAS
    nock(TEST_BASE_URL).persist().get('/_matrix/client/v1/auth_metadata').reply(404, { errcode: 'M_UNRECOGNIZED' }).get('/.well-known/matrix/client').reply(404, {})
    const sent: string[] = []
    const scope = api()
      .get(`/_synapse/admin/v2/users/${enc}`)
      .reply(200, { name: user, admin: false, locked: false })
      .put(`/_synapse/admin/v2/users/${enc}`, (body) => (sent.push('lock'), body.locked === true))
      .reply(200, {})
      .put(`/_synapse/admin/v1/send_server_notice/hello-takedown-${enc}`, (body) => (sent.push('notice'), body.user_id === user && body.content.body === 'Bye.'))
      .reply(200, { event_id: '$notice' })
    const result = await runSynadm([hello], ['-o', 'json', 'user', 'takedown', 'spam', '--steps', 'lock,hello-notice', '--hello-notice-text', 'Bye.', '--batch'], { builtins: ['user', 'server', 'notice', 'mas', 'reports'] })
    expect(result.stderr).toContain('1 target: 1 done')
    expect(json(result)[0].result).toEqual({ lock: { locked: true }, 'hello-notice': { notice: '$notice' } })
    expect(sent).toEqual(['lock', 'notice'])
    expect(scope.isDone()).toBe(true)
  })
})
