// `room takedown` on the real Synapse: two spam rooms taken down in one run (blocked, media quarantined, purged,
// reports resolved, the spam members deactivated) while the legitimate members stay untouched; the member limit
// refuses a room before anything is written; --dry-run changes nothing.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { parseJson } from './cli.js'
import { adminRequest, createRoom, joinRoom, registerUser, reportEvent, postImage, sendMessage, uniqueName } from './fixtures.js'
import { EXIT, fails, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

type Account = { userId: string; token: string }
const encode = encodeURIComponent


/** A room of spam from `owner`, joined by `others`, with an image and a message that `reporter` reports. */
async function spamRoom(owner: Account, others: Account[], reporter: Account) {
  const roomId = await createRoom(owner.token, { name: uniqueName('casino'), isPublic: true })
  for (const member of [...others, reporter]) await joinRoom(member.token, roomId)
  const mediaId = await postImage(owner, roomId)
  await reportEvent(reporter.token, roomId, await sendMessage(owner.token, roomId, 'cheap chips'), 'casino spam')
  const { event_reports: reports } = await adminRequest('GET', '/_synapse/admin/v1/event_reports', { query: { room_id: roomId } })
  return { roomId, mediaId, reportIds: (reports as { id: number; room_id: string }[]).filter((r) => r.room_id === roomId).map((r) => r.id) }
}

const account = (userId: string) => adminRequest('GET', `/_synapse/admin/v2/users/${encode(userId)}`)
const blocked = async (roomId: string) => (await adminRequest('GET', `/_synapse/admin/v1/rooms/${encode(roomId)}/block`)).block
const status = (path: string, method = 'GET') => adminRequest(method, path).then(() => 200, (error: { status?: number }) => error.status)
const quarantinedBy = async (mediaId: string) =>
  (await adminRequest('GET', `/_synapse/admin/v1/media/${synapse().serverName}/${mediaId}`)).media_info.quarantined_by

describe.skipIf(!inject('synapse').available)('room takedown', () => {
  let reporter: Account, alice: Account, spam1: Account, spam2: Account, spam3: Account
  let hall: Awaited<ReturnType<typeof spamRoom>>, den: Awaited<ReturnType<typeof spamRoom>>

  beforeAll(async () => {
    reporter = await registerUser(uniqueName('reporter'))
    alice = await registerUser(uniqueName('alice'))
    // their user IDs start with @spam: what --members-where picks
    spam1 = await registerUser(uniqueName('spam'))
    spam2 = await registerUser(uniqueName('spam'))
    spam3 = await registerUser(uniqueName('spam'))
    // hall: a spam room a legitimate member joined; den: only spam members (and the reporter)
    hall = await spamRoom(spam1, [alice], reporter)
    den = await spamRoom(spam2, [spam3], reporter)
  })

  it('--dry-run reads and shows the plan, and changes nothing', async () => {
    const result = await synadm(['room', 'takedown', hall.roomId, '--members', '--members-where', 'name~^@spam', '--dry-run'])
    expect(result.code, result.stderr).toBe(0)
    expect(await blocked(hall.roomId)).toBe(false)
    expect(await status(`/_synapse/admin/v1/rooms/${encode(hall.roomId)}`)).toBe(200)
    expect(await quarantinedBy(hall.mediaId)).toBeNull()
    expect(await status(`/_synapse/admin/v1/event_reports/${hall.reportIds[0]}`)).toBe(200)
    expect((await account(spam1.userId)).deactivated).toBe(false)
  })

  it('a room with more local members than --max-local-members is refused, with nothing written', async () => {
    const stderr = fails(await synadm(['room', 'takedown', hall.roomId, '--max-local-members', '2']), EXIT.usage)
    expect(stderr).toContain(`${hall.roomId}: has 3 local members (limit 2): is it really a spam room? raise --max-local-members to go on`)
    expect(await blocked(hall.roomId)).toBe(false)
    expect(await status(`/_synapse/admin/v1/rooms/${encode(hall.roomId)}`)).toBe(200)
  })

  it('takes down both rooms and their spam members, never the legitimate ones', async () => {
    const evidence = join(mkdtempSync(join(tmpdir(), 'synadm-takedown-')), 'evidence')
    const targets = `${hall.roomId}\n${den.roomId}\n`
    const result = await synadm(['room', 'takedown', '--targets', '-', '--members', '--members-where', 'name~^@spam', '--evidence', evidence], { input: targets })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)

    // each room's reports were resolved by the step, not by the purge (which keeps them, out of sight)
    const report = parseJson(result.stdout) as { target: string; result: Record<string, unknown> }[]
    expect(report.map((entry) => [entry.target, entry.result['resolve-reports']])).toEqual([hall, den].map((room) => [room.roomId, { resolved: 1, already_gone: 0 }]))
    for (const room of [hall, den]) {
      expect(await blocked(room.roomId)).toBe(true)
      expect(await status(`/_synapse/admin/v1/rooms/${encode(room.roomId)}`)).toBe(404)
      expect(await quarantinedBy(room.mediaId)).toBe(synapse().adminUserId)
      // a purged room's reports are neither listed nor shown any more, but kept: only a delete tells whether one is left
      for (const id of room.reportIds) expect(await status(`/_synapse/admin/v1/event_reports/${id}`, 'DELETE')).toBe(404)
      expect(readdirSync(join(evidence, room.roomId.replace(':', '_'))).sort()).toEqual(
        ['aliases.json', 'block.json', 'details.json', 'media.json', 'members.json', 'messages.json', 'reports.json', 'state.json'],
      )
    }
    for (const spam of [spam1, spam2, spam3]) expect(await account(spam.userId)).toMatchObject({ deactivated: true, erased: true })
    for (const legitimate of [alice, reporter]) expect(await account(legitimate.userId)).toMatchObject({ deactivated: false, locked: false })
  })
})
