// The client's own transport (core/http/transport.ts) against a real listener on loopback: what goes out, what comes
// back, directly and through a proxy.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { connect as netConnect, isIP, type AddressInfo, type Socket } from 'node:net'
import tls from 'node:tls'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { HttpClient } from '../../core/http/client.js'
import { createLogger } from '../../core/kernel/log.js'
import { selfSigned } from '../faults/server.js'

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

const client = (options: { maxReplyBytes?: number; timeoutMs?: number; origin?: string; verifyTls?: boolean } = {}) =>
  new HttpClient({ baseURL: `${options.origin ?? base}/_synapse/admin`, token: 'sekrit', timeoutMs: options.timeoutMs ?? 10_000, verifyTls: options.verifyTls ?? true, log: createLogger(0, () => {}), maxReplyBytes: options.maxReplyBytes })

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

  it('any JSON value as a body goes out as JSON, a form as a form; a request without one names no Content-Type', async () => {
    const seen: { type?: string; body: string }[] = []
    handle = (req, body, res) => (seen.push({ type: req.headers['content-type'], body }), json(res, '{}'))
    const http = client()
    for (const body of ['x', 5, null, [1]]) await http.put('v1/x', body)
    await http.post('v1/x')
    await http.post('oauth2/token', new URLSearchParams({ grant_type: 'client_credentials', scope: 'urn:mas:admin' }))
    expect(seen).toEqual([
      ...['"x"', '5', 'null', '[1]'].map((body) => ({ type: 'application/json', body })),
      { type: undefined, body: '' },
      { type: 'application/x-www-form-urlencoded;charset=utf-8', body: 'grant_type=client_credentials&scope=urn%3Amas%3Aadmin' },
    ])
  })

  it('the same headers on every request; a token pasted with its line end is sent without it', async () => {
    const seen: Record<string, unknown>[] = []
    handle = (req, _body, res) => (seen.push({ ...req.headers, host: undefined, connection: undefined }), json(res, '{}'))
    const http = new HttpClient({ baseURL: `${base}/_synapse/admin`, token: 'sekrit \r\n', timeoutMs: 10_000, verifyTls: true, log: createLogger(0, () => {}) })
    await http.get('v1/x')
    await http.get('v1/x', { token: null })
    const common = { accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'user-agent': 'synadm-ts', host: undefined, connection: undefined }
    expect(seen).toEqual([{ ...common, authorization: 'Bearer sekrit' }, common])
  })

  it('a reply that is not JSON reaches the error as its text', async () => {
    handle = (_req, _body, res) => (res.writeHead(400, { 'Content-Type': 'text/plain' }), res.end('Failed to parse the request body\nmore'))
    await expect(client().get('v1/x')).rejects.toMatchObject({ kind: 'api', serverMessage: 'Failed to parse the request body' })
  })
})

/** A forwarding proxy for plain HTTP and a CONNECT tunnel for HTTPS, recording each request line; `refuse` answers CONNECT with it. */
async function startProxy(refuse?: string) {
  const seen: string[] = []
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (reply) => (res.writeHead(reply.statusCode!, reply.headers), reply.pipe(res)))
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`)
    socket.on('error', () => {})
    if (refuse) return void socket.end(`HTTP/1.1 ${refuse}\r\nContent-Length: 0\r\n\r\n`)
    const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))]
    const upstream = netConnect(port, host, () => (socket.write('HTTP/1.1 200 Connection established\r\n\r\n'), upstream.write(head), upstream.pipe(socket), socket.pipe(upstream)))
    upstream.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  return { url, seen, close: () => (proxy.closeAllConnections(), proxy.close()) }
}

/** Sets the proxy variables for the clients made inside (they read them when created), as an admin's shell would. */
async function withProxy<T>(proxyUrl: string, body: () => Promise<T>): Promise<T> {
  const names = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy']
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]))
  for (const name of names) delete process.env[name]
  Object.assign(process.env, { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl })
  try {
    return await body()
  } finally {
    for (const name of names) saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name])
  }
}

describe('replies read the same directly and through a proxy', () => {
  const reply = { server_version: '1.0.0', padding: 'x'.repeat(2000) }
  const gzipped = gzipSync(JSON.stringify(reply))
  /** what the server sends for each case: the body and its Content-Encoding */
  const CASES: Record<string, [Buffer, string]> = {
    'gzip named in upper case': [gzipped, 'GZIP'],
    'x-gzip': [gzipped, 'x-gzip'],
    'brotli as Br': [brotliCompressSync(JSON.stringify(reply)), 'Br'],
    'gzip without its last bytes': [gzipped.subarray(0, gzipped.length - 6), 'gzip'],
    'gzip cut in half': [gzipped.subarray(0, gzipped.length >> 1), 'gzip'],
    'not gzip at all': [Buffer.from('{"server_version":"1.0.0"}'), 'gzip'],
    'a coding synadm does not know': [Buffer.from('{"server_version":"1.0.0"}'), 'compress'],
  }
  let proxy: Awaited<ReturnType<typeof startProxy>>
  beforeAll(async () => (proxy = await startProxy()))
  afterAll(() => proxy.close())

  const outcome = async () => {
    try {
      return { data: await client().get('v1/server_version') }
    } catch (error) {
      return { kind: (error as { kind: string }).kind, message: (error as Error).message }
    }
  }

  it.each(Object.keys(CASES))('%s', async (name) => {
    const [body, encoding] = CASES[name]
    handle = (_req, _body, res) => json(res, body, { 'Content-Encoding': encoding })
    const direct = await outcome()
    const seen = proxy.seen.length
    const proxied = await withProxy(proxy.url, outcome)
    expect(proxy.seen.length).toBe(seen + 1) // it did go through the proxy
    expect(proxied).toEqual(direct)
    // codings are case-insensitive (RFC 9110); a body its coding does not decode is a broken reply (exit 5)
    if (/case|x-gzip|Br/.test(name)) expect(direct).toEqual({ data: reply })
    else expect(direct).toEqual({ kind: 'api', message: expect.stringMatching(/^the reply from http:\/\/127\.0\.0\.1:\d+ cannot be read: /) })
  })
})

const certificate = selfSigned()
describe.skipIf(!certificate)(`HTTPS through a proxy's tunnel${certificate ? '' : ' (skipped: no openssl to make a certificate)'}`, () => {
  let secure: Server
  let origin: string
  beforeAll(async () => {
    secure = createTlsServer(certificate!, (_req, res) => json(res, '{"ok":true}'))
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve))
    origin = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`
  })
  afterAll(() => (secure.closeAllConnections(), secure.close()))
  afterEach(() => vi.restoreAllMocks())

  it('to an IP address: no server name (RFC 6066), so no DEP0123 warning; one tunnel kept for every request', async () => {
    const proxy = await startProxy()
    const tlsConnect = vi.spyOn(tls, 'connect')
    const warnings: Error[] = []
    const onWarning = (warning: Error) => warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const http = await withProxy(proxy.url, async () => client({ origin, verifyTls: false }))
      await withProxy(proxy.url, async () => {
        for (let i = 0; i < 3; i++) expect(await http.get('v1/x')).toEqual({ ok: true })
      })
      await new Promise((resolve) => setImmediate(resolve)) // warnings are emitted on the next tick
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${new URL(origin).port}`])
      expect(tlsConnect).toHaveBeenCalled()
      const servernames = tlsConnect.mock.calls.map(([options]) => (options as tls.ConnectionOptions).servername)
      expect(servernames.filter((name) => name && isIP(name))).toEqual([])
      expect(warnings.map((w) => w.message)).toEqual([])
    } finally {
      process.off('warning', onWarning)
      proxy.close()
    }
  })

  it('checks the certificate inside the tunnel as it would directly', async () => {
    const proxy = await startProxy()
    try {
      await expect(withProxy(proxy.url, () => client({ origin }).get('v1/x'))).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('TLS with') })
    } finally {
      proxy.close()
    }
  })

  it('a proxy that refuses the tunnel is a network error naming it, with a hint', async () => {
    const proxy = await startProxy('407 Proxy Authentication Required')
    try {
      const failed = withProxy(proxy.url, () => client({ origin, verifyTls: false }).get('v1/x'))
      await expect(failed).rejects.toMatchObject({
        kind: 'network',
        message: `cannot reach ${origin}: the proxy ${proxy.url} did not open a tunnel to 127.0.0.1:${new URL(origin).port}: 407 Proxy Authentication Required`,
        hint: expect.stringContaining('HTTPS_PROXY'),
      })
    } finally {
      proxy.close()
    }
  })
})

