import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient, path, queryString } from '../../core/http/client.js'
import { createLogger } from '../../core/kernel/log.js'

const BASE = 'http://hs.test'
// a generous timeout except where the timeout is the subject: a first request (lazy loads) on a busy machine
function client(level = 0, rateLimit?: { maxRetries: number; maxWaitMs: number }, timeoutMs = 10_000) {
  const lines: string[] = []
  const http = new HttpClient({ baseURL: `${BASE}/_synapse/admin`, token: 'sekrit', timeoutMs, verifyTls: true, log: createLogger(level, (l) => lines.push(l)), rateLimit })
  return { http, lines }
}

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('HttpClient', () => {
  it('encodes path values and query lists the way Synapse reads them', () => {
    expect(path`v2/users/${'@a:b.c'}/x/${'!r/m'}`).toBe('v2/users/%40a%3Ab.c/x/%21r%2Fm')
    expect(queryString({ a: [1, 2], b: true, c: undefined, d: null, e: '' })).toBe('?a=1&a=2&b=true&e=')
  })

  it('waits out 429 with retry_after_ms, then succeeds', async () => {
    nock(BASE).get('/_synapse/admin/v1/x').reply(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 30 })
    nock(BASE).get('/_synapse/admin/v1/x').reply(429, {}, { 'Retry-After': '0' })
    nock(BASE).get('/_synapse/admin/v1/x').reply(200, { ok: 1 })
    const { http, lines } = client(1)
    const started = Date.now()
    expect(await http.get('v1/x')).toEqual({ ok: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    expect(lines.filter((l) => l.includes('rate limited'))).toHaveLength(2)
  })

  it('gives up on 429 beyond its budget with a rate-limit error', async () => {
    nock(BASE).get('/_synapse/admin/v1/x').times(3).reply(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 5 })
    await expect(client(0, { maxRetries: 2, maxWaitMs: 1000 }).http.get('v1/x')).rejects.toMatchObject({ kind: 'rateLimited', status: 429, errcode: 'M_LIMIT_EXCEEDED' })
  })

  it('turns a timeout into a network error', async () => {
    nock(BASE).get('/_synapse/admin/v1/slow').delay(1000).reply(200, {})
    await expect(client(0, undefined, 200).http.get('v1/slow')).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('no answer from http://hs.test within 0.2 s') })
  })

  it('rejects a 2xx body that is not JSON', async () => {
    nock(BASE).get('/_synapse/admin/v1/html').reply(200, '<html>proxy login</html>', { 'Content-Type': 'text/html' })
    await expect(client().http.get('v1/html')).rejects.toMatchObject({ kind: 'api', message: expect.stringContaining('not JSON') })
  })

  it('logs requests at -v and redacted bodies at -vv; never the token', async () => {
    nock(BASE).post('/_synapse/admin/v1/reset_password/u', { new_password: 'hunter2', logout_devices: true }).reply(200, { access_token: 'tok' })
    const { http, lines } = client(2)
    await http.post('v1/reset_password/u', { new_password: 'hunter2', logout_devices: true })
    const log = lines.join('')
    expect(log).toContain('INFO  POST http://hs.test/_synapse/admin/v1/reset_password/u')
    expect(log).toContain('"new_password":"REDACTED"')
    expect(log).toContain('"access_token":"REDACTED"')
    expect(log).not.toMatch(/hunter2|sekrit|"tok"/)
  })

  it('cancels with the signal', async () => {
    nock(BASE).get('/_synapse/admin/v1/slow').delay(150).reply(200, {})
    const controller = new AbortController()
    const pending = client().http.get('v1/slow', { signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' })
  })

  it('leaves nothing on the command signal once a request is over (a bulk run sends thousands on one signal)', async () => {
    nock(BASE).get('/_synapse/admin/v1/x').times(3).reply(200, { ok: 1 })
    nock(BASE).get('/_synapse/admin/v1/gone').reply(404, { errcode: 'M_NOT_FOUND' })
    const controller = new AbortController()
    const listening: unknown[] = []
    const add = controller.signal.addEventListener.bind(controller.signal)
    const remove = controller.signal.removeEventListener.bind(controller.signal)
    controller.signal.addEventListener = ((type: string, listener: any, options?: any) => (listening.push(listener), add(type, listener, options))) as typeof add
    controller.signal.removeEventListener = ((type: string, listener: any, options?: any) => (listening.splice(listening.indexOf(listener), 1), remove(type, listener, options))) as typeof remove
    const http = client().http.bind({ signal: controller.signal })
    for (let i = 0; i < 3; i++) expect(await http.get('v1/x')).toEqual({ ok: 1 })
    await expect(http.get('v1/gone')).rejects.toMatchObject({ kind: 'notFound' })
    expect(listening).toHaveLength(0)
  })
})

describe('HttpClient and proxies from the environment', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (/_PROXY$/i.test(name) && !(name in saved)) delete process.env[name]
  })

  it('sends through HTTP_PROXY when it is set at client creation', async () => {
    // a real listener (nock cannot take a request through a proxy): the request line carries the whole URL
    const seen: string[] = []
    const proxy = createServer((req, res) => (seen.push(req.url ?? ''), res.setHeader('Content-Type', 'application/json'), res.end('{"via":"proxy"}')))
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    nock.restore()
    try {
      process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
      expect(await client().http.get('v1/x')).toEqual({ via: 'proxy' })
      expect(seen).toEqual(['http://hs.test/_synapse/admin/v1/x'])
    } finally {
      nock.activate()
      proxy.closeAllConnections()
      proxy.close()
    }
  })

  it('goes direct for a host in NO_PROXY, and with no proxy variable at all', async () => {
    process.env.HTTP_PROXY = 'http://proxy.test:3128'
    process.env.NO_PROXY = 'hs.test'
    nock(BASE).get('/_synapse/admin/v1/x').reply(200, { via: 'direct' })
    expect(await client().http.get('v1/x')).toEqual({ via: 'direct' })
    delete process.env.HTTP_PROXY
    delete process.env.NO_PROXY
    nock(BASE).get('/_synapse/admin/v1/y').reply(200, { via: 'direct' })
    expect(await client().http.get('v1/y')).toEqual({ via: 'direct' })
  })
})
