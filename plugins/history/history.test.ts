import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, localDateTime } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import room from '../room/index.js'
import history from './index.js'

const A = '/_synapse/admin'
const ROOM = '!r:synapse.test'
const ROOM_PATH = '%21r%3Asynapse.test'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([room, history], argv, options)
/** The room details the preview shows. */
const details = () => api().get(`${A}/v1/rooms/${ROOM_PATH}`).reply(200, { room_id: ROOM, name: 'Lobby', canonical_alias: null, joined_members: 3 })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('history purge', () => {
  it('--before-ts sends the timestamp, 0 included (synadm sends {} for 0)', async () => {
    details()
    const scope = api().post(`${A}/v1/purge_history/${ROOM_PATH}`, { purge_up_to_ts: 0 }).reply(200, { purge_id: 'p1' })
    const result = await run(['--batch', 'history', 'purge', ROOM, '--before-ts', '0'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ purge_id: 'p1' })
    expect(result.stderr).toContain('synadm history purge-status p1')
    expect(scope.isDone()).toBe(true)
  })

  it('--before is a local date; --delete-local adds delete_local_events', async () => {
    details()
    const ts = new Date(2021, 0, 1).getTime()
    const scope = api().post(`${A}/v1/purge_history/${ROOM_PATH}`, { purge_up_to_ts: ts, delete_local_events: true }).reply(200, { purge_id: 'p2' })
    expect((await run(['--batch', 'history', 'purge', ROOM, '--before', '2021-01-01', '--delete-local'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('--before-days counts back from now', async () => {
    details()
    let sent = 0
    api()
      .post(`${A}/v1/purge_history/${ROOM_PATH}`, (body) => ((sent = body.purge_up_to_ts), true))
      .reply(200, { purge_id: 'p3' })
    const before = Date.now()
    expect((await run(['--batch', 'history', 'purge', ROOM, '-d', '2'])).code).toBe(0)
    const twoDays = 2 * 86_400_000
    // A DST change within the two days moves the wall-clock result by up to an hour.
    expect(Math.abs(before - twoDays - sent)).toBeLessThan(3_600_000 + 5_000)
  })

  it('-i checks that the event is in the room and sends purge_up_to_event_id', async () => {
    details()
    api().get(`${A}/v1/fetch_event/%24ev`).reply(200, { event: { room_id: ROOM, origin_server_ts: 1, sender: '@a:synapse.test', type: 'm.room.message' } })
    const scope = api().post(`${A}/v1/purge_history/${ROOM_PATH}`, { purge_up_to_event_id: '$ev' }).reply(200, { purge_id: 'p4' })
    expect((await run(['--batch', 'history', 'purge', ROOM, '-i', '$ev'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)

    details()
    api().get(`${A}/v1/fetch_event/%24ev`).reply(200, { event: { room_id: '!other:s', origin_server_ts: 1 } })
    const wrongRoom = await run(['--batch', 'history', 'purge', ROOM, '-i', '$ev'])
    expect(wrongRoom.code).toBe(EXIT.usage)
    expect(wrongRoom.stderr).toContain('is in room !other:s')
  })

  it('resolves an alias and shows the room before purging', async () => {
    api().get('/_matrix/client/v3/directory/room/%23lobby%3Asynapse.test').reply(200, { room_id: ROOM })
    details()
    api().post(`${A}/v1/purge_history/${ROOM_PATH}`).reply(200, { purge_id: 'p5' })
    const result = await run(['--batch', 'history', 'purge', '#lobby:synapse.test', '--before-ts', '5'])
    expect(result.stderr).toContain(`#lobby:synapse.test is room ${ROOM}`)
  })

  it('needs exactly one cut-off', async () => {
    expect((await run(['history', 'purge', ROOM])).code).toBe(EXIT.usage)
    expect((await run(['history', 'purge', ROOM, '-d', '1', '--before-ts', '5'])).code).toBe(EXIT.usage)
    expect((await run(['history', 'purge', ROOM, '-d', 'x'])).code).toBe(EXIT.usage)
  })

  it('previews the room and the cut-off, and sends nothing when declined', async () => {
    details()
    const result = await run(['history', 'purge', ROOM, '--before-ts', '1000'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('Lobby')
    expect(result.stderr).toContain('events_of_local_users: kept')
    expect(result.stderr).toContain(`Purge history of ${ROOM} before ${localDateTime(1000)}?`)
  })

  it('--wait returns the final status with the purge ID', async () => {
    details()
    api().post(`${A}/v1/purge_history/${ROOM_PATH}`).reply(200, { purge_id: 'p6' })
    api().get(`${A}/v1/purge_history_status/p6`).reply(200, { status: 'complete' })
    const result = await run(['--batch', 'history', 'purge', ROOM, '--before-ts', '5', '--wait'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ purge_id: 'p6', status: 'complete' })
  })

  it('--wait exits 10 with the server’s reason when the purge fails', async () => {
    details()
    api().post(`${A}/v1/purge_history/${ROOM_PATH}`).reply(200, { purge_id: 'p7' })
    api().get(`${A}/v1/purge_history_status/p7`).reply(200, { status: 'failed', error: 'disk full' })
    const result = await run(['--batch', 'history', 'purge', ROOM, '--before-ts', '5', '--wait'])
    expect(result.code).toBe(EXIT.jobFailed)
    expect(json(result)).toEqual({ purge_id: 'p7', status: 'failed', error: 'disk full' })
    expect(result.stderr).toContain('failed: disk full')
  })

  it('a refusal by the server exits non-zero', async () => {
    details()
    api().post(`${A}/v1/purge_history/${ROOM_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'there is no event to be purged' })
    const result = await run(['--batch', 'history', 'purge', ROOM, '--before-ts', '5'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stdout).toBe('')
  })
})

describe('history purge-status', () => {
  it('prints the reply', async () => {
    const scope = api().get(`${A}/v1/purge_history_status/p1`).reply(200, { status: 'active' })
    expect(json(await run(['history', 'purge-status', 'p1']))).toEqual({ status: 'active' })
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    [404, EXIT.notFound],
    [403, EXIT.auth],
  ])('HTTP %i exits %i', async (status, code) => {
    api().get(`${A}/v1/purge_history_status/p1`).reply(status, { errcode: 'M_X', error: 'no' })
    expect((await run(['history', 'purge-status', 'p1'])).code).toBe(code)
  })

  it('a refused connection is a network error', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['history', 'purge-status', 'p1'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    nock.disableNetConnect()
    expect(result.code).toBe(EXIT.network)
  })
})
