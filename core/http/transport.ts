/**
 * The transport under axios when Synapse is reached directly: one node:http(s) request per call, on the client's
 * keep-alive agent. axios's own http adapter costs more CPU per request (stream plumbing, a setKeepAlive call per
 * request, redirect and proxy handling synadm switches off): against an instant local server, 10,000 requests took
 * 6.4 s of client CPU with it and 5.7 s with this one. A bulk run sends thousands, and on a small machine that CPU
 * is taken from Synapse (BENCHMARKS.md, bulk). This one does what synadm's requests need: a JSON body, a deadline
 * for the whole request, a cap on the reply's size, compressed replies.
 * Behind a proxy (an *_PROXY variable set) the client keeps axios's http adapter, which knows proxies and NO_PROXY.
 */
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios'
import type { Agent, IncomingMessage, request as httpRequest } from 'node:http'
import { requireModule } from '../kernel/modules.js'

export interface TransportOptions {
  request: typeof httpRequest
  agent: Agent
  /** a reply larger than this ends the request with an error, before it is all read */
  maxReplyBytes: number
}

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

const zlib = (): typeof import('node:zlib') => requireModule('node:zlib')
const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib().createGunzip(),
  deflate: () => zlib().createInflate(),
  br: () => zlib().createBrotliDecompress(),
}
export const ACCEPT_ENCODING = Object.keys(DECODERS).join(', ')

export function nodeTransport({ request, agent, maxReplyBytes }: TransportOptions): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const { signal } = config
      // Cancelled already: no request at all (one destroyed before its error listener exists would crash the process).
      if (signal?.aborted) return reject(new TransportError('cancelled', 'ERR_CANCELED'))
      const headers = config.headers.toJSON() as Record<string, string>
      const body = config.data as string | Buffer | undefined
      if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body))
      const req = request(config.url!, { method: config.method!.toUpperCase(), agent, headers })
      const fail = (error: Error) => {
        signal?.removeEventListener?.('abort', cancel)
        reject(error)
      }
      // The signal (the caller's deadline and Ctrl-C) ends the request wherever it is; axios reports a cancel.
      const cancel = () => req.destroy(new TransportError('cancelled', 'ERR_CANCELED', req))
      signal?.addEventListener?.('abort', cancel, { once: true })
      req.on('error', (error: Error & { code?: string }) => fail(Object.assign(error, { request: req })))
      req.on('response', (res: IncomingMessage) => {
        const encoding = res.headers['content-encoding']
        const decoder = encoding ? DECODERS[encoding] : undefined
        const stream = decoder ? res.pipe(decoder()) : res
        if (decoder) res.on('error', (error) => stream.emit('error', error))
        const chunks: Buffer[] = []
        let size = 0
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxReplyBytes) {
            req.destroy()
            fail(new TransportError(`the reply is larger than ${maxReplyBytes} bytes`, REPLY_TOO_LARGE, req))
          } else chunks.push(chunk)
        })
        stream.on('error', (error: Error) => fail(Object.assign(error, { request: req })))
        stream.on('end', () => {
          signal?.removeEventListener?.('abort', cancel)
          if (size > maxReplyBytes) return
          resolve({
            data: chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString(),
            status: res.statusCode!,
            statusText: res.statusMessage ?? '',
            headers: res.headers as AxiosResponse['headers'],
            config,
            request: req,
          })
        })
      })
      req.end(body)
    })
}
