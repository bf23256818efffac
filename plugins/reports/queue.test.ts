// `report queue`: every event and user report, grouped by the reported user or room; an older server without user
// reports is said, not an error; --where and every format work on the groups.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { completionProvider, EXIT, localDateTime } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import reports from './index.js'

const A = '/_synapse/admin/v1'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([reports], argv, options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const SPAM = '@spam:synapse.test'
const eventReport = (id: number, ts: number, sender: string, room: string, reporter: string, reason: string | null) => ({
  id, received_ts: ts, room_id: room, name: `Room ${room}`, canonical_alias: null, event_id: `$e${id}`, user_id: reporter, reason, score: -100, sender,
})
const userReport = (id: number, ts: number, target: string, reporter: string, reason: string) => ({ id, received_ts: ts, target_user_id: target, user_id: reporter, reason })

const EVENTS = [
  eventReport(1, 1000, SPAM, '!a:synapse.test', '@alice:synapse.test', 'spam'),
  eventReport(2, 3000, SPAM, '!b:synapse.test', '@bob:synapse.test', 'casino'),
  eventReport(3, 2000, '@rude:synapse.test', '!a:synapse.test', '@alice:synapse.test', null),
]
const USERS = [userReport(7, 5000, SPAM, '@alice:synapse.test', 'spam'), userReport(8, 500, '@other:synapse.test', '@bob:synapse.test', 'impersonation')]

/** every report, in pages of two where there are more: the queue reads all pages */
function serve({ userReports = true } = {}) {
  api().get(`${A}/event_reports`).query({ from: 0, limit: 1000, dir: 'f' }).reply(200, { event_reports: EVENTS.slice(0, 2), total: 3, next_token: 2 })
  api().get(`${A}/event_reports`).query({ from: 2, limit: 1000, dir: 'f' }).reply(200, { event_reports: EVENTS.slice(2), total: 3 })
  if (userReports) api().get(`${A}/user_reports`).query({ from: 0, limit: 1000, dir: 'f' }).reply(200, { user_reports: USERS, total: 2 })
  else api().get(`${A}/user_reports`).query(true).reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
}

describe('report queue', () => {
  it('groups by the reported user, most reported first: counts, first and last time, reporters, reasons, IDs', async () => {
    serve()
    const result = await run(['-o', 'json', 'report', 'queue', '--timestamp'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([
      { user_id: SPAM, reports: 3, event_reports: 2, user_reports: 1, rooms: ['!a:synapse.test', '!b:synapse.test'], first_ts: 1000, last_ts: 5000, reporters: ['@alice:synapse.test', '@bob:synapse.test'], reasons: ['spam', 'casino'], event_report_ids: [1, 2], user_report_ids: [7] },
      { user_id: '@rude:synapse.test', reports: 1, event_reports: 1, user_reports: 0, rooms: ['!a:synapse.test'], first_ts: 2000, last_ts: 2000, reporters: ['@alice:synapse.test'], reasons: [], event_report_ids: [3], user_report_ids: [] },
      { user_id: '@other:synapse.test', reports: 1, event_reports: 0, user_reports: 1, rooms: [], first_ts: 500, last_ts: 500, reporters: ['@bob:synapse.test'], reasons: ['impersonation'], event_report_ids: [], user_report_ids: [8] },
    ])
    expect(nock.isDone()).toBe(true)
  })

  it('--by room groups the reported events by room and says that user reports name none', async () => {
    serve()
    const result = await run(['-o', 'json', 'report', 'queue', '--by', 'room', '--ts'])
    expect(json(result)).toEqual([
      { room_id: '!a:synapse.test', room_name: 'Room !a:synapse.test', canonical_alias: null, reports: 2, event_reports: 2, user_reports: 0, senders: [SPAM, '@rude:synapse.test'], first_ts: 1000, last_ts: 2000, reporters: ['@alice:synapse.test'], reasons: ['spam'], event_report_ids: [1, 3], user_report_ids: [] },
      { room_id: '!b:synapse.test', room_name: 'Room !b:synapse.test', canonical_alias: null, reports: 1, event_reports: 1, user_reports: 0, senders: [SPAM], first_ts: 3000, last_ts: 3000, reporters: ['@bob:synapse.test'], reasons: ['casino'], event_report_ids: [2], user_report_ids: [] },
    ])
    expect(result.stderr).toContain("2 user report(s) name no room: 'report queue --by user' groups them")
  })

  it('on a server without user reports (before Synapse 1.152) lists the event reports and says so', async () => {
    serve({ userReports: false })
    const result = await run(['-o', 'json', 'report', 'queue'])
    expect(result.code).toBe(0)
    expect(json(result).map((g: { user_id: string; reports: number }) => [g.user_id, g.reports])).toEqual([[SPAM, 2], ['@rude:synapse.test', 1]])
    expect(result.stderr).toContain('this server has no user reports (Synapse 1.152 added them)')
  })

  it('shows times as local dates by default; --where picks groups, by count and by reason', async () => {
    serve()
    const shown = json(await run(['-o', 'json', 'report', 'queue', '--where', 'reports>=2', '--where', 'reasons~CASINO']))
    expect(shown).toHaveLength(1)
    expect(shown[0]).toMatchObject({ user_id: SPAM, first_ts: localDateTime(1000), last_ts: localDateTime(5000) })
  })

  it('prints in every format; -o jsonl is the target list of a user command', async () => {
    serve()
    const jsonl = await run(['-o', 'jsonl', 'report', 'queue'])
    expect(jsonl.stdout.trim().split('\n').map((line) => JSON.parse(line).user_id)).toEqual([SPAM, '@rude:synapse.test', '@other:synapse.test'])
    serve()
    const csv = (await run(['-o', 'csv', 'report', 'queue', '--ts'])).stdout.split('\n')
    expect(csv[0]).toBe('user_id,reports,event_reports,user_reports,rooms,first_ts,last_ts,reporters,reasons,event_report_ids,user_report_ids')
    expect(csv[1]).toContain(`${SPAM},3,2,1,`)
    serve()
    const human = await run(['-o', 'human', 'report', 'queue'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(SPAM)
  })

  it('a failure reading the reports is the command’s error', async () => {
    api().get(`${A}/event_reports`).query(true).reply(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    expect((await run(['report', 'queue'])).code).toBe(EXIT.auth)
  })
})

describe('completion of report IDs', () => {
  it('offers the newest event and user report IDs, as the details and delete commands declare', async () => {
    api().get(`${A}/event_reports`).query({ limit: 1000 }).reply(200, { event_reports: EVENTS, total: 3 })
    api().get(`${A}/user_reports`).query({ limit: 1000 }).reply(200, { user_reports: USERS, total: 5 })
    const { session } = await run(['report', 'queue', '-h'])
    const services = await session.services()
    const apiOf = <T>(ns: string) => session.api<T>(ns, services)
    const source = async (name: string) => completionProvider(await session.registry.completionSources.get(name)!.fetch())
    expect(await (await source('event_report_id')).fetch(apiOf)).toEqual({ values: ['1', '2', '3'], partial: false })
    expect(await (await source('user_report_id')).fetch(apiOf)).toEqual({ values: ['7', '8'], partial: true })
    const argOf = (path: string) => session.registry.find(path)!.spec.argInfo!.report_id.complete
    expect(['report event details', 'report event delete', 'report user details', 'report user delete'].map(argOf)).toEqual(['event_report_id', 'event_report_id', 'user_report_id', 'user_report_id'])
  })
})
