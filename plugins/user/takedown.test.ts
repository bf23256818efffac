// `user takedown` (each step's request, in the plan's order; refusals and surveys before any write; MAS; a report
// already gone) and `user export` (the evidence documents, their files and modes).
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT, SynadmError, type RunContext } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL, writeRecorder } from 'synadm/testing'
import { masSynapse, plainSynapse, unusedMocks } from '../mas/testing.js'
import type { UserApi } from './api.js'
import { waitForRedaction } from './commands.js'
import { RECENT_EVENTS } from './takedown.js'

const A = '/_synapse/admin'
const SPAM = '@spam:synapse.test'
const SPAM_PATH = '%40spam%3Asynapse.test'
/** the user's evidence folder: what a file name cannot hold becomes _ */
const SPAM_FOLDER = '@spam_synapse.test'
const ROOM1 = '!one:synapse.test'
const ROOM2 = '!two:synapse.test'
const enc = (value: string) => encodeURIComponent(value).replace(/!/g, '%21')
const MAS = 'http://mas.test'
const MAS_ID = '01J00000000000000000000009'
const V1 = '/api/admin/v1'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const masApi = () => nock(MAS).matchHeader('authorization', 'Bearer test-token')
/** the journal a plan keeps without --journal goes into the state folder: a temporary one */
const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'synadm-takedown-state-')) }
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) =>
  runSynadm([], ['-o', 'json', ...argv], { builtins: ['user', 'room', 'media', 'reports', 'mas', 'matrix'], env, ...options })
/** the bulk summary says all went well */
const succeeded = (result: { code: number; stderr: string }) => {
  expect(result.stderr).toMatch(/1 done, 0 failed/)
  expect(result.code).toBe(0)
}
const takedown = (...args: string[]) => run(['--batch', 'user', 'takedown', SPAM, ...args])

const account = (extra: Record<string, unknown> = {}) => ({
  name: SPAM,
  admin: false,
  deactivated: false,
  erased: false,
  locked: false,
  shadow_banned: false,
  suspended: false,
  displayname: 'Casino',
  threepids: [],
  external_ids: [],
  ...extra,
})
const eventReport = (id: number, sender = SPAM) => ({ id, sender, room_id: ROOM1, event_id: `$e${id}`, user_id: '@reporter:synapse.test', reason: 'spam' })
const userReport = (id: number, target = SPAM) => ({ id, target_user_id: target, user_id: '@reporter:synapse.test', reason: 'spam' })
const unrecognized = { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }

const unused = unusedMocks

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

/** Every write, in the order it was sent: `PUT /v2/users/@spam:synapse.test {"locked":true}` (MAS's admin API as MAS). */
const recorder = writeRecorder((uri) => uri.replace(A, '').replace(V1, 'MAS'))
const writes = recorder.sent
const written = recorder.reply
beforeEach(() => recorder.clear())

interface OnServer {
  details?: Record<string, unknown>
  memberships?: Record<string, string>
  media?: number
  eventReports?: Record<string, unknown>[]
  /** null: a Synapse before 1.152, without user reports */
  userReports?: Record<string, unknown>[] | null
}

/** What the refusals and the surveys of the default steps read about the user. */
function userReads({ details = account(), memberships = { [ROOM1]: 'join', [ROOM2]: 'leave', '!invited:synapse.test': 'invite' }, media = 3, eventReports = [eventReport(7)], userReports = [userReport(4)] }: OnServer = {}) {
  api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, details)
  api().get(`${A}/v1/users/${SPAM_PATH}/memberships`).reply(200, { memberships })
  api().get(`${A}/v1/users/${SPAM_PATH}/media`).query({ limit: 1 }).reply(200, { media: [], total: media })
  // the server's answer holds a report about someone else: only the user's own are taken
  api()
    .get(`${A}/v1/event_reports`)
    .query({ from: 0, limit: 1000, dir: 'f', event_sender_user_id: SPAM })
    .reply(200, { event_reports: [...eventReports, eventReport(99, '@alice:synapse.test')], total: eventReports.length + 1 })
  const users = api().get(`${A}/v1/user_reports`).query({ from: 0, limit: 1000, dir: 'f', target_user_id: SPAM })
  if (userReports) users.reply(200, { user_reports: userReports, total: userReports.length })
  else users.reply(404, unrecognized)
}

/** The writes of the default steps (recorded in `writes`); the redaction job completes at once. */
function defaultWrites() {
  api().put(`${A}/v2/users/${SPAM_PATH}`).reply(written('PUT', account({ locked: true })))
  api().post(`${A}/v1/user/${SPAM_PATH}/redact`).reply(written('POST', { redact_id: 'r1' }))
  api().get(`${A}/v1/user/redact_status/r1`).reply(200, { status: 'complete', failed_redactions: {} })
  api().post(`${A}/v1/user/${SPAM_PATH}/media/quarantine`).reply(written('POST', { num_quarantined: 3 }))
  api().post(`${A}/v1/deactivate/${SPAM_PATH}`).reply(written('POST', { id_server_unbind_result: 'success' }))
  api().delete(`${A}/v1/event_reports/7`).reply(written('DELETE'))
  api().delete(`${A}/v1/user_reports/4`).reply(written('DELETE'))
}

const DEFAULT_WRITES = [
  `PUT /v2/users/${SPAM} {"locked":true}`,
  `POST /v1/user/${SPAM}/redact {"rooms":["${ROOM1}","${ROOM2}"]}`,
  `POST /v1/user/${SPAM}/media/quarantine {}`,
  `POST /v1/deactivate/${SPAM} {"erase":true}`,
  'DELETE /v1/event_reports/7',
  'DELETE /v1/user_reports/4',
]

describe('user takedown', () => {
  beforeEach(() => plainSynapse())

  it('runs the default steps in order: lock, redact in every room the user is or was in, quarantine, deactivate with erase, resolve its reports', async () => {
    userReads()
    defaultWrites()
    succeeded(await takedown())
    expect(writes).toEqual(DEFAULT_WRITES)
    expect(unused()).toEqual([])
  })

  it('refuses an admin, a user of another server and an unknown user before anything is sent (exit 2)', async () => {
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account({ admin: true }))
    const admin = await takedown()
    expect(admin.code).toBe(EXIT.usage)
    expect(admin.stderr).toContain(SPAM)
    expect(admin.stderr).toContain('is a server admin')
    const remote = await run(['--batch', 'user', 'takedown', '@spam:elsewhere.test'])
    expect(remote.code).toBe(EXIT.usage)
    expect(remote.stderr).toContain('is on another server')
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const unknown = await takedown()
    expect(unknown.code).toBe(EXIT.usage)
    expect(unknown.stderr).toContain('no such user')
    expect(writes).toEqual([])
  })

  it('skips what is already done (locked, deactivated and erased, no media, no reports): only the redaction is sent', async () => {
    userReads({ details: account({ locked: true, deactivated: true, erased: true }), media: 0, eventReports: [], userReports: [] })
    api().post(`${A}/v1/user/${SPAM_PATH}/redact`).reply(written('POST', { redact_id: 'r1' }))
    api().get(`${A}/v1/user/redact_status/r1`).reply(200, { status: 'complete', failed_redactions: {} })
    expect((await takedown()).code).toBe(0)
    expect(writes).toEqual([`POST /v1/user/${SPAM}/redact {"rooms":["${ROOM1}","${ROOM2}"]}`])
  })

  it('--dry-run reads and previews, sends nothing', async () => {
    userReads()
    const result = await run(['user', 'takedown', SPAM, '--dry-run'])
    expect(result.code).toBe(0)
    expect(writes).toEqual([])
    expect(result.stdout + result.stderr).toContain('events in 2 room(s)')
  })

  it('--suspend and --shadow-ban add their steps; --redact-room, --redact-reason, --redact-since, --redact-until and --redact-limit shape the redaction', async () => {
    userReads()
    api().put(`${A}/v2/users/${SPAM_PATH}`).reply(written('PUT', account({ locked: true })))
    api().put(`${A}/v1/suspend/${SPAM_PATH}`).reply(written('PUT', { [`user_${SPAM}_suspended`]: true }))
    api().post(`${A}/v1/users/${SPAM_PATH}/shadow_ban`).reply(written('POST'))
    api().post(`${A}/v1/user/${SPAM_PATH}/redact`).reply(written('POST', { redact_id: 'r1' }))
    api().get(`${A}/v1/user/redact_status/r1`).reply(200, { status: 'complete', failed_redactions: {} })
    const since = new Date(2026, 11, 6, 10, 0, 0).getTime()
    const until = new Date(2026, 11, 6, 12, 0, 0).getTime()
    const args = ['--steps', 'lock,suspend,shadow-ban,redact', '--redact-room', ROOM2, '--redact-reason', 'spam wave', '--redact-since', '2026-12-06 10:00', '--redact-until', '2026-12-06 12:00', '--redact-limit', '5000']
    succeeded(await takedown(...args))
    expect(writes).toEqual([
      `PUT /v2/users/${SPAM} {"locked":true}`,
      `PUT /v1/suspend/${SPAM} {"suspend":true}`,
      `POST /v1/users/${SPAM}/shadow_ban`,
      `POST /v1/user/${SPAM}/redact {"rooms":["${ROOM2}"],"reason":"spam wave","after_ts":${since},"before_ts":${until},"limit":5000}`,
    ])
  })

  it('a report resolved by someone else since the survey is not an error; user reports absent on an old Synapse are said', async () => {
    userReads({ eventReports: [eventReport(7), eventReport(8)], userReports: null })
    api().delete(`${A}/v1/event_reports/7`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Event report not found' })
    api().delete(`${A}/v1/event_reports/8`).reply(written('DELETE'))
    const result = await takedown('--steps', 'resolve-reports', '--dry-run')
    expect(result.stdout + result.stderr).toContain('no user reports on this server')
    nock.cleanAll()
    plainSynapse()
    userReads({ eventReports: [eventReport(7), eventReport(8)], userReports: null })
    api().delete(`${A}/v1/event_reports/7`).reply(404, { errcode: 'M_NOT_FOUND', error: 'Event report not found' })
    api().delete(`${A}/v1/event_reports/8`).reply(written('DELETE'))
    const done = await takedown('--steps', 'resolve-reports')
    succeeded(done)
    expect(done.stdout).toContain('"already_gone": 1')
    expect(writes).toEqual(['DELETE /v1/event_reports/8'])
  })

  it('--evidence DIR writes the documents before the first write, folder 0700 and files 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'synadm-evidence-')), 'evidence')
    // the refusal and the lock step's survey read the details once; the evidence reads them again
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account())
    evidenceReads({ withDetails: true })
    api().put(`${A}/v2/users/${SPAM_PATH}`).reply(function (uri, body) {
      // the evidence is on disk when the first write is sent
      expect(readdirSync(join(dir, SPAM_FOLDER))).toContain('details.json')
      return written('PUT', account({ locked: true })).call(this, uri, body)
    })
    succeeded(await takedown('--steps', 'lock', '--evidence', dir))
    expect(writes).toEqual([`PUT /v2/users/${SPAM} {"locked":true}`])
    expectEvidence(dir)
  })
})

describe('user takedown on a server that delegates auth to MAS', () => {
  beforeEach(() => masSynapse(MAS))
  const masUser = (extra: Record<string, unknown> = {}) => ({
    data: { type: 'user', id: MAS_ID, attributes: { username: 'spam', created_at: '2026-01-01T00:00:00Z', locked_at: null, deactivated_at: null, admin: false, legacy_guest: false, ...extra }, links: { self: '' } },
    links: { self: '' },
  })

  it('locks and deactivates through MAS (with erasure); the other steps go to Synapse', async () => {
    masApi().get(`${V1}/users/by-username/spam`).reply(200, masUser())
    userReads()
    masApi().post(`${V1}/users/${MAS_ID}/lock`).reply(written('POST', masUser({ locked_at: '2026-12-07T00:00:00Z' })))
    masApi().post(`${V1}/users/${MAS_ID}/deactivate`).reply(written('POST', masUser({ deactivated_at: '2026-12-07T00:00:00Z' })))
    api().post(`${A}/v1/user/${SPAM_PATH}/redact`).reply(written('POST', { redact_id: 'r1' }))
    api().get(`${A}/v1/user/redact_status/r1`).reply(200, { status: 'complete', failed_redactions: {} })
    api().post(`${A}/v1/user/${SPAM_PATH}/media/quarantine`).reply(written('POST', { num_quarantined: 3 }))
    api().delete(`${A}/v1/event_reports/7`).reply(written('DELETE'))
    api().delete(`${A}/v1/user_reports/4`).reply(written('DELETE'))
    succeeded(await takedown())
    expect(writes).toEqual([
      `POST MAS/users/${MAS_ID}/lock`,
      `POST /v1/user/${SPAM}/redact {"rooms":["${ROOM1}","${ROOM2}"]}`,
      `POST /v1/user/${SPAM}/media/quarantine {}`,
      `POST MAS/users/${MAS_ID}/deactivate {"skip_erase":false}`,
      'DELETE /v1/event_reports/7',
      'DELETE /v1/user_reports/4',
    ])
  })

  it('refuses an account MAS does not have (it could neither lock nor deactivate it)', async () => {
    masApi().get(`${V1}/users/by-username/spam`).reply(404, { errors: [{ title: 'User not found' }] })
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account())
    const result = await takedown()
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain(`${SPAM}: has no account in MAS`)
    expect(writes).toEqual([])
  })

  it('refuses an account that may ask MAS for admin rights', async () => {
    masApi().get(`${V1}/users/by-username/spam`).reply(200, masUser({ admin: true }))
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account())
    const result = await takedown()
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('is a server admin (in MAS)')
    expect(writes).toEqual([])
  })
})

// --- user export ---------------------------------------------------------------------------------------------------

const EVIDENCE = ['details', 'memberships', 'devices', 'whois', 'media', 'reports', 'recent_events', 'account_data', 'pushers']

/** What the evidence collector reads, besides what the takedown's surveys read. */
function evidenceReads({ withDetails = false } = {}) {
  if (withDetails) api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account())
  api().get(`${A}/v1/users/${SPAM_PATH}/memberships`).times(2).reply(200, { memberships: { [ROOM1]: 'join', [ROOM2]: 'leave', '!invited:synapse.test': 'invite' } })
  // a Synapse without the endpoint: recorded as absent
  api().get(`${A}/v2/users/${SPAM_PATH}/devices`).reply(404, unrecognized)
  api().get(`${A}/v1/whois/${SPAM_PATH}`).reply(200, { user_id: SPAM, devices: { '': { sessions: [{ connections: [{ ip: '192.0.2.7', last_seen: 1, user_agent: 'spambot' }] }] } } })
  api().get(`${A}/v1/users/${SPAM_PATH}/media`).query({ from: 0, limit: 1000 }).reply(200, { media: [{ media_id: 'm1' }, { media_id: 'm2' }], total: 3, next_token: 2 })
  api().get(`${A}/v1/users/${SPAM_PATH}/media`).query({ from: 2, limit: 1000 }).reply(200, { media: [{ media_id: 'm3' }], total: 3 })
  api().get(`${A}/v1/event_reports`).query({ from: 0, limit: 1000, dir: 'f', event_sender_user_id: SPAM }).reply(200, { event_reports: [eventReport(7)], total: 1 })
  api().get(`${A}/v1/user_reports`).query({ from: 0, limit: 1000, dir: 'f', target_user_id: SPAM }).reply(404, unrecognized)
  const filter = JSON.stringify({ senders: [SPAM] })
  api().get(`${A}/v1/rooms/${enc(ROOM1)}/messages`).query({ dir: 'b', limit: RECENT_EVENTS, filter }).reply(200, { chunk: [{ event_id: '$m1', sender: SPAM, content: { body: 'casino' } }], start: 's' })
  api().get(`${A}/v1/rooms/${enc(ROOM2)}/messages`).query({ dir: 'b', limit: RECENT_EVENTS, filter }).reply(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
  api().get(`${A}/v1/users/${SPAM_PATH}/accountdata`).reply(200, { account_data: { global: {}, rooms: {} } })
  api().get(`${A}/v1/users/${SPAM_PATH}/pushers`).reply(200, { pushers: [], total: 0 })
}

function expectEvidence(dir: string) {
  const folder = join(dir, SPAM_FOLDER)
  expect(statSync(dir).mode & 0o777).toBe(0o700)
  expect(statSync(folder).mode & 0o777).toBe(0o700)
  expect(readdirSync(folder).sort()).toEqual(EVIDENCE.map((name) => `${name}.json`).sort())
  for (const file of readdirSync(folder)) expect(statSync(join(folder, file)).mode & 0o777).toBe(0o600)
  const read = (name: string) => JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8'))
  expect(read('details').name).toBe(SPAM)
  expect(read('devices')).toEqual({ absent: 'M_UNRECOGNIZED: Unrecognized request' })
  expect(read('media')).toEqual({ total: 3, media: [{ media_id: 'm1' }, { media_id: 'm2' }, { media_id: 'm3' }] })
  expect(read('reports')).toEqual({ event_reports: [eventReport(7)], user_reports: { absent: 'this server has no user reports (Synapse 1.152+)' } })
  const recent = read('recent_events')
  expect(recent.rooms).toBe(2)
  expect(recent.note).toContain('at most 100')
  expect(recent.events_by_room[ROOM1]).toEqual([{ event_id: '$m1', sender: SPAM, content: { body: 'casino' } }])
  expect(recent.events_by_room[ROOM2]).toEqual({ absent: 'M_NOT_FOUND: Room not found' })
}

describe('user export', () => {
  beforeEach(() => plainSynapse())

  it('writes every document into DIR/<user>/ (0700, files 0600), absent parts recorded as absent, and lists the files', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'synadm-export-')), 'export')
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(200, account())
    evidenceReads({ withDetails: true })
    const result = await run(['user', 'export', SPAM, '--dir', dir])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(json(result)).toEqual(EVIDENCE.map((document) => ({ user_id: SPAM, document, file: join(dir, SPAM_FOLDER, `${document}.json`) })))
    expectEvidence(dir)
    expect(unused()).toEqual([])
  })

  it('an unknown user is not found (exit 7) and nothing is written; --dir is required', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'synadm-export-')), 'export')
    api().get(`${A}/v2/users/${SPAM_PATH}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const result = await run(['user', 'export', SPAM, '--dir', dir])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toContain(`user ${SPAM} does not exist`)
    expect(() => statSync(dir)).toThrow()
    expect((await run(['user', 'export', SPAM])).code).toBe(EXIT.usage)
  })
})

describe('the redaction wait of a plan step', () => {
  it('stopped (Ctrl-C), it names the command that checks on the job, which a plan has not declared', async () => {
    const stopped = new SynadmError('cancelled', 'stopped waiting for redaction r1; the server goes on with it', { hint: 'check on it with: ' })
    const ctx = { checkLater: () => '', wait: async () => Promise.reject(stopped) } as unknown as RunContext
    const error = await waitForRedaction(ctx, {} as UserApi, 'r1').catch((e: unknown) => e as SynadmError)
    expect(error).toMatchObject({ kind: 'cancelled', message: stopped.message, hint: 'check on it with: synadm user redact-status r1' })
  })
})
