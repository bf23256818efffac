/**
 * The transport of every request synadm sends: one node:http(s) request per call, on a keep-alive agent, to Synapse
 * directly or through the proxy the environment names for it (HTTP_PROXY, HTTPS_PROXY, NO_PROXY: looked up by
 * proxy-from-env). One transport, so a reply reads the same either way. An HTTP library's own adapter costs more CPU
 * per request (stream plumbing, a setKeepAlive call per request, redirect and proxy handling synadm switches off):
 * against an instant local server, 10,000 requests took 6.4 s of client CPU with axios's and 5.7 s with this one.
 * A bulk run sends thousands, and on a small machine that CPU is taken from Synapse (BENCHMARKS.md, bulk).
 * This one does what synadm's requests need: a body with its length, a cap on the reply's size, compressed
 * replies, cancelling by a signal (the caller's deadline and Ctrl-C), and proxies: plain HTTP forwarded by the
 * proxy, HTTPS through a CONNECT tunnel that stays open for the next request, whose TLS names the server as Node's
 * own agents do (an IP address is not sent as a server name: RFC 6066).
 */
import type { Agent, IncomingHttpHeaders, IncomingMessage, ClientRequest, RequestOptions } from 'node:http'
import { getProxyForUrl } from 'proxy-from-env'
import { requireModule } from '../kernel/modules.js'
import type { Duplex } from 'node:stream'
import { SynadmError } from '../kernel/errors.js'

export interface TransportOptions {
  /** Synapse's base URL: its scheme, and the proxy the environment names for it */
  baseURL: string
  verifyTls: boolean
  /** how long a proxy may take to open a tunnel (a request's own deadline is its caller's) */
  timeoutMs: number
  /** a reply larger than this, once decoded, ends the request with an error, before it is all read */
  maxReplyBytes: number
}

/** One request: its whole URL, and a body already encoded (the caller names its Content-Type). */
export interface TransportRequest {
  url: string
  method: string
  headers: Readonly<Record<string, string>>
  body?: string
  /** ends the request wherever it is, as a cancel (ERR_CANCELED) */
  signal?: AbortSignal
}

/** A reply of any status, its body read whole and decoded to text. */
export interface TransportReply {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  body: string
}

export type Transport = (request: TransportRequest) => Promise<TransportReply>

/** An error of the transport, with the code the client maps to a message (as Node's own socket errors have). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly request?: { reusedSocket?: boolean },
  ) {
    super(message)
  }
}

export const REPLY_TOO_LARGE = 'ERR_SYNADM_REPLY_TOO_LARGE'
/** a reply whose body cannot be read as its headers say: a broken server (or proxy), not a network fault */
export const BROKEN_REPLY = 'ERR_SYNADM_BROKEN_REPLY'
/** the proxy would not open a tunnel to the server */
export const PROXY_REFUSED = 'ERR_SYNADM_PROXY_REFUSED'

const zlib = (): typeof import('node:zlib') => requireModule('node:zlib')
const gunzip = () => zlib().createGunzip()
const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: gunzip,
  'x-gzip': gunzip, // RFC 9110 8.4.1.3: the same as gzip
  deflate: () => zlib().createInflate(),
  br: () => zlib().createBrotliDecompress(),
}
export const ACCEPT_ENCODING = ['gzip', 'deflate', 'br'].join(', ')

/**
 * The decoders a Content-Encoding asks for, the last coding applied first. Content-codings are case-insensitive
 * (RFC 9110 8.4.1); one synadm cannot decode makes the reply unreadable, not a body to parse as it is.
 */
function decodersFor(header: string | undefined): { coding: string; decoder: () => NodeJS.ReadWriteStream }[] {
  if (!header) return [] // most replies: none
  const codings = (header ?? '').split(',').map((coding) => coding.trim().toLowerCase()).filter((coding) => coding && coding !== 'identity')
  return codings.reverse().map((coding) => {
    const decoder = DECODERS[coding]
    if (!decoder) throw new TransportError(`it is encoded as '${coding}', which synadm cannot decode`, BROKEN_REPLY)
    return { coding, decoder }
  })
}

export function nodeTransport(options: TransportOptions): Transport {
  const open = opener(options)
  const { maxReplyBytes } = options
  return ({ url, method, headers, body, signal }) =>
    new Promise<TransportReply>((resolve, reject) => {
      // Cancelled already: no request at all (one destroyed before its error listener exists would crash the process).
      if (signal?.aborted) return reject(new TransportError('cancelled', 'ERR_CANCELED'))
      const req = open(url, method, body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) })
      const fail = (error: Error) => {
        signal?.removeEventListener('abort', cancel)
        // whatever error the signal's ending caused, the request was cancelled
        reject(signal?.aborted ? new TransportError('cancelled', 'ERR_CANCELED', req) : error)
      }
      const cancel = () => req.destroy(new TransportError('cancelled', 'ERR_CANCELED', req))
      signal?.addEventListener('abort', cancel, { once: true })
      req.on('error', (error: Error & { code?: string }) => fail(Object.assign(error, { request: req })))
      req.on('response', (res: IncomingMessage) => {
        res.on('error', (error) => fail(Object.assign(error, { request: req })))
        let stream: NodeJS.ReadableStream = res
        try {
          const bodiless = res.statusCode === 204 || res.statusCode === 304
          for (const { coding, decoder } of bodiless ? [] : decodersFor(res.headers['content-encoding'])) {
            const decoding = decoder()
            // a body cut short or corrupt: the reply is broken, whichever way it came
            decoding.on('error', (error: Error) => (req.destroy(), fail(new TransportError(`its ${coding} encoding does not decode (${error.message})`, BROKEN_REPLY, req))))
            stream = stream.pipe(decoding)
          }
        } catch (error) {
          req.destroy()
          return fail(Object.assign(error as TransportError, { request: req }))
        }
        const chunks: Buffer[] = []
        let size = 0
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxReplyBytes) {
            req.destroy()
            fail(new TransportError(`the reply is larger than ${maxReplyBytes} bytes`, REPLY_TOO_LARGE, req))
          } else chunks.push(chunk)
        })
        stream.on('end', () => {
          signal?.removeEventListener('abort', cancel)
          if (size > maxReplyBytes) return
          resolve({
            status: res.statusCode!,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString(),
          })
        })
      })
      req.end(body)
    })
}

type Open = (url: string, method: string, headers: Readonly<Record<string, string>>) => ClientRequest

/** How a request reaches the server: directly, forwarded by a proxy (http), or through a proxy's tunnel (https). */
function opener({ baseURL, verifyTls, timeoutMs }: TransportOptions): Open {
  const http: typeof import('node:http') = requireModule('node:http')
  // https (and TLS) load only for an https base URL or proxy
  const https = (): typeof import('node:https') => requireModule('node:https')
  const secure = baseURL.startsWith('https:')
  const proxy = proxyFor(baseURL)
  if (!proxy) {
    const request = secure ? https().request : http.request
    const agent = secure ? new (https().Agent)({ keepAlive: true, rejectUnauthorized: verifyTls }) : new http.Agent({ keepAlive: true })
    return (url, method, headers) => request(url, { method, headers, agent })
  }
  if (secure) {
    const agent = tunnelAgent(proxy, verifyTls, timeoutMs)
    return (url, method, headers) => https().request(url, { method, headers, agent })
  }
  // Plain HTTP through the proxy: the request line names the whole URL, the Host header the server.
  const agent = proxy.secure ? new (https().Agent)({ keepAlive: true, rejectUnauthorized: verifyTls }) : new http.Agent({ keepAlive: true })
  const request = proxy.secure ? https().request : http.request
  return (url, method, headers) => request({ ...proxy.address, method, path: url, agent, headers: { ...headers, Host: new URL(url).host, ...proxy.headers } })
}

interface Proxy {
  /** where the proxy listens (never its credentials: they go in Proxy-Authorization) */
  address: Pick<RequestOptions, 'protocol' | 'hostname' | 'port'>
  origin: string
  secure: boolean
  headers: Record<string, string>
}

/** The proxy the environment names for `url`, if any, as proxy-from-env looks it up. */
function proxyFor(url: string): Proxy | undefined {
  const named = getProxyForUrl(url)
  if (!named) return undefined
  let proxy: URL
  try {
    proxy = new URL(named)
  } catch {
    proxy = new URL('invalid:')
  }
  // the value is not shown: it may hold the proxy's password
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') throw new SynadmError('config', `the proxy the environment names for ${new URL(url).origin} is not an http:// or https:// URL`, { hint: 'check HTTPS_PROXY, HTTP_PROXY and ALL_PROXY (or their lower-case forms), or name the server in NO_PROXY' })
  const credentials = proxy.username || proxy.password ? `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}` : undefined
  return {
    address: { protocol: proxy.protocol, hostname: proxy.hostname.replace(/^\[(.*)\]$/, '$1'), port: proxy.port },
    origin: proxy.origin,
    secure: proxy.protocol === 'https:',
    headers: credentials ? { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` } : {},
  }
}

/**
 * An https agent whose connections are CONNECT tunnels through the proxy, kept alive like direct ones. The TLS
 * inside is Node's own agent's, with the server name Node's agent chose (none for an IP address).
 */
function tunnelAgent(proxy: Proxy, verifyTls: boolean, timeoutMs: number): Agent {
  const https: typeof import('node:https') = requireModule('node:https')
  const http: typeof import('node:http') = requireModule('node:http')
  const { isIPv6 } = requireModule('node:net') as typeof import('node:net')
  const connect = proxy.secure ? https.request : http.request
  class TunnelAgent extends https.Agent {
    createConnection(options: RequestOptions, done: (error: Error | null, socket?: Duplex) => void): undefined {
      const authority = `${isIPv6(options.host!) ? `[${options.host}]` : options.host}:${options.port}`
      const refused = (why: string, code = PROXY_REFUSED) => new TransportError(`the proxy ${proxy.origin} did not open a tunnel to ${authority}: ${why}`, code)
      const tunnel = connect({ ...proxy.address, method: 'CONNECT', path: authority, headers: { Host: authority, ...proxy.headers }, agent: false, rejectUnauthorized: verifyTls, timeout: timeoutMs })
      tunnel.once('connect', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (res.statusCode !== 200) return void (socket.destroy(), done(refused(`${res.statusCode} ${res.statusMessage ?? ''}`.trim())))
        if (head.length) socket.unshift(head)
        done(null, super.createConnection({ ...options, socket } as RequestOptions) ?? undefined)
      })
      // a refusal with a body comes as a response, not as a connect
      tunnel.once('response', (res: IncomingMessage) => (res.resume(), done(refused(`${res.statusCode} ${res.statusMessage ?? ''}`.trim()))))
      tunnel.once('timeout', () => tunnel.destroy(refused(`no answer within ${timeoutMs / 1000} s`, 'ETIMEDOUT')))
      tunnel.on('error', (error) => done(error)) // done is called once: Node's agent ignores a second call
      tunnel.end()
      return undefined
    }
  }
  return new TunnelAgent({ keepAlive: true, rejectUnauthorized: verifyTls })
}
