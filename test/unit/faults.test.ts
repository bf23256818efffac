// Fault injection: a small fake server misbehaves on purpose; for each fault, one-shot and piped shell end with
// README's exit code, one error line on stderr (and perhaps a hint), no stack trace, no token, and the shell goes on.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execute } from '../../core/executor.js'
import { createSession } from '../../core/main.js'
import { testIO } from '../../core/testing.js'
import server from '../../plugins/server/index.js'

const TOKEN = 'fault-test-secret-token'
const json = (res: ServerResponse, status: number, body: unknown) => (res.writeHead(status, { 'Content-Type': 'application/json' }), res.end(JSON.stringify(body)))
const attempts = new Map<string, number>()

/** Each mode is the first path segment: /<mode>/_synapse/admin/v1/server_version */
const MODES: Record<string, (res: ServerResponse, n: number) => void> = {
  hang: () => {},
  'slow-body': (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    const timer = setInterval(() => res.write(' '), 200)
    res.on('close', () => clearInterval(timer))
  },
  reset: (res) => res.socket?.destroy(),
  'close-after-reply': (res) => (res.setHeader('Connection', 'close'), json(res, 200, { server_version: '1.0.0' })),
  'html-error': (res) => (res.writeHead(502, { 'Content-Type': 'text/html' }), res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')),
  truncated: (res) => (res.writeHead(200, { 'Content-Type': 'application/json' }), res.end('{"server_version": "1.')),
  garbage: (res) => (res.writeHead(200, { 'Content-Type': 'application/json' }), res.end('\u0000\u0001garbage')),
  empty: (res) => (res.writeHead(200, { 'Content-Type': 'application/json' }), res.end()),
  401: (res) => json(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' }),
  403: (res) => json(res, 403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' }),
  404: (res) => json(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }),
  500: (res) => json(res, 500, { errcode: 'M_UNKNOWN', error: 'Internal server error' }),
  '429-forever': (res) => json(res, 429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 5 }),
  '429-then-ok': (res, n) => (n === 1 ? json(res, 429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 5 }) : json(res, 200, { server_version: '1.0.0' })),
  redirect: (res) => (res.writeHead(302, { Location: 'http://other.invalid/steal' }), res.end()),
  huge: (res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.write('{"x":"')
    const chunk = 'x'.repeat(256 * 1024)
    let sent = 0
    const more = () => {
      while (sent < 12 && res.write(chunk)) sent++
      if (sent < 12) res.once('drain', () => (sent++, more()))
      else res.end('"}')
    }
    more()
  },
}

/** README's exit codes: 0 ok, 4 network, 5 API, 6 auth, 7 not found, 8 rate limited */
const EXPECTED: Record<string, number> = {
  hang: 4, 'slow-body': 4, reset: 4, 'close-after-reply': 0, 'html-error': 5, truncated: 5, garbage: 5, empty: 5,
  401: 6, 403: 6, 404: 7, 500: 5, '429-forever': 8, '429-then-ok': 0, redirect: 5, huge: 5,
}

let fake: Server
let origin: string
beforeAll(async () => {
  fake = createServer((req, res) => {
    const mode = req.url!.split('/')[1]
    const key = `${mode} ${req.headers['x-run'] ?? ''}`
    const n = (attempts.get(key) ?? 0) + 1
    attempts.set(key, n)
    MODES[mode](res, n)
  })
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
})
afterAll(() => (fake.closeAllConnections(), new Promise((resolve) => fake.close(resolve))))

async function session(mode: string, input?: string) {
  attempts.clear()
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
