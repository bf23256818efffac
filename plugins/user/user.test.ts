import { createHmac } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { definePlugin, EXIT, lazy, localDateTime, PLUGIN_API_VERSION, type RunContext } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { registrationMac, type UserApi } from './api.js'
import { pruneCandidates } from './commands.js'
import { completionProvider } from '../../core/index.js'
import user from './index.js'
import mas from '../mas/index.js'
import { plainSynapse } from '../mas/testing.js'

const A = '/_synapse/admin'
const ALICE = '@alice:synapse.test'
const ALICE_PATH = '%40alice%3Asynapse.test'
const DAY = 86_400_000

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([user, mas], ['-o', 'json', ...argv], options)
const batch = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => run(['--batch', ...argv], options)

const account = (extra: Record<string, unknown> = {}) => ({
  name: ALICE,
  admin: false,
  deactivated: false,
  erased: false,
  locked: false,
  shadow_banned: false,
  suspended: false,
  displayname: 'Alice',
  avatar_url: null,
  threepids: [],
  external_ids: [],
  creation_ts: 1_700_000_000,
  last_seen_ts: 1_700_000_000_000,
  user_type: null,
  is_guest: false,
  ...extra,
})
/** the existence check most commands make before they act */
const aliceExists = (extra: Record<string, unknown> = {}) => api().get(`${A}/v2/users/${ALICE_PATH}`).reply(200, account(extra))
const aliceMissing = () => api().get(`${A}/v2/users/${ALICE_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })

beforeAll(() => nock.disableNetConnect())
// the servers of these tests delegate no auth: they answer the question of synadm's mas plugin so
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

describe('user list', () => {
  const page = { users: [{ name: ALICE, admin: false, deactivated: false }], total: 1 }

  it('sends synadm’s default query and prints the reply unchanged', async () => {
    const scope = api().get(`${A}/v2/users`).query({ from: 0, limit: 100, locked: false }).reply(200, page)
    const result = await run(['user', 'list'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(page)
    expect(scope.isDone()).toBe(true)
  })

  it('maps every option to its query parameter', async () => {
    const scope = api()
      .get(`${A}/v2/users`)
      .query({ from: 5, limit: 7, guests: true, deactivated: true, admins: false, user_id: ALICE, order_by: 'name', dir: 'b', not_user_type: ['bot', ''], locked: true })
      .reply(200, page)
    const result = await run(['user', 'list', '-f', '5', '-l', '7', '-g', '-d', '-A', '--sort-by', 'name', '--reverse', '--exclude-user-type', 'bot', '--exclude-user-type', '', '-L', '-i', 'alice'])
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('-G and -a send guests=false and admins=true; -n searches by name', async () => {
    const scope = api().get(`${A}/v2/users`).query({ from: 0, limit: 100, guests: false, admins: true, name: 'ali', locked: false }).reply(200, page)
    expect((await run(['user', 'list', '-G', '-a', '-n', 'ali'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('-i that is not a localpart or user ID is sent as typed (a substring filter)', async () => {
    const scope = api().get(`${A}/v2/users`).query({ from: 0, limit: 100, user_id: 'ali:synapse', locked: false }).reply(200, page)
    expect((await run(['user', 'list', '-i', 'ali:synapse'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('refuses -n with -i before any request', async () => {
    const result = await run(['user', 'list', '-n', 'a', '-i', 'b'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("Mutually exclusive options from 'Search options' option group")
  })

  it('refuses a limit that is not a number', async () => {
    const result = await run(['user', 'list', '-l', 'many'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("'many' is not a valid integer")
  })

  it('--all -o jsonl streams every user of every page', async () => {
    api().get(`${A}/v2/users`).query({ from: 0, limit: 2, locked: false }).reply(200, { users: [{ name: '@a:s' }, { name: '@b:s' }], next_token: '2', total: 3 })
    api().get(`${A}/v2/users`).query({ from: 2, limit: 2, locked: false }).reply(200, { users: [{ name: '@c:s' }], total: 3 })
    const result = await runSynadm([user, mas], ['-o', 'jsonl', 'user', 'list', '-l', '2', '--all'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line).name)).toEqual(['@a:s', '@b:s', '@c:s'])
  })

  it('a refused token exits 6; an unreachable server exits 4', async () => {
    api().get(`${A}/v2/users`).query(true).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' })
    const refused = await run(['user', 'list'])
    expect(refused.code).toBe(EXIT.auth)
    expect(refused.stdout).toBe('')
    nock.enableNetConnect('127.0.0.1')
    const down = await run(['user', 'list'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    nock.disableNetConnect()
    expect(down.code).toBe(EXIT.network)
    expect(down.stderr).toContain('connection refused')
  })
})

describe('user list-v3', () => {
  it('uses v3; -d/-D filter on deactivation, unset sends nothing', async () => {
    const only = api().get(`${A}/v3/users`).query({ from: 0, limit: 100, deactivated: true, locked: false }).reply(200, { users: [], total: 0 })
    const active = api().get(`${A}/v3/users`).query({ from: 0, limit: 100, deactivated: false, locked: false }).reply(200, { users: [], total: 0 })
    const both = api().get(`${A}/v3/users`).query({ from: 0, limit: 100, locked: false }).reply(200, { users: [], total: 0 })
    expect((await run(['user', 'list-v3', '-d'])).code).toBe(0)
    expect((await run(['user', 'list-v3', '-D'])).code).toBe(0)
    expect((await run(['user', 'list-v3'])).code).toBe(0)
    expect([only.isDone(), active.isDone(), both.isDone()]).toEqual([true, true, true])
  })
})

describe('user search', () => {
  it('runs the list twice, lower case and Capitalized, printing two documents', async () => {
    const query = (name: string) => ({ from: 0, limit: 100, guests: true, deactivated: true, name, locked: false })
    api().get(`${A}/v2/users`).query(query('alice')).reply(200, { users: [{ name: ALICE }], total: 1 })
    api().get(`${A}/v2/users`).query(query('Alice')).reply(200, { users: [], total: 0 })
    const result = await run(['user', 'search', 'aLiCe'])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n}\n').filter(Boolean).map((doc) => JSON.parse(doc.trim() + '}'))).toEqual([
      { users: [{ name: ALICE }], total: 1 },
      { users: [], total: 0 },
    ])
    expect(result.stderr).toContain("User search results for 'alice':")
    expect(result.stderr).toContain("User search results for 'Alice':")
  })
})

describe('user details', () => {
  it('gets v2/users/<id>, expanding a localpart', async () => {
    const scope = aliceExists()
    const result = await run(['user', 'details', 'alice'])
    expect(json(result)).toEqual(account())
    expect(scope.isDone()).toBe(true)
  })

  it('an unknown user is a one-line not-found error, exit 7', async () => {
    aliceMissing()
    const result = await run(['user', 'details', ALICE])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^synadm: user @alice:synapse\.test does not exist on this server\n/)
  })

  it('a malformed user ID is a usage error before any request', async () => {
    const result = await run(['user', 'details', 'not valid'])
    expect(result.code).toBe(EXIT.usage)
  })
})

describe('user modify', () => {
  const put = (body: nock.DataMatcherMap, reply: Record<string, unknown> = account()) => api().put(`${A}/v2/users/${ALICE_PATH}`, body).reply(200, reply)

  it('sends only the options given', async () => {
    aliceExists()
    const scope = put({ displayname: 'Alice B', avatar_url: 'mxc://s/a', admin: true, locked: true, user_type: null, logout_devices: false })
    const result = await batch(['user', 'modify', 'alice', '-n', 'Alice B', '-v', 'mxc://s/a', '-a', '-l', '--user-type', 'regular', '--no-logout'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(account())
    expect(scope.isDone()).toBe(true)
  })

  it('-u, -L, --deactivate and --activate', async () => {
    aliceExists()
    const off = put({ admin: false, locked: false, deactivated: true })
    expect((await batch(['user', 'modify', 'alice', '-u', '-L', '--deactivate'])).code).toBe(0)
    aliceExists()
    const on = put({ deactivated: false, password: 'pw' })
    expect((await batch(['user', 'modify', 'alice', '--activate', '-P', 'pw'])).code).toBe(0)
    expect([off.isDone(), on.isDone()]).toEqual([true, true])
  })

  it('--add-threepid / --remove-threepid change one address and keep the rest', async () => {
    aliceExists({ threepids: [{ medium: 'email', address: 'a@x.org', added_at: 1, validated_at: 1 }, { medium: 'email', address: 'b@x.org', added_at: 1, validated_at: 1 }] })
    const scope = put({ threepids: [{ medium: 'email', address: 'b@x.org' }, { medium: 'msisdn', address: '4912345' }] })
    const result = await batch(['user', 'modify', 'alice', '--add-threepid', 'msisdn', '4912345', '--remove-threepid', 'email', 'a@x.org'])
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('the confirmation shows the 3PIDs before and after', async () => {
    aliceExists({ threepids: [{ medium: 'email', address: 'a@x.org' }] })
    const result = await run(['user', 'modify', 'alice', '--add-threepid', 'email', 'c@x.org', '-n', 'Al', '-P', 'secret'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('3pids: email a@x.org → email a@x.org, email c@x.org')
    expect(result.stderr).toContain('3pids added: email c@x.org')
    expect(result.stderr).toContain('displayname: Alice → Al')
    expect(result.stderr).toContain('password: (new password, not shown)')
    expect(result.stderr).not.toContain('secret')
    expect(result.stderr).toContain('Modify @alice:synapse.test?')
  })

  it('removing a 3PID the user has not got fails before any write (exit 7)', async () => {
    aliceExists({ threepids: [{ medium: 'email', address: 'a@x.org' }] })
    const result = await batch(['user', 'modify', 'alice', '--remove-threepid', 'email', 'typo@x.org'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain("has no 3PID 'email typo@x.org'")
    expect(result.stderr).toContain('its 3PIDs: email a@x.org')
  })

  it('-t replaces all 3PIDs; --clear-threepids and -t "" "" clear them; --clear with --add sets exactly those', async () => {
    const current = { threepids: [{ medium: 'email', address: 'a@x.org' }] }
    aliceExists(current)
    const replace = put({ threepids: [{ medium: 'email', address: 'n@x.org' }, { medium: 'email', address: 'm@x.org' }] })
    expect((await batch(['user', 'modify', 'alice', '-t', 'email', 'n@x.org', '-t', 'email', 'm@x.org'])).code).toBe(0)
    aliceExists(current)
    const clear = put({ threepids: [] })
    expect((await batch(['user', 'modify', 'alice', '--clear-threepids'])).code).toBe(0)
    aliceExists(current)
    const clearOld = put({ threepids: [] })
    expect((await batch(['user', 'modify', 'alice', '-t', '', ''])).code).toBe(0)
    aliceExists(current)
    const set = put({ threepids: [{ medium: 'email', address: 'z@x.org' }] })
    expect((await batch(['user', 'modify', 'alice', '--clear-threepids', '--add-threepid', 'email', 'z@x.org'])).code).toBe(0)
    expect([replace.isDone(), clear.isDone(), clearOld.isDone(), set.isDone()]).toEqual([true, true, true, true])
  })

  it('--external-id replaces the SSO IDs', async () => {
    aliceExists()
    const scope = put({ external_ids: [{ auth_provider: 'oidc', external_id: 'abc' }] })
    expect((await batch(['user', 'modify', 'alice', '--external-id', 'oidc', 'abc'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('creates an account that does not exist, and the question says so', async () => {
    aliceMissing()
    const asked = await run(['user', 'modify', 'alice', '-n', 'New'], { interactive: true, input: 'n\r' })
    expect(asked.stderr).toContain('Create @alice:synapse.test?')
    expect(asked.stderr).toContain('does not exist: it will be created')
    aliceMissing()
    const scope = api().put(`${A}/v2/users/${ALICE_PATH}`, { displayname: 'New' }).reply(201, account({ displayname: 'New' }))
    const result = await batch(['user', 'modify', 'alice', '-n', 'New'])
    expect(result.code).toBe(0)
    expect(json(result).displayname).toBe('New')
    expect(scope.isDone()).toBe(true)
  })

  it('reads the password from --password-file - (stdin), or for -p under --batch from $SYNADM_PASSWORD', async () => {
    aliceExists()
    const fromStdin = put({ password: 's3cret' })
    expect((await batch(['user', 'modify', 'alice', '--password-file', '-'], { input: 's3cret\n' })).code).toBe(0)
    aliceExists()
    const fromEnv = put({ password: 'env-pw' })
    expect((await batch(['user', 'modify', 'alice', '-p'], { env: { SYNADM_PASSWORD: 'env-pw' } })).code).toBe(0)
    expect([fromStdin.isDone(), fromEnv.isDone()]).toEqual([true, true])
  })

  it('-p under --batch without $SYNADM_PASSWORD is a usage error, nothing written', async () => {
    aliceExists()
    const result = await batch(['user', 'modify', 'alice', '-p'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('no password given')
  })

  it('usage errors: no option, -p with -P, a password with --deactivate, --activate with --deactivate', async () => {
    for (const argv of [[], ['-p', '-P', 'x'], ['--deactivate', '-P', 'x'], ['--activate', '--deactivate'], ['-t', 'email', 'a', '--clear-threepids']]) {
      const result = await batch(['user', 'modify', 'alice', ...argv])
      expect(result.code, argv.join(' ')).toBe(EXIT.usage)
    }
  })

  it('refuses without a terminal and without --batch', async () => {
    aliceExists()
    const result = await run(['user', 'modify', 'alice', '-n', 'X'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('refusing to go on without confirmation')
  })
})

describe('user deactivate', () => {
  it('shows the account, then deactivates', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: ['!r:s'], total: 1 })
    const scope = api().post(`${A}/v1/deactivate/${ALICE_PATH}`, { erase: false }).reply(200, { id_server_unbind_result: 'success' })
    const result = await batch(['user', 'deactivate', 'alice'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ id_server_unbind_result: 'success' })
    expect(scope.isDone()).toBe(true)
  })

  it('-e erases; the confirmation lists the rooms', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: ['!room1:s'], total: 1 })
    const asked = await run(['user', 'deactivate', 'alice', '-e'], { interactive: true, input: 'n\r' })
    expect(asked.code).toBe(EXIT.aborted)
    expect(asked.stderr).toContain('!room1:s')
    expect(asked.stderr).toContain('GDPR-erase @alice:synapse.test?')
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: [], total: 0 })
    const scope = api().post(`${A}/v1/deactivate/${ALICE_PATH}`, { erase: true }).reply(200, { id_server_unbind_result: 'success' })
    expect((await batch(['user', 'deactivate', 'alice', '--gdpr-erase'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('an unknown user stops before the write (exit 7)', async () => {
    aliceMissing()
    const result = await batch(['user', 'deactivate', 'alice'])
    expect(result.code).toBe(EXIT.notFound)
  })

  it('refuses without a terminal and without --batch', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: [], total: 0 })
    expect((await run(['user', 'deactivate', 'alice'])).code).toBe(EXIT.usage)
  })
})

describe('user deactivate-regex', () => {
  const pages = () => {
    api().get(`${A}/v2/users`).query({ from: 0, limit: 2, guests: true, locked: false }).reply(200, { users: [{ name: '@ab1:synapse.test' }, { name: '@zz:synapse.test' }], next_token: '2', total: 4 })
    api().get(`${A}/v2/users`).query({ from: 2, limit: 2, guests: true, locked: false }).reply(200, { users: [{ name: '@ab2:synapse.test' }, { name: '@admin:synapse.test' }], total: 4 })
  }

  it('matches from the first character across pages, then deactivates one by one', async () => {
    pages()
    const one = api().post(`${A}/v1/deactivate/%40ab1%3Asynapse.test`, { erase: false }).reply(200, { id_server_unbind_result: 'success' })
    const two = api().post(`${A}/v1/deactivate/%40ab2%3Asynapse.test`, { erase: false }).reply(200, { id_server_unbind_result: 'success' })
    const result = await batch(['user', 'deactivate-regex', '@ab', '-p', '2'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([
      { user_id: '@ab1:synapse.test', id_server_unbind_result: 'success' },
      { user_id: '@ab2:synapse.test', id_server_unbind_result: 'success' },
    ])
    expect([one.isDone(), two.isDone()]).toEqual([true, true])
  })

  it('--dry-run only lists; the admin synadm acts as is never included', async () => {
    pages()
    const result = await batch(['user', 'deactivate-regex', '@a', '-p', '2', '-n'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(['@ab1:synapse.test', '@ab2:synapse.test'])
    expect(result.stderr).toContain('skipping @admin:synapse.test')
  })

  it('reports a partial failure with exit 9 and every result', async () => {
    pages()
    api().post(`${A}/v1/deactivate/%40ab1%3Asynapse.test`).reply(500, { errcode: 'M_UNKNOWN', error: 'boom' })
    api().post(`${A}/v1/deactivate/%40ab2%3Asynapse.test`).reply(200, { id_server_unbind_result: 'success' })
    const result = await batch(['user', 'deactivate-regex', '@ab', '-p', '2', '-e'])
    expect(result.code).toBe(EXIT.partial)
    const results = json(result)
    expect(results[0]).toMatchObject({ user_id: '@ab1:synapse.test', error: expect.stringContaining('boom') })
    expect(results[1]).toEqual({ user_id: '@ab2:synapse.test', id_server_unbind_result: 'success' })
  })

  it('an invalid regex is a usage error before any request', async () => {
    const result = await batch(['user', 'deactivate-regex', '@a('])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('invalid regular expression')
  })
})

describe('user password', () => {
  it('-p sets the password; -n keeps devices logged in', async () => {
    aliceExists()
    const plain = api().post(`${A}/v1/reset_password/${ALICE_PATH}`, { new_password: 'pw' }).reply(200, {})
    expect((await run(['user', 'password', 'alice', '-p', 'pw'])).code).toBe(0)
    aliceExists()
    const keep = api().post(`${A}/v1/reset_password/${ALICE_PATH}`, { new_password: 'pw', logout_devices: false }).reply(200, {})
    expect((await run(['user', 'password', 'alice', '-p', 'pw', '-n'])).code).toBe(0)
    expect([plain.isDone(), keep.isDone()]).toEqual([true, true])
  })

  it('reads --password-file (one final line break dropped) or $SYNADM_PASSWORD', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'synadm-user-')), 'pw')
    writeFileSync(file, 'from file\n')
    aliceExists()
    const fromFile = api().post(`${A}/v1/reset_password/${ALICE_PATH}`, { new_password: 'from file' }).reply(200, {})
    expect((await run(['user', 'password', 'alice', '--password-file', file])).code).toBe(0)
    aliceExists()
    const fromEnv = api().post(`${A}/v1/reset_password/${ALICE_PATH}`, { new_password: 'from env' }).reply(200, {})
    expect((await run(['user', 'password', 'alice'], { env: { SYNADM_PASSWORD: 'from env' } })).code).toBe(0)
    expect([fromFile.isDone(), fromEnv.isDone()]).toEqual([true, true])
  })

  it('without a password source and without a terminal: usage error, nothing sent', async () => {
    aliceExists()
    const result = await run(['user', 'password', 'alice'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('--password-file')
  })

  it('a missing password file fails with exit 1; an unknown user with exit 7', async () => {
    aliceExists()
    expect((await run(['user', 'password', 'alice', '--password-file', '/nonexistent/pw'])).code).toBe(EXIT.failure)
    aliceMissing()
    expect((await run(['user', 'password', 'alice', '-p', 'x'])).code).toBe(EXIT.notFound)
  })
})

describe('user whois, memberships, joined-rooms, account-data, pushers', () => {
  it('each gets its endpoint', async () => {
    const replies = {
      whois: { user_id: ALICE, devices: {} },
      memberships: { memberships: { '!r:s': 'join' } },
      'joined-rooms': { joined_rooms: ['!r:s'], total: 1 },
      'account-data': { account_data: { global: {}, rooms: {} } },
      pushers: { pushers: [], total: 0 },
    }
    const paths = {
      whois: `v1/whois/${ALICE_PATH}`,
      memberships: `v1/users/${ALICE_PATH}/memberships`,
      'joined-rooms': `v1/users/${ALICE_PATH}/joined_rooms`,
      'account-data': `v1/users/${ALICE_PATH}/accountdata`,
      pushers: `v1/users/${ALICE_PATH}/pushers`,
    }
    for (const [command, reply] of Object.entries(replies)) {
      if (!['account-data', 'pushers'].includes(command)) aliceExists()
      const scope = api().get(`${A}/${paths[command as keyof typeof paths]}`).reply(200, reply)
      const result = await run(['user', command, 'alice'])
      expect(json(result), command).toEqual(reply)
      expect(scope.isDone(), command).toBe(true)
    }
  })

  it('joined rooms of an unknown user are a not-found error, not an empty list', async () => {
    aliceMissing()
    expect((await run(['user', 'joined-rooms', 'alice'])).code).toBe(EXIT.notFound)
  })

  it('Synapse’s own 404 (pushers of an unknown user) exits 7', async () => {
    api().get(`${A}/v1/users/${ALICE_PATH}/pushers`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    expect((await run(['user', 'pushers', 'alice'])).code).toBe(EXIT.notFound)
  })
})

describe('user membership', () => {
  it('replaces a room ID by its aliases (client API), keeps IDs without aliases', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: ['!a:s', '!b:s'], total: 2 })
    api().get('/_matrix/client/v3/rooms/%21a%3As/aliases').reply(200, { aliases: ['#one:s', '#two:s'] })
    api().get('/_matrix/client/v3/rooms/%21b%3As/aliases').reply(200, { aliases: [] })
    const result = await run(['user', 'membership', 'alice'])
    expect(json(result)).toEqual({ joined_rooms: ['#one:s #two:s', '!b:s'], total: 2 })
  })

  it('--ids shows room IDs without asking for aliases', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: ['!a:s'], total: 1 })
    const result = await run(['user', 'membership', 'alice', '--ids'])
    expect(json(result)).toEqual({ joined_rooms: ['!a:s'], total: 1 })
  })
})

describe('user media and delete-media', () => {
  const item = { media_id: 'm1', created_ts: 1_700_000_000_000, last_access_ts: 1_700_000_100_000, media_length: 10, media_type: 'text/plain', upload_name: 'a.txt' }

  it('media: local date/time by default, --ts raw, sorting and paging', async () => {
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 0, limit: 100 }).reply(200, { media: [item], total: 1 })
    const dt = await run(['user', 'media', 'alice'])
    expect(json(dt)).toEqual({ media: [{ ...item, created_ts: localDateTime(item.created_ts), last_access_ts: localDateTime(item.last_access_ts) }], total: 1 })
    const scope = api().get(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 3, limit: 2, order_by: 'media_length', dir: 'b' }).reply(200, { media: [item], total: 1 })
    const ts = await run(['user', 'media', 'alice', '-f', '3', '-l', '2', '-s', 'media_length', '-r', '--ts'])
    expect(json(ts)).toEqual({ media: [item], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('media --all follows next_token', async () => {
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 0, limit: 1 }).reply(200, { media: [{ media_id: 'a' }], next_token: 1, total: 2 })
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 1, limit: 1 }).reply(200, { media: [{ media_id: 'b' }], total: 2 })
    const result = await run(['user', 'media', 'alice', '-l', '1', '--all'])
    expect(json(result)).toEqual([{ media_id: 'a' }, { media_id: 'b' }])
  })

  it('media: a sort field that does not exist is a usage error', async () => {
    expect((await run(['user', 'media', 'alice', '-s', 'size'])).code).toBe(EXIT.usage)
  })

  it('delete-media shows the page it will delete, then deletes it with the same query', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 0, limit: 5 }).reply(200, { media: [item], total: 1 })
    const scope = api().delete(`${A}/v1/users/${ALICE_PATH}/media`).query({ from: 0, limit: 5 }).reply(200, { deleted_media: ['m1'], total: 1 })
    const result = await batch(['user', 'delete-media', 'alice', '-l', '5'])
    expect(json(result)).toEqual({ deleted_media: ['m1'], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('delete-media with nothing to delete sends no DELETE; without --batch it refuses', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query(true).reply(200, { media: [], total: 0 })
    expect(json(await batch(['user', 'delete-media', 'alice']))).toEqual({ deleted_media: [], total: 0 })
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/media`).query(true).reply(200, { media: [item], total: 1 })
    expect((await run(['user', 'delete-media', 'alice'])).code).toBe(EXIT.usage)
  })
})

describe('user login', () => {
  const login = (check: (body: { valid_until_ms?: number }) => boolean) =>
    api().post(`${A}/v1/users/${ALICE_PATH}/login`, check).reply(200, { access_token: 'tok' })

  it('defaults to one day; -d N days; --expire-ts 0 is sent as 0; --expire-never sends none', async () => {
    const now = Date.now()
    const near = (target: number) => (b: { valid_until_ms?: number }) => Math.abs((b.valid_until_ms ?? 0) - target) < 60_000
    for (const [argv, check] of [
      [[], near(now + DAY)],
      [['-d', '3'], near(now + 3 * DAY)],
      [['--expire-ts', '0'], (b: { valid_until_ms?: number }) => b.valid_until_ms === 0],
      [['--expire', '2030-01-02'], (b: { valid_until_ms?: number }) => b.valid_until_ms === new Date(2030, 0, 2).getTime()],
      [['--expire-never'], (b: { valid_until_ms?: number }) => !('valid_until_ms' in b)],
    ] as const) {
      aliceExists()
      const scope = login(check)
      const result = await run(['user', 'login', 'alice', ...argv])
      expect(json(result), argv.join(' ')).toEqual({ access_token: 'tok' })
      expect(scope.isDone(), argv.join(' ')).toBe(true)
    }
  })

  it('expiry options exclude each other', async () => {
    expect((await run(['user', 'login', 'alice', '-d', '1', '--expire-never'])).code).toBe(EXIT.usage)
  })
})

describe('user modify over --targets', () => {
  it('the confirmation says which way the switches go: the off side of a pair, not its on side', async () => {
    const result = await run(['user', 'modify', '--targets', '-', '-u', '-L'], { input: '@a:synapse.test\n@b:synapse.test\n' })
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('Create or modify 2 users: revoke server admin rights and unlock?')
  })
})

describe('user shadow-ban and suspend', () => {
  it('shadow-ban POSTs, -u DELETEs: the write alone, no read first', async () => {
    const ban = api().post(`${A}/v1/users/${ALICE_PATH}/shadow_ban`).reply(200, {})
    expect((await run(['user', 'shadow-ban', 'alice'])).code).toBe(0)
    const unban = api().delete(`${A}/v1/users/${ALICE_PATH}/shadow_ban`).reply(200, {})
    expect((await run(['user', 'shadow-ban', 'alice', '-u'])).code).toBe(0)
    expect([ban.isDone(), unban.isDone()]).toEqual([true, true])
  })

  it("shadow-ban of an account Synapse does not have: its 404 names the user, exit 4", async () => {
    api().post(`${A}/v1/users/${ALICE_PATH}/shadow_ban`).reply(404, { errcode: 'M_UNKNOWN', error: 'No row found (users)' })
    const result = await run(['user', 'shadow-ban', 'alice'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('user @alice:synapse.test does not exist on this server')
  })

  it('shadow-ban --dry-run reads the account and sends no write', async () => {
    const read = api().get(`${A}/v2/users/${ALICE_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const result = await run(['user', 'shadow-ban', 'alice', '--dry-run'])
    expect([read.isDone(), result.code]).toEqual([true, EXIT.notFound])
  })

  it('suspend sends suspend: true; -U and --unsuspend both lift it', async () => {
    for (const [argv, suspend] of [[[], true], [['-U'], false], [['--unsuspend'], false]] as const) {
      aliceExists()
      const scope = api().put(`${A}/v1/suspend/${ALICE_PATH}`, { suspend }).reply(200, { [`user_${ALICE}_suspended`]: suspend })
      const result = await batch(['user', 'suspend', 'alice', ...argv])
      expect(json(result)).toEqual({ [`user_${ALICE}_suspended`]: suspend })
      expect(scope.isDone()).toBe(true)
    }
  })

  it('suspend asks first; an unknown user is exit 7 before the write', async () => {
    aliceExists()
    expect((await run(['user', 'suspend', 'alice'])).code).toBe(EXIT.usage)
    aliceMissing()
    expect((await batch(['user', 'suspend', 'alice'])).code).toBe(EXIT.notFound)
  })
})

describe('user prune-devices', () => {
  const now = Date.UTC(2030, 0, 1)
  const device = (id: string, lastSeen: number | null) => ({ device_id: id, display_name: id, last_seen_ip: null, last_seen_ts: lastSeen })

  it('picks the oldest devices first, never-seen counting as oldest, keeping min-surviving', () => {
    const devices = [device('new', now - DAY), device('old', now - 200 * DAY), device('never', null), device('mid', now - 100 * DAY)]
    expect(pruneCandidates(devices, { minDays: 90, minSurviving: 1 }, now).map((d) => d.device_id)).toEqual(['never', 'old', 'mid'])
    expect(pruneCandidates(devices, { minDays: 90, minSurviving: 3 }, now).map((d) => d.device_id)).toEqual(['never'])
    expect(pruneCandidates(devices, { minDays: 0, minSurviving: 1 }, now).map((d) => d.device_id)).toEqual(['never', 'old', 'mid'])
    expect(pruneCandidates(devices, { minDays: 150, minSurviving: 0 }, now).map((d) => d.device_id)).toEqual(['never', 'old'])
    expect(pruneCandidates(devices, { minDays: 90, minSurviving: 1, deviceId: 'new' }, now).map((d) => d.device_id)).toEqual(['new'])
    expect(pruneCandidates(devices, { minDays: 90, minSurviving: 4 }, now)).toEqual([])
  })

  it('deletes the candidates for the full user ID (synadm used the ID as typed)', async () => {
    aliceExists()
    api().get(`${A}/v2/users/${ALICE_PATH}/devices`).reply(200, { devices: [device('A', null), device('B', Date.now())], total: 2 })
    const scope = api().post(`${A}/v2/users/${ALICE_PATH}/delete_devices`, { devices: ['A'] }).reply(200, {})
    const result = await run(['user', 'prune-devices', 'alice', '--ts'])
    expect(json(result)).toEqual([device('A', null)])
    expect(scope.isDone()).toBe(true)
  })

  it('-l only lists, with last_seen_ts as local time', async () => {
    const seen = Date.now() - 100 * DAY
    aliceExists()
    api().get(`${A}/v2/users/${ALICE_PATH}/devices`).reply(200, { devices: [device('A', seen), device('B', Date.now())], total: 2 })
    const result = await run(['user', 'prune-devices', 'alice', '-l'])
    expect(json(result)).toEqual([{ ...device('A', null), last_seen_ts: localDateTime(seen) }])
  })
})

describe('user redact and redact-status', () => {
  it('sends rooms, reason, limit and the time window; prints the redact_id', async () => {
    aliceExists()
    const scope = api()
      .post(`${A}/v1/user/${ALICE_PATH}/redact`, { rooms: ['!a:s', '!b:s'], reason: 'spam', limit: 5, use_admin: true, after_ts: 1000, before_ts: new Date(2030, 0, 1).getTime() })
      .reply(200, { redact_id: 'r1' })
    const result = await run(['user', 'redact', 'alice', '-r', '!a:s', '-r', '!b:s', '--reason', 'spam', '-l', '5', '--use-admin', '--after-ts', '1000', '--before', '2030-01-01'])
    expect(json(result)).toEqual({ redact_id: 'r1' })
    expect(scope.isDone()).toBe(true)
  })

  it('a remote user is not looked up first; no rooms means all rooms', async () => {
    const scope = api().post(`${A}/v1/user/%40spammer%3Aother.example/redact`, { rooms: [] }).reply(200, { redact_id: 'r2' })
    expect(json(await run(['user', 'redact', '@spammer:other.example']))).toEqual({ redact_id: 'r2' })
    expect(scope.isDone()).toBe(true)
  })

  it('--limit 0 is refused before any request', async () => {
    expect((await run(['user', 'redact', 'alice', '-l', '0'])).code).toBe(EXIT.usage)
  })

  it('--wait polls redact_status until complete', async () => {
    aliceExists()
    api().post(`${A}/v1/user/${ALICE_PATH}/redact`).reply(200, { redact_id: 'r3' })
    api().get(`${A}/v1/user/redact_status/r3`).reply(200, { status: 'scheduled' })
    api().get(`${A}/v1/user/redact_status/r3`).reply(200, { status: 'active' })
    api().get(`${A}/v1/user/redact_status/r3`).reply(200, { status: 'complete', failed_redactions: {} })
    const result = await run(['user', 'redact', 'alice', '--wait'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ redact_id: 'r3', status: 'complete', failed_redactions: {} })
    expect(result.stderr).toContain('redaction r3: active')
  })

  it('--wait on a failed job exits 10 and shows the status', async () => {
    aliceExists()
    api().post(`${A}/v1/user/${ALICE_PATH}/redact`).reply(200, { redact_id: 'r4' })
    api().get(`${A}/v1/user/redact_status/r4`).reply(200, { status: 'failed', error: 'db gone' })
    const result = await run(['user', 'redact', 'alice', '--wait'])
    expect(result.code).toBe(EXIT.jobFailed)
    expect(json(result)).toEqual({ redact_id: 'r4', status: 'failed', error: 'db gone' })
  })

  it('redact-status gets the job; an unknown ID exits 7', async () => {
    api().get(`${A}/v1/user/redact_status/r5`).reply(200, { status: 'active' })
    expect(json(await run(['user', 'redact-status', 'r5']))).toEqual({ status: 'active' })
    api().get(`${A}/v1/user/redact_status/nope`).reply(404, { errcode: 'M_NOT_FOUND', error: "redact id 'nope' not found" })
    expect((await run(['user', 'redact-status', 'nope'])).code).toBe(EXIT.notFound)
  })
})

describe('user 3pid and auth-provider', () => {
  it('3pid looks up an e-mail address by default, -m picks the medium', async () => {
    api().get(`${A}/v1/threepid/email/users/a%40x.org`).reply(200, { user_id: ALICE })
    expect(json(await run(['user', '3pid', 'a@x.org']))).toEqual({ user_id: ALICE })
    const scope = api().get(`${A}/v1/threepid/msisdn/users/4912345`).reply(200, { user_id: ALICE })
    expect((await run(['user', '3pid', '4912345', '-m', 'msisdn'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('auth-provider needs -p and looks the ID up at that provider', async () => {
    expect((await run(['user', 'auth-provider', 'ext'])).code).toBe(EXIT.usage)
    api().get(`${A}/v1/auth_providers/oidc/users/ext%2F1`).reply(200, { user_id: ALICE })
    expect(json(await run(['user', 'auth-provider', 'ext/1', '-p', 'oidc']))).toEqual({ user_id: ALICE })
    api().get(`${A}/v1/auth_providers/oidc/users/none`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    expect((await run(['user', 'auth-provider', 'none', '-p', 'oidc'])).code).toBe(EXIT.notFound)
  })
})

describe('user admin', () => {
  it('shows the flag; --set and --unset change it', async () => {
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/admin`).reply(200, { admin: false })
    expect(json(await run(['user', 'admin', 'alice']))).toEqual({ admin: false })
    aliceExists()
    const set = api().put(`${A}/v1/users/${ALICE_PATH}/admin`, { admin: true }).reply(200, {})
    expect((await run(['user', 'admin', 'alice', '--set'])).code).toBe(0)
    aliceExists()
    const unset = api().put(`${A}/v1/users/${ALICE_PATH}/admin`, { admin: false }).reply(200, {})
    expect((await run(['user', 'admin', 'alice', '--unset'])).code).toBe(0)
    expect([set.isDone(), unset.isDone()]).toEqual([true, true])
  })

  it('demoting yourself is the server’s 400, exit 5', async () => {
    aliceExists()
    api().put(`${A}/v1/users/${ALICE_PATH}/admin`).reply(400, { errcode: 'M_UNKNOWN', error: 'You may not demote yourself.' })
    const result = await run(['user', 'admin', 'alice', '--unset'])
    expect(result.code).toBe(EXIT.api)
    expect(result.stderr).toContain('You may not demote yourself.')
  })
})

describe('user devices', () => {
  const dev = { device_id: 'D1', display_name: 'phone', last_seen_ip: '1.2.3.4', last_seen_ts: 1_700_000_000_000, user_id: ALICE }
  const devPath = `${A}/v2/users/${ALICE_PATH}/devices/D1`

  it('list and show, with last_seen_ts as local time unless --ts', async () => {
    api().get(`${A}/v2/users/${ALICE_PATH}/devices`).reply(200, { devices: [dev], total: 1 })
    expect(json(await run(['user', 'devices', 'list', 'alice']))).toEqual({ devices: [{ ...dev, last_seen_ts: localDateTime(dev.last_seen_ts) }], total: 1 })
    api().get(devPath).reply(200, dev)
    expect(json(await run(['user', 'devices', 'show', 'alice', 'D1', '--ts']))).toEqual(dev)
  })

  it('create and rename', async () => {
    aliceExists()
    const create = api().post(`${A}/v2/users/${ALICE_PATH}/devices`, { device_id: 'NEW' }).reply(201, {})
    expect((await run(['user', 'devices', 'create', 'alice', 'NEW'])).code).toBe(0)
    aliceExists()
    api().get(devPath).reply(200, dev)
    const rename = api().put(devPath, { display_name: 'laptop' }).reply(200, {})
    expect((await run(['user', 'devices', 'rename', 'alice', 'D1', 'laptop'])).code).toBe(0)
    expect([create.isDone(), rename.isDone()]).toEqual([true, true])
  })

  it('renaming an unknown device fails before the write (exit 7)', async () => {
    aliceExists()
    api().get(`${A}/v2/users/${ALICE_PATH}/devices/NOPE`).reply(404, { errcode: 'M_NOT_FOUND', error: 'No device found' })
    expect((await run(['user', 'devices', 'rename', 'alice', 'NOPE', 'x'])).code).toBe(EXIT.notFound)
  })

  it('delete shows the device and asks; --batch deletes', async () => {
    aliceExists()
    api().get(devPath).reply(200, dev)
    expect((await run(['user', 'devices', 'delete', 'alice', 'D1'])).code).toBe(EXIT.usage)
    aliceExists()
    api().get(devPath).reply(200, dev)
    const scope = api().delete(devPath).reply(200, {})
    expect((await batch(['user', 'devices', 'delete', 'alice', 'D1'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('delete-many deletes the given devices; an unknown ID stops everything (exit 7)', async () => {
    aliceExists()
    api().get(`${A}/v2/users/${ALICE_PATH}/devices`).reply(200, { devices: [dev, { ...dev, device_id: 'D2' }], total: 2 })
    const scope = api().post(`${A}/v2/users/${ALICE_PATH}/delete_devices`, { devices: ['D1', 'D2'] }).reply(200, {})
    expect((await batch(['user', 'devices', 'delete-many', 'alice', 'D1', 'D2'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
    aliceExists()
    api().get(`${A}/v2/users/${ALICE_PATH}/devices`).reply(200, { devices: [dev], total: 1 })
    const result = await batch(['user', 'devices', 'delete-many', 'alice', 'D1', 'TYPO'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('has no device TYPO')
  })
})

describe('user ratelimit', () => {
  const path = `${A}/v1/users/${ALICE_PATH}/override_ratelimit`
  it('get, set (defaults 0 = unlimited), delete', async () => {
    api().get(path).reply(200, {})
    expect(json(await run(['user', 'ratelimit', 'get', 'alice']))).toEqual({})
    aliceExists()
    const unlimited = api().post(path, { messages_per_second: 0, burst_count: 0 }).reply(200, { messages_per_second: 0, burst_count: 0 })
    expect((await run(['user', 'ratelimit', 'set', 'alice'])).code).toBe(0)
    aliceExists()
    const limited = api().post(path, { messages_per_second: 5, burst_count: 20 }).reply(200, { messages_per_second: 5, burst_count: 20 })
    expect(json(await run(['user', 'ratelimit', 'set', 'alice', '--messages-per-second', '5', '--burst-count', '20']))).toEqual({ messages_per_second: 5, burst_count: 20 })
    aliceExists()
    const removed = api().delete(path).reply(200, {})
    expect((await run(['user', 'ratelimit', 'delete', 'alice'])).code).toBe(0)
    expect([unlimited.isDone(), limited.isDone(), removed.isDone()]).toEqual([true, true, true])
  })
})

describe('user username-available', () => {
  it('true; a taken name is {available: false} with the reason, exit 0; other errors fail', async () => {
    api().get(`${A}/v1/username_available`).query({ username: 'free' }).reply(200, { available: true })
    expect(json(await run(['user', 'username-available', 'free']))).toEqual({ available: true })
    api().get(`${A}/v1/username_available`).query({ username: 'alice' }).reply(400, { errcode: 'M_USER_IN_USE', error: 'User ID already taken.' })
    const taken = await run(['user', 'username-available', 'alice'])
    expect(taken.code).toBe(0)
    expect(json(taken)).toEqual({ available: false, errcode: 'M_USER_IN_USE', error: 'User ID already taken.' })
    api().get(`${A}/v1/username_available`).query(true).reply(400, { errcode: 'M_MISSING_PARAM', error: 'x' })
    expect((await run(['user', 'username-available', 'x'])).code).toBe(EXIT.api)
  })
})

describe('user sent-invite-count and joined-room-count', () => {
  it('send from_ts from --since-ts, --since or --since-days; one is required', async () => {
    aliceExists()
    const invites = api().get(`${A}/v1/users/${ALICE_PATH}/sent_invite_count`).query({ from_ts: 1000 }).reply(200, { invite_count: 3 })
    expect(json(await run(['user', 'sent-invite-count', 'alice', '--since-ts', '1000']))).toEqual({ invite_count: 3 })
    aliceExists()
    const joins = api().get(`${A}/v1/users/${ALICE_PATH}/cumulative_joined_room_count`).query({ from_ts: new Date(2024, 4, 1).getTime() }).reply(200, { cumulative_joined_room_count: 2 })
    expect(json(await run(['user', 'joined-room-count', 'alice', '--since', '2024-05-01']))).toEqual({ cumulative_joined_room_count: 2 })
    aliceExists()
    const days = api()
      .get(`${A}/v1/users/${ALICE_PATH}/sent_invite_count`)
      .query((q) => Math.abs(Number(q.from_ts) - (Date.now() - 7 * DAY)) < 60_000)
      .reply(200, { invite_count: 0 })
    expect((await run(['user', 'sent-invite-count', 'alice', '--since-days', '7'])).code).toBe(0)
    expect([invites.isDone(), joins.isDone(), days.isDone()]).toEqual([true, true, true])
    expect((await run(['user', 'sent-invite-count', 'alice'])).code).toBe(EXIT.usage)
  })
})

describe('user allow-cross-signing-replacement, experimental-features, validity', () => {
  it('allow-cross-signing-replacement POSTs; no master key is the server’s 404', async () => {
    aliceExists()
    api().post(`${A}/v1/users/${ALICE_PATH}/_allow_cross_signing_replacement_without_uia`).reply(200, { updatable_without_uia_before_ms: 123 })
    expect(json(await run(['user', 'allow-cross-signing-replacement', 'alice']))).toEqual({ updatable_without_uia_before_ms: 123 })
    aliceExists()
    api().post(`${A}/v1/users/${ALICE_PATH}/_allow_cross_signing_replacement_without_uia`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User has no master cross-signing key' })
    expect((await run(['user', 'allow-cross-signing-replacement', 'alice'])).code).toBe(EXIT.notFound)
  })

  it('experimental-features get and set', async () => {
    aliceExists()
    api().get(`${A}/v1/experimental_features/${ALICE_PATH}`).reply(200, { features: { msc3881: false } })
    expect(json(await run(['user', 'experimental-features', 'get', 'alice']))).toEqual({ features: { msc3881: false } })
    aliceExists()
    const scope = api().put(`${A}/v1/experimental_features/${ALICE_PATH}`, { features: { msc3881: true, msc4222: true, msc3575: false } }).reply(200, {})
    expect((await run(['user', 'experimental-features', 'set', 'alice', '--enable', 'msc3881', '--enable', 'msc4222', '--disable', 'msc3575'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
    expect((await run(['user', 'experimental-features', 'set', 'alice'])).code).toBe(EXIT.usage)
    aliceExists()
    expect((await run(['user', 'experimental-features', 'set', 'alice', '--enable', 'a', '--disable', 'a'])).code).toBe(EXIT.usage)
  })

  it('validity sends user_id, the expiry and enable_renewal_emails', async () => {
    aliceExists()
    const scope = api().post(`${A}/v1/account_validity/validity`, { user_id: ALICE, expiration_ts: 5000, enable_renewal_emails: false }).reply(200, { expiration_ts: 5000 })
    expect(json(await run(['user', 'validity', 'alice', '--expiration-ts', '5000', '--no-renewal-emails']))).toEqual({ expiration_ts: 5000 })
    aliceExists()
    const plain = api().post(`${A}/v1/account_validity/validity`, { user_id: ALICE }).reply(200, { expiration_ts: 9 })
    expect((await run(['user', 'validity', 'alice'])).code).toBe(0)
    expect([scope.isDone(), plain.isDone()]).toEqual([true, true])
  })
})

describe('user register', () => {
  const mac = (nonce: string, fields: string[]) => createHmac('sha1', 'shh').update([nonce, ...fields].join('\0')).digest('hex')

  it('signs the request with the shared secret from $SYNADM_SHARED_SECRET, password from stdin', async () => {
    api().get(`${A}/v1/register`).reply(200, { nonce: 'n1' })
    const scope = api()
      .post(`${A}/v1/register`, { nonce: 'n1', username: 'bob', password: 'pw', admin: true, displayname: 'Bob', user_type: 'bot', mac: mac('n1', ['bob', 'pw', 'admin', 'bot']) })
      .reply(200, { user_id: '@bob:synapse.test', access_token: 't', home_server: 'synapse.test', device_id: 'D' })
    const result = await run(['user', 'register', 'bob', '-a', '-n', 'Bob', '--user-type', 'bot', '--password-file', '-'], { input: 'pw\n', env: { SYNADM_SHARED_SECRET: 'shh' } })
    expect(result.code).toBe(0)
    expect(json(result).user_id).toBe('@bob:synapse.test')
    expect(scope.isDone()).toBe(true)
  })

  it('takes the secret from a file and a full user ID of this server', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'synadm-user-')), 'secret')
    writeFileSync(file, 'shh\n')
    api().get(`${A}/v1/register`).reply(200, { nonce: 'n2' })
    const scope = api().post(`${A}/v1/register`, { nonce: 'n2', username: 'carol', password: 'pw2', admin: false, mac: mac('n2', ['carol', 'pw2', 'notadmin']) }).reply(200, { user_id: '@carol:synapse.test' })
    const result = await run(['user', 'register', '@carol:synapse.test', '--shared-secret-file', file], { env: { SYNADM_PASSWORD: 'pw2' } })
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('usage errors: no secret without a terminal, another server’s ID, stdin twice', async () => {
    expect((await run(['user', 'register', 'dave'], { env: { SYNADM_PASSWORD: 'pw' } })).stderr).toContain('no registration shared secret given')
    expect((await run(['user', 'register', '@dave:other.example'], { env: { SYNADM_PASSWORD: 'pw', SYNADM_SHARED_SECRET: 's' } })).code).toBe(EXIT.usage)
    expect((await run(['user', 'register', 'dave', '--password-file', '-', '--shared-secret-file', '-'])).code).toBe(EXIT.usage)
  })

  it('the MAC matches Synapse’s algorithm', () => {
    expect(registrationMac('n', { username: 'u', password: 'p', sharedSecret: 'shh', admin: false })).toBe(mac('n', ['u', 'p', 'notadmin']))
  })
})

describe('the user API and completion for other plugins', () => {
  it('another plugin calls details() and joinedRooms() through ctx.use', async () => {
    const probe = definePlugin({
      name: 'probe',
      apiVersion: PLUGIN_API_VERSION,
      setup(p) {
        p.command({
          path: 'probe',
          description: 'probe',
          load: lazy(async () => ({
            action: async (ctx: RunContext) => {
              const users = await ctx.use<UserApi>('user')
              return { name: (await users.details(ALICE)).name, rooms: (await users.joinedRooms(ALICE)).joined_rooms }
            },
          }))('action'),
        })
      },
    })
    aliceExists()
    api().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: ['!r:s'], total: 1 })
    const result = await runSynadm([user, mas, probe], ['-o', 'json', 'probe'])
    expect(json(result)).toEqual({ name: ALICE, rooms: ['!r:s'] })
  })

  it("completion source 'user_id' lists up to 1000 user IDs and searches for the rest", async () => {
    const { session } = await runSynadm([user, mas], ['--version'])
    api().get(`${A}/v2/users`).query({ from: 0, limit: 1000, guests: true }).reply(200, { users: [{ name: '@a:s' }, { name: '@b:s' }], total: 2 })
    const source = completionProvider(await session.registry.completionSources.get('user_id')!.fetch())
    const services = await session.services()
    const apiOf = <T>(ns: string) => session.api<T>(ns, services)
    expect(await source.fetch(apiOf)).toEqual({ values: ['@a:s', '@b:s'], partial: false })
    api().get(`${A}/v2/users`).query({ from: 0, limit: 100, guests: true, user_id: '@al' }).reply(200, { users: [{ name: '@alice:s' }], total: 1 })
    expect(await source.search!(apiOf, '@al')).toEqual(['@alice:s'])
  })
})
