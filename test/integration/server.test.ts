// The server-wide commands against a real Synapse: version, background updates, scheduled tasks, statistics.
import { describe, expect, inject, it } from 'vitest'
import { adminRequest, createRoom, registerUser, uniqueName, uploadMedia, waitFor } from './fixtures.js'
import { EXIT, expectSameAsPython, fails, ok, skipWithoutPython, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

describe.skipIf(!inject('synapse').available)('server commands', () => {
  it('version gives the same data as the Python synadm', async (context) => {
    skipWithoutPython(context)
    expect(await expectSameAsPython('version', ['version'])).toEqual({ server_version: synapse().version })
  })

  it('background-updates: pause, queue a job (it waits), resume (it runs), status', async () => {
    expect(ok(await synadm(['background-updates', 'status']))).toMatchObject({ enabled: true })
    expect(ok(await synadm(['background-updates', 'enabled']))).toEqual({ enabled: true })
    try {
      expect(ok(await synadm(['background-updates', 'enabled', '--disable']))).toEqual({ enabled: false })
      expect(ok(await synadm(['background-updates', 'status']))).toMatchObject({ enabled: false })

      const started = await synadm(['background-updates', 'start-job', 'populate_stats_process_rooms'])
      expect(ok(started)).toEqual({})
      expect(started.stderr).toContain('synadm background-updates status')
      // Paused, the job stays queued: queuing it again is refused.
      const again = await synadm(['background-updates', 'start-job', 'populate_stats_process_rooms'])
      expect(fails(again, EXIT.api)).toContain('already in queue of background updates')
    } finally {
      expect(ok(await synadm(['background-updates', 'enabled', '-e']))).toEqual({ enabled: true })
    }
    // Resumed, it runs to the end; then it can be queued again.
    await waitFor(async () => (await synadm(['background-updates', 'start-job', 'populate_stats_process_rooms'])).code === 0, 20_000)
    expect(fails(await synadm(['background-updates', 'start-job', 'vacuum']), EXIT.usage)).toContain('is not one of')
  })

  it('scheduled-tasks list shows the task of a room deletion, filtered by action, resource and status', async () => {
    const owner = await registerUser(uniqueName('owner'))
    const roomId = await createRoom(owner.token, { name: uniqueName('Doomed') })
    const { delete_id: deleteId } = await adminRequest('DELETE', `/_synapse/admin/v2/rooms/${encodeURIComponent(roomId)}`, { body: {} })

    const all = ok(await synadm(['scheduled-tasks', 'list']))
    expect(all.scheduled_tasks.map((t: { id: string }) => t.id)).toContain(deleteId)
    const filtered = ok(await synadm(['scheduled-tasks', 'list', '-a', 'shutdown_and_purge_room', '-r', roomId]))
    expect(filtered.scheduled_tasks).toEqual([expect.objectContaining({ id: deleteId, action: 'shutdown_and_purge_room', resource_id: roomId })])

    const complete = await waitFor(async () => {
      const { scheduled_tasks: tasks } = ok(await synadm(['scheduled-tasks', 'list', '-r', roomId, '-s', 'complete']))
      return tasks.length === 1 && tasks
    })
    expect(complete[0].id).toBe(deleteId)
    expect(ok(await synadm(['scheduled-tasks', 'list', '-r', roomId, '-s', 'failed', '-s', 'active'])).scheduled_tasks).toEqual([])
    expect(ok(await synadm(['scheduled-tasks', 'list', '-r', roomId, '--before-ts', '1'])).scheduled_tasks).toEqual([])
  })

  it('statistics user-media counts what a user uploaded; filters and --all', async () => {
    const localpart = uniqueName('hoarder')
    const hoarder = await registerUser(localpart)
    await uploadMedia(hoarder.token, new Uint8Array(1000))
    await uploadMedia(hoarder.token, new Uint8Array(500))
    const mine = ok(await synadm(['statistics', 'user-media', '-n', localpart]))
    expect(mine).toEqual({ users: [{ user_id: hoarder.userId, displayname: localpart, media_count: 2, media_length: 1500 }], total: 1 })

    const everyone = ok(await synadm(['statistics', 'user-media', '-l', '2', '--all', '-s', 'media_count', '-r']))
    expect(everyone).toContainEqual(expect.objectContaining({ user_id: hoarder.userId, media_count: 2 }))
    const counts = everyone.map((u: { media_count: number }) => u.media_count)
    expect(counts).toEqual([...counts].sort((a, b) => b - a))

    expect(ok(await synadm(['statistics', 'user-media', '-n', localpart, '--until-ts', '1'])).users).toEqual([])
    expect(ok(await synadm(['statistics', 'user-media', '-n', localpart, '--since', '2000-01-01'])).total).toBe(1)
  })

  it('statistics largest-rooms: on SQLite, the server refuses in one line and the exit code is non-zero', async () => {
    const result = await synadm(['statistics', 'largest-rooms'])
    const stderr = fails(result, EXIT.api)
    expect(stderr.trim()).toBe('synadm: 400 M_UNKNOWN: Endpoint requires using PostgreSQL (GET /_synapse/admin/v1/statistics/database/rooms)')
    expect(result.stdout).toBe('')
  })
})
