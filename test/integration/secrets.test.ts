// A registration token is a secret everywhere but in the regtok commands' own output: Synapse quotes a token back in
// its 404 ("No such registration token: …"), and that text must reach neither the error line nor the audit log.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { createRegistrationToken, uniqueName } from './fixtures.js'
import { EXIT, fails, ok, synadm } from './run-helpers.js'

describe.skipIf(!inject('synapse').available)('registration tokens stay out of errors and the audit log', () => {
  it("Synapse's 404 quoting the token, and the write's audit entry, show REDACTED", async () => {
    const missing = uniqueName('secret-missing')
    const env = { SYNADM_AUDIT_LOG: join(mkdtempSync(join(tmpdir(), 'synadm-secrets-')), 'audit.log') }
    const stderr = fails(await synadm(['regtok', 'update', missing, '-u', '1'], { env }), EXIT.notFound)
    expect(stderr).toMatch(/^synadm: 404 M_NOT_FOUND: .*REDACTED/)
    expect(stderr).not.toContain(missing)
    const log = readFileSync(env.SYNADM_AUDIT_LOG, 'utf8')
    expect(log).toMatch(/"command":"synadm .*regtok update REDACTED -u 1"/)
    expect(log).toContain('"path":"/v1/registration_tokens/REDACTED"')
    expect(log).not.toContain(missing)

    // The token's own commands still show it: that is what they are for.
    const kept = await createRegistrationToken({ token: uniqueName('secret-shown') })
    expect(ok(await synadm(['regtok', 'details', kept], { env }))).toMatchObject({ token: kept })
  })
})
