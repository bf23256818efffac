// `user takedown` on the real Synapse: two spam accounts that posted, uploaded and were reported, taken down in one
// run (locked, events redacted — also in a room one of them had left —, media quarantined, deactivated and erased,
// reports resolved) while a legitimate user of the same room stays untouched; an admin among the targets refuses
// the run before anything is written; --dry-run changes nothing; `user export` writes the files.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { clientCredentialsToken, masAdminRequest } from '../mas/control.js'
import { matrixRequest } from '../synapse/client.mjs'
import { runSynadm } from './cli.js'
import { adminRequest, createRoom, waitFor, joinRoom, registerUser, reportEvent, reportUser, postImage, sendMessage, uniqueName } from './fixtures.js'
import { EXIT, fails, ok, synadm } from './run-helpers.js'
import { synapse, synapseMas } from './synapse-info.js'

type Account = { userId: string; token: string }
const A = '/_synapse/admin'
const encode = encodeURIComponent
const EVIDENCE = ['account_data', 'details', 'devices', 'media', 'memberships', 'pushers', 'recent_events', 'reports', 'whois'].map((name) => `${name}.json`)


const account = (userId: string) => adminRequest('GET', `${A}/v2/users/${encode(userId)}`)
const event = async (roomId: string, eventId: string) => (await adminRequest('GET', `${A}/v1/rooms/${encode(roomId)}/context/${encode(eventId)}`)).event
const quarantinedBy = async (mediaId: string) => (await adminRequest('GET', `${A}/v1/media/${synapse().serverName}/${mediaId}`)).media_info.quarantined_by
const status = (path: string, method = 'GET') => adminRequest(method, path).then(() => 200, (error: { status?: number }) => error.status)
const reportsAbout = async (userId: string) => {
  const { event_reports: events } = await adminRequest('GET', `${A}/v1/event_reports`, { query: { event_sender_user_id: userId } })
  const users = await adminRequest('GET', `${A}/v1/user_reports`, { query: { target_user_id: userId } }).then((r) => r.user_reports, () => [])
  return [...events, ...users].filter((r: { sender?: string; target_user_id?: string }) => r.sender === userId || r.target_user_id === userId)
}

describe.skipIf(!inject('synapse').available)('user takedown', () => {
  let reporter: Account, alice: Account, admin: Account, spam1: Account, spam2: Account
  let roomId: string, denId: string
  const posted: Record<string, { events: [string, string][]; media: string[] }> = {}
  let aliceMessage: string, aliceMedia: string

  beforeAll(async () => {
    reporter = await registerUser(uniqueName('reporter'))
    alice = await registerUser(uniqueName('alice'))
    admin = await registerUser(uniqueName('modadmin'), { admin: true })
    spam1 = await registerUser(uniqueName('spam'))
    spam2 = await registerUser(uniqueName('spam'))
    // a legitimate room where the spam lands, and a room spam1 made, posted in and left (the reporter stays: a room
    // no local user is in any more leaves the server's current state, and so the user's memberships)
    roomId = await createRoom(alice.token, { name: uniqueName('lounge'), isPublic: true })
    denId = await createRoom(spam1.token, { name: uniqueName('casino'), isPublic: true })
    for (const member of [reporter, admin, spam1, spam2]) await joinRoom(member.token, roomId)
    await joinRoom(reporter.token, denId)
    aliceMessage = await sendMessage(alice.token, roomId, 'hello all')
    aliceMedia = await postImage(alice, roomId)
    for (const spam of [spam1, spam2]) {
      const message = await sendMessage(spam.token, roomId, 'cheap chips at casino')
      posted[spam.userId] = { events: [[roomId, message]], media: [await postImage(spam, roomId)] }
      await reportEvent(reporter.token, roomId, message, 'casino spam')
    }
    posted[spam1.userId].events.push([denId, await sendMessage(spam1.token, denId, 'more chips')])
    await adminRequest('POST', `/_matrix/client/v3/rooms/${encode(denId)}/leave`, { token: spam1.token, body: {} })
    await reportUser(reporter.token, spam2.userId, 'spam account')
  })

  it('--dry-run reads and shows the plan, and changes nothing', async () => {
    const result = await synadm(['user', 'takedown', spam1.userId, '--dry-run'])
    expect(result.code, result.stderr).toBe(0)
    const [row] = JSON.parse(result.stdout)
    // the room it left counts: its events there are redacted too
    expect(row).toMatchObject({ target: spam1.userId, lock: 'the account', redact: 'events in 2 room(s)', 'quarantine-media': '1 media file(s)' })
    expect(await account(spam1.userId)).toMatchObject({ locked: false, deactivated: false })
    expect(await reportsAbout(spam1.userId)).toHaveLength(1)
  })

  it('an admin among the targets refuses the whole run before anything is written', async () => {
    const stderr = fails(await synadm(['user', 'takedown', '--targets', '-'], { input: `${spam1.userId}\n${admin.userId}\n` }), EXIT.usage)
    expect(stderr).toContain(`${admin.userId}: is a server admin`)
    expect(await account(spam1.userId)).toMatchObject({ locked: false, deactivated: false })
    expect(await account(admin.userId)).toMatchObject({ locked: false, deactivated: false })
  })

  it('user export writes every document of a user, 0700 and 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'synadm-export-')), 'export')
    const files = ok(await synadm(['user', 'export', spam1.userId, '--dir', dir]))
    const folder = join(dir, spam1.userId.replace(':', '_'))
    expect(files.map((f: { file: string }) => f.file).sort()).toEqual(EVIDENCE.map((name) => join(folder, name)))
    expect(readdirSync(folder).sort()).toEqual(EVIDENCE)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
    for (const name of EVIDENCE) expect(statSync(join(folder, name)).mode & 0o777).toBe(0o600)
    const recent = JSON.parse(readFileSync(join(folder, 'recent_events.json'), 'utf8'))
    const bodies = Object.values(recent.events_by_room as Record<string, { content: { body?: string } }[]>).flat().map((e) => e.content.body)
    expect(bodies).toEqual(expect.arrayContaining(['cheap chips at casino', 'more chips']))
    expect(JSON.parse(readFileSync(join(folder, 'media.json'), 'utf8')).total).toBe(1)
    // several users at once: --targets
    const many = join(dir, 'many')
    const bulk = await synadm(['user', 'export', '--targets', '-', '--dir', many], { input: `${alice.userId}\n${reporter.userId}\n` })
    expect(bulk.code, bulk.stderr).toBe(0)
    for (const user of [alice, reporter]) expect(readdirSync(join(many, user.userId.replace(':', '_'))).sort()).toEqual(EVIDENCE)
  })

  it('takes down both spam accounts with evidence; the legitimate user, her message and her media are untouched', async () => {
    const home = mkdtempSync(join(tmpdir(), 'synadm-takedown-'))
    const evidence = join(home, 'evidence')
    const auditLog = join(home, 'audit.log')
    const reportIds = (await Promise.all([spam1, spam2].map((spam) => reportsAbout(spam.userId)))).flat().map((r: { id: number }) => r.id)
    const input = `${spam1.userId}\n${spam2.userId}\n`
    const result = await synadm(['user', 'takedown', '--targets', '-', '--evidence', evidence, '--redact-reason', 'spam wave', '--redact-limit', '5000'], { input, env: { SYNADM_AUDIT_LOG: auditLog } })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    // every write is audited with the run's ID and the evidence folder: each resolved report is linked to the takedown
    const audited = readFileSync(auditLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    const runIds = new Set(audited.map((entry) => entry.run_id))
    expect(runIds.size).toBe(1)
    expect([...runIds][0]).toEqual(expect.any(String))
    expect(audited.every((entry) => entry.evidence === evidence)).toBe(true)
    const deleted = audited.filter((entry) => entry.method === 'DELETE').map((entry) => entry.path)
    expect(reportIds.length).toBe(3)
    for (const id of reportIds) expect(deleted.some((path: string) => path.endsWith(`_reports/${id}`))).toBe(true)
    for (const spam of [spam1, spam2]) {
      expect(await account(spam.userId)).toMatchObject({ locked: true, deactivated: true, erased: true })
      for (const [room, eventId] of posted[spam.userId].events) {
        const redacted = await event(room, eventId)
        expect(redacted.content).toEqual({})
        expect(redacted.unsigned.redacted_because.content.reason).toBe('spam wave')
      }
      for (const mediaId of posted[spam.userId].media) expect(await quarantinedBy(mediaId)).toBe(synapse().adminUserId)
      expect(await reportsAbout(spam.userId)).toEqual([])
      expect(readdirSync(join(evidence, spam.userId.replace(':', '_'))).sort()).toEqual(EVIDENCE)
    }
    expect(await account(alice.userId)).toMatchObject({ locked: false, deactivated: false })
    expect((await event(roomId, aliceMessage)).content).toEqual({ msgtype: 'm.text', body: 'hello all' })
    expect(await quarantinedBy(aliceMedia)).toBeNull()
    expect(await status(`${A}/v1/users/${encode(alice.userId)}/joined_rooms`)).toBe(200)
    expect((await adminRequest('GET', `${A}/v1/users/${encode(alice.userId)}/joined_rooms`)).joined_rooms).toContain(roomId)
  })
})

describe.skipIf(!inject('synapseMas').available)('user takedown on a server that delegates auth to MAS', () => {
  const info = () => synapseMas()
  let masToken: string
  const synadmMas = (args: string[], input?: string) =>
    runSynadm(['--batch', '-o', 'json', ...args], { configFile: info().configFile, input, env: { HOME: mkdtempSync(join(tmpdir(), 'synadm-it-takedown-home-')) } })
  const mas = (method: string, path: string, body?: unknown) => masAdminRequest<any>(info().mas, masToken, method, path, body === undefined ? {} : { body })
  const masUser = async (prefix: string) => {
    const reply = await mas('POST', '/users', { username: uniqueName(prefix) })
    expect(reply.status).toBe(201)
    return { localpart: reply.body.data.attributes.username as string, id: reply.body.data.id as string }
  }
  const inMas = async (id: string) => (await mas('GET', `/users/${id}`)).body.data.attributes
  const inSynapse = (localpart: string) =>
    matrixRequest({ url: info().url }, 'GET', `${A}/v2/users/${encode(`@${localpart}:${info().serverName}`)}`, { token: info().adminToken })

  beforeAll(async () => {
    masToken = await clientCredentialsToken(info().mas)
  })

  it('locks and deactivates through MAS, which has Synapse erase the account; an account MAS lets ask for admin rights is refused', async () => {
    const spam = await masUser('spam-mas')
    const moderator = await masUser('mod-mas')
    await mas('POST', `/users/${moderator.id}/set-admin`, { admin: true })
    const refused = fails(await synadmMas(['user', 'takedown', '--targets', '-'], `${spam.localpart}\n${moderator.localpart}\n`), EXIT.usage)
    expect(refused).toContain(`@${moderator.localpart}:${info().serverName}: is a server admin (in MAS)`)
    expect(await inMas(spam.id)).toMatchObject({ locked_at: null, deactivated_at: null })

    const result = await synadmMas(['user', 'takedown', spam.localpart])
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(await inMas(spam.id)).toMatchObject({ locked_at: expect.any(String), deactivated_at: expect.any(String) })
    expect(await waitFor(async () => {
      const account = await inSynapse(spam.localpart)
      return account.deactivated && account
    })).toMatchObject({ deactivated: true, erased: true })
    expect(await inMas(moderator.id)).toMatchObject({ locked_at: null, deactivated_at: null })
  })
})
