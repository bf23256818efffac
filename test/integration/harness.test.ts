// Self-test of the integration harness: the server, the fixtures and the Python synadm all work.
import { describe, expect, inject, it } from 'vitest'
import { parseJson, parseJsonDocuments, runPythonSynadm } from './cli.js'
import {
  adminRequest,
  createRoom,
  joinRoom,
  registerUser,
  sendMessage,
  uniqueName,
  uploadMedia,
  waitFor,
} from './fixtures.js'
import { synapse } from './synapse-info.js'

describe.skipIf(!inject('synapse').available)('integration harness', () => {
  it('reaches a Synapse that reports its version', async () => {
    const { server_version } = await adminRequest('GET', '/_synapse/admin/v1/server_version')
    expect(server_version).toMatch(/^\d+\.\d+/)
    expect(server_version).toBe(synapse().version)
  })

  it('creates users, rooms, messages and media through the real APIs', async () => {
    const owner = await registerUser(uniqueName('owner'), { displayname: 'Owner' })
    const guest = await registerUser(uniqueName('guest'))
    const user = await adminRequest('GET', `/_synapse/admin/v2/users/${encodeURIComponent(owner.userId)}`)
    expect(user).toMatchObject({ name: owner.userId, displayname: 'Owner', admin: false })

    const alias = uniqueName('room')
    const roomId = await createRoom(owner.token, { name: 'Harness', alias, isPublic: true })
    expect(await joinRoom(guest.token, `#${alias}:${synapse().serverName}`)).toBe(roomId)
    const eventId = await sendMessage(guest.token, roomId, 'hello')
    const room = await adminRequest('GET', `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}`)
    expect(room).toMatchObject({ name: 'Harness', joined_members: 2, public: true })
    const context = await adminRequest(
      'GET',
      `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/context/${encodeURIComponent(eventId)}`,
    )
    expect(context.event.content.body).toBe('hello')

    const mxc = await uploadMedia(owner.token, new TextEncoder().encode('bytes'), 'text/plain')
    const mediaId = mxc.split('/').pop()
    const media = await waitFor(async () => {
      const { media } = await adminRequest('GET', `/_synapse/admin/v1/users/${encodeURIComponent(owner.userId)}/media`)
      return media.find((item: { media_id: string }) => item.media_id === mediaId)
    })
    expect(media).toMatchObject({ media_type: 'text/plain', media_length: 5 })
  })

  it('runs the Python synadm against the same server', async ({ skip }) => {
    if (!synapse().pythonRoot) skip('the Python synadm chroot is not built')
    const { code, stdout } = await runPythonSynadm(['-o', 'json', 'version'])
    expect(code).toBe(0)
    expect(parseJson(stdout)).toMatchObject({ server_version: synapse().version })
  })

  it('parses concatenated JSON documents', () => {
    expect(parseJsonDocuments('{"a": [1, "}"]}\n[2]\n"x\\"y" 3 null\n')).toEqual([{ a: [1, '}'] }, [2], 'x"y', 3, null])
    expect(parseJson('{\n  "a": 1\n}\n')).toEqual({ a: 1 })
    expect(() => parseJson('Please setup synadm')).toThrow(/not JSON/)
  })
})
