// The client's own transport (core/http/transport.ts) against a real listener on loopback: what goes out, what comes back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient } from '../../core/http/client.js'
import { createLogger } from '../../core/kernel/log.js'

let server: Server
let handle: (req: IncomingMessage, body: string, res: ServerResponse) => void
let base: string

beforeAll(async () => {
  nock.restore() // a real socket: nock would answer instead
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => handle(req, body, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(() => server.closeAllConnections())
afterAll(() => {
  server.close()
  nock.activate()
})

const client = (options: { maxReplyBytes?: number; timeoutMs?: number } = {}) =>
  new HttpClient({ baseURL: `${base}/_synapse/admin`, token: 'sekrit', timeoutMs: options.timeoutMs ?? 10_000, verifyTls: true, log: createLogger(0, () => {}), maxReplyBytes: options.maxReplyBytes })

const json = (res: ServerResponse, body: string | Buffer, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers })
  res.end(body)
}

describe('the transport under the client', () => {
  it('sends the method, path, token and a JSON body with its length in bytes (not characters)', async () => {
    const seen: Record<string, unknown>[] = []
    handle = (req, body, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], length: req.headers['content-length'], body })
      json(res, '{"ok":true}')
    }
    expect(await client().post('v1/users/%40a%3Ax/x', { displayname: 'Zoë ✓' })).toEqual({ ok: true })
    const body = JSON.stringify({ displayname: 'Zoë ✓' })
    expect(seen).toEqual([{ method: 'POST', url: '/_synapse/admin/v1/users/%40a%3Ax/x', auth: 'Bearer sekrit', type: 'application/json', length: String(Buffer.byteLength(body)), body }])
  })

  it('reads gzip, deflate and brotli replies', async () => {
    const reply = JSON.stringify({ users: Array.from({ length: 50 }, (_, i) => ({ name: `@u${i}:x` })) })
    const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }
    for (const [encoding, encode] of Object.entries(encoders)) {
      handle = (req, _body, res) => {
        expect(req.headers['accept-encoding']).toContain(encoding)
        json(res, encode(reply), { 'Content-Encoding': encoding })
      }
      expect(await client().get('v2/users'), encoding).toEqual(JSON.parse(reply))
    }
  })

  it('stops reading a reply larger than the cap, with one clear error', async () => {
    handle = (_req, _body, res) => json(res, JSON.stringify({ big: 'x'.repeat(4096) }))
    await expect(client({ maxReplyBytes: 1024 }).get('v1/big')).rejects.toMatchObject({ kind: 'api', message: expect.stringContaining('larger than') })
  })

  it('a compressed reply is capped by its size once unpacked', async () => {
    handle = (_req, _body, res) => json(res, gzipSync(JSON.stringify({ big: 'x'.repeat(100_000) })), { 'Content-Encoding': 'gzip' })
    await expect(client({ maxReplyBytes: 10_000 }).get('v1/big')).rejects.toMatchObject({ kind: 'api', message: expect.stringContaining('larger than') })
  })

  it('a reply that never ends fails at the deadline, and the next request still works', async () => {
    handle = (req, _body, res) => (req.url!.endsWith('/hang') ? res.writeHead(200).write('{') : json(res, '{"ok":1}'))
    const http = client({ timeoutMs: 300 })
    await expect(http.get('v1/hang')).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('no answer') })
    expect(await http.get('v1/fine')).toEqual({ ok: 1 })
  })

  it('keeps the connection alive across requests', async () => {
    const ports = new Set<number>()
    handle = (req, _body, res) => (ports.add(req.socket.remotePort!), json(res, '{}'))
    const http = client()
    for (let i = 0; i < 5; i++) await http.get('v1/x')
    expect(ports.size).toBe(1)
  })
})
