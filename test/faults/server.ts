// The fault-injection fake server, shared by the unit suite (one-shot, piped shell) and the terminal suite (tmux).
// Each mode is the first path segment of the base URL: /<mode>/_synapse/admin/v1/server_version
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const TOKEN = 'fault-test-secret-token'
const json = (res: ServerResponse, status: number, body: unknown) => (res.writeHead(status, { 'Content-Type': 'application/json' }), res.end(JSON.stringify(body)))

export const MODES: Record<string, (res: ServerResponse, n: number) => void> = {
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
export const EXPECTED: Record<string, number> = {
  hang: 4, 'slow-body': 4, reset: 4, 'close-after-reply': 0, 'html-error': 5, truncated: 5, garbage: 5, empty: 5,
  401: 6, 403: 6, 404: 7, 500: 5, '429-forever': 8, '429-then-ok': 0, redirect: 5, huge: 5,
}

/** Not a fault: the well-behaved answer (any mode not in MODES, or healed), for the line after a failure. */
const ok = (req: IncomingMessage, res: ServerResponse) =>
  json(res, 200, req.url!.includes('/users') ? { users: [{ name: '@fake:127.0.0.1' }], total: 1 } : { server_version: '1.0.0' })

/** A self-signed key and certificate for 127.0.0.1, made now (openssl, else undefined: the caller skips). */
export function selfSigned(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-tls-'))
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
    if (made.status !== 0) return undefined
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface FakeServer {
  origin: string
  /** Requests per mode (and X-Run header) since the last reset, for modes that answer differently the second time. */
  attempts: Map<string, number>
  /** Modes that answer well from now on: the session after a fault goes on. */
  healed: Set<string>
  close(): Promise<void>
}

/** Starts the fake server on loopback; with `tls`, over HTTPS with that key and certificate. */
export async function startFakeServer(tls?: { key: string; cert: string }): Promise<FakeServer> {
  const attempts = new Map<string, number>()
  const healed = new Set<string>()
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const mode = req.url!.split('/')[1]
    const key = `${mode} ${req.headers['x-run'] ?? ''}`
    const n = (attempts.get(key) ?? 0) + 1
    attempts.set(key, n)
    // `slow`: well-behaved, but late, so that lines typed meanwhile queue up
    if (mode === 'slow') setTimeout(() => ok(req, res), 1500)
    else if (MODES[mode] && !healed.has(mode)) MODES[mode](res, n)
    else ok(req, res)
  }
  const fake = tls ? createTlsServer(tls, handle) : createServer(handle)
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${(fake.address() as AddressInfo).port}`
  return {
    origin,
    attempts,
    healed,
    close: () => (fake.closeAllConnections(), new Promise<void>((resolve) => fake.close(() => resolve()))),
  }
}
