import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { completionProvider } from '../../core/index.js'
import room from './index.js'

const A = '/_synapse/admin'
const ROOM = '!r:synapse.test'
const ROOM_PATH = '%21r%3Asynapse.test'
const ALIAS = '#lobby:synapse.test'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([room], argv, options)
/** The directory lookup an alias argument costs. */
const aliasLookup = () => api().get('/_matrix/client/v3/directory/room/%23lobby%3Asynapse.test').reply(200, { room_id: ROOM, servers: ['synapse.test'] })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const page = (rooms: object[], extra: object = {}) => ({ offset: 0, rooms, total_rooms: rooms.length, ...extra })

describe('room list and search', () => {
  it('sends synadm’s query, with every option', async () => {
    const scope = api()
      .get(`${A}/v1/rooms`)
      .query({ from: 5, limit: 3, search_term: 'lob', order_by: 'joined_members', dir: 'b', empty_rooms: 'false', public_rooms: 'true' })
      .reply(200, page([{ room_id: ROOM }]))
    const result = await run(['room', 'list', '-f', '5', '-l', '3', '-n', 'lob', '-s', 'joined_members', '-r', '-E', '--public'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(page([{ room_id: ROOM }]))
    expect(scope.isDone()).toBe(true)
  })

  it('defaults to from 0 and limit 100, filters nothing, and -e asks for empty rooms', async () => {
    const plain = api().get(`${A}/v1/rooms`).query({ from: 0, limit: 100 }).reply(200, page([]))
    expect((await run(['room', 'list'])).code).toBe(0)
    const empty = api().get(`${A}/v1/rooms`).query({ from: 0, limit: 100, empty_rooms: 'true' }).reply(200, page([]))
    expect((await run(['room', 'list', '-e'])).code).toBe(0)
    expect(plain.isDone() && empty.isDone()).toBe(true)
  })

  it('--all follows next_batch', async () => {
    api().get(`${A}/v1/rooms`).query({ from: 0, limit: 2 }).reply(200, page([{ room_id: '!a:s' }, { room_id: '!b:s' }], { next_batch: 2 }))
    api().get(`${A}/v1/rooms`).query({ from: 2, limit: 2 }).reply(200, page([{ room_id: '!c:s' }]))
    const result = await run(['room', 'list', '-l', '2', '--all'])
    expect(json(result).map((r: { room_id: string }) => r.room_id)).toEqual(['!a:s', '!b:s', '!c:s'])
  })

  it('search sends the term as search_term', async () => {
    const scope = api().get(`${A}/v1/rooms`).query({ from: 0, limit: 100, search_term: 'lobby' }).reply(200, page([]))
    expect((await run(['room', 'search', 'lobby'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('rejects a sort key Synapse does not know, before any request', async () => {
    const result = await run(['room', 'list', '-s', 'size'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("'size' is not one of")
  })

  it.each([
    [401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid token' }, EXIT.auth],
    [403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' }, EXIT.auth],
    [500, { errcode: 'M_UNKNOWN', error: 'boom' }, EXIT.api],
  ])('HTTP %i exits non-zero with nothing on stdout', async (status, body, code) => {
    api().get(`${A}/v1/rooms`).query(true).reply(status, body)
    const result = await run(['room', 'list'])
    expect(result.code).toBe(code)
    expect(result.stdout).toBe('')
  })

  it('a refused connection is a network error', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['room', 'list'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    nock.disableNetConnect()
    expect(result.code).toBe(EXIT.network)
  })
})

describe('one-room reads take an ID or an alias', () => {
  it.each([
    ['details', '', { room_id: ROOM, name: 'Lobby' }],
    ['members', '/members', { members: ['@a:synapse.test'], total: 1 }],
    ['state', '/state', { state: [] }],
    ['block-status', '/block', { block: false }],
    ['forward-extremities check', '/forward_extremities', { count: 0, results: [] }],
  ])('room %s', async (command, suffix, reply) => {
    const byId = api().get(`${A}/v1/rooms/${ROOM_PATH}${suffix}`).reply(200, reply)
    const result = await run(['room', ...command.split(' '), ROOM])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(reply)
    expect(byId.isDone()).toBe(true)

    const lookup = aliasLookup()
    api().get(`${A}/v1/rooms/${ROOM_PATH}${suffix}`).reply(200, reply)
    const viaAlias = await run(['room', ...command.split(' '), ALIAS])
    expect(json(viaAlias)).toEqual(reply)
    expect(viaAlias.stderr).toContain(`${ALIAS} is room ${ROOM}`)
    expect(lookup.isDone()).toBe(true)
  })

  it('room state -t filters by type', async () => {
    const scope = api().get(`${A}/v1/rooms/${ROOM_PATH}/state`).query({ type: 'm.room.name' }).reply(200, { state: [] })
    expect((await run(['room', 'state', ROOM, '-t', 'm.room.name'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('a missing room exits 7', async () => {
    api().get(`${A}/v1/rooms/${ROOM_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    const result = await run(['room', 'details', ROOM])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stdout).toBe('')
  })

  it('an unknown alias exits 7 and sends nothing else', async () => {
    api().get('/_matrix/client/v3/directory/room/%23lobby%3Asynapse.test').reply(404, { errcode: 'M_NOT_FOUND', error: 'Room alias not found' })
    const result = await run(['room', 'details', ALIAS])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('Room alias not found')
  })

  it('something that is neither an ID nor an alias is a usage error', async () => {
    const result = await run(['room', 'details', 'lobby'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("'lobby' is not a room ID (!id:server) or alias (#name:server, or #name on this server)")
  })
})

describe('room power-levels', () => {
  const listed = { room_id: ROOM, name: 'Lobby', canonical_alias: null, creator: '@a:synapse.test', joined_members: 2, version: '11', public: false, room_type: null }
  const levels = { type: 'm.room.power_levels', state_key: '', content: { users: { '@a:synapse.test': 100 } } }

  it('adds each room’s user levels and drops the detail fields', async () => {
    api().get(`${A}/v1/rooms`).query({ from: 0, limit: 10 }).reply(200, page([listed], { next_batch: 1 }))
    const state = api().get(`${A}/v1/rooms/${ROOM_PATH}/state`).query({ type: 'm.room.power_levels' }).reply(200, { state: [levels] })
    const result = await run(['room', 'power-levels'])
    expect(json(result)).toEqual({
      ...page([{ room_id: ROOM, name: 'Lobby', canonical_alias: null, room_type: null, power_levels: { '@a:synapse.test': 100 } }], { next_batch: 1 }),
      rooms_w_power_levels_curr_batch: 1,
    })
    expect(state.isDone()).toBe(true)
  })

  it('-a keeps every field; -i finds one room (alias resolved) through the search', async () => {
    aliasLookup()
    api().get(`${A}/v1/rooms`).query({ from: 0, limit: 10, search_term: ROOM }).reply(200, page([listed]))
    api().get(`${A}/v1/rooms/${ROOM_PATH}/state`).query(true).reply(200, { state: [] })
    const result = await run(['room', 'power-levels', '-a', '-i', ALIAS])
    expect(json(result).rooms).toEqual([{ ...listed, power_levels: {} }])
    expect(json(result).rooms_w_power_levels_curr_batch).toBe(0)
  })
})

describe('room resolve', () => {
  it('prints the room ID of an alias', async () => {
    aliasLookup()
    expect(json(await run(['room', 'resolve', ALIAS]))).toBe(ROOM)
  })

  it('-r lists the aliases of a room', async () => {
    const scope = api().get(`/_matrix/client/v3/rooms/${ROOM_PATH}/aliases`).reply(200, { aliases: [ALIAS] })
    expect(json(await run(['room', 'resolve', '-r', ROOM]))).toEqual({ aliases: [ALIAS] })
    expect(scope.isDone()).toBe(true)
  })

  it('a room ID without -r is a usage error', async () => {
    expect((await run(['room', 'resolve', ROOM])).code).toBe(EXIT.usage)
  })
})

describe('room join and make-admin', () => {
  it('join expands the localpart and sends the alias as typed (after showing its room)', async () => {
    aliasLookup()
    const scope = api().post(`${A}/v1/join/%23lobby%3Asynapse.test`, { user_id: '@bob:synapse.test' }).reply(200, { room_id: ROOM })
    const result = await run(['room', 'join', ALIAS, 'bob'])
    expect(json(result)).toEqual({ room_id: ROOM })
    expect(result.stderr).toContain(`is room ${ROOM}`)
    expect(scope.isDone()).toBe(true)
  })

  it('join refuses an invalid user ID before any request', async () => {
    expect((await run(['room', 'join', ROOM, 'not a user'])).code).toBe(EXIT.usage)
  })

  it('make-admin sends {} by default and user_id with -u', async () => {
    const self = api().post(`${A}/v1/rooms/${ROOM_PATH}/make_room_admin`, {}).reply(200, {})
    expect((await run(['room', 'make-admin', ROOM])).code).toBe(0)
    const other = api().post(`${A}/v1/rooms/${ROOM_PATH}/make_room_admin`, { user_id: '@bob:synapse.test' }).reply(200, {})
    expect((await run(['room', 'make-admin', ROOM, '-u', 'bob'])).code).toBe(0)
    expect(self.isDone() && other.isDone()).toBe(true)
  })

  it('make-admin explains the room v12 creator refusal', async () => {
    api().post(`${A}/v1/rooms/${ROOM_PATH}/make_room_admin`).reply(400, { errcode: 'M_UNKNOWN', error: 'Cannot set power level of creator' })
    const result = await run(['room', 'make-admin', ROOM, '-u', '@c:synapse.test'])
    expect(result.code).toBe(EXIT.api)
    expect(result.stderr).toContain('hint: in room version 12')
  })
})

describe('room block', () => {
  it('blocks by default, unblocks with -u', async () => {
    const on = api().put(`${A}/v1/rooms/${ROOM_PATH}/block`, { block: true }).reply(200, { block: true })
    expect(json(await run(['room', 'block', ROOM]))).toEqual({ block: true })
    const off = api().put(`${A}/v1/rooms/${ROOM_PATH}/block`, { block: false }).reply(200, { block: false })
    expect(json(await run(['room', 'block', ROOM, '-u']))).toEqual({ block: false })
    expect(on.isDone() && off.isDone()).toBe(true)
  })

  it('--targets: an alias whose lookup answers without room_id is a bad line; nothing is blocked', async () => {
    const lookup = api().get('/_matrix/client/v3/directory/room/%23lobby%3Asynapse.test').reply(200, { servers: ['synapse.test'] })
    const block = api().put(`${A}/v1/rooms/${ROOM_PATH}/block`).reply(200, { block: true })
    const result = await runSynadm([room], ['--batch', 'room', 'block', '--targets', '-'], { input: `${ALIAS}\n` })
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("line 1: the server's reply to the lookup of #lobby:synapse.test has no room_id")
    expect([lookup.isDone(), block.isDone()]).toEqual([true, false])
  })
})

describe('room delete', () => {
  const details = { room_id: ROOM, name: 'Lobby', canonical_alias: ALIAS, joined_members: 2, joined_local_members: 1 }
  const preview = () => {
    api().get(`${A}/v1/rooms/${ROOM_PATH}`).reply(200, details)
    api().get(`${A}/v1/rooms/${ROOM_PATH}/members`).reply(200, { members: ['@a:synapse.test', '@x:remote.test'], total: 2 })
  }

  it('v2 by default, sending block and purge and only the options given', async () => {
    preview()
    const scope = api()
      .delete(`${A}/v2/rooms/${ROOM_PATH}`, { block: true, purge: true, new_room_user_id: '@mod:synapse.test', room_name: 'Moved', message: 'Sorry' })
      .reply(200, { delete_id: 'd1' })
    const result = await run(['--batch', 'room', 'delete', ROOM, '-b', '-u', 'mod', '-n', 'Moved', '-m', 'Sorry'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ delete_id: 'd1' })
    expect(result.stderr).toContain('synadm room delete-status -d d1')
    expect(scope.isDone()).toBe(true)
  })

  it('--v1 uses the synchronous API; --no-purge sends purge false and drops --force-purge', async () => {
    preview()
    const scope = api().delete(`${A}/v1/rooms/${ROOM_PATH}`, { block: false, purge: false }).reply(200, { kicked_users: [] })
    const result = await run(['--batch', 'room', 'delete', ROOM, '--v1', '--no-purge', '--force-purge'])
    expect(json(result)).toEqual({ kicked_users: [] })
    expect(result.stderr).toContain('--force-purge is ignored')
    expect(scope.isDone()).toBe(true)
  })

  it('shows the room, its local members and the effects, and sends nothing when declined', async () => {
    preview()
    const result = await run(['room', 'delete', ROOM, '-b'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('Lobby')
    expect(result.stderr).toContain('@a:synapse.test')
    expect(result.stderr).toMatch(/blocked_afterwards: true/)
    // (the prompt wraps the question at the terminal's width)
    expect(result.stderr).toMatch(/Shut down !r:synapse\.test: remove its local members, block it and purge it\s+(│\s+)?from the database\?/)
  })

  it('refuses without a terminal and without --batch', async () => {
    preview()
    const result = await run(['room', 'delete', ROOM])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('refusing to go on without confirmation')
  })

  it('--wait polls the status until complete (statuses it does not know are shown)', async () => {
    preview()
    api().delete(`${A}/v2/rooms/${ROOM_PATH}`).reply(200, { delete_id: 'd2' })
    api().get(`${A}/v2/rooms/delete_status/d2`).reply(200, { delete_id: 'd2', room_id: ROOM, status: 'shutting_down' })
    api().get(`${A}/v2/rooms/delete_status/d2`).reply(200, { delete_id: 'd2', room_id: ROOM, status: 'complete', shutdown_room: { kicked_users: ['@a:synapse.test'] } })
    const result = await run(['--batch', 'room', 'delete', ROOM, '--wait'])
    expect(result.code).toBe(0)
    expect(json(result)).toMatchObject({ status: 'complete', shutdown_room: { kicked_users: ['@a:synapse.test'] } })
    expect(result.stderr).toContain('shutting_down')
  })

  it('--wait exits 10 when the job fails, showing the final status', async () => {
    preview()
    api().delete(`${A}/v2/rooms/${ROOM_PATH}`).reply(200, { delete_id: 'd3' })
    api().get(`${A}/v2/rooms/delete_status/d3`).reply(200, { delete_id: 'd3', room_id: ROOM, status: 'failed', shutdown_room: null })
    const result = await run(['--batch', 'room', 'delete', ROOM, '--wait'])
    expect(result.code).toBe(EXIT.jobFailed)
    expect(json(result)).toMatchObject({ delete_id: 'd3', status: 'failed' })
    expect(result.stderr).toContain('hint: Synapse')
  })

  it('a room the server does not know exits 7 before asking', async () => {
    api().get(`${A}/v1/rooms/${ROOM_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    const result = await run(['--batch', 'room', 'delete', ROOM])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('synadm room block')
  })
})

describe('room delete-status', () => {
  it('by delete ID or by room; one of them is required', async () => {
    const byId = api().get(`${A}/v2/rooms/delete_status/d1`).reply(200, { status: 'active' })
    expect(json(await run(['room', 'delete-status', '-d', 'd1']))).toEqual({ status: 'active' })
    const byRoom = api().get(`${A}/v2/rooms/${ROOM_PATH}/delete_status`).reply(200, { results: [] })
    expect(json(await run(['room', 'delete-status', '-r', ROOM]))).toEqual({ results: [] })
    expect(byId.isDone() && byRoom.isDone()).toBe(true)
    expect((await run(['room', 'delete-status'])).code).toBe(EXIT.usage)
    expect((await run(['room', 'delete-status', '-r', ROOM, '-d', 'd1'])).code).toBe(EXIT.usage)
  })
})

describe('room purge-empty', () => {
  const listing = (from: number, rooms: object[], next?: number) =>
    api().get(`${A}/v1/rooms`).query({ from, limit: 2, order_by: 'joined_local_members', dir: 'b' }).reply(200, page(rooms, next === undefined ? {} : { next_batch: next }))

  it('--dry-run lists rooms without local members and stops at the first room with some', async () => {
    listing(0, [{ room_id: '!a:s', joined_local_members: 0 }, { room_id: '!b:s', joined_local_members: 0 }], 2)
    listing(2, [{ room_id: '!c:s', joined_local_members: 0 }, { room_id: '!d:s', joined_local_members: 1 }], 4)
    const result = await run(['room', 'purge-empty', '-p', '2', '--dry-run'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(['!a:s', '!b:s', '!c:s'])
  })

  it('deletes each room (v2, purge) and --wait waits for every job', async () => {
    listing(0, [{ room_id: '!a:s', joined_local_members: 0 }, { room_id: '!b:s', joined_local_members: 3 }], 2)
    api().delete(`${A}/v2/rooms/%21a%3As`, { block: false, purge: true, force_purge: true }).reply(200, { delete_id: 'da' })
    api().get(`${A}/v2/rooms/delete_status/da`).reply(200, { delete_id: 'da', room_id: '!a:s', status: 'complete' })
    const result = await run(['--batch', 'room', 'purge-empty', '-p', '2', '--force-purge', '--wait'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([{ delete_id: 'da', room_id: '!a:s', status: 'complete' }])
  })

  it('--v1 sends purge as asked (synadm inverts it) and reports partial failure with exit 9', async () => {
    listing(0, [{ room_id: '!a:s', joined_local_members: 0 }, { room_id: '!b:s', joined_local_members: 0 }])
    api().delete(`${A}/v1/rooms/%21a%3As`, { block: false, purge: false }).reply(200, { kicked_users: [] })
    api().delete(`${A}/v1/rooms/%21b%3As`, { block: false, purge: false }).reply(500, { errcode: 'M_UNKNOWN', error: 'db locked' })
    const result = await run(['--batch', 'room', 'purge-empty', '-p', '2', '--v1', '--no-purge'])
    expect(result.code).toBe(EXIT.partial)
    expect(json(result)).toEqual([{ room_id: '!a:s', kicked_users: [] }, { room_id: '!b:s', error: expect.stringContaining('db locked') }])
    expect(result.stderr).toContain('1 of 2 room deletions failed')
  })

  it('a failed job under --wait exits 10', async () => {
    listing(0, [{ room_id: '!a:s', joined_local_members: 0 }])
    api().delete(`${A}/v2/rooms/%21a%3As`).reply(200, { delete_id: 'da' })
    api().get(`${A}/v2/rooms/delete_status/da`).reply(200, { delete_id: 'da', room_id: '!a:s', status: 'failed' })
    const result = await run(['--batch', 'room', 'purge-empty', '-p', '2', '--wait'])
    expect(result.code).toBe(EXIT.jobFailed)
    expect(json(result)).toEqual([{ delete_id: 'da', room_id: '!a:s', status: 'failed' }])
  })

  it('--no-purge and --force-purge exclude each other', async () => {
    expect((await run(['room', 'purge-empty', '--no-purge', '--force-purge'])).code).toBe(EXIT.usage)
  })

  it('asks before deleting, listing the rooms', async () => {
    listing(0, [{ room_id: '!a:s', name: 'Old', joined_local_members: 0, joined_members: 0 }])
    const result = await run(['room', 'purge-empty', '-p', '2'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('!a:s')
    expect(result.stderr).toContain('delete the 1 listed empty rooms')
  })
})

describe('room endpoints synadm lacks', () => {
  it('messages sends its paging options and validates --filter', async () => {
    const scope = api()
      .get(`${A}/v1/rooms/${ROOM_PATH}/messages`)
      .query({ from: 't1', to: 't9', limit: 5, dir: 'b', filter: '{"types":["m.room.message"]}' })
      .reply(200, { chunk: [], start: 't1' })
    const result = await run(['room', 'messages', ROOM, '-f', 't1', '-t', 't9', '-l', '5', '-d', 'b', '--filter', '{"types":["m.room.message"]}'])
    expect(json(result)).toEqual({ chunk: [], start: 't1' })
    expect(scope.isDone()).toBe(true)
    expect((await run(['room', 'messages', ROOM, '--filter', '{types'])).code).toBe(EXIT.usage)
  })

  it('messages --all follows end until the server leaves it out', async () => {
    api().get(`${A}/v1/rooms/${ROOM_PATH}/messages`).query({}).reply(200, { chunk: [{ event_id: '$1' }], start: 's', end: 'e1' })
    api().get(`${A}/v1/rooms/${ROOM_PATH}/messages`).query({ from: 'e1' }).reply(200, { chunk: [{ event_id: '$2' }], start: 'e1' })
    expect(json(await run(['room', 'messages', ROOM, '--all']))).toEqual([{ event_id: '$1' }, { event_id: '$2' }])
  })

  it('timestamp-to-event takes a ms timestamp or a local date, and a direction', async () => {
    const ms = api().get(`${A}/v1/rooms/${ROOM_PATH}/timestamp_to_event`).query({ ts: 0, dir: 'f' }).reply(200, { event_id: '$e', origin_server_ts: 5 })
    expect(json(await run(['room', 'timestamp-to-event', ROOM, '--at-ts', '0']))).toEqual({ event_id: '$e', origin_server_ts: 5 })
    const date = api().get(`${A}/v1/rooms/${ROOM_PATH}/timestamp_to_event`).query({ ts: String(new Date(2024, 0, 31).getTime()), dir: 'b' }).reply(200, {})
    expect((await run(['room', 'timestamp-to-event', ROOM, '--at', '2024-01-31', '-d', 'b'])).code).toBe(0)
    expect(ms.isDone() && date.isDone()).toBe(true)
    expect((await run(['room', 'timestamp-to-event', ROOM])).code).toBe(EXIT.usage)
  })

  it('context, hierarchy and event', async () => {
    const context = api().get(`${A}/v1/rooms/${ROOM_PATH}/context/%24ev`).query({ limit: 3 }).reply(200, { event: { event_id: '$ev' } })
    expect(json(await run(['room', 'context', ROOM, '$ev', '-l', '3']))).toEqual({ event: { event_id: '$ev' } })
    const hierarchy = api().get(`${A}/v1/rooms/${ROOM_PATH}/hierarchy`).query({ from: 'h1', limit: 4, max_depth: 1 }).reply(200, { rooms: [] })
    expect(json(await run(['room', 'hierarchy', ROOM, '-f', 'h1', '-l', '4', '-d', '1']))).toEqual({ rooms: [] })
    const event = api().get(`${A}/v1/fetch_event/%24ev`).reply(200, { event: { event_id: '$ev' } })
    expect(json(await run(['room', 'event', '$ev']))).toEqual({ event: { event_id: '$ev' } })
    expect(context.isDone() && hierarchy.isDone() && event.isDone()).toBe(true)
  })

  it('forward-extremities delete shows the current ones, then deletes', async () => {
    api().get(`${A}/v1/rooms/${ROOM_PATH}/forward_extremities`).reply(200, { count: 2, results: [{ event_id: '$x' }, { event_id: '$y' }] })
    const scope = api().delete(`${A}/v1/rooms/${ROOM_PATH}/forward_extremities`).reply(200, { deleted: 1 })
    expect(json(await run(['--batch', 'room', 'forward-extremities', 'delete', ROOM]))).toEqual({ deleted: 1 })
    expect(scope.isDone()).toBe(true)
  })
})

describe('completion sources', () => {
  it('room_id and room_alias come from the first 1000 rooms, the rest from the room search', async () => {
    const rooms = [{ room_id: '!a:s', canonical_alias: '#a:s' }, { room_id: '!b:s', canonical_alias: null }]
    api().get(`${A}/v1/rooms`).query({ limit: 1000 }).times(2).reply(200, { ...page(rooms), total_rooms: 1500, next_batch: 1000 })
    const { session } = await run(['room', 'list', '-h'])
    const services = await session.services()
    const apiOf = <T>(ns: string) => session.api<T>(ns, services)
    const source = async (name: string) => completionProvider(await session.registry.completionSources.get(name)!.fetch())
    expect(await (await source('room_id')).fetch(apiOf)).toEqual({ values: ['!a:s', '!b:s'], partial: true })
    expect(await (await source('room_alias')).fetch(apiOf)).toEqual({ values: ['#a:s'], partial: true })
    api().get(`${A}/v1/rooms`).query({ limit: 100, search_term: '#lob' }).reply(200, page([{ room_id: '!l:s', canonical_alias: '#lobby:s' }]))
    expect(await (await source('room_alias')).search!(apiOf, '#lob')).toEqual(['#lobby:s'])
  })
})
