// HTTP faults against a real local server: the timeout bounds the whole request, a huge reply ends with a clear
// error, and a kept-alive connection the server closed is retried once for idempotent methods only.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { runSynadm } from '../../core/app/in-process.js'
import { builtins } from '../../plugins/builtins.js'

let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve())))

async function serve(handler: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void): Promise<string> {
  server = createServer((req, res) => handler(req, res, req.socket))
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const run = (baseUrl: string, argv: string[], env: Record<string, string> = {}) =>
  runSynadm(builtins, argv, { env: { SYNADM_BASE_URL: baseUrl, SYNADM_TIMEOUT: '2', ...env } })

describe('HTTP faults', () => {
  it('a reply trickling in a byte at a time ends at the timeout, not when it ends', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      const body = JSON.stringify({ server_version: '1.0.0', padding: 'x'.repeat(40) })
      let i = 0
      const timer = setInterval(() => (i < body.length ? res.write(body[i++]) : (clearInterval(timer), res.end())), 250)
      res.on('close', () => clearInterval(timer))
    })
    const started = Date.now()
    const result = await run(base, ['version'])
    const seconds = (Date.now() - started) / 1000
    expect({ code: result.code, stderr: result.stderr.split('\n')[0] }).toEqual({ code: 4, stderr: `synadm: no answer from ${base} within 2 s` })
    expect(seconds).toBeLessThan(8) // the whole body would take 15 s
  })

  describe('a kept-alive connection the server closed', () => {
    /** Answers the first request of each connection; a second one on the same connection finds it closed. */
    async function closesReusedConnections(seen: string[]) {
      const requestsOn = new WeakMap<Socket, number>()
      return serve((req, res, socket) => {
        const n = (requestsOn.get(socket) ?? 0) + 1
        requestsOn.set(socket, n)
        seen.push(`${req.method} ${n === 1 ? 'new' : 'reused'}`)
        if (n > 1) return void socket.destroy()
        res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'keep-alive' })
        res.end(JSON.stringify({ server_version: '1.0.0', user_id: '@admin:synapse.test', token: 'ok', uses_allowed: null, pending: 0, completed: 0, expiry_time: null }))
      })
    }

    it('a GET is sent again once on a new connection', async () => {
      const seen: string[] = []
      const base = await closesReusedConnections(seen)
      const { session } = await run(base, ['version'])
      const { admin } = await session.http()
      expect(await admin.get('v1/server_version')).toMatchObject({ server_version: '1.0.0' })
      expect(seen).toEqual(['GET new', 'GET reused', 'GET new'])
    })

    it('a POST is never sent twice', async () => {
      const seen: string[] = []
      const base = await closesReusedConnections(seen)
      const { session } = await run(base, ['version'])
      const { admin } = await session.http()
      await expect(admin.post('v1/registration_tokens/new', {})).rejects.toMatchObject({ kind: 'network' })
      expect(seen).toEqual(['GET new', 'POST reused'])
    })
  })

  describe('a compressed reply, directly and through a proxy', () => {
    const body = gzipSync(JSON.stringify({ server_version: '1.0.0' }))
    /** A forwarding proxy on loopback; the clients made while it is named in HTTP_PROXY send through it. */
    async function throughProxy(baseUrl: string, argv: string[]) {
      const seen: string[] = []
      const proxy = createServer((req, res) => {
        seen.push(req.url!)
        const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (reply) => (res.writeHead(reply.statusCode!, reply.headers), reply.pipe(res)))
        upstream.on('error', () => res.destroy())
        req.pipe(upstream)
      })
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
      const names = ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']
      const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]))
      for (const name of names) delete process.env[name]
      process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      try {
        const result = await run(baseUrl, argv)
        expect(seen).toEqual([`${baseUrl}/_synapse/admin/v1/server_version`])
        return result
      } finally {
        for (const name of names) saved[name] === undefined ? delete process.env[name] : (process.env[name] = saved[name])
        proxy.closeAllConnections()
        proxy.close()
      }
    }
    const outcome = ({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }) => ({ code, stdout, stderr: stderr.replace(/127\.0\.0\.1:\d+/g, 'HOST') })

    it('Content-Encoding: GZIP (codings are case-insensitive) is read, exit 0 both ways', async () => {
      const base = await serve((_req, res) => (res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'GZIP' }), res.end(body)))
      const direct = outcome(await run(base, ['-o', 'minified', 'version']))
      expect(direct).toEqual({ code: 0, stdout: '{"server_version":"1.0.0"}\n', stderr: '' })
      expect(outcome(await throughProxy(base, ['-o', 'minified', 'version']))).toEqual(direct)
    })

    it('a gzip body cut short is a broken reply: exit 5 and one line, both ways', async () => {
      const base = await serve((_req, res) => (res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }), res.end(body.subarray(0, body.length - 4))))
      const direct = outcome(await run(base, ['version']))
      expect(direct).toEqual({ code: 5, stdout: '', stderr: 'synadm: the reply from http://HOST cannot be read: its gzip encoding does not decode (unexpected end of file)\n' })
      expect(outcome(await throughProxy(base, ['version']))).toEqual(direct)
    })
  })
})

