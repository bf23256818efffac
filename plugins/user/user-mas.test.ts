// The account commands on a server that delegates auth to MAS (its auth metadata names MAS): what MAS keeps goes
// through MAS's admin API, what has no equivalent says so; Synapse is asked only for what it still keeps.
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT, completionProvider } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import mas from '../mas/index.js'
import { masSynapse } from '../mas/testing.js'
import user from './index.js'

const MAS = 'http://mas.test'
const V1 = '/api/admin/v1'
const A = '/_synapse/admin'
const ALICE = '@alice:synapse.test'
const ALICE_PATH = '%40alice%3Asynapse.test'
const ALICE_ID = '01J00000000000000000000001'

const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([user, mas], ['-o', 'json', ...argv], options)
const batch = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => run(['--batch', ...argv], options)
const synapse = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const masApi = () => nock(MAS).matchHeader('authorization', 'Bearer test-token')

const masUser = (extra: Record<string, unknown> = {}) => ({
  data: { type: 'user', id: ALICE_ID, attributes: { username: 'alice', created_at: '2026-01-01T00:00:00Z', locked_at: null, deactivated_at: null, admin: false, legacy_guest: false, ...extra }, links: { self: `${V1}/users/${ALICE_ID}` } },
  links: { self: `${V1}/users/${ALICE_ID}` },
})
const aliceInMas = (times = 1) => masApi().get(`${V1}/users/by-username/alice`).times(times).reply(200, masUser())
const account = { name: ALICE, admin: false, deactivated: false, locked: false, displayname: 'Alice', threepids: [], external_ids: [] }
const aliceInSynapse = () => synapse().get(`${A}/v2/users/${ALICE_PATH}`).reply(200, account)
const noSessions = (kinds = ['compat-sessions', 'oauth2-sessions', 'user-sessions']) =>
  kinds.map((kind) => masApi().get(`${V1}/${kind}`).query({ 'filter[user]': ALICE_ID, 'filter[status]': 'active', 'page[first]': 1000, count: false }).reply(200, { data: [], links: { self: `${V1}/${kind}` } }))

beforeAll(() => nock.disableNetConnect())
beforeEach(() => masSynapse(MAS))
afterEach(() => nock.cleanAll())

describe('user list and search', () => {
  it('send guests=false (Synapse refuses to list users without it); -g says why it cannot, before any list request', async () => {
    const page = { users: [{ name: ALICE }], total: 1 }
    const list = synapse().get(`${A}/v2/users`).query({ from: 0, limit: 100, guests: false, locked: false }).reply(200, page)
    expect(json(await run(['user', 'list']))).toEqual(page)
    expect(list.isDone()).toBe(true)
    const guests = await run(['user', 'list', '-g'])
    expect(guests.code).toBe(EXIT.usage)
    expect(guests.stderr).toBe("synadm: -g/--guests: Synapse lists no guests when it delegates auth to MAS (it refuses guests=true)\nhint: guest accounts from before MAS are MAS's: synadm mas users list --legacy-guests\n")
    const search = synapse().get(`${A}/v2/users`).query((q) => q.guests === 'false' && q.deactivated === 'true').twice().reply(200, page)
    expect((await run(['user', 'search', 'ali'])).code).toBe(0)
    expect(search.isDone()).toBe(true)
  })

  it('completion of user IDs lists without guests there', async () => {
    const { session } = await run(['--version'])
    const services = await session.services()
    const apiOf = <T>(ns: string) => session.api<T>(ns, services)
    synapse().get(`${A}/v2/users`).query({ from: 0, limit: 1000, guests: false }).reply(200, { users: [{ name: ALICE }], total: 1 })
    const source = completionProvider(await session.registry.completionSources.get('user_id')!.fetch())
    expect(await source.fetch(apiOf)).toEqual({ values: [ALICE], partial: false })
  })
})

describe('what MAS keeps goes to MAS', () => {
  it("user password sets MAS's password and ends the user's sessions (as Synapse logs out devices); -n keeps them", async () => {
    aliceInMas(2)
    const set = masApi().post(`${V1}/users/${ALICE_ID}/set-password`, { password: 'a long new password' }).twice().reply(204)
    masApi().get(`${V1}/compat-sessions`).query(true).reply(200, { data: [{ type: 'compat-session', id: '01J0000000000000000000000C', attributes: {} }], links: { self: '' } })
    const finish = masApi().post(`${V1}/compat-sessions/01J0000000000000000000000C/finish`).reply(200, { data: { type: 'compat-session', id: '01J0000000000000000000000C', attributes: {} }, links: { self: '' } })
    noSessions(['oauth2-sessions', 'user-sessions'])
    const env = { SYNADM_PASSWORD: 'a long new password' }
    const result = await run(['user', 'password', 'alice'], { env })
    expect(json(result)).toEqual({ user_id: ALICE, mas_user_id: ALICE_ID, done: ['password set', 'sessions ended'] })
    expect(finish.isDone()).toBe(true)
    expect(json(await run(['user', 'password', 'alice', '-n'], { env }))).toEqual({ user_id: ALICE, mas_user_id: ALICE_ID, done: ['password set'] })
    expect(set.isDone()).toBe(true)
  })

  it("user modify: admin right and lock in MAS, the display name in Synapse, one confirmation showing which", async () => {
    aliceInSynapse()
    aliceInMas()
    const put = synapse().put(`${A}/v2/users/${ALICE_PATH}`, { displayname: 'Alice Two' }).reply(200, { ...account, displayname: 'Alice Two' })
    const admin = masApi().post(`${V1}/users/${ALICE_ID}/set-admin`, { admin: true }).reply(200, masUser({ admin: true }))
    const lock = masApi().post(`${V1}/users/${ALICE_ID}/lock`).reply(200, masUser({ admin: true, locked_at: '2026-02-01T00:00:00Z' }))
    masApi().get(`${V1}/users/${ALICE_ID}`).reply(200, masUser({ admin: true, locked_at: '2026-02-01T00:00:00Z' }))
    const preview = await run(['user', 'modify', 'alice', '-a', '--lock', '-n', 'Alice Two', '--dry-run'])
    expect(json(preview).preview).toMatchObject({ admin: 'false → true (in MAS)', locked: 'false → true (in MAS)', displayname: 'Alice → Alice Two' })
    aliceInSynapse()
    aliceInMas()
    const result = await batch(['user', 'modify', 'alice', '-a', '--lock', '-n', 'Alice Two'])
    expect(json(result)).toMatchObject({ displayname: 'Alice Two', mas: { id: ALICE_ID, admin: true, locked_at: '2026-02-01T00:00:00Z' } })
    expect([put.isDone(), admin.isDone(), lock.isDone()]).toEqual([true, true, true])
  })

  it('user modify that fails halfway says what was done', async () => {
    aliceInSynapse()
    aliceInMas()
    synapse().put(`${A}/v2/users/${ALICE_PATH}`).reply(200, account)
    masApi().post(`${V1}/users/${ALICE_ID}/set-admin`).reply(500, { errors: [{ title: 'database is down' }] })
    const result = await batch(['user', 'modify', 'alice', '-a', '-n', 'Alice Two'])
    expect(result.code).toBe(EXIT.api)
    expect(result.stderr).toBe(`synadm: MAS: 500 database is down (POST ${V1}/users/${ALICE_ID}/set-admin); already done: changed in Synapse\n`)
  })

  it('user modify neither creates accounts nor changes 3PIDs there: one line each, nothing written', async () => {
    synapse().get(`${A}/v2/users/%40bob%3Asynapse.test`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const create = await batch(['user', 'modify', 'bob', '-n', 'Bob'])
    expect(create.code).toBe(EXIT.usage)
    expect(create.stderr).toContain('synadm: this server delegates auth to MAS: accounts are created in MAS, and @bob:synapse.test does not exist\nhint: synadm mas users add bob')
    aliceInSynapse()
    const threepids = await batch(['user', 'modify', 'alice', '--add-threepid', 'email', 'a@example.org'])
    expect(threepids.code).toBe(EXIT.usage)
    expect(threepids.stderr).toContain("MAS keeps users' e-mail addresses")
  })

  it('user deactivate (also --targets) deactivates through MAS: skip_erase unless -e', async () => {
    for (const erase of [false, true]) {
      aliceInSynapse()
      synapse().get(`${A}/v1/users/${ALICE_PATH}/joined_rooms`).reply(200, { joined_rooms: [], total: 0 })
      aliceInMas()
      const deactivate = masApi().post(`${V1}/users/${ALICE_ID}/deactivate`, { skip_erase: !erase }).reply(200, masUser({ deactivated_at: '2026-02-01T00:00:00Z' }))
      const argv = ['-o', 'jsonl', 'user', 'deactivate', '--targets', '-', ...(erase ? ['-e'] : [])]
      const result = await runSynadm([user, mas], ['--batch', ...argv], { input: 'alice\n' })
      expect(JSON.parse(result.stdout)).toMatchObject({ target: ALICE, ok: true, result: { user_id: ALICE, mas: { deactivated_at: '2026-02-01T00:00:00Z' } } })
      expect(deactivate.isDone()).toBe(true)
    }
  })

  it("user login is a personal session acting as the user, with the client API scope and the expiry", async () => {
    synapse().get(`${A}/v2/users/${ALICE_PATH}`).reply(200, account)
    aliceInMas()
    const add = masApi()
      .post(`${V1}/personal-sessions`, (b) => b.actor_user_id === ALICE_ID && b.scope === 'urn:matrix:client:api:*' && b.expires_in > 2 * 86_400 - 60 && b.expires_in <= 2 * 86_400)
      .reply(201, { data: { type: 'personal-session', id: '01J0000000000000000000000P', attributes: { access_token: 'mpt_alice', expires_at: '2026-02-03T00:00:00Z' } }, links: { self: '' } })
    expect(json(await run(['user', 'login', 'alice', '-d', '2']))).toEqual({ access_token: 'mpt_alice', personal_session_id: '01J0000000000000000000000P', expires_at: '2026-02-03T00:00:00Z' })
    expect(add.isDone()).toBe(true)
  })

  it("user admin reads and sets MAS's admin right", async () => {
    aliceInMas(2)
    const set = masApi().post(`${V1}/users/${ALICE_ID}/set-admin`, { admin: true }).reply(200, masUser({ admin: true }))
    expect(json(await run(['user', 'admin', 'alice']))).toEqual({ admin: false })
    expect(json(await run(['user', 'admin', 'alice', '--set']))).toEqual({ admin: true })
    expect(set.isDone()).toBe(true)
  })

  it('a user only Synapse has is not found in MAS (exit 7), with the command that adds it there', async () => {
    masApi().get(`${V1}/users/by-username/alice`).reply(404, { errors: [{ title: 'User with username "alice" not found' }] })
    const result = await run(['user', 'admin', 'alice'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain("synadm: MAS has no user 'alice'\nhint: MAS's own list: synadm mas users list -s alice; an account only Synapse has joins MAS with: synadm mas users add alice --skip-homeserver-check")
  })
})

describe('what has no MAS equivalent says so', () => {
  it.each([
    [['user', 'register', 'bob'], 'Synapse registers no accounts; MAS does', 'synadm mas users add bob'],
    [['user', 'validity', 'alice'], 'MAS has none', 'synadm mas users lock alice'],
    [['user', 'import', '-'], 'accounts are created in MAS', 'synadm mas users add --targets FILE'],
  ])('%j: one line and exit 2', async (argv, why, instead) => {
    const result = await batch(argv, { input: 'name\nbob\n' })
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(`synadm: this server delegates auth to MAS: `)
    expect(result.stderr).toContain(why)
    expect(result.stderr).toContain(`hint: ${instead}`)
    expect(result.stderr.trim().split('\n')).toHaveLength(2)
  })
})
