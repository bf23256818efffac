// The room commands against a real Synapse: every command runs, each write is checked through a read, and the
// read commands synadm has give the same -o json data as the Python synadm 0.49.2.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { parseJson, runSynadm, type RunResult } from './cli.js'
import { expectSameAsPython } from './run-helpers.js'
import { adminRequest, createRoom, registerUser, sendMessage, uniqueName } from './fixtures.js'
import { synapse } from './synapse-info.js'

const EXIT_NOT_FOUND = 7
const EXIT_JOB_FAILED = 10

/** Our CLI with -o json (and --batch, which only matters for writes). */
const synadm = (args: string[]) => runSynadm(['--batch', '-o', 'json', ...args])

function ok(result: RunResult): any {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return parseJson(result.stdout)
}


const encode = encodeURIComponent
const roomInList = async (roomId: string) => {
  const list = ok(await synadm(['room', 'list', '-n', roomId]))
  return list.rooms.some((room: { room_id: string }) => room.room_id === roomId)
}

describe.skipIf(!inject('synapse').available)('room commands', () => {
  let owner: { userId: string; token: string }
  let guest: { userId: string; token: string }
  let roomId: string
  let alias: string
  let name: string
  let firstEvent: string

  beforeAll(async () => {
    owner = await registerUser(uniqueName('owner'))
    guest = await registerUser(uniqueName('guest'))
    name = uniqueName('Lobby')
    const localpart = uniqueName('lobby')
    alias = `#${localpart}:${synapse().serverName}`
    roomId = await createRoom(owner.token, { name, alias: localpart, isPublic: true })
    firstEvent = await sendMessage(owner.token, roomId, 'first message')
    await sendMessage(owner.token, roomId, 'second message')
  })

  describe('reads give the same data as the Python synadm', () => {
    const skipWithoutPython = ({ skip }: { skip: (note?: string) => never }) => {
      if (!synapse().pythonRoot) skip('the Python synadm chroot is not built')
    }

    it('room list (one page, a sort, a filter)', async (context) => {
      skipWithoutPython(context)
      await expectSameAsPython('room list', ['room', 'list', '-l', '3', '-s', 'name'])
      const data = await expectSameAsPython('room list', ['room', 'list', '-n', name])
      expect(data.rooms.map((room: { room_id: string }) => room.room_id)).toEqual([roomId])
      await expectSameAsPython('room list', ['room', 'list', '-E', '-r', '-l', '2'])
    })

    it('room search', async (context) => {
      skipWithoutPython(context)
      const data = await expectSameAsPython('room search', ['room', 'search', name])
      expect(data.total_rooms).toBe(1)
    })

    it('room details, members, state, block-status', async (context) => {
      skipWithoutPython(context)
      expect(await expectSameAsPython('room details', ['room', 'details', roomId])).toMatchObject({ room_id: roomId, name, canonical_alias: alias })
      expect(await expectSameAsPython('room members', ['room', 'members', roomId])).toEqual({ members: [owner.userId], total: 1 })
      const { state } = await expectSameAsPython('room state', ['room', 'state', roomId])
      expect(state.find((event: { type: string }) => event.type === 'm.room.name').content).toEqual({ name })
      expect(await expectSameAsPython('room block-status', ['room', 'block-status', roomId])).toEqual({ block: false })
    })

    it('room power-levels (one room, and a page with all details)', async (context) => {
      skipWithoutPython(context)
      const data = await expectSameAsPython('room power-levels', ['room', 'power-levels', '-i', roomId])
      expect(data.rooms[0].power_levels).toEqual({ [owner.userId]: 100 })
      await expectSameAsPython('room power-levels', ['room', 'power-levels', '-a', '-l', '3', '-s', 'name'])
    })

    it('room resolve, both ways', async (context) => {
      skipWithoutPython(context)
      expect(await expectSameAsPython('room resolve', ['room', 'resolve', alias])).toBe(roomId)
      expect(await expectSameAsPython('room resolve', ['room', 'resolve', '-r', roomId])).toEqual({ aliases: [alias] })
    })
  })

  it('an alias works wherever a room ID does, and its room ID is shown', async () => {
    const result = await synadm(['room', 'details', alias])
    expect(ok(result).room_id).toBe(roomId)
    expect(result.stderr).toContain(`${alias} is room ${roomId}`)
  })

  it('room join puts a local user into the room', async () => {
    const result = await synadm(['room', 'join', alias, guest.userId.slice(1).split(':')[0]])
    expect(ok(result)).toEqual({ room_id: roomId })
    expect(ok(await synadm(['room', 'members', roomId])).members).toContain(guest.userId)
  })

  it('room make-admin gives the user power level 100', async () => {
    const room = await createRoom(owner.token, { name: uniqueName('Promote') })
    ok(await synadm(['room', 'make-admin', room, '-u', guest.userId]))
    const { state } = ok(await synadm(['room', 'state', room, '-t', 'm.room.power_levels']))
    expect(state[0].content.users[guest.userId]).toBe(100)
  })

  it('room block and unblock, checked with block-status', async () => {
    expect(ok(await synadm(['room', 'block', roomId]))).toEqual({ block: true })
    expect(ok(await synadm(['room', 'block-status', roomId]))).toEqual({ block: true, user_id: synapse().adminUserId })
    expect(ok(await synadm(['room', 'block', roomId, '-u']))).toEqual({ block: false })
    expect(ok(await synadm(['room', 'block-status', roomId]))).toEqual({ block: false })
  })

  it('room messages pages through the timeline; --all follows it to the end', async () => {
    const page = ok(await synadm(['room', 'messages', roomId, '-d', 'b', '-l', '2']))
    expect(page.chunk).toHaveLength(2)
    const bodies = ok(await synadm(['room', 'messages', roomId, '--filter', '{"types":["m.room.message"]}', '-l', '1', '--all']))
      .map((event: { content: { body: string } }) => event.content.body)
    expect(bodies).toEqual(['first message', 'second message'])
  })

  it('room timestamp-to-event, room context and room event', async () => {
    const { event: first } = ok(await synadm(['room', 'event', firstEvent]))
    expect(first).toMatchObject({ event_id: firstEvent, room_id: roomId, content: { body: 'first message' } })
    const found = ok(await synadm(['room', 'timestamp-to-event', roomId, '--at-ts', String(first.origin_server_ts), '-d', 'b']))
    expect(found).toEqual({ event_id: firstEvent, origin_server_ts: first.origin_server_ts })
    const context = ok(await synadm(['room', 'context', roomId, firstEvent, '-l', '1']))
    expect(context.event.event_id).toBe(firstEvent)
    expect(context.events_after[0].content.body).toBe('second message')
  })

  it('room hierarchy lists the rooms of a space', async () => {
    const space = (await adminRequest('POST', '/_matrix/client/v3/createRoom', { token: owner.token, body: { name: uniqueName('Space'), creation_content: { type: 'm.space' } } })).room_id
    const child = await createRoom(owner.token, { name: uniqueName('Child') })
    const via = { via: [synapse().serverName] }
    await adminRequest('PUT', `/_matrix/client/v3/rooms/${encode(space)}/state/m.space.child/${encode(child)}`, { token: owner.token, body: via })
    const { rooms } = ok(await synadm(['room', 'hierarchy', space, '-d', '1']))
    expect(rooms.map((room: { room_id: string }) => room.room_id).sort()).toEqual([space, child].sort())
    const all = ok(await synadm(['room', 'hierarchy', space, '-l', '1', '--all']))
    expect(all).toHaveLength(2)
  })

  it('room forward-extremities check and delete', async () => {
    const checked = ok(await synadm(['room', 'forward-extremities', 'check', alias]))
    expect(checked.count).toBeGreaterThanOrEqual(1)
    expect(checked.results[0]).toHaveProperty('event_id')
    const deleted = ok(await synadm(['room', 'forward-extremities', 'delete', roomId]))
    expect(deleted).toEqual({ deleted: expect.any(Number) })
    // Synapse keeps the latest extremity: the room stays usable.
    expect(ok(await synadm(['room', 'forward-extremities', 'check', roomId])).count).toBeGreaterThanOrEqual(1)
  })

  it('room delete --wait returns when the room is gone, exit 0', async () => {
    const doomed = await createRoom(owner.token, { name: uniqueName('Doomed') })
    await sendMessage(owner.token, doomed, 'bye')
    const final = ok(await synadm(['room', 'delete', doomed, '--block', '--wait']))
    expect(final).toMatchObject({ room_id: doomed, status: 'complete', shutdown_room: { kicked_users: [owner.userId] } })
    expect(await roomInList(doomed)).toBe(false)
    expect((await synadm(['room', 'details', doomed])).code).toBe(EXIT_NOT_FOUND)
    // Blocked rooms stay blocked after the purge.
    expect(ok(await synadm(['room', 'block-status', doomed]))).toMatchObject({ block: true })
  })

  it('room delete without --wait starts the job; delete-status follows it to complete (same data as Python)', async () => {
    const doomed = await createRoom(owner.token, { name: uniqueName('Later') })
    const result = await synadm(['room', 'delete', doomed, '--no-purge'])
    const { delete_id } = ok(result)
    expect(result.stderr).toContain(`synadm room delete-status -d ${delete_id}`)
    await expect.poll(async () => ok(await synadm(['room', 'delete-status', '-d', delete_id])).status, { timeout: 20_000 }).toBe('complete')
    expect(ok(await synadm(['room', 'delete-status', '-r', doomed])).results[0]).toMatchObject({ delete_id, status: 'complete' })
    // --no-purge: the room stays known, without members.
    expect(ok(await synadm(['room', 'details', doomed]))).toMatchObject({ joined_members: 0 })
    if (synapse().pythonRoot) {
      await expectSameAsPython('room delete-status', ['room', 'delete-status', '-d', delete_id])
      await expectSameAsPython('room delete-status', ['room', 'delete-status', '-r', doomed])
    }
  })

  it('room delete --v1 moves the members to a new room, synchronously', async () => {
    const doomed = await createRoom(owner.token, { name: uniqueName('Moved') })
    const moderator = uniqueName('mod')
    const reply = ok(await synadm(['room', 'delete', doomed, '--v1', '-u', moderator, '-n', 'Moved here', '-m', 'Read the rules']))
    expect(reply.kicked_users).toEqual([owner.userId])
    expect(ok(await synadm(['room', 'details', reply.new_room_id]))).toMatchObject({ name: 'Moved here', creator: `@${moderator}:${synapse().serverName}` })
    expect(await roomInList(doomed)).toBe(false)
  })

  it('room delete --wait exits non-zero when the server reports the job failed', async () => {
    // A localpart of 250 characters passes synadm's check (a localpart is at most 255 bytes) and Synapse's when the
    // request arrives (it only looks at the domain), but with the server name the user ID is longer than the 255
    // bytes Matrix allows, so the job starts and then fails creating the replacement room.
    const doomed = await createRoom(owner.token, { name: uniqueName('Unlucky') })
    const result = await synadm(['room', 'delete', doomed, '--wait', '-u', 'x'.repeat(250)])
    expect(result.code).toBe(EXIT_JOB_FAILED)
    expect(parseJson(result.stdout)).toMatchObject({ room_id: doomed, status: 'failed' })
    expect(result.stderr).toContain(`deletion of ${doomed} failed`)
    expect(ok(await synadm(['room', 'delete-status', '-r', doomed])).results[0].status).toBe('failed')
  })

  it('room purge-empty deletes exactly the rooms without local members', async () => {
    const empty = await createRoom(guest.token, { name: uniqueName('Empty') })
    await adminRequest('POST', `/_matrix/client/v3/rooms/${encode(empty)}/leave`, { token: guest.token, body: {} })
    const candidates = ok(await synadm(['room', 'purge-empty', '--dry-run', '-p', '2']))
    expect(candidates).toContain(empty)
    expect(candidates).not.toContain(roomId)

    const results = ok(await synadm(['room', 'purge-empty', '--wait']))
    expect(results.find((r: { room_id: string }) => r.room_id === empty)).toMatchObject({ status: 'complete' })
    expect(results.every((r: { status: string }) => r.status === 'complete')).toBe(true)
    expect(await roomInList(empty)).toBe(false)
    expect(await roomInList(roomId)).toBe(true)
    expect(ok(await synadm(['room', 'purge-empty', '--dry-run']))).toEqual([])
  })

  it('without --batch and without a terminal, a delete is refused and nothing changes', async () => {
    const result = await runSynadm(['-o', 'json', 'room', 'delete', roomId])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('refusing to go on without confirmation')
    expect(await roomInList(roomId)).toBe(true)
  })
})
