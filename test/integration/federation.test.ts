// The federation commands against a real Synapse on loopback: it federates with nobody, so the list is empty and
// every per-destination command gives a clear not-found error.
import { describe, expect, inject, it } from 'vitest'
import { EXIT, fails, ok, synadm } from './run-helpers.js'

describe.skipIf(!inject('synapse').available)('federation commands', () => {
  it('federation list is empty, also with --all', async () => {
    expect(ok(await synadm(['federation', 'list']))).toEqual({ destinations: [], total: 0 })
    expect(ok(await synadm(['federation', 'list', '-s', 'failure_ts', '-r', '-d', 'example']))).toEqual({ destinations: [], total: 0 })
    expect(ok(await synadm(['federation', 'list', '--all']))).toEqual([])
  })

  it('federation details, rooms and reset-connection of an unknown destination exit 7', async () => {
    for (const result of [
      await synadm(['federation', 'details', 'nowhere.example']),
      await synadm(['federation', 'rooms', 'nowhere.example']),
      await synadm(['federation', 'reset-connection', 'nowhere.example']),
    ]) {
      expect(fails(result, EXIT.notFound).trim()).toMatch(/^synadm: 404 M_NOT_FOUND: Unknown destination \(/)
      expect(result.stdout).toBe('')
    }
  })
})
