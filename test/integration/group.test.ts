// group delete against a real Synapse (1.61 or later has no groups): one line, non-zero, like the Python synadm's
// request but without its exit 0.
import { describe, expect, inject, it } from 'vitest'
import { runPythonSynadm, runSynadm } from './cli.js'
import { synapse } from './synapse-info.js'

describe.skipIf(!inject('synapse').available)('group commands', () => {
  it('group delete says the server has no group API, and exits non-zero', async () => {
    const result = await runSynadm(['--batch', 'group', 'delete', `+community:${synapse().serverName}`])
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe('synadm: groups (communities) were removed from Synapse in 1.61; this server has no group API\n')
  })

  it('the Python synadm reaches the same missing endpoint (and exits 0 with the error)', async ({ skip }) => {
    if (!synapse().pythonRoot) skip('the Python synadm chroot is not built')
    const python = await runPythonSynadm(['-o', 'json', 'group', 'delete', `+community:${synapse().serverName}`])
    expect(python.code).toBe(0)
    expect(JSON.parse(python.stdout)).toMatchObject({ errcode: 'M_UNRECOGNIZED' })
  })
})
