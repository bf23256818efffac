import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import reports from './index.js'
import { reportId } from './api.js'

const A = '/_synapse/admin/v1'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([reports], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const eventReport = { id: 3, received_ts: 1, room_id: '!r:synapse.test', event_id: '$e', user_id: '@rep:synapse.test', reason: 'spam', score: -100, sender: '@bad:synapse.test' }
const userReport = { id: 4, received_ts: 1, target_user_id: '@bad:synapse.test', user_id: '@rep:synapse.test', reason: 'rude' }

describe('report event', () => {
  it('list pages newest first; filters expand localparts', async () => {
    const page = { event_reports: [eventReport], total: 1 }
    const scope = api()
      .get(`${A}/event_reports`)
      .query({ from: 0, limit: 100 })
      .reply(200, page)
      .get(`${A}/event_reports`)
      .query({ from: 2, limit: 10, dir: 'f', user_id: '@rep:synapse.test', room_id: '!r:synapse.test', event_sender_user_id: '@bad:synapse.test' })
      .reply(200, page)
    expect(json(await run(['report', 'event', 'list']))).toEqual(page)
    const filtered = await run(['report', 'event', 'list', '-f', '2', '-l', '10', '-r', '-u', 'rep', '--room-id', '!r:synapse.test', '-s', 'bad'])
    expect(filtered.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('list --all follows next_token', async () => {
    api().get(`${A}/event_reports`).query({ from: 0, limit: 1 }).reply(200, { event_reports: [{ id: 1 }], total: 2, next_token: 1 })
    api().get(`${A}/event_reports`).query({ from: 1, limit: 1 }).reply(200, { event_reports: [{ id: 2 }], total: 2 })
    expect(json(await run(['report', 'event', 'list', '-l', '1', '--all']))).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('details; an unknown report exits 7', async () => {
    api().get(`${A}/event_reports/3`).reply(200, { ...eventReport, event_json: {} })
    expect(json(await run(['report', 'event', 'details', '3']))).toMatchObject({ id: 3, event_json: {} })
    api().get(`${A}/event_reports/9`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Event report not found' })
    expect((await run(['report', 'event', 'details', '9'])).code).toBe(EXIT.notFound)
  })

  it('delete shows the report, asks, deletes', async () => {
    const scope = api().get(`${A}/event_reports/3`).reply(200, eventReport).delete(`${A}/event_reports/3`).reply(200, {})
    expect(json(await run(['--batch', 'report', 'event', 'delete', '3']))).toEqual({})
    expect(scope.isDone()).toBe(true)
    api().get(`${A}/event_reports/3`).reply(200, eventReport)
    const declined = await run(['report', 'event', 'delete', '3'], { interactive: true, input: 'n\r' })
    expect(declined.code).toBe(EXIT.aborted)
    expect(declined.stderr).toContain('reason: spam')
    expect(nock.isDone()).toBe(true)
  })

  it('delete of an unknown report exits 7 before asking; 403 exits 6', async () => {
    api().get(`${A}/event_reports/9`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Event report not found' })
    expect((await run(['report', 'event', 'delete', '9'])).code).toBe(EXIT.notFound)
    api().get(`${A}/event_reports`).query(true).reply(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    expect((await run(['report', 'event', 'list'])).code).toBe(EXIT.auth)
  })
})

describe('report user', () => {
  it('list with reporter and target filters', async () => {
    const page = { user_reports: [userReport], total: 1 }
    const scope = api()
      .get(`${A}/user_reports`)
      .query({ from: 0, limit: 100, user_id: '@rep:synapse.test', target_user_id: '@bad:synapse.test' })
      .reply(200, page)
    expect(json(await run(['report', 'user', 'list', '-u', 'rep', '-t', '@bad:synapse.test']))).toEqual(page)
    expect(scope.isDone()).toBe(true)
  })

  it('details and delete', async () => {
    const scope = api().get(`${A}/user_reports/4`).twice().reply(200, userReport).delete(`${A}/user_reports/4`).reply(200, {})
    expect(json(await run(['report', 'user', 'details', '4']))).toEqual(userReport)
    expect((await run(['--batch', 'report', 'user', 'delete', '4'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('delete without a terminal refuses; a network failure exits 4', async () => {
    api().get(`${A}/user_reports/4`).reply(200, userReport)
    expect((await run(['report', 'user', 'delete', '4'])).code).toBe(EXIT.usage)
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['report', 'user', 'list'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('reportId', () => {
  it('passes the whole numbers a server lists and refuses anything else before it reaches a path', () => {
    expect([reportId({ id: 7 }), reportId({ id: '12' })]).toEqual(['7', '12'])
    for (const id of ['../event_reports', -1, 1.5, '', null, undefined, { x: 1 }]) expect(() => reportId({ id })).toThrow('the server listed a report whose id is not a number')
  })
})
