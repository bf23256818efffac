// `room takedown`: each step's request, in the plan's order; the refusals (an unknown room, a room over the member
// limit, a server admin among the chosen members, --members without a filter) before any write; the evidence files.
import { mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { runSynadm, TEST_BASE_URL, writeRecorder } from 'synadm/testing'
import { masSynapse, plainSynapse, unusedMocks } from '../mas/testing.js'
import room from './index.js'

const A = '/_synapse/admin'
const ROOM = '!spam:synapse.test'
const enc = (value: string) => encodeURIComponent(value).replace(/!/g, '%21')
const R = enc(ROOM)
const SPAM1 = '@spam1:synapse.test'
const SPAM2 = '@spam2:synapse.test'
const ALICE = '@alice:synapse.test'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
/** where a plan keeps its journal when no --journal is given: not the home of the person running the tests */
const STATE = mkdtempSync(join(tmpdir(), 'synadm-takedown-state-'))
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) =>
  runSynadm([room], ['-o', 'json', ...argv], { builtins: ['user', 'media', 'reports', 'mas', 'matrix'], ...options, env: { XDG_STATE_HOME: STATE, ...options?.env } })
const takedown = (...args: string[]) => run(['--batch', 'room', 'takedown', ROOM, ...args])

const unused = unusedMocks

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

/** Every write, in the order it was sent: `PUT /v1/rooms/…/block {"block":true}`. */
const recorder = writeRecorder((uri) => uri.replace(A, ''))
const writes = recorder.sent
const written = (method: string) => recorder.reply(method)
beforeEach(() => recorder.clear())

interface RoomOnServer {
  localMembers?: number
  blocked?: boolean
  media?: number
  reports?: number[]
}

/** What the refusals and the default steps' surveys read about the room (its details once per run: the refusal, the delete survey and the evidence share them). */
function roomReads({ localMembers = 2, blocked = false, media = 2, reports = [7, 8] }: RoomOnServer = {}) {
  api().get(`${A}/v1/rooms/${R}`).reply(200, { room_id: ROOM, name: 'casino', joined_members: 3, joined_local_members: localMembers })
  api().get(`${A}/v1/rooms/${R}/block`).reply(200, { block: blocked })
  api().get(`${A}/v1/room/${R}/media`).reply(200, { local: Array.from({ length: media }, (_, i) => `mxc://synapse.test/m${i}`), remote: [] })
  api()
    .get(`${A}/v1/event_reports`)
    .query({ room_id: ROOM, from: 0, limit: 100, dir: 'f' })
    .reply(200, { event_reports: reports.map((id) => ({ id, room_id: ROOM, event_id: `$e${id}`, user_id: '@reporter:synapse.test' })), total: reports.length })
}

/** The writes of the default steps, recorded in `writes`; the delete job completes at once. */
function defaultWrites({ goneReport }: { goneReport?: number } = {}) {
  api().put(`${A}/v1/rooms/${R}/block`, { block: true }).reply(written('PUT'))
  api().post(`${A}/v1/room/${R}/media/quarantine`).reply(function (uri, body) {
    written('POST').call(this, uri, body)
    return [200, { num_quarantined: 2 }]
  })
  api().delete(`${A}/v2/rooms/${R}`).reply(function (uri, body) {
    written('DELETE').call(this, uri, body)
    return [200, { delete_id: 'del1' }]
  })
  api().get(`${A}/v2/rooms/delete_status/del1`).reply(200, { delete_id: 'del1', room_id: ROOM, status: 'complete', shutdown_room: { kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null } })
  for (const id of [7, 8]) {
    api().delete(`${A}/v1/event_reports/${id}`).reply(function (uri, body) {
      written('DELETE').call(this, uri, body)
      return id === goneReport ? [404, { errcode: 'M_NOT_FOUND', error: 'Event report not found' }] : [200, {}]
    })
  }
}

/** The room's members and their accounts (v2/users: creation_ts in seconds). */
function memberReads(accounts: { id: string; admin?: boolean }[], remote: string[] = []) {
  const members = [...accounts.map((a) => a.id), ...remote]
  api().get(`${A}/v1/rooms/${R}/members`).reply(200, { members, total: members.length })
  for (const a of accounts) {
    api().get(`${A}/v2/users/${enc(a.id)}`).reply(200, { name: a.id, displayname: a.id.slice(1, 6), admin: a.admin ?? false, deactivated: false, locked: false, shadow_banned: false, user_type: null, creation_ts: 1_700_000_000, last_seen_ts: null })
  }
}

describe('room takedown: the default steps', () => {
  beforeEach(() => plainSynapse())

  it('blocks, quarantines the media, deletes with purge and block (waiting for the job), then resolves the reports', async () => {
    roomReads()
    defaultWrites()
    const result = await takedown()
    expect(result.stderr).toContain('1 target: 1 done, 0 failed')
    expect(result.code).toBe(0)
    expect(writes).toEqual([
      `PUT /v1/rooms/${ROOM}/block {"block":true}`,
      `POST /v1/room/${ROOM}/media/quarantine {}`,
      `DELETE /v2/rooms/${ROOM} {"purge":true,"block":true}`,
      'DELETE /v1/event_reports/7',
      'DELETE /v1/event_reports/8',
    ])
    expect(unused()).toEqual([])
  })

  it('a report gone between the survey and its resolution is not an error', async () => {
    roomReads()
    defaultWrites({ goneReport: 8 })
    const result = await takedown()
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('"already_gone": 1')
  })

  it('leaves out what is done already: a blocked room, a room without media or reports', async () => {
    roomReads({ blocked: true, media: 0, reports: [] })
    defaultWrites()
    const result = await takedown()
    expect(result.code).toBe(0)
    expect(writes).toEqual([`DELETE /v2/rooms/${ROOM} {"purge":true,"block":true}`])
  })

  it('--steps and --no-NAME choose the steps', async () => {
    roomReads()
    defaultWrites()
    expect((await takedown('--steps', 'block,resolve-reports')).code).toBe(0)
    expect(writes).toEqual([`PUT /v1/rooms/${ROOM}/block {"block":true}`, 'DELETE /v1/event_reports/7', 'DELETE /v1/event_reports/8'])
  })

  it('--message: the members are told why, in a new room the admin (or --new-room-user-id) creates', async () => {
    roomReads()
    defaultWrites()
    api().get('/_matrix/client/v3/account/whoami').reply(200, { user_id: '@admin:synapse.test' })
    expect((await takedown('--steps', 'delete', '--message', 'spam room, closed')).code).toBe(0)
    expect(writes).toEqual([`DELETE /v2/rooms/${ROOM} {"purge":true,"block":true,"new_room_user_id":"@admin:synapse.test","message":"spam room, closed"}`])

    nock.cleanAll()
    plainSynapse()
    recorder.clear()
    roomReads()
    defaultWrites()
    expect((await takedown('--steps', 'delete', '--message', 'closed', '--new-room-user-id', 'mod')).code).toBe(0)
    expect(writes).toEqual([`DELETE /v2/rooms/${ROOM} {"purge":true,"block":true,"new_room_user_id":"@mod:synapse.test","message":"closed"}`])
  })

  it('--dry-run reads and sends no write', async () => {
    roomReads()
    defaultWrites()
    const result = await takedown('--dry-run')
    expect(result.code).toBe(0)
    expect(writes).toEqual([])
  })
})

describe('room takedown: refused before anything is written', () => {
  beforeEach(() => plainSynapse())

  it('a room this server does not know', async () => {
    api().get(`${A}/v1/rooms/${R}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    defaultWrites()
    const result = await takedown()
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(`${ROOM}: not known to this server`)
    expect(writes).toEqual([])
  })

  it('a room with more local members than --max-local-members (default 10); 0 means no limit', async () => {
    roomReads({ localMembers: 57 })
    defaultWrites()
    const result = await takedown()
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(`${ROOM}: has 57 local members (limit 10): is it really a spam room? raise --max-local-members to go on`)
    expect(writes).toEqual([])

    nock.cleanAll()
    plainSynapse()
    roomReads({ localMembers: 57 })
    defaultWrites()
    expect((await takedown('--max-local-members', '0')).code).toBe(0)
    expect(writes).toHaveLength(5)
  })

  it('--members without --members-where: a usage error, nothing read or written', async () => {
    const details = api().get(`${A}/v1/rooms/${R}`).reply(200, { room_id: ROOM, joined_local_members: 1 })
    defaultWrites()
    const result = await takedown('--members')
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('the members step needs --members-where')
    expect(details.isDone()).toBe(false)
    expect(writes).toEqual([])
  })

  it('--members-where without the members step, or not an expression: usage errors', async () => {
    const noStep = await takedown('--members-where', 'name~^@spam')
    expect(noStep.code).toBe(EXIT.usage)
    expect(noStep.stderr).toContain('add --members')
    const bad = await takedown('--members', '--members-where', 'name is spam')
    expect(bad.code).toBe(EXIT.usage)
    expect(bad.stderr).toContain("--members-where 'name is spam' is not FIELD OP VALUE")
  })

  it('a chosen member who is a server admin', async () => {
    roomReads()
    memberReads([{ id: SPAM1 }, { id: '@spamadmin:synapse.test', admin: true }, { id: ALICE }])
    defaultWrites()
    const result = await takedown('--members', '--members-where', 'name~^@spam')
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('@spamadmin:synapse.test is a server admin')
    expect(writes).toEqual([])
  })
})

describe('room takedown: the members step', () => {
  it('locks every matching local member, then deactivates each with erase, before the delete; never the others', async () => {
    plainSynapse()
    roomReads()
    memberReads([{ id: SPAM1 }, { id: ALICE }, { id: SPAM2 }], ['@spam3:other.test'])
    defaultWrites()
    for (const id of [SPAM1, SPAM2]) {
      api().put(`${A}/v2/users/${enc(id)}`, { locked: true }).reply(written('PUT'))
      api().post(`${A}/v1/deactivate/${enc(id)}`, { erase: true }).reply(function (uri, body) {
        written('POST').call(this, uri, body)
        return [200, { id_server_unbind_result: 'success' }]
      })
    }
    const result = await takedown('--steps', 'members,delete', '--members-where', 'name~^@spam')
    expect(result.stderr).toContain('1 target: 1 done, 0 failed')
    expect(result.code).toBe(0)
    expect(writes).toEqual([
      `PUT /v2/users/${SPAM1} {"locked":true}`,
      `PUT /v2/users/${SPAM2} {"locked":true}`,
      `POST /v1/deactivate/${SPAM1} {"erase":true}`,
      `POST /v1/deactivate/${SPAM2} {"erase":true}`,
      `DELETE /v2/rooms/${ROOM} {"purge":true,"block":true}`,
    ])
  })

  it('on a server that delegates auth to MAS: MAS locks and deactivates (with erase), and says who is an admin', async () => {
    const MAS = 'http://mas.test'
    const V1 = '/api/admin/v1'
    masSynapse(MAS)
    const mas = () => nock(MAS).matchHeader('authorization', 'Bearer test-token')
    const masUser = (id: string, username: string, admin = false) => ({
      data: { type: 'user', id, attributes: { username, created_at: '2026-01-01T00:00:00Z', locked_at: null, deactivated_at: null, admin, legacy_guest: false }, links: { self: `${V1}/users/${id}` } },
      links: { self: `${V1}/users/${id}` },
    })
    const SPAM_ID = '01J00000000000000000000001'
    roomReads()
    memberReads([{ id: SPAM1 }, { id: ALICE }])
    defaultWrites()
    mas().get(`${V1}/users/by-username/spam1`).times(2).reply(200, masUser(SPAM_ID, 'spam1'))
    mas().get(`${V1}/users/by-username/alice`).reply(200, masUser('01J00000000000000000000002', 'alice'))
    mas().post(`${V1}/users/${SPAM_ID}/lock`).reply(function (uri, body) {
      written('POST').call(this, uri, body)
      return [200, masUser(SPAM_ID, 'spam1')]
    })
    mas().post(`${V1}/users/${SPAM_ID}/deactivate`, { skip_erase: false }).reply(function (uri, body) {
      written('POST').call(this, uri, body)
      return [200, masUser(SPAM_ID, 'spam1')]
    })
    const result = await takedown('--steps', 'members', '--members-where', 'name~^@spam')
    expect(result.stderr).toContain('1 target: 1 done, 0 failed')
    expect(result.code).toBe(0)
    expect(writes).toEqual([`POST ${V1}/users/${SPAM_ID}/lock`, `POST ${V1}/users/${SPAM_ID}/deactivate {"skip_erase":false}`])
  })
})

describe('room takedown: a member MAS does not know', () => {
  it('is refused on a server that delegates auth to MAS: MAS could not lock it', async () => {
    masSynapse('http://mas.test')
    roomReads()
    memberReads([{ id: '@spambridge:synapse.test' }])
    defaultWrites()
    nock('http://mas.test').get('/api/admin/v1/users/by-username/spambridge').reply(404, { errors: [{ title: 'User not found' }] })
    const result = await takedown('--members', '--members-where', 'name~^@spam')
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('@spambridge:synapse.test has no MAS account')
    expect(writes).toEqual([])
  })
})

describe('room takedown --evidence', () => {
  beforeEach(() => plainSynapse())

  it('writes what the room’s steps destroy, before the first step: one file a document, 0600 in a 0700 folder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'synadm-takedown-')), 'evidence')
    roomReads()
    defaultWrites()
    api().get(`${A}/v1/rooms/${R}/state`).reply(200, { state: [{ type: 'm.room.name', state_key: '', content: { name: 'casino' } }] })
    api().get(`${A}/v1/rooms/${R}/members`).reply(200, { members: [SPAM1], total: 1 })
    api().get(`${A}/v1/rooms/${R}/messages`).query({ dir: 'b', limit: 200 }).reply(200, { chunk: [{ event_id: '$e7' }], start: 's1' })
    api().get(`${A}/v1/room/${R}/media`).reply(200, { local: ['mxc://synapse.test/m0'], remote: [] })
    api().get(`${A}/v1/event_reports`).query({ room_id: ROOM, from: 0, limit: 100, dir: 'f' }).reply(200, { event_reports: [{ id: 7, room_id: ROOM }], total: 1 })
    api().get(`/_matrix/client/v3/rooms/${R}/aliases`).reply(200, { aliases: ['#casino:synapse.test'] })
    api().get(`${A}/v1/rooms/${R}/block`).reply(200, { block: false })
    const result = await takedown('--evidence', dir)
    expect(result.stderr).toContain('1 target: 1 done, 0 failed')
    expect(result.code).toBe(0)
    const folder = join(dir, '!spam_synapse.test')
    expect(readdirSync(folder).sort()).toEqual(['aliases.json', 'block.json', 'details.json', 'media.json', 'members.json', 'messages.json', 'reports.json', 'state.json'])
    expect(statSync(folder).mode & 0o777).toBe(0o700)
    for (const file of readdirSync(folder)) expect(statSync(join(folder, file)).mode & 0o777).toBe(0o600)
    expect(unused()).toEqual([])
  })
})
