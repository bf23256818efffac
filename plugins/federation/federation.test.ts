import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import federation from './index.js'

const A = '/_synapse/admin/v1/federation/destinations'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([federation], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const destination = { destination: 'matrix.org', retry_last_ts: 0, retry_interval: 0, failure_ts: null, last_successful_stream_ordering: 7 }
const notFound = { errcode: 'M_NOT_FOUND', error: 'Unknown destination' }

describe('federation', () => {
  it('list with sorting and a name filter', async () => {
    const page = { destinations: [destination], total: 1 }
    const scope = api()
      .get(A)
      .query({ from: 0, limit: 100 })
      .reply(200, page)
      .get(A)
      .query({ from: 0, limit: 10, order_by: 'failure_ts', dir: 'b', destination: 'matrix' })
      .reply(200, page)
    expect(json(await run(['federation', 'list']))).toEqual(page)
    expect((await run(['federation', 'list', '-l', '10', '-s', 'failure_ts', '-r', '-d', 'matrix'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('list --all follows the string next_token', async () => {
    api().get(A).query({ from: 0, limit: 1 }).reply(200, { destinations: [{ destination: 'a' }], total: 2, next_token: '1' })
    api().get(A).query({ from: 1, limit: 1 }).reply(200, { destinations: [{ destination: 'b' }], total: 2 })
    expect(json(await run(['federation', 'list', '-l', '1', '--all']))).toEqual([{ destination: 'a' }, { destination: 'b' }])
  })

  it('details, rooms and reset-connection', async () => {
    const rooms = { rooms: [{ room_id: '!r:matrix.org', stream_ordering: 3 }], total: 1 }
    const scope = api()
      .get(`${A}/matrix.org`)
      .reply(200, destination)
      .get(`${A}/matrix.org/rooms`)
      .query({ from: 0, limit: 100, dir: 'b' })
      .reply(200, rooms)
      .post(`${A}/matrix.org/reset_connection`, {})
      .reply(200, {})
    expect(json(await run(['federation', 'details', 'matrix.org']))).toEqual(destination)
    expect(json(await run(['federation', 'rooms', 'matrix.org', '-r']))).toEqual(rooms)
    expect(json(await run(['federation', 'reset-connection', 'matrix.org']))).toEqual({})
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    ['details', 'GET', ''],
    ['rooms', 'GET', '/rooms'],
    ['reset-connection', 'POST', '/reset_connection'],
  ])('%s of an unknown destination exits 7', async (command, method, suffix) => {
    api().intercept(`${A}/nowhere.example${suffix}`, method).query(true).reply(404, notFound)
    const result = await run(['federation', command, 'nowhere.example'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('404 M_NOT_FOUND: Unknown destination')
  })

  it('an invalid sort field is a usage error; 401 exits 6', async () => {
    expect((await run(['federation', 'list', '-s', 'name'])).code).toBe(EXIT.usage)
    api().get(A).query(true).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' })
    expect((await run(['federation', 'list'])).code).toBe(EXIT.auth)
  })

  it('a network failure exits 4', async () => {
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['federation', 'list'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})
