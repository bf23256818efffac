// The regtok commands against a real Synapse: every command runs, each write is checked through the API, and the
// read commands give the same -o json data as the Python synadm 0.49.2.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { runSynadm } from './cli.js'
import { adminRequest, createRegistrationToken, uniqueName } from './fixtures.js'
import { EXIT, expectSameAsPython, fails, ok, skipWithoutPython, synadm } from './run-helpers.js'

/** A token as Synapse reports it (admin API, not our CLI). */
const tokenState = (token: string) => adminRequest('GET', `/_synapse/admin/v1/registration_tokens/${encodeURIComponent(token)}`)

describe.skipIf(!inject('synapse').available)('regtok commands', () => {
  let usedUp: string

  beforeAll(async () => {
    // No uses left makes a token invalid (Synapse refuses to create one that has already expired).
    usedUp = await createRegistrationToken({ token: uniqueName('used-up'), usesAllowed: 0, expiryTime: Date.now() + 86_400_000 })
  })

  describe('reads give the same data as the Python synadm', () => {
    it('regtok list (all, valid only, invalid only with timestamps)', async (context) => {
      skipWithoutPython(context)
      await createRegistrationToken({ token: uniqueName('valid'), usesAllowed: 5, expiryTime: Date.now() + 86_400_000 })
      const all = await expectSameAsPython('regtok list', ['regtok', 'list'])
      expect(all.registration_tokens.find((t: { token: string }) => t.token === usedUp).expiry_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      const valid = await expectSameAsPython('regtok list', ['regtok', 'list', '-v'])
      expect(valid.registration_tokens.map((t: { token: string }) => t.token)).not.toContain(usedUp)
      const invalid = await expectSameAsPython('regtok list', ['regtok', 'list', '--invalid', '--ts'])
      expect(invalid.registration_tokens.map((t: { token: string }) => t.token)).toContain(usedUp)
    })

    it('regtok details (date and timestamp)', async (context) => {
      skipWithoutPython(context)
      expect(await expectSameAsPython('regtok details', ['regtok', 'details', usedUp])).toMatchObject({ token: usedUp })
      expect((await expectSameAsPython('regtok details', ['regtok', 'details', usedUp, '--ts'])).expiry_time).toBeTypeOf('number')
    })
  })

  it('regtok new with a chosen token, uses and expiry; and with a generated one', async () => {
    const name = uniqueName('invite')
    const created = ok(await synadm(['regtok', 'new', '-n', name, '-u', '2', '-e', '2030-01-01']))
    expect(created).toMatchObject({ token: name, uses_allowed: 2, expiry_time: new Date(2030, 0, 1).getTime() })
    expect(await tokenState(name)).toMatchObject({ uses_allowed: 2, expiry_time: new Date(2030, 0, 1).getTime(), pending: 0, completed: 0 })

    const generated = ok(await synadm(['regtok', 'new', '-l', '10']))
    expect(generated.token).toHaveLength(10)
    expect(await tokenState(generated.token)).toMatchObject({ uses_allowed: null, expiry_time: null })
  })

  it('regtok update changes only what is given; -1 lifts a limit; 0 is a value', async () => {
    const name = ok(await synadm(['regtok', 'new', '-u', '1', '-t', String(Date.now() + 3_600_000)])).token
    ok(await synadm(['regtok', 'update', name, '-u', '7']))
    expect(await tokenState(name)).toMatchObject({ uses_allowed: 7 })
    expect((await tokenState(name)).expiry_time).toBeGreaterThan(Date.now())

    ok(await synadm(['regtok', 'update', name, '-u', '-1', '-t', '-1']))
    expect(await tokenState(name)).toMatchObject({ uses_allowed: null, expiry_time: null })

    // 0 is sent (synadm 0.49 drops it): Synapse refuses a past expiry, and nothing changes.
    expect(fails(await synadm(['regtok', 'update', name, '-t', '0']), EXIT.api)).toContain('expiry_time must not be in the past')
    expect(await tokenState(name)).toMatchObject({ expiry_time: null })

    ok(await synadm(['regtok', 'update', name, '-u', '0']))
    expect(await tokenState(name)).toMatchObject({ uses_allowed: 0 })
    const invalid = ok(await synadm(['regtok', 'list', '-V']))
    expect(invalid.registration_tokens.map((t: { token: string }) => t.token)).toContain(name)

    ok(await synadm(['regtok', 'update', name, '-e', '2031-06-01 12:00:00']))
    expect(await tokenState(name)).toMatchObject({ expiry_time: new Date(2031, 5, 1, 12).getTime() })
  })

  it('regtok delete asks (refuses without a terminal), then deletes; the token is gone', async () => {
    const name = await createRegistrationToken({ token: uniqueName('doomed') })
    expect(fails(await runSynadm(['-o', 'json', 'regtok', 'delete', name]), EXIT.usage)).toContain('refusing to go on without confirmation')
    expect(await tokenState(name)).toMatchObject({ token: name })

    const deleted = await synadm(['regtok', 'delete', name])
    expect(ok(deleted)).toEqual({})
    expect(deleted.stderr).toContain(`Registration token ${name} deleted.`)
    await expect(tokenState(name)).rejects.toThrow(/404/)
    expect(fails(await synadm(['regtok', 'details', name]), EXIT.notFound)).toContain('M_NOT_FOUND')
    expect(fails(await synadm(['regtok', 'delete', name]), EXIT.notFound)).toContain('M_NOT_FOUND')
  })
})
