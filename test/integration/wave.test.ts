// A spam wave on the real Synapse, found the way an admin would: the report queue, the accounts by --where, the
// rooms they created or joined, the local members of those rooms that belong to the wave — and never the others.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { runSynadm } from './cli.js'
import { createRoom, joinRoom, registerUser, reportEvent, reportUser, sendMessage, uniqueName } from './fixtures.js'
import { EXIT, fails, ok, synadm } from './run-helpers.js'

type Account = { userId: string; token: string }
const two = (n: number) => String(n).padStart(2, '0')
/** a local date and time as the date options take it */
const localDate = (ms: number) => {
  const d = new Date(ms)
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}
const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
const jsonl = async (args: string[], input?: string) => {
  const result = await runSynadm(['-o', 'jsonl', ...args], { input })
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return { text: result.stdout, records: lines(result.stdout), stderr: result.stderr }
}

describe.skipIf(!inject('synapse').available)('finding a wave', () => {
  /** in every display name of this test's accounts, so other tests' accounts never match */
  const marker = uniqueName('casino')
  let waveStart: string
  let reporter: Account, old: Account, alice: Account, staff: Account, spam1: Account, spam2: Account
  let hall: string, lobby: string
  let userReports: boolean

  beforeAll(async () => {
    reporter = await registerUser(uniqueName('reporter'))
    old = await registerUser(uniqueName('old'), { displayname: `${marker} old` })
    alice = await registerUser(uniqueName('alice'), { displayname: `${marker} fan alice` })
    staff = await registerUser(uniqueName('staff'), { displayname: `${marker} staff`, admin: true })
    // creation_ts counts seconds: the wave starts at the next full second
    const start = Math.ceil(Date.now() / 1000) * 1000
    await new Promise((resolve) => setTimeout(resolve, start - Date.now() + 20))
    waveStart = localDate(start)
    spam1 = await registerUser(uniqueName('spam'), { displayname: `${marker} one` })
    spam2 = await registerUser(uniqueName('spam'), { displayname: `${marker} TWO` })

    hall = await createRoom(spam1.token, { name: `${marker} hall`, isPublic: true })
    lobby = await createRoom(alice.token, { name: uniqueName('lobby'), isPublic: true })
    for (const member of [spam2, alice, staff, reporter]) await joinRoom(member.token, hall)
    for (const member of [spam2, reporter]) await joinRoom(member.token, lobby)
    await reportEvent(reporter.token, hall, await sendMessage(spam1.token, hall, 'cheap chips'), 'casino spam')
    await reportEvent(reporter.token, lobby, await sendMessage(spam2.token, lobby, 'cheap chips'), 'spam')
    userReports = await reportUser(reporter.token, spam1.userId, 'casino account')
  })

  it('user list --all --where: the accounts of the wave, as the target list of user rooms and room local-members', async () => {
    const wave = await jsonl(['user', 'list', '--all', '--where', `creation_ts>=${waveStart}`, '--where', `displayname~${marker.toUpperCase()}`])
    expect(wave.records.map((u) => u.name).sort()).toEqual([spam1.userId, spam2.userId].sort())

    const rooms = await jsonl(['user', 'rooms', '--targets', '-'], wave.text)
    const pairs = rooms.records.map((r) => `${r.user_id} ${r.room_id} ${r.created}`).sort()
    expect(pairs).toEqual([`${spam1.userId} ${hall} true`, `${spam2.userId} ${hall} false`, `${spam2.userId} ${lobby} false`].sort())
    expect(rooms.stderr).toContain('2 targets: 2 done, 0 failed')

    // the rooms the wave created: their local members that belong to the wave, never alice or the admin
    const created = await jsonl(['user', 'rooms', '--targets', '-', '--where', 'created=true'], wave.text)
    expect(created.records.map((r) => r.room_id)).toEqual([hall])
    const members = await jsonl(['room', 'local-members', '--targets', '-', '--where', `creation_ts>=${waveStart}`, '--where', 'admin=false'], created.text)
    expect(members.records.map((m) => m.user_id).sort()).toEqual([spam1.userId, spam2.userId].sort())
    const everyone = await jsonl(['room', 'local-members', hall])
    expect(everyone.records.map((m) => m.user_id).sort()).toEqual([spam1.userId, spam2.userId, alice.userId, staff.userId, reporter.userId].sort())
    expect(everyone.records.find((m) => m.user_id === staff.userId)).toMatchObject({ admin: true })
  })

  it('--where on a room list, and a bad expression is a usage error', async () => {
    const found = ok(await synadm(['room', 'list', '--all', '--where', `name~^${marker} hall$`]))
    expect(found.map((r: { room_id: string }) => r.room_id)).toEqual([hall])
    expect(fails(await synadm(['user', 'list', '--where', 'creation_ts>=yesterday']), EXIT.usage)).toContain("Invalid value for '--where'")
  })

  it('report queue groups the reports by the reported user and by room; resolving one is in the audit log', async () => {
    const byUser = ok(await synadm(['report', 'queue', '--timestamp', '--where', `user_id~^@spam`]))
    const first = byUser.find((g: { user_id: string }) => g.user_id === spam1.userId)
    expect(first).toMatchObject({ event_reports: 1, user_reports: userReports ? 1 : 0, rooms: [hall], reporters: [reporter.userId] })
    expect(first.reasons).toContain('casino spam')
    expect(byUser.find((g: { user_id: string }) => g.user_id === spam2.userId)).toMatchObject({ reports: 1, rooms: [lobby], reasons: ['spam'] })

    const byRoom = ok(await synadm(['report', 'queue', '--by', 'room', '--where', `room_id=${hall}`]))
    expect(byRoom).toEqual([expect.objectContaining({ room_id: hall, room_name: `${marker} hall`, reports: 1, senders: [spam1.userId] })])

    // resolving the report: the audit log names which one
    const audit = join(mkdtempSync(join(tmpdir(), 'synadm-wave-')), 'audit.log')
    const [id] = byRoom[0].event_report_ids
    expect(ok(await synadm(['report', 'event', 'delete', String(id)], { env: { SYNADM_AUDIT_LOG: audit } }))).toEqual({})
    const entries = ok(await synadm(['audit'], { env: { SYNADM_AUDIT_LOG: audit } }))
    expect(entries).toEqual([expect.objectContaining({ method: 'DELETE', path: `/v1/event_reports/${id}`, status: 200, command: expect.stringContaining(`report event delete ${id}`) })])
    expect(ok(await synadm(['report', 'queue', '--by', 'room', '--where', `room_id=${hall}`]))).toEqual([])
  })
})
