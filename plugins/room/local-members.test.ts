// `room local-members`: a room's joined members of this server with their accounts; over --targets, the members of
// every room as one list, which --where narrows to the accounts of a wave and a user command takes as its targets.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import room from './index.js'

const A = '/_synapse/admin'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([room], argv, { builtins: ['user'], ...options })
const enc = (value: string) => encodeURIComponent(value).replace(/!/g, '%21')

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

/** v2/users/<id> as Synapse sends it: creation_ts in seconds */
const account = (id: string, admin: boolean, createdSeconds: number) => ({
  name: id, displayname: id.slice(1, 6), admin, deactivated: false, locked: false, shadow_banned: false, user_type: null, creation_ts: createdSeconds, last_seen_ts: null, threepids: [],
})
function serve(roomId: string, members: string[], accounts: ReturnType<typeof account>[]) {
  api().get(`${A}/v1/rooms/${enc(roomId)}/members`).reply(200, { members, total: members.length })
  for (const a of accounts) api().get(`${A}/v2/users/${enc(a.name)}`).reply(200, a)
}

const WAVE_START = new Date(2026, 11, 6, 10, 0, 0).getTime()

describe('room local-members', () => {
  it('lists the local members with their accounts, creation_ts in ms; remote members are left out', async () => {
    serve('!spam:synapse.test', ['@spam1:synapse.test', '@remote:other.test', '@admin:synapse.test'], [
      account('@spam1:synapse.test', false, WAVE_START / 1000 + 60),
      account('@admin:synapse.test', true, 1_600_000_000),
    ])
    const result = await run(['-o', 'json', 'room', 'local-members', '!spam:synapse.test'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([
      { room_id: '!spam:synapse.test', user_id: '@spam1:synapse.test', displayname: 'spam1', admin: false, deactivated: false, locked: false, shadow_banned: false, user_type: null, last_seen_ts: null, creation_ts: WAVE_START + 60_000 },
      { room_id: '!spam:synapse.test', user_id: '@admin:synapse.test', displayname: 'admin', admin: true, deactivated: false, locked: false, shadow_banned: false, user_type: null, last_seen_ts: null, creation_ts: 1_600_000_000_000 },
    ])
  })

  it('an unknown room exits 7', async () => {
    api().get(`${A}/v1/rooms/${enc('!nope:synapse.test')}/members`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    expect((await run(['room', 'local-members', '!nope:synapse.test'])).code).toBe(EXIT.notFound)
  })

  it('over --targets: every room’s members as one list; --where keeps the wave and never the others', async () => {
    serve('!one:synapse.test', ['@spam1:synapse.test', '@alice:synapse.test'], [account('@spam1:synapse.test', false, WAVE_START / 1000 + 5), account('@alice:synapse.test', false, 1_600_000_000)])
    serve('!two:synapse.test', ['@spam2:synapse.test', '@admin:synapse.test'], [account('@spam2:synapse.test', false, WAVE_START / 1000 + 9), account('@admin:synapse.test', true, WAVE_START / 1000 + 1)])
    const rooms = '{"room_id":"!one:synapse.test"}\n{"room_id":"!two:synapse.test"}\n'
    const result = await run(['-o', 'jsonl', 'room', 'local-members', '--targets', '-', '--where', 'creation_ts>=2026-12-06 10:00', '--where', 'admin=false'], { input: rooms })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line).user_id).sort()).toEqual(['@spam1:synapse.test', '@spam2:synapse.test'])
  })
})
