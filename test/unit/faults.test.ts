// Fault injection: a small fake server misbehaves on purpose; for each fault, one-shot and piped shell end with
// README's exit code, one error line on stderr (and perhaps a hint), no stack trace, no token, and the shell goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execute } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { testIO } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'
import { EXPECTED, type FakeServer, MODES, selfSigned, startFakeServer, TOKEN } from '../faults/server.js'

let fake: FakeServer
let origin: string
beforeAll(async () => {
  fake = await startFakeServer()
  origin = fake.origin
})
afterAll(() => fake.close())

async function session(mode: string, input?: string) {
  fake.attempts.clear()
  const io = testIO({ input, env: { SYNADM_BASE_URL: `${origin}/${mode}`, SYNADM_TOKEN: TOKEN, SYNADM_TIMEOUT: '1', SYNADM_MAX_REPLY_MB: '1' } })
  return { io, session: await createSession([server], io) }
}

function expectClean(stderr: string, stdout: string, failures: number) {
  expect(stderr + stdout).not.toContain(TOKEN)
  expect(stderr).not.toMatch(/^\s+at /m)
  const lines = stderr.split('\n').filter(Boolean)
  expect(lines.filter((l) => l.startsWith('synadm: '))).toHaveLength(failures)
  expect(lines.every((l) => /^(synadm: |hint: )/.test(l))).toBe(true)
}

describe.each(Object.keys(MODES))('fault %s', (mode) => {
  it('one-shot: the documented exit code, one line, no stack, no token', async () => {
    const { io, session: s } = await session(mode)
    const code = await execute(s, ['version'])
    expect(code).toBe(EXPECTED[mode])
    expectClean(io.stderr.text, io.stdout.text, EXPECTED[mode] === 0 ? 0 : 1)
    if (mode === 'huge') expect(io.stderr.text).toContain('is larger than 1 MiB; stopped reading it\nhint: raise max_reply_mb in the config')
  })

  it('piped shell: each line fails alone and the session goes on', async () => {
    const { io, session: s } = await session(mode, 'version\nversion\n')
    const code = await execute(s, ['shell'])
    const failed = EXPECTED[mode] === 0 ? 0 : 2
    expect(code).toBe(failed ? 9 : 0)
    // each failed line, then the shell's closing count of failures
    expectClean(io.stderr.text, io.stdout.text, failed ? failed + 1 : 0)
  })
})

// A self-signed certificate made at test time; node:crypto cannot make X.509 certificates, so without openssl: skip.
const tls = selfSigned()
describe.skipIf(!tls)(`self-signed TLS${tls ? '' : ' (skipped: no openssl to make a certificate)'}`, () => {
  let secure: FakeServer
  beforeAll(async () => (secure = await startFakeServer(tls)))
  afterAll(() => secure.close())

  const run = async (sslVerify: string) => {
    const io = testIO({ env: { SYNADM_BASE_URL: `${secure.origin}/ok`, SYNADM_TOKEN: TOKEN, SYNADM_TIMEOUT: '5', SYNADM_SSL_VERIFY: sslVerify } })
    return { io, code: await execute(await createSession([server], io), ['-o', 'minified', 'version']) }
  }

  it('ssl_verify true: exit 4, one line naming TLS and the ssl_verify hint', async () => {
    const { io, code } = await run('true')
    expect(code).toBe(4)
    expectClean(io.stderr.text, io.stdout.text, 1)
    const [line, hint] = io.stderr.text.split('\n')
    expect(line).toMatch(/^synadm: TLS with https:\/\/127\.0\.0\.1:\d+ failed/)
    expect(hint).toMatch(/^hint: ssl_verify: false/)
    expect(io.stdout.text).toBe('')
  })

  it('ssl_verify false: succeeds', async () => {
    const { io, code } = await run('false')
    expect(io.stderr.text).toBe('')
    expect(code).toBe(0)
    expect(io.stdout.text).toContain('"server_version":"1.0.0"')
  })
})
