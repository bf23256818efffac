import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { definePlugin, EXIT, PLUGIN_API_VERSION, type SynadmPlugin } from '../../core/index.js'
import { createSession, execute, json, runSynadm, TEST_BASE_URL, testIO } from 'synadm/testing'
import federation from '../federation/index.js'
import reports from '../reports/index.js'
import room from '../room/index.js'
import server from '../server/index.js'
import user from '../user/index.js'
import { DESTINATIONS_READ, NEWEST_ACCOUNTS_READ } from './checks.js'
import status from './index.js'

const A = '/_synapse/admin'
const HOUR = 3_600_000
const PLUGINS: SynadmPlugin[] = [user, room, server, reports, federation, status]

type Reply = [number, nock.Body]
/** What a healthy SQLite Synapse answers to each request of `status`. */
const healthy = (): Record<string, Reply> => ({
  version: [200, { server_version: '1.160.0' }],
  auth: [404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }],
  background: [200, { enabled: true, current_updates: {} }],
  tasks: [200, { scheduled_tasks: [] }],
  eventReports: [200, { event_reports: [], total: 0 }],
  userReports: [200, { user_reports: [], total: 0 }],
  destinationsDown: [200, { destinations: [], total: 0 }],
  destinationsUp: [200, { destinations: [], total: 0 }],
  users: [200, { users: [{ name: '@admin:synapse.test', creation_ts: Date.now() - 30 * 24 * HOUR }], total: 1 }],
  media: [200, { users: [], total: 0 }],
  largestRooms: [400, { errcode: 'M_UNKNOWN', error: 'Endpoint requires using PostgreSQL' }],
  rooms: [200, { rooms: [], offset: 0, total_rooms: 0 }],
})

/**
 * Expects exactly the requests of one `status` run on `base`, answering as `changes` say and otherwise as a healthy
 * server; the room list only when the database statistics are refused (SQLite).
 */
function synapse(changes: Record<string, Reply> = {}, base = TEST_BASE_URL, token = 'test-token') {
  const r = { ...healthy(), ...changes }
  const admin = nock(base).matchHeader('authorization', `Bearer ${token}`)
  admin.get(`${A}/v1/server_version`).reply(...r.version)
  admin.get(`${A}/v1/background_updates/status`).reply(...r.background)
  admin.get(`${A}/v1/scheduled_tasks`).query({ status: ['active', 'failed'] }).reply(...r.tasks)
  admin.get(`${A}/v1/event_reports`).query({ limit: 1, dir: 'f' }).reply(...r.eventReports)
  admin.get(`${A}/v1/user_reports`).query({ limit: 1, dir: 'f' }).reply(...r.userReports)
  admin.get(`${A}/v1/federation/destinations`).query({ order_by: 'failure_ts', dir: 'b', limit: DESTINATIONS_READ }).reply(...r.destinationsDown)
  admin.get(`${A}/v1/federation/destinations`).query({ order_by: 'failure_ts', dir: 'f', limit: DESTINATIONS_READ }).reply(...r.destinationsUp)
  admin.get(`${A}/v2/users`).query({ order_by: 'creation_ts', dir: 'b', limit: NEWEST_ACCOUNTS_READ, guests: false, deactivated: true }).reply(...r.users)
  admin.get(`${A}/v1/statistics/users/media`).query({ order_by: 'media_length', dir: 'b', limit: 5 }).reply(...r.media)
  admin.get(`${A}/v1/statistics/database/rooms`).reply(...r.largestRooms)
  if (r.largestRooms[0] === 400) admin.get(`${A}/v1/rooms`).query({ order_by: 'joined_members', limit: 5 }).reply(...r.rooms)
  // unauthenticated: no token goes to it
  nock(base, { badheaders: ['authorization'] }).get('/_matrix/client/v1/auth_metadata').reply(...r.auth)
}

const run = (argv: string[], options?: Parameters<typeof runSynadm>[2], plugins = PLUGINS) => runSynadm(plugins, ['-o', 'json', ...argv], options)
const stateOf = (doc: { checks: { name: string; state: string }[] }) => Object.fromEntries(doc.checks.map((c) => [c.name, c.state]))
const check = (doc: { checks: { name: string }[] }, name: string) => doc.checks.find((c) => c.name === name) as unknown as { state: string; summary: string; value: any }

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

/** The process warnings (a listener leak on a signal …) emitted while `action` runs. */
async function warningsDuring<T>(action: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = []
  const listen = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`)
  process.on('warning', listen)
  try {
    const result = await action()
    // warnings are emitted on the next tick
    await new Promise((resolve) => setImmediate(resolve))
    return { result, warnings }
  } finally {
    process.off('warning', listen)
  }
}

describe('status on one server', () => {
  it('a healthy server: every check ok, exit 0, one request each (the room list only on SQLite), no more at once than Node allows', async () => {
    synapse()
    const { result, warnings } = await warningsDuring(() => run(['status']))
    expect(warnings).toEqual([])
    expect(result.code, result.stderr).toBe(EXIT.ok)
    expect(result.stderr).toBe('')
    const doc = json(result)
    expect(doc.status).toBe('ok')
    expect(doc.attention).toEqual([])
    expect(Object.values(stateOf(doc))).toEqual(Array(9).fill('ok'))
    expect(check(doc, 'synapse').summary).toBe('Synapse 1.160.0; sign-in by Synapse (no MAS)')
    expect(check(doc, 'largest_rooms').summary).toBe('by joined members (database sizes need PostgreSQL): no rooms')
    expect(nock.isDone()).toBe(true)
  })

  it('paused background updates need attention: the report is printed, one line says why, exit 12', async () => {
    synapse({ background: [200, { enabled: false, current_updates: { master: { name: 'event_search_order' } } }] })
    const result = await run(['status'])
    expect(result.code).toBe(EXIT.attention)
    expect(result.stderr).toBe('synadm: status: 1 of 9 checks need attention: background updates\n')
    const doc = json(result)
    expect(doc).toMatchObject({ status: 'attention', attention: ['background_updates'] })
    expect(check(doc, 'background_updates').summary).toBe('paused (held: event_search_order); resume: synadm background-updates enabled -e')
  })

  it('running background updates are fine', async () => {
    synapse({ background: [200, { enabled: true, current_updates: { master: { name: 'event_search_order', total_item_count: 5 } } }] })
    const doc = json(await run(['status']))
    expect(check(doc, 'background_updates')).toMatchObject({ state: 'ok', summary: 'running: event_search_order' })
  })

  it('a scheduled task that failed in the last 24 h needs attention; one that failed before does not', async () => {
    const task = (hoursAgo: number, status: string) => ({ id: `t${hoursAgo}`, action: 'redact_all_events', status, timestamp_ms: Date.now() - hoursAgo * HOUR, resource_id: '@u:synapse.test', error: '404: Could not find room' })
    synapse({ tasks: [200, { scheduled_tasks: [task(2, 'failed'), task(30, 'failed'), task(1, 'active')] }] })
    const recent = json(await run(['status']))
    expect(check(recent, 'scheduled_tasks')).toMatchObject({ state: 'attention', summary: '1 failed in the last 24 h (redact_all_events: 404: Could not find room), 1 active' })
    synapse({ tasks: [200, { scheduled_tasks: [task(30, 'failed')] }] })
    const old = await run(['status'])
    expect(old.code).toBe(EXIT.ok)
    expect(check(json(old), 'scheduled_tasks')).toMatchObject({ state: 'ok', summary: '0 active, none failed in the last 24 h' })
  })

  it('waiting reports need attention, with their count and the oldest; a Synapse without user reports says so', async () => {
    const received = Date.now() - 50 * HOUR
    synapse({
      eventReports: [200, { event_reports: [{ id: 1, received_ts: received }], total: 3, next_token: 1 }],
      userReports: [404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }],
    })
    const result = await run(['status'])
    expect(result.code).toBe(EXIT.attention)
    const doc = json(result)
    expect(check(doc, 'event_reports')).toMatchObject({ state: 'attention', value: { waiting: 3, oldest_ts: received } })
    expect(check(doc, 'event_reports').summary).toMatch(/^3 waiting, the oldest from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(2 d ago\); see: synadm report event list -r$/)
    expect(check(doc, 'user_reports')).toMatchObject({ state: 'ok', value: { supported: false } })
  })

  it('a server delegating to MAS says where; MAS failing behind it needs attention', async () => {
    synapse({ auth: [200, { issuer: 'https://auth.synapse.test/' }] })
    expect(check(json(await run(['status'])), 'synapse')).toMatchObject({
      state: 'ok',
      summary: 'Synapse 1.160.0; sign-in by MAS at https://auth.synapse.test/',
      value: { delegated_to_mas: true, issuer: 'https://auth.synapse.test/' },
    })
    synapse({ auth: [500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }] })
    const down = await run(['status'])
    expect(down.code).toBe(EXIT.attention)
    expect(check(json(down), 'synapse').summary).toMatch(/^MAS does not answer: Synapse's auth metadata fails \(500 M_UNKNOWN: Internal server error .*\); Synapse 1\.160\.0$/)
  })

  const destination = (name: string, failingHours: number | null) => ({
    destination: name,
    retry_last_ts: 0,
    retry_interval: failingHours === null ? 0 : 600_000,
    failure_ts: failingHours === null ? null : Date.now() - failingHours * HOUR,
    last_successful_stream_ordering: null,
  })

  it.each([
    // SQLite orders null failure_ts first going forwards, PostgreSQL going backwards: either way the failing are found
    ['SQLite', 'destinationsDown', 'destinationsUp'],
    ['PostgreSQL', 'destinationsUp', 'destinationsDown'],
  ])('failing destinations are counted, the longest failing first (%s)', async (_db, failingFirst, nullsFirst) => {
    const failing = [destination('b.test', 1), destination('a.test', 30)]
    const fine = [destination('c.test', null), destination('d.test', null)]
    synapse({ [failingFirst]: [200, { destinations: [...failing, ...fine], total: 4 }], [nullsFirst]: [200, { destinations: [...fine, ...failing.reverse()], total: 4 }] })
    const result = await run(['status'])
    expect(result.code).toBe(EXIT.ok)
    const line = check(json(result), 'federation')
    expect(line.value).toMatchObject({ destinations: 4, failing: 2, at_least: false })
    expect(line.value.longest_failing.map((d: { destination: string }) => d.destination)).toEqual(['a.test', 'b.test'])
    expect(line.summary).toMatch(/^2 of 4 destinations failing; longest: a\.test \(since .+ \(30 h ago\)\), b\.test$/)
  })

  it('every destination failing needs attention; a full page of failing ones is counted as at least that many', async () => {
    const all = [destination('a.test', 3), destination('b.test', 2)]
    synapse({ destinationsDown: [200, { destinations: all, total: 2 }], destinationsUp: [200, { destinations: all, total: 2 }] })
    const broken = await run(['status'])
    expect(broken.code).toBe(EXIT.attention)
    expect(check(json(broken), 'federation').summary).toMatch(/^2 of 2 destinations failing, every one: is federation out of this server broken\?/)

    const page = Array.from({ length: DESTINATIONS_READ }, (_, i) => destination(`x${i}.test`, 1))
    synapse({ destinationsDown: [200, { destinations: page, total: 5000 }], destinationsUp: [200, { destinations: page.slice(0, 10).map((d) => ({ ...d, failure_ts: null })), total: 5000 }] })
    const many = check(json(await run(['status'])), 'federation')
    expect(many).toMatchObject({ state: 'ok', value: { failing: DESTINATIONS_READ, at_least: true } })
    expect(many.summary).toMatch(new RegExp(`^${DESTINATIONS_READ}\\+ of 5000 destinations failing`))
  })

  it('new accounts are counted from one bounded page of the newest; more than it holds is said as "at least"', async () => {
    const account = (hoursAgo: number) => ({ name: `@u${hoursAgo}:synapse.test`, creation_ts: Date.now() - hoursAgo * HOUR })
    synapse({ users: [200, { users: [account(1), account(5), account(50), account(100), account(400)], total: 10_000 }] })
    expect(check(json(await run(['status'])), 'new_accounts')).toMatchObject({
      state: 'ok',
      summary: '2 in the last 24 h, 4 in the last 7 days (of 10000 accounts, guests not counted)',
      value: { last_day: 2, last_week: 4, at_least: false, accounts: 10_000 },
    })
    synapse({ users: [200, { users: Array.from({ length: NEWEST_ACCOUNTS_READ }, () => account(30)), total: 100_000 }] })
    expect(check(json(await run(['status'])), 'new_accounts')).toMatchObject({
      summary: `0 in the last 24 h, ${NEWEST_ACCOUNTS_READ}+ in the last 7 days (of 100000 accounts, guests not counted; only the newest ${NEWEST_ACCOUNTS_READ} were read)`,
      value: { last_week: NEWEST_ACCOUNTS_READ, at_least: true },
    })
  })

  it('top lists: media users by size; rooms by database size on PostgreSQL', async () => {
    synapse({
      media: [200, { users: [{ user_id: '@big:synapse.test', displayname: 'Big', media_count: 3, media_length: 3 * 1024 * 1024 }], total: 1 }],
      largestRooms: [200, { rooms: [{ room_id: '!small:synapse.test', estimated_size: 2048 }, { room_id: '!huge:synapse.test', estimated_size: 5 * 1024 ** 3 }] }],
    })
    const doc = json(await run(['status']))
    expect(check(doc, 'top_media_users')).toMatchObject({ summary: '@big:synapse.test 3.0 MiB', value: { users: [{ user_id: '@big:synapse.test', media_count: 3, media_length: 3145728 }] } })
    expect(check(doc, 'largest_rooms')).toMatchObject({ summary: 'by database size: !huge:synapse.test 5.0 GiB, !small:synapse.test 2.0 KiB', value: { by: 'estimated_size' } })
  })

  it('a check the server fails is a line marked ? and needs attention; the others are still shown', async () => {
    synapse({ tasks: [500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }] })
    const result = await run(['status'])
    expect(result.code).toBe(EXIT.attention)
    expect(result.stderr).toBe('synadm: status: 1 of 9 checks need attention: scheduled tasks (could not be read)\n')
    const doc = json(result)
    expect(check(doc, 'scheduled_tasks')).toMatchObject({ state: 'unknown', summary: expect.stringMatching(/^could not be read: 500 M_UNKNOWN: Internal server error/) })
    expect(stateOf(doc).event_reports).toBe('ok')
  })

  it('a fault every check meets (bad token, no server) is one line with its own exit code, no report', async () => {
    nock(TEST_BASE_URL).get(/.*/).times(20).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' })
    const refused = await run(['status'])
    expect(refused.code).toBe(EXIT.auth)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(/^synadm: 401 M_UNKNOWN_TOKEN: Invalid access token passed\. \(GET [^\n]+\)\n(hint: [^\n]+\n)?$/)
    nock.cleanAll()
    const away = await run(['status'])
    expect(away.code).toBe(EXIT.network)
    expect(away.stdout).toBe('')
  })
})

/** `synadm -o human status` with stdout a terminal `columns` wide (no pager), or piped. */
async function screen(changes: Record<string, Reply>, o: { columns?: number; env?: Record<string, string> } = {}) {
  synapse(changes)
  const io = testIO({ env: { SYNADM_PAGER: '', ...o.env } })
  if (o.columns) Object.assign(io.stdout, { isTTY: true, columns: o.columns })
  const session = await createSession(PLUGINS, io)
  const code = await execute(session, ['-o', 'human', 'status'])
  return { code, stdout: io.stdout.text, stderr: io.stderr.text }
}

const withMedia: Record<string, Reply> = {
  background: [200, { enabled: false, current_updates: {} }],
  media: [200, { users: [{ user_id: '@big:synapse.test', media_count: 4, media_length: 4000 }, { user_id: '@small:synapse.test', media_count: 1, media_length: 1000 }], total: 2 }],
}

describe('the status screen (-o human)', () => {
  it('a line per check with its mark, then the top lists; bars beside the sizes on a terminal', async () => {
    const { code, stdout, stderr } = await screen(withMedia, { columns: 100 })
    expect(code).toBe(EXIT.attention)
    expect(stderr).toBe('synadm: status: 1 of 9 checks need attention: background updates\n')
    const lines = stdout.split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^ok +server +Synapse 1\.160\.0; sign-in by Synapse \(no MAS\)$/))
    expect(lines).toContainEqual(expect.stringMatching(/^! +background updates +paused; resume: synadm background-updates enabled -e$/))
    expect(lines).toContain('Top media users')
    const big = lines.find((l) => l.startsWith('@big:synapse.test'))!
    const small = lines.find((l) => l.startsWith('@small:synapse.test'))!
    // the largest gets the full bar, a quarter of it a quarter of the bar
    const bar = (line: string) => /█[█▏▎▍▌▋▊▉]*$|▏$/.exec(line)?.[0] ?? ''
    expect(bar(big).length).toBeGreaterThanOrEqual(10)
    expect(bar(small).length).toBe(Math.round(bar(big).length / 4))
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(100)
    // no colour anywhere (NO_COLOR or not): the marks are text
    expect(stdout).not.toContain('\x1b')
  })

  it('piped: the same tables whole, without bars', async () => {
    const { stdout } = await screen(withMedia)
    expect(stdout).toMatch(/^@big:synapse\.test +4 +4000$/m)
    expect(stdout).not.toMatch(/[█▏▎▍▌▋▊▉#]/)
  })

  it.each([
    ['TERM=dumb', { TERM: 'dumb' }],
    ['a locale that is not UTF-8', { LANG: 'C', LC_ALL: '' }],
  ])('%s: the bars are drawn in #', async (_what, env) => {
    const { stdout } = await screen(withMedia, { columns: 100, env })
    expect(stdout).toMatch(/^@big:synapse\.test +4 +4000 +#{10,}$/m)
    expect(stdout).not.toMatch(/[█▏▎▍▌▋▊▉]/)
  })
})

describe('plugins contribute status checks', () => {
  const stale = (attention: boolean) =>
    definePlugin({
      name: 'stale',
      apiVersion: PLUGIN_API_VERSION,
      setup(ctx) {
        ctx.statusCheck({
          name: 'stale_rooms',
          title: 'stale rooms',
          load: async () => async (run) => {
            const { rooms } = await (await run.admin()).get('v1/rooms', { query: { limit: 1 } })
            return { attention, summary: `${rooms.length} room(s) without activity`, value: { rooms: rooms.length } }
          },
        })
      },
    })

  it('a declared check runs with the others, after them; its rule decides attention and the exit code', async () => {
    synapse()
    nock(TEST_BASE_URL).get(`${A}/v1/rooms`).query({ limit: 1 }).reply(200, { rooms: [{ room_id: '!a:synapse.test' }] })
    const result = await run(['status'], {}, [...PLUGINS, stale(true)])
    expect(result.code).toBe(EXIT.attention)
    expect(result.stderr).toBe('synadm: status: 1 of 10 checks need attention: stale rooms\n')
    const doc = json(result)
    expect(doc.checks.at(-1)).toEqual({ name: 'stale_rooms', title: 'stale rooms', state: 'attention', summary: '1 room(s) without activity', value: { rooms: 1 } })
    expect(nock.isDone()).toBe(true)
  })

  it("plugins verify (what plugins install runs) loads each declared check's module: one that does not load is found", async () => {
    const plugin = (withCheck: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'synadm-status-check-'))
      writeFileSync(join(dir, 'backups.mjs'), "export default { name: 'backups', apiVersion: 1, setup(ctx) { ctx.statusCheck({ name: 'backups', title: 'backups', load: () => import('./check.mjs').then((m) => m.check) }) } }\n")
      if (withCheck) writeFileSync(join(dir, 'check.mjs'), 'export const check = async () => ({ attention: false, summary: "ok" })\n')
      return join(dir, 'backups.mjs')
    }
    const broken = await runSynadm(PLUGINS, ['plugins', 'verify', plugin(false)])
    expect(broken.code).toBe(EXIT.failure)
    expect(broken.stderr).toMatch(/^synadm: plugin backups loads, but not all of its modules do: .*check\.mjs/m)
    const whole = await runSynadm(PLUGINS, ['plugins', 'verify', plugin(true)])
    expect(whole.code, whole.stderr).toBe(EXIT.ok)
  })

  it('a check name taken or unfit for a column keeps the plugin from loading, with the reason', async () => {
    for (const [name, reason] of [
      ['synapse', "status check 'synapse' is already provided by plugin 'status'"],
      ['Stale Rooms', "status check 'Stale Rooms': names are lower case letters, digits and _, starting with a letter"],
    ]) {
      const bad = definePlugin({ name: 'bad', apiVersion: PLUGIN_API_VERSION, setup: (ctx) => ctx.statusCheck({ name, title: 'x', load: async () => async () => ({ attention: false, summary: '' }) }) })
      const io = testIO()
      const session = await createSession([...PLUGINS, bad], io)
      expect([...session.registry.statusChecks.values()].map((c) => c.plugin)).not.toContain('bad')
      expect(io.stderr.text).toContain(reason)
    }
  })
})

describe('status over a fleet (-S)', () => {
  const PROD = 'http://prod.test'
  const STAGING = 'http://staging.test'
  const GONE = 'http://gone.test'

  function fleetEnv() {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-status-fleet-'))
    const folder = join(dir, 'config', 'synadm', 'servers')
    mkdirSync(folder, { recursive: true })
    for (const [name, url] of [['prod', PROD], ['staging', STAGING], ['gone', GONE]]) {
      writeFileSync(join(folder, `${name}.yaml`), `user: '@admin:synapse.test'\nbase_url: ${url}\nhomeserver: synapse.test\ntoken: ${name}-token\n`, { mode: 0o600 })
    }
    return { SYNADM_BASE_URL: undefined, SYNADM_USER: undefined, SYNADM_TOKEN: undefined, SYNADM_HOMESERVER: undefined, SYNADM_CONFIG: join(dir, 'config', 'synadm.yaml'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') }
  }

  it('a row per server, the checks as columns, the worst first; an unreachable server is a row; exit 12', async () => {
    synapse({}, PROD, 'prod-token')
    synapse({ eventReports: [200, { event_reports: [{ received_ts: Date.now() - HOUR }], total: 2 }] }, STAGING, 'staging-token')
    // gone.test is not mocked: the connection is refused
    const { result, warnings } = await warningsDuring(() => run(['-S', 'prod,staging,gone', 'status'], { env: fleetEnv() }))
    expect(warnings).toEqual([])
    expect(result.code, result.stderr).toBe(EXIT.attention)
    const rows = json(result)
    expect(rows.map((r: { server: string; status: string }) => [r.server, r.status])).toEqual([['gone', 'unreachable'], ['staging', 'attention'], ['prod', 'ok']])
    expect(rows[0].error).toMatch(/gone\.test/)
    // one table: every row has the same columns, the server's own first, the error last
    for (const row of rows) expect(Object.keys(row)).toEqual(['server', 'status', 'version', 'synapse', 'background_updates', 'scheduled_tasks', 'event_reports', 'user_reports', 'federation', 'new_accounts', 'top_media_users', 'largest_rooms', 'error'])
    expect(rows[0]).toMatchObject({ version: null, synapse: null })
    // a check's line up to its first '; ' or ' (': the verdict
    expect(rows[1]).toMatchObject({ version: '1.160.0', background_updates: 'ok', event_reports: expect.stringMatching(/^! 2 waiting, the oldest from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) })
    expect(rows[2]).toMatchObject({ server: 'prod', version: '1.160.0', synapse: 'ok', event_reports: 'ok', largest_rooms: 'ok' })
    expect(result.stderr).toMatch(/^\[staging\] synadm: status: 1 of 9 checks need attention: event reports$/m)
    expect(result.stderr).toMatch(/^synadm: status: 1 of 3 servers need attention \(staging\); 1 could not be read \(gone\)$/m)
  })

  it('all healthy: exit 0; human prints one table', async () => {
    synapse({}, PROD, 'prod-token')
    synapse({}, STAGING, 'staging-token')
    const result = await run(['-S', 'prod,staging', '-o', 'human', 'status'], { env: fleetEnv() })
    expect(result.code, result.stderr).toBe(EXIT.ok)
    const [header, rule, ...rows] = result.stdout.trim().split('\n')
    expect(header).toMatch(/^server +status +version +synapse +background_updates +scheduled_tasks/)
    expect(rule).toMatch(/^-+ +-+/)
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(/^prod +ok +1\.160\.0 +ok +ok/)
  })

  it('in a terminal, the fleet table fits its width like any human table, with a note of what it hid', async () => {
    synapse({ eventReports: [200, { event_reports: [{ received_ts: Date.now() - HOUR }], total: 2 }] }, PROD, 'prod-token')
    synapse({}, STAGING, 'staging-token')
    const io = testIO({ env: { ...fleetEnv(), SYNADM_PAGER: '' } })
    Object.assign(io.stdout, { isTTY: true, columns: 90 })
    const code = await execute(await createSession(PLUGINS, io), ['-S', 'prod,staging', '-o', 'human', 'status'])
    expect(code).toBe(EXIT.attention)
    const lines = io.stdout.text.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^server +status +version +synapse +background_updates/)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(90)
    expect(io.stderr.text).toMatch(/^\d+ of 12 columns hidden \(-o wide shows all\)/m)
  })

  it('every server unreachable: the network exit code, a row each', async () => {
    // neither is mocked: both refuse the connection
    const result = await run(['-S', 'prod,gone', 'status'], { env: fleetEnv() })
    expect(result.code).toBe(EXIT.network)
    expect(json(result)).toEqual([
      { server: 'prod', status: 'unreachable', version: null, error: expect.stringMatching(/prod\.test/) },
      { server: 'gone', status: 'unreachable', version: null, error: expect.stringMatching(/gone\.test/) },
    ])
    expect(result.stderr).toMatch(/^synadm: status: none of 2 servers could be read$/m)
  })

  it("a plugin's check is a column of the fleet table", async () => {
    const extra = definePlugin({
      name: 'extra',
      apiVersion: PLUGIN_API_VERSION,
      setup: (ctx) => ctx.statusCheck({ name: 'backups', title: 'backups', load: async () => async () => ({ attention: true, summary: 'last backup 3 d ago' }) }),
    })
    synapse({}, PROD, 'prod-token')
    synapse({}, STAGING, 'staging-token')
    const result = await run(['-S', 'prod,staging', 'status'], { env: fleetEnv() }, [...PLUGINS, extra])
    expect(result.code).toBe(EXIT.attention)
    expect(json(result)).toEqual(['prod', 'staging'].map((server) => expect.objectContaining({ server, status: 'attention', backups: '! last backup 3 d ago' })))
  })
})
