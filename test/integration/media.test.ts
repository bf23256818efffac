// The media commands against a real Synapse: every command runs, each write is checked through the API, and the
// read commands synadm has give the same -o json data as the Python synadm 0.49.2.
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { runSynadm } from './cli.js'
import { adminRequest, createRoom, registerUser, uniqueName, uploadMedia, waitFor } from './fixtures.js'
import { EXIT, expectSameAsPython, fails, ok, skipWithoutPython, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

const encode = encodeURIComponent
const idOf = (mxc: string) => mxc.split('/').pop()!
/** What Synapse reports about a local media item (admin API, not our CLI). */
const mediaInfo = (mediaId: string) =>
  adminRequest('GET', `/_synapse/admin/v1/media/${synapse().serverName}/${mediaId}`).then((reply) => reply.media_info)

describe.skipIf(!inject('synapse').available)('media commands', () => {
  let uploader: { userId: string; token: string }
  let roomId: string
  let first: string
  let second: string

  beforeAll(async () => {
    uploader = await registerUser(uniqueName('uploader'))
    // Unique content: Synapse quarantines every file with the same hash too.
    first = await uploadMedia(uploader.token, new TextEncoder().encode(uniqueName('first')), 'text/plain')
    second = await uploadMedia(uploader.token, new TextEncoder().encode(uniqueName('the second, longer file')), 'text/plain')
    roomId = await createRoom(uploader.token, { name: uniqueName('Gallery') })
    // An image event makes the media show up in the room's media list.
    await adminRequest('PUT', `/_matrix/client/v3/rooms/${encode(roomId)}/send/m.room.message/${uniqueName('txn')}`, {
      token: uploader.token,
      body: { msgtype: 'm.image', body: 'first.txt', url: first },
    })
    await waitFor(async () => (await adminRequest('GET', `/_synapse/admin/v1/users/${encode(uploader.userId)}/media`)).total === 2)
  })

  describe('reads give the same data as the Python synadm', () => {
    it('media list -u (dates, timestamps, sorting, paging)', async (context) => {
      skipWithoutPython(context)
      const data = await expectSameAsPython('media list', ['media', 'list', '-u', uploader.userId])
      expect(data.media.map((m: { media_id: string }) => m.media_id).sort()).toEqual([idOf(first), idOf(second)].sort())
      expect(data.media[0].created_ts).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      await expectSameAsPython('media list', ['media', 'list', '-u', uploader.userId, '--ts', '-s', 'media_length', '-R', '-l', '1'])
    })

    it('media list -r', async (context) => {
      skipWithoutPython(context)
      expect(await expectSameAsPython('media list', ['media', 'list', '-r', roomId])).toEqual({ local: [first], remote: [] })
    })
  })

  it('media list -u --all pages through every item', async () => {
    const all = ok(await synadm(['media', 'list', '-u', uploader.userId, '-l', '1', '--all', '--ts']))
    expect(all).toHaveLength(2)
    expect(typeof all[0].created_ts).toBe('number')
  })

  it('media details by ID and by mxc:// URI; unknown media exits 7', async () => {
    const byId = ok(await synadm(['media', 'details', idOf(first)]))
    expect(byId.media_info).toMatchObject({ media_id: idOf(first), user_id: uploader.userId, media_type: 'text/plain' })
    expect(ok(await synadm(['media', 'details', second])).media_info.media_id).toBe(idOf(second))
    expect(fails(await synadm(['media', 'details', 'nosuchmedia']), EXIT.notFound)).toContain('Unknown media')
  })

  it('quarantine and unquarantine one item; the quarantine-changes feed records both', async () => {
    const before = ok(await synadm(['media', 'quarantine-changes', '--all']))
    expect(ok(await synadm(['media', 'quarantine', '-i', idOf(first)]))).toEqual({})
    expect((await mediaInfo(idOf(first))).quarantined_by).toBe(synapse().adminUserId)
    expect(ok(await synadm(['media', 'unquarantine', '-U', first]))).toEqual({})
    expect((await mediaInfo(idOf(first))).quarantined_by).toBeNull()

    // SQLite reports booleans as 0/1.
    const changes = ok(await synadm(['media', 'quarantine-changes', '--all']))
      .slice(before.length)
      .map((change: { quarantined: unknown }) => ({ ...change, quarantined: Boolean(change.quarantined) }))
    expect(changes).toEqual([
      { origin: synapse().serverName, media_id: idOf(first), quarantined: true },
      { origin: synapse().serverName, media_id: idOf(first), quarantined: false },
    ])
    const page = ok(await synadm(['media', 'quarantine-changes']))
    expect(page).toHaveProperty('next_batch')
  })

  it('protect keeps an item out of a user-wide quarantine; unprotect lets it in; room quarantine', async () => {
    expect(ok(await synadm(['media', 'protect', idOf(second)]))).toEqual({})
    expect((await mediaInfo(idOf(second))).safe_from_quarantine).toBeTruthy()

    expect(ok(await synadm(['media', 'quarantine', '-u', uploader.userId]))).toEqual({ num_quarantined: 1 })
    expect((await mediaInfo(idOf(first))).quarantined_by).toBe(synapse().adminUserId)
    expect((await mediaInfo(idOf(second))).quarantined_by).toBeNull()
    ok(await synadm(['media', 'unquarantine', '-i', idOf(first)]))

    expect(ok(await synadm(['media', 'unprotect', idOf(second)]))).toEqual({})
    expect((await mediaInfo(idOf(second))).safe_from_quarantine).toBeFalsy()

    const inRoom = ok(await synadm(['media', 'quarantine', '-r', roomId]))
    expect(inRoom.num_quarantined).toBeGreaterThanOrEqual(1)
    expect((await mediaInfo(idOf(first))).quarantined_by).toBe(synapse().adminUserId)
    ok(await synadm(['media', 'unquarantine', '-U', first]))
    expect((await mediaInfo(idOf(first))).quarantined_by).toBeNull()
  })

  it('media delete -i deletes one local item after showing it', async () => {
    const doomed = idOf(await uploadMedia(uploader.token, new TextEncoder().encode(uniqueName('delete me')), 'text/plain'))
    // Without a terminal and without --batch it refuses, and nothing is deleted.
    expect(fails(await runSynadm(['-o', 'json', 'media', 'delete', '-i', doomed]), EXIT.usage)).toContain('refusing to go on without confirmation')
    expect(await mediaInfo(doomed)).toMatchObject({ media_id: doomed })

    expect(ok(await synadm(['media', 'delete', '-i', doomed]))).toEqual({ deleted_media: [doomed], total: 1 })
    await expect(mediaInfo(doomed)).rejects.toThrow(/404/)
  })

  it('media delete by age and size keeps avatars unless --delete-profiles', async () => {
    // Large, so that the size filter spares every other test's media on the server.
    const big = () => uploadMedia(uploader.token, randomBytes(1_500_000), 'application/octet-stream')
    const plain = idOf(await big())
    const avatarMxc = await big()
    await adminRequest('PUT', `/_matrix/client/v3/profile/${encode(uploader.userId)}/avatar_url`, { token: uploader.token, body: { avatar_url: avatarMxc } })

    const deleted = ok(await synadm(['media', 'delete', '-d', '0', '--kib', '1400']))
    expect(deleted.deleted_media).toContain(plain)
    expect(deleted.deleted_media).not.toContain(idOf(avatarMxc))
    await expect(mediaInfo(plain)).rejects.toThrow(/404/)
    expect(await mediaInfo(idOf(avatarMxc))).toMatchObject({ media_id: idOf(avatarMxc) })

    const withProfiles = ok(await synadm(['media', 'delete', '-t', String(Date.now()), '--size', '1400', '--delete-profiles']))
    expect(withProfiles.deleted_media).toContain(idOf(avatarMxc))
    await expect(mediaInfo(idOf(avatarMxc))).rejects.toThrow(/404/)
  })

  it('media purge drops cached remote media (none on a server without federation)', async () => {
    expect(ok(await synadm(['media', 'purge', '-d', '0']))).toEqual({ deleted: 0 })
    expect(ok(await synadm(['media', 'purge', '-b', '2020-01-01']))).toEqual({ deleted: 0 })
  })
})
