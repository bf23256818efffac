// `user rooms`: the rooms a user joined or created, one record each; over --targets, every user's as one list that
// feeds a room command's --targets.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import user from './index.js'

const A = '/_synapse/admin'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([user], argv, { builtins: ['room'], ...options })
const enc = (value: string) => encodeURIComponent(value).replace(/!/g, '%21')

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const account = (id: string) => ({ name: id, admin: false, deactivated: false, creation_ts: 1 })
const room = (id: string, creator: string, extra: object = {}) => ({ room_id: id, name: `Room ${id}`, canonical_alias: null, creator, joined_members: 3, joined_local_members: 2, public: true, ...extra })

/** a user in the server's replies: the account, its memberships, and the rooms' details */
function serve(userId: string, memberships: Record<string, string>, rooms: Record<string, object | 404>) {
  api().get(`${A}/v2/users/${enc(userId)}`).reply(200, account(userId))
  api().get(`${A}/v1/users/${enc(userId)}/memberships`).reply(200, { memberships })
  for (const [id, details] of Object.entries(rooms)) {
    if (details === 404) api().get(`${A}/v1/rooms/${enc(id)}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    else api().get(`${A}/v1/rooms/${enc(id)}`).reply(200, details)
  }
}

const SPAM1 = '@spam1:synapse.test'
const SPAM2 = '@spam2:synapse.test'

describe('user rooms', () => {
  it('lists the rooms a user joined or created (left ones it created too), not the others', async () => {
    serve(SPAM1, { '!a:synapse.test': 'join', '!b:synapse.test': 'leave', '!c:synapse.test': 'leave', '!gone:synapse.test': 'invite' }, {
      '!a:synapse.test': room('!a:synapse.test', '@alice:synapse.test'),
      '!b:synapse.test': room('!b:synapse.test', SPAM1),
      '!c:synapse.test': room('!c:synapse.test', '@bob:synapse.test'),
      '!gone:synapse.test': 404,
    })
    const result = await run(['-o', 'json', 'user', 'rooms', 'spam1'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([
      { user_id: SPAM1, room_id: '!a:synapse.test', membership: 'join', created: false, room_name: 'Room !a:synapse.test', canonical_alias: null, creator: '@alice:synapse.test', joined_members: 3, joined_local_members: 2, public: true },
      { user_id: SPAM1, room_id: '!b:synapse.test', membership: 'leave', created: true, room_name: 'Room !b:synapse.test', canonical_alias: null, creator: SPAM1, joined_members: 3, joined_local_members: 2, public: true },
    ])
    expect(nock.isDone()).toBe(true)
  })

  it('an unknown user exits 7', async () => {
    api().get(`${A}/v2/users/${enc('@nobody:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    expect((await run(['user', 'rooms', 'nobody'])).code).toBe(EXIT.notFound)
  })

  it('over --targets prints every user’s rooms as one list, --where applied, which a room command takes as its targets', async () => {
    serve(SPAM1, { '!a:synapse.test': 'join' }, { '!a:synapse.test': room('!a:synapse.test', SPAM1) })
    // the room both are in is asked for once in the run
    serve(SPAM2, { '!a:synapse.test': 'join', '!lobby:synapse.test': 'join' }, {
      '!lobby:synapse.test': room('!lobby:synapse.test', '@admin:synapse.test', { joined_local_members: 50 }),
    })
    const targets = `{"name":"${SPAM1}"}\n{"name":"${SPAM2}"}\n`
    const result = await run(['-o', 'jsonl', 'user', 'rooms', '--targets', '-', '--where', 'joined_local_members<10'], { input: targets })
    expect(result.code).toBe(0)
    expect(nock.isDone()).toBe(true)
    const records = result.stdout.trim().split('\n').map((line) => JSON.parse(line))
    expect(records.map((r) => [r.user_id, r.room_id]).sort()).toEqual([[SPAM1, '!a:synapse.test'], [SPAM2, '!a:synapse.test']])
    // no bulk report on stdout, one summary on stderr
    expect(result.stdout).not.toContain('"ok"')
    expect(result.stderr).toContain('2 targets: 2 done, 0 failed')

    // the list is the next command's target list: one room, once
    api().get(`${A}/v1/rooms/${enc('!a:synapse.test')}/block`).reply(200, { block: false })
    const blocked = api().put(`${A}/v1/rooms/${enc('!a:synapse.test')}/block`, { block: true }).reply(200, { block: true })
    const block = await run(['--batch', '-o', 'jsonl', 'room', 'block', '--targets', '-'], { input: result.stdout })
    expect(block.code).toBe(0)
    expect(blocked.isDone()).toBe(true)
  })

  it('over --targets a user that fails is one line on stderr and exit 9; the others are listed', async () => {
    serve(SPAM1, { '!a:synapse.test': 'join' }, { '!a:synapse.test': room('!a:synapse.test', SPAM1) })
    api().get(`${A}/v2/users/${enc(SPAM2)}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const result = await run(['-o', 'json', 'user', 'rooms', '--targets', '-', '--concurrency', '1'], { input: `${SPAM1}\n${SPAM2}\n` })
    expect(result.code).toBe(EXIT.partial)
    expect(json(result).map((r: { room_id: string }) => r.room_id)).toEqual(['!a:synapse.test'])
    expect(result.stderr).toContain(`synadm: ${SPAM2}: user ${SPAM2} does not exist on this server`)
  })
})
