import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, localDateTime } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { mediaIds } from './completion.js'
import media from './index.js'
import user from '../user/index.js'

const A = '/_synapse/admin'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([media, user], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const item = { media_id: 'abc', created_ts: 1_700_000_000_000, last_access_ts: null, media_length: 5, quarantined_by: null }

describe('media list', () => {
  it('-r lists the media of a room', async () => {
    const reply = { local: ['mxc://synapse.test/abc'], remote: [] }
    const scope = api().get(`${A}/v1/room/%21room%3Asynapse.test/media`).reply(200, reply)
    const result = await run(['media', 'list', '-r', '!room:synapse.test'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(reply)
    expect(scope.isDone()).toBe(true)
  })

  it('-u lists a user’s media with dates as local date/time by default', async () => {
    const scope = api().get(`${A}/v1/users/%40alice%3Asynapse.test/media`).query({ from: 0, limit: 100 }).reply(200, { media: [item], total: 1 })
    const result = await run(['media', 'list', '-u', 'alice'])
    expect(json(result)).toEqual({ media: [{ ...item, created_ts: localDateTime(item.created_ts) }], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('-u with --ts, sorting and reverse order', async () => {
    const scope = api()
      .get(`${A}/v1/users/%40alice%3Asynapse.test/media`)
      .query({ from: 5, limit: 2, order_by: 'media_length', dir: 'b' })
      .reply(200, { media: [item], total: 1 })
    const result = await run(['media', 'list', '-u', '@alice:synapse.test', '-f', '5', '-l', '2', '-s', 'media_length', '-R', '--ts'])
    expect(json(result)).toEqual({ media: [item], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('--all follows next_token through the user’s media', async () => {
    api().get(`${A}/v1/users/%40alice%3Asynapse.test/media`).query({ from: 0, limit: 1 }).reply(200, { media: [{ media_id: 'a' }], next_token: 1, total: 2 })
    api().get(`${A}/v1/users/%40alice%3Asynapse.test/media`).query({ from: 1, limit: 1 }).reply(200, { media: [{ media_id: 'b' }], total: 2 })
    const result = await run(['media', 'list', '-u', 'alice', '-l', '1', '--all'])
    expect(json(result)).toEqual([{ media_id: 'a' }, { media_id: 'b' }])
  })

  it('refuses --all with -r, and needs -r or -u', async () => {
    const withAll = await run(['media', 'list', '-r', '!r:s', '--all'])
    expect(withAll.code).toBe(EXIT.usage)
    expect(withAll.stderr).toContain('--all pages through the media of a user')
    const neither = await run(['media', 'list'])
    expect(neither.code).toBe(EXIT.usage)
    expect(neither.stderr).toContain("At least one of the following options from 'List media by' option group is required")
  })

  it('rejects a user ID that is neither a localpart nor a full ID', async () => {
    const result = await run(['media', 'list', '-u', 'not a user'])
    expect(result.code).toBe(EXIT.usage)
  })
})

describe('media details', () => {
  it('takes a local media ID, an mxc:// URI, or an ID with -s', async () => {
    const reply = { media_info: { media_id: 'abc', user_id: '@a:synapse.test' } }
    const scope = api()
      .get(`${A}/v1/media/synapse.test/abc`)
      .reply(200, reply)
      .get(`${A}/v1/media/remote.example/xyz`)
      .twice()
      .reply(200, { media_info: { media_id: 'xyz' } })
    expect(json(await run(['media', 'details', 'abc']))).toEqual(reply)
    expect(json(await run(['media', 'details', 'mxc://remote.example/xyz']))).toEqual({ media_info: { media_id: 'xyz' } })
    expect((await run(['media', 'details', 'xyz', '-s', 'remote.example'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('unknown media exits 7', async () => {
    api().get(`${A}/v1/media/synapse.test/nope`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Unknown media' })
    const result = await run(['media', 'details', 'nope'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain('404 M_NOT_FOUND: Unknown media')
  })
})

describe('media quarantine and unquarantine', () => {
  it('-i quarantines local media; -s names a remote origin', async () => {
    const scope = api()
      .post(`${A}/v1/media/quarantine/synapse.test/abc`, {})
      .reply(200, {})
      .post(`${A}/v1/media/quarantine/remote.example/abc`, {})
      .reply(200, {})
    expect(json(await run(['media', 'quarantine', '-i', 'abc']))).toEqual({})
    expect((await run(['media', 'quarantine', '-i', 'abc', '-s', 'remote.example'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('-U splits an MXC URI; -r and -u quarantine a room or a user', async () => {
    const scope = api()
      .post(`${A}/v1/media/quarantine/remote.example/xyz`, {})
      .reply(200, {})
      .post(`${A}/v1/room/%21r%3Asynapse.test/media/quarantine`, {})
      .reply(200, { num_quarantined: 3 })
      .post(`${A}/v1/user/%40bob%3Asynapse.test/media/quarantine`, {})
      .reply(200, { num_quarantined: 2 })
    expect((await run(['media', 'quarantine', '-U', 'mxc://remote.example/xyz'])).code).toBe(0)
    expect(json(await run(['media', 'quarantine', '-r', '!r:synapse.test']))).toEqual({ num_quarantined: 3 })
    expect(json(await run(['media', 'quarantine', '-u', 'bob']))).toEqual({ num_quarantined: 2 })
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    [['media', 'quarantine', '-r', '!r:s', '-s', 'other'], '-s/--server-name applies to -i/--media-id only'],
    [['media', 'quarantine', '-U', 'mxc://a/b', '-s', 'other'], 'leave out -i and -s'],
    [['media', 'quarantine', '-U', 'https://a/b'], 'is not an mxc:// URI'],
    [['media', 'quarantine', '-i', 'a', '-r', '!r:s'], "Mutually exclusive options from 'Quarantine media by'"],
    [['media', 'quarantine'], "Missing one of the required mutually exclusive options from 'Quarantine media by'"],
    [['media', 'unquarantine', '-s', 'x'], 'Missing one of the required'],
  ])('%j is a usage error before any request', async (argv, message) => {
    const result = await run(argv)
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(message)
  })

  it('unquarantine -i and -U', async () => {
    const scope = api()
      .post(`${A}/v1/media/unquarantine/synapse.test/abc`, {})
      .reply(200, {})
      .post(`${A}/v1/media/unquarantine/remote.example/xyz`, {})
      .reply(200, {})
    expect((await run(['media', 'unquarantine', '-i', 'abc'])).code).toBe(0)
    expect((await run(['media', 'unquarantine', '-U', 'mxc://remote.example/xyz'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('a refused token exits 6', async () => {
    api().post(`${A}/v1/media/quarantine/synapse.test/abc`).reply(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    const result = await run(['media', 'quarantine', '-i', 'abc'])
    expect(result.code).toBe(EXIT.auth)
  })
})

describe('media protect, unprotect, quarantine-changes', () => {
  it('protect and unprotect post to their endpoints', async () => {
    const scope = api().post(`${A}/v1/media/protect/abc`, {}).reply(200, {}).post(`${A}/v1/media/unprotect/abc`, {}).reply(200, {})
    expect((await run(['media', 'protect', 'abc'])).code).toBe(0)
    expect((await run(['media', 'unprotect', 'abc'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('quarantine-changes shows one batch, or every batch with --all', async () => {
    const change = { origin: 'synapse.test', media_id: 'abc', quarantined: true }
    api().get(`${A}/v1/media/quarantine_changes`).reply(200, { next_batch: 4, changes: [change] })
    expect(json(await run(['media', 'quarantine-changes']))).toEqual({ next_batch: 4, changes: [change] })

    api().get(`${A}/v1/media/quarantine_changes`).query({ from: 2 }).reply(200, { next_batch: 4, changes: [change] })
    api().get(`${A}/v1/media/quarantine_changes`).query({ from: 4 }).reply(200, { next_batch: 5, changes: [{ ...change, quarantined: false }] })
    // An empty batch repeats the position it was asked for: the end.
    api().get(`${A}/v1/media/quarantine_changes`).query({ from: 5 }).reply(200, { next_batch: 5, changes: [] })
    const all = await run(['media', 'quarantine-changes', '-f', '2', '--all'])
    expect(json(all)).toEqual([change, { ...change, quarantined: false }])
    expect(nock.isDone()).toBe(true)
  })
})

describe('media delete', () => {
  it('-i shows the media, asks, then deletes it on this server', async () => {
    const scope = api()
      .get(`${A}/v1/media/synapse.test/abc`)
      .reply(200, { media_info: { media_id: 'abc' } })
      .delete(`${A}/v1/media/synapse.test/abc`)
      .reply(200, { deleted_media: ['abc'], total: 1 })
    const result = await run(['--batch', 'media', 'delete', '-i', 'abc'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ deleted_media: ['abc'], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('declined in a terminal, nothing is deleted', async () => {
    api().get(`${A}/v1/media/synapse.test/abc`).reply(200, { media_info: { media_id: 'abc', upload_name: 'cat.png' } })
    const result = await run(['media', 'delete', '-i', 'abc'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('cat.png')
    expect(result.stderr).toContain('Delete LOCAL media ID abc?')
    expect(nock.isDone()).toBe(true)
  })

  it('without a terminal or --batch it refuses before deleting; unknown media exits 7', async () => {
    api().get(`${A}/v1/media/synapse.test/abc`).reply(200, { media_info: {} })
    const refused = await run(['media', 'delete', '-i', 'abc'])
    expect(refused.code).toBe(EXIT.usage)
    expect(refused.stderr).toContain('refusing to go on without confirmation')
    api().get(`${A}/v1/media/synapse.test/gone`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Unknown media' })
    expect((await run(['--batch', 'media', 'delete', '-i', 'gone'])).code).toBe(EXIT.notFound)
  })

  it('by age, size and profiles sends before_ts, size_gt in bytes and keep_profiles=false', async () => {
    let query: Record<string, string> = {}
    const scope = api()
      .post(`${A}/v1/media/delete`, {})
      .query((q) => ((query = q as Record<string, string>), true))
      .reply(200, { deleted_media: ['a', 'b'], total: 2 })
    const before = Date.now()
    const result = await run(['--batch', 'media', 'delete', '-d', '30', '--kib', '10', '--delete-profiles'])
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
    expect(query.size_gt).toBe('10240')
    expect(query.keep_profiles).toBe('false')
    const cutOff = Number(query.before_ts)
    expect(cutOff).toBeGreaterThanOrEqual(before - 30 * 86_400_000)
    expect(cutOff).toBeLessThanOrEqual(Date.now() - 30 * 86_400_000)
  })

  it('-t 0 is a timestamp, not "unset"; -b takes a local date', async () => {
    const scope = api()
      .post(`${A}/v1/media/delete`, {})
      .query({ before_ts: 0 })
      .reply(400, { errcode: 'M_INVALID_PARAM', error: 'Query parameter before_ts you provided is from the year 1970.' })
      .post(`${A}/v1/media/delete`, {})
      .query({ before_ts: new Date(2021, 0, 1).getTime() })
      .reply(200, { deleted_media: [], total: 0 })
    expect((await run(['--batch', 'media', 'delete', '-t', '0'])).code).toBe(EXIT.api)
    expect((await run(['--batch', 'media', 'delete', '-b', '2021-01-01'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('shows the criteria before asking', async () => {
    const result = await run(['media', 'delete', '-t', '1700000000000', '--size', '1'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain(`last_accessed_before: '${localDateTime(1_700_000_000_000)}'`)
    expect(result.stderr).toContain('larger_than_bytes: 1024')
    expect(result.stderr).toContain('avatars_in_use: kept')
  })

  it.each([
    [['media', 'delete', '-i', 'abc', '--size', '1'], '--size and --delete-profiles'],
    [['media', 'delete', '-i', 'abc', '--all'], '--size and --delete-profiles'],
    [['media', 'delete', '-i', 'abc', '-d', '1'], 'Mutually exclusive'],
    [['media', 'delete', '--size', '1'], "Missing one of the required mutually exclusive options from 'delete criteria'"],
  ])('%j is a usage error', async (argv, message) => {
    const result = await run(['--batch', ...argv])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(message)
  })
})

describe('media purge', () => {
  it('purges the remote cache before a timestamp, without asking', async () => {
    const scope = api().post(`${A}/v1/purge_media_cache`, {}).query({ before_ts: 1234 }).reply(200, { deleted: 7 })
    const result = await run(['media', 'purge', '-t', '1234'])
    expect(json(result)).toEqual({ deleted: 7 })
    expect(scope.isDone()).toBe(true)
  })

  it('a network failure exits 4', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['media', 'purge', '-d', '1'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    expect(result.code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('media_id completion', () => {
  const fakeApis = (apis: Record<string, unknown>) => (async (ns: string) => {
    if (!(ns in apis)) throw new Error(`no ${ns}`)
    return apis[ns]
  }) as <T>(ns: string) => Promise<T>

  it('offers the admin’s own media, then the top uploaders’ media', async () => {
    const asked: string[] = []
    const values = await mediaIds(
      fakeApis({
        matrix: { whoami: async () => ({ user_id: '@admin:s' }) },
        server: { userMediaStatistics: async () => ({ users: [{ user_id: '@admin:s' }, { user_id: '@big:s' }] }) },
        user: { media: async (userId: string) => (asked.push(userId), { media: [{ media_id: `${userId}-1` }] }) },
      }),
    )
    expect(asked).toEqual(['@admin:s', '@big:s'])
    expect(values).toEqual(['@admin:s-1', '@big:s-1'])
  })

  it('is best effort: a failing part is left out', async () => {
    const values = await mediaIds(
      fakeApis({
        server: { userMediaStatistics: async () => ({ users: [{ user_id: '@big:s' }] }) },
        user: { media: async () => ({ media: [{ media_id: 'x' }] }) },
      }),
    )
    expect(values).toEqual(['x'])
  })
})
