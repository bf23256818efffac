// History purging against a real Synapse: purges reach `complete`, the purged events are gone, state stays, and
// purge-status gives the same data as the Python synadm 0.49.2.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { parseJson, runPythonSynadm, runSynadm, type RunResult } from './cli.js'
import { createRoom, registerUser, sendMessage, uniqueName } from './fixtures.js'
import { differencesFor } from './known-differences.js'
import { synapse } from './synapse-info.js'

const synadm = (args: string[]) => runSynadm(['--batch', '-o', 'json', ...args])

function ok(result: RunResult): any {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return parseJson(result.stdout)
}

/** The message bodies still in a room, oldest first. */
async function bodies(roomId: string): Promise<string[]> {
  const events = ok(await synadm(['room', 'messages', roomId, '--filter', '{"types":["m.room.message"]}', '-l', '50', '--all']))
  return events.map((event: { content: { body: string } }) => event.content.body)
}

describe.skipIf(!inject('synapse').available)('history commands', () => {
  let owner: { userId: string; token: string }

  beforeAll(async () => {
    owner = await registerUser(uniqueName('historian'))
  })

  /** A room with messages old-1, old-2, then `keep` (the cut-off event) and new-1. */
  async function roomWithHistory(alias?: string) {
    const roomId = await createRoom(owner.token, { name: uniqueName('History'), alias })
    const oldEvent = await sendMessage(owner.token, roomId, 'old-1')
    await sendMessage(owner.token, roomId, 'old-2')
    const cutOff = await sendMessage(owner.token, roomId, 'keep')
    await sendMessage(owner.token, roomId, 'new-1')
    return { roomId, cutOff, oldEvent }
  }

  it('history purge -i --delete-local --wait reaches complete and the older events are gone', async () => {
    const { roomId, cutOff, oldEvent } = await roomWithHistory()
    expect(await bodies(roomId)).toEqual(['old-1', 'old-2', 'keep', 'new-1'])
    const result = await synadm(['history', 'purge', roomId, '-i', cutOff, '--delete-local', '--wait'])
    expect(ok(result)).toEqual({ purge_id: expect.any(String), status: 'complete' })
    expect(result.stderr).toContain('complete')
    expect(await bodies(roomId)).toEqual(['keep', 'new-1'])
    expect((await synadm(['room', 'event', oldEvent])).code).toBe(7)
    // State survives: the room keeps its name and its member.
    expect(ok(await synadm(['room', 'details', roomId]))).toMatchObject({ joined_members: 1 })
  })

  it('without --delete-local, events of local users stay in the database (out of the timeline)', async () => {
    const { roomId, cutOff, oldEvent } = await roomWithHistory()
    expect(ok(await synadm(['history', 'purge', roomId, '-i', cutOff, '--wait'])).status).toBe('complete')
    expect(await bodies(roomId)).toEqual(['keep', 'new-1'])
    expect(ok(await synadm(['room', 'event', oldEvent])).event.content.body).toBe('old-1')
  })

  it('history purge by time, through an alias, then purge-status until complete (same data as Python)', async () => {
    const localpart = uniqueName('history')
    const { roomId } = await roomWithHistory(localpart)
    const alias = `#${localpart}:${synapse().serverName}`
    await new Promise((done) => setTimeout(done, 50))
    const now = Date.now()
    await sendMessage(owner.token, roomId, 'after the cut-off')

    const started = await synadm(['history', 'purge', alias, '--before-ts', String(now), '--delete-local'])
    const { purge_id } = ok(started)
    expect(started.stderr).toContain(`${alias} is room ${roomId}`)
    expect(started.stderr).toContain(`synadm history purge-status ${purge_id}`)
    await expect.poll(async () => ok(await synadm(['history', 'purge-status', purge_id])).status, { timeout: 20_000 }).toBe('complete')
    expect(await bodies(roomId)).toEqual(['after the cut-off'])

    if (synapse().pythonRoot) {
      const args = ['-o', 'json', 'history', 'purge-status', purge_id]
      const [ours, python] = await Promise.all([runSynadm(args), runPythonSynadm(args)])
      let [oursData, pythonData] = [ok(ours), parseJson(python.stdout)]
      for (const d of differencesFor('history purge-status')) {
        pythonData = d.normalizePython?.(pythonData) ?? pythonData
        oursData = d.normalizeOurs?.(oursData) ?? oursData
      }
      expect(oursData).toEqual(pythonData)
    }
  })

  it('--before-days and --before (a date) are accepted by the server', async () => {
    const { roomId } = await roomWithHistory()
    // Nothing is that old: Synapse answers 404 "there is no event to be purged", and we exit non-zero.
    const tooOld = await synadm(['history', 'purge', roomId, '--before', '2001-01-01'])
    expect(tooOld.code).toBe(7)
    expect(tooOld.stderr).toContain('there is no event to be purged')
    const today = ok(await synadm(['history', 'purge', roomId, '-d', '0', '--delete-local', '--wait']))
    expect(today.status).toBe('complete')
    // Synapse never purges the latest event.
    expect(await bodies(roomId)).toEqual(['new-1'])
  })

  it('history purge-status of an unknown ID exits 7', async () => {
    const result = await synadm(['history', 'purge-status', 'no-such-purge'])
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('')
  })
})
