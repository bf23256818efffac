import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import server from './index.js'

const A = '/_synapse/admin/v1'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([server], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('version', () => {
  it('shows the server version; errors exit non-zero', async () => {
    api().get(`${A}/server_version`).reply(200, { server_version: '1.160.0' })
    expect(json(await run(['version']))).toEqual({ server_version: '1.160.0' })
    api().get(`${A}/server_version`).reply(401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' })
    expect((await run(['version'])).code).toBe(EXIT.auth)
    nock.enableNetConnect('127.0.0.1')
    expect((await run(['version'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })).code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('background-updates', () => {
  it('status', async () => {
    const reply = { enabled: true, current_updates: { master: { name: 'x', total_item_count: 5, total_duration_ms: 1, average_items_per_ms: 2 } } }
    const scope = api().get(`${A}/background_updates/status`).reply(200, reply)
    expect(json(await run(['background-updates', 'status']))).toEqual(reply)
    expect(scope.isDone()).toBe(true)
  })

  it('enabled shows, -d pauses, -e resumes', async () => {
    const scope = api()
      .get(`${A}/background_updates/enabled`)
      .reply(200, { enabled: true })
      .post(`${A}/background_updates/enabled`, { enabled: false })
      .reply(200, { enabled: false })
      .post(`${A}/background_updates/enabled`, { enabled: true })
      .reply(200, { enabled: true })
    expect(json(await run(['background-updates', 'enabled']))).toEqual({ enabled: true })
    expect(json(await run(['background-updates', 'enabled', '--disable']))).toEqual({ enabled: false })
    expect(json(await run(['background-updates', 'enabled', '-e']))).toEqual({ enabled: true })
    expect(scope.isDone()).toBe(true)
  })

  it('start-job queues a job; event_resign takes --old-key and a cut-off', async () => {
    const scope = api()
      .post(`${A}/background_updates/start_job`, { job_name: 'regenerate_directory' })
      .reply(200, {})
      .post(`${A}/background_updates/start_job`, { job_name: 'event_resign', old_key: 'ed25519:a_old', before_ts: 0 })
      .reply(200, {})
    const started = await run(['background-updates', 'start-job', 'regenerate_directory'])
    expect(json(started)).toEqual({})
    expect(started.stderr).toContain('synadm background-updates status')
    expect((await run(['background-updates', 'start-job', 'event_resign', '--old-key', 'ed25519:a_old', '--before-ts', '0'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('start-job refuses unknown jobs and options of another job; a queued job exits 5', async () => {
    const unknown = await run(['background-updates', 'start-job', 'vacuum'])
    expect(unknown.code).toBe(EXIT.usage)
    expect(unknown.stderr).toContain('populate_stats_process_rooms, regenerate_directory, event_resign')
    expect((await run(['background-updates', 'start-job', 'regenerate_directory', '--old-key', 'k'])).code).toBe(EXIT.usage)
    api().post(`${A}/background_updates/start_job`).reply(400, { errcode: 'M_UNKNOWN', error: 'Job regenerate_directory is already in queue of background updates.' })
    const queued = await run(['background-updates', 'start-job', 'regenerate_directory'])
    expect(queued.code).toBe(EXIT.api)
    expect(queued.stderr).toContain('already in queue')
  })
})

describe('scheduled-tasks list', () => {
  it('lists all tasks, or filters by action, resource, status and time', async () => {
    const tasks = { scheduled_tasks: [{ id: 't1', action: 'purge_room', status: 'complete' }] }
    const scope = api()
      .get(`${A}/scheduled_tasks`)
      .reply(200, tasks)
      .get(`${A}/scheduled_tasks`)
      .query({ action_name: ['purge_room', 'shutdown_and_purge_room'], resource_id: '!r:s', status: ['failed', 'active'], max_timestamp: 99 })
      .reply(200, { scheduled_tasks: [] })
    expect(json(await run(['scheduled-tasks', 'list']))).toEqual(tasks)
    const filtered = await run(['scheduled-tasks', 'list', '-a', 'purge_room', '-a', 'shutdown_and_purge_room', '-r', '!r:s', '-s', 'failed', '-s', 'active', '--before-ts', '99'])
    expect(json(filtered)).toEqual({ scheduled_tasks: [] })
    expect(scope.isDone()).toBe(true)
  })

  it('an unknown status is a usage error', async () => {
    expect((await run(['scheduled-tasks', 'list', '-s', 'done'])).code).toBe(EXIT.usage)
  })
})

describe('statistics', () => {
  it('user-media pages with sorting, time range and search', async () => {
    const page = { users: [{ user_id: '@a:s', displayname: 'A', media_count: 2, media_length: 10 }], total: 1 }
    const scope = api()
      .get(`${A}/statistics/users/media`)
      .query({ from: 0, limit: 100 })
      .reply(200, page)
      .get(`${A}/statistics/users/media`)
      .query({ from: 0, limit: 5, order_by: 'media_length', dir: 'b', from_ts: new Date(2024, 0, 1).getTime(), until_ts: 0, search_term: 'al' })
      .reply(200, page)
    expect(json(await run(['statistics', 'user-media']))).toEqual(page)
    const args = ['statistics', 'user-media', '-l', '5', '-s', 'media_length', '-r', '--since', '2024-01-01', '--until-ts', '0', '-n', 'al']
    expect((await run(args)).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('user-media --all follows next_token', async () => {
    api().get(`${A}/statistics/users/media`).query({ from: 0, limit: 1 }).reply(200, { users: [{ user_id: '@a:s' }], total: 2, next_token: 1 })
    api().get(`${A}/statistics/users/media`).query({ from: 1, limit: 1 }).reply(200, { users: [{ user_id: '@b:s' }], total: 2 })
    expect(json(await run(['statistics', 'user-media', '-l', '1', '--all']))).toEqual([{ user_id: '@a:s' }, { user_id: '@b:s' }])
  })

  it('--since with --since-ts is a usage error', async () => {
    expect((await run(['statistics', 'user-media', '--since', '2024-01-01', '--since-ts', '1'])).code).toBe(EXIT.usage)
  })

  it('largest-rooms shows the estimate, or the server’s refusal on SQLite', async () => {
    const rooms = { rooms: [{ room_id: '!r:s', estimated_size: 4096 }] }
    api().get(`${A}/statistics/database/rooms`).reply(200, rooms)
    expect(json(await run(['statistics', 'largest-rooms']))).toEqual(rooms)
    api().get(`${A}/statistics/database/rooms`).reply(400, { errcode: 'M_UNKNOWN', error: 'Endpoint requires using PostgreSQL' })
    const sqlite = await run(['statistics', 'largest-rooms'])
    expect(sqlite.code).toBe(EXIT.api)
    expect(sqlite.stderr.trim()).toBe('synadm: 400 M_UNKNOWN: Endpoint requires using PostgreSQL (GET /_synapse/admin/v1/statistics/database/rooms)')
  })
})
