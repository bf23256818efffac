/**
 * The HTTP client every plugin uses: one for the Admin API, one for the client API. Non-2xx replies and
 * network faults become SynadmErrors; 429s are waited out within a budget; -v/-vv log with secrets redacted.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { sleep } from '../kernel/async.js'
import { SynadmError, type ErrorKind } from '../kernel/errors.js'
import { redact, redactText, type Logger } from '../kernel/log.js'
import { ACCEPT_ENCODING, nodeTransport, REPLY_TOO_LARGE, BROKEN_REPLY, PROXY_REFUSED, type Transport, type TransportReply } from './transport.js'

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RequestOptions {
  query?: Record<string, unknown>
  /** sent as JSON; URLSearchParams as a form */
  body?: unknown
  signal?: AbortSignal
  /** another access token for this one request (matrix raw -t, matrix login) */
  token?: string | null
}

export interface ClientOptions {
  baseURL: string
  token: string
  timeoutMs: number
  verifyTls: boolean
  log: Logger
  /** budget for waiting out 429s, per request */
  rateLimit?: { maxRetries: number; maxWaitMs: number }
  /** a reply body larger than this ends the request with an error instead of being buffered (default 64 MiB) */
  maxReplyBytes?: number
}

export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024
/** HTTP methods a second send cannot make do more than the first (RFC 9110): POST is never sent twice */
const IDEMPOTENT = new Set<Method>(['GET', 'PUT', 'DELETE'])

/**
 * Percent-encodes every interpolated value: path`v2/users/${id}` → v2/users/%40a%3Ab. Each value stays one
 * segment: an empty value, `.` or `..` would name another endpoint (URLs resolve dot segments, even encoded ones),
 * so they are refused as usage errors; undefined or null means a command built a path from a missing field: a bug,
 * refused before anything is sent.
 */
export function path(strings: TemplateStringsArray, ...values: (string | number | undefined | null)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? segment(values[i], strings[i]) : ''), '')
}

function segment(value: string | number | undefined | null, before: string): string {
  if (value === undefined || value === null) {
    // in practice a field a reply lacked: an API fault (exit 5), never the text 'undefined' in a request
    throw new SynadmError('api', `refusing to send a request: the value for the path after '${before}' is missing (${value}); the server's reply may have lacked it`)
  }
  const text = String(value)
  if (text === '' || text === '.' || text === '..') {
    throw new SynadmError('usage', `'${text}' cannot be used here: a value in a request path must not be empty, '.' or '..'`)
  }
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/**
 * A field of a 2xx reply that the command needs for its next step (an ID to act on, a job to wait for). A reply
 * without it, or with something other than a non-empty string, is an API error (exit 5), never a guess.
 */
export function replyField(reply: unknown, key: string, request: string): string {
  const value = reply && typeof reply === 'object' ? (reply as Record<string, unknown>)[key] : undefined
  if (typeof value === 'string' && value !== '') return value
  throw new SynadmError('api', `the server's reply to ${request} has no ${key}${value === undefined ? '' : ` (it holds ${JSON.stringify(value)})`}`)
}

/** Query strings the way Synapse expects: lists as repeated keys, booleans as true/false, unset values dropped. */
export function queryString(query: Record<string, unknown> = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL|EPROTO/

/** What every request says of itself; the token and a body's Content-Type are added where a request has them. */
const HEADERS: Readonly<Record<string, string>> = { Accept: 'application/json', 'Accept-Encoding': ACCEPT_ENCODING, 'User-Agent': 'synadm-ts' }

/** A reply as the client reads it: its body parsed where it is JSON, else the text as it came ('' for none). */
interface Reply {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  data: unknown
}

/** A body as sent, with its Content-Type: a form (URLSearchParams: an OAuth token grant) as one, else as JSON. */
function encodeBody(body: unknown, headers: Readonly<Record<string, string>>): { body: string; headers: Record<string, string> } {
  if (body instanceof URLSearchParams) return { body: body.toString(), headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' } }
  return { body: JSON.stringify(body), headers: { ...headers, 'Content-Type': 'application/json' } }
}

function parseReply({ status, statusText, headers, body }: TransportReply): Reply {
  return { status, statusText, headers, data: parseJson(body) }
}

/** The body as JSON; one that is not (a proxy's HTML page, a plain-text rejection) as its text, for the caller to name. */
function parseJson(body: string): unknown {
  if (body === '') return body
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/** Per-invocation defaults: the command's abort signal, and the check that destructive commands confirmed. */
export interface BoundDefaults {
  signal?: AbortSignal
  /** may refuse a write by throwing (a destructive command that has not confirmed, a write across servers) */
  beforeWrite?: (method: Method, path: string) => void | Promise<void>
  audit?: WriteAudit
}

/**
 * Called before each write is sent (it may refuse by throwing); what it returns is called with the outcome.
 * The audit log (core/run/audit.ts) is one.
 */
export type WriteAudit = (request: { method: Method; path: string; query?: Record<string, unknown> }) => Promise<(outcome: { status?: number; error?: string }) => Promise<void>>

/**
 * One 429 budget for every request of a client, so many requests at once slow down together instead of each
 * running into the limit on its own: a 429 pauses every request until its retry time, and from then on requests
 * go one at a time, in the order they came.
 */
class RateGate {
  private pausedUntil = 0
  private limited = false
  private queue: Promise<void> = Promise.resolve()

  /** Waits for this request's turn; the returned function ends the turn. */
  async enter(signal?: AbortSignal): Promise<() => void> {
    if (!this.limited) {
      await this.pause(signal)
      return () => {}
    }
    let release!: () => void
    const turn = this.queue
    this.queue = new Promise<void>((resolve) => (release = resolve))
    await turn
    try {
      await this.pause(signal)
    } catch (error) {
      release()
      throw error
    }
    return release
  }

  limitedFor(ms: number): void {
    this.limited = true
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms)
  }

  private async pause(signal?: AbortSignal) {
    const ms = this.pausedUntil - Date.now()
    if (ms > 0) await sleep(ms, signal)
    if (signal?.aborted) throw new SynadmError('cancelled', 'cancelled')
  }
}

export class HttpClient {
  /** shared by bound copies, so they use one keep-alive connection pool and one 429 budget */
  private readonly shared: {
    transport?: Transport
    gate: RateGate
    authorization?: { token: string; headers: Readonly<Record<string, string>> }
  } = { gate: new RateGate() }
  private defaults: BoundDefaults = {}

  constructor(readonly options: ClientOptions) {}

  /** A view of this client that applies the defaults to every request. */
  bind(defaults: BoundDefaults): HttpClient {
    const bound = Object.create(this) as HttpClient
    bound.defaults = defaults
    return bound
  }

  get<T = any>(p: string, o?: RequestOptions) { return this.request<T>('GET', p, o) }
  post<T = any>(p: string, body?: unknown, o?: RequestOptions) { return this.request<T>('POST', p, { ...o, body }) }
  put<T = any>(p: string, body?: unknown, o?: RequestOptions) { return this.request<T>('PUT', p, { ...o, body }) }
  delete<T = any>(p: string, body?: unknown, o?: RequestOptions) { return this.request<T>('DELETE', p, { ...o, body }) }

  url(p: string, query?: Record<string, unknown>): string {
    return `${this.options.baseURL}/${p.replace(/^\/+/, '')}${queryString(query)}`
  }

  private transport(): Transport {
    // made on the first request, so commands that make none never load node:http
    const { baseURL, verifyTls, timeoutMs, maxReplyBytes = DEFAULT_MAX_REPLY_BYTES } = this.options
    return (this.shared.transport ??= nodeTransport({ baseURL, verifyTls, timeoutMs, maxReplyBytes }))
  }

  async request<T = any>(method: Method, p: string, o: RequestOptions = {}): Promise<T> {
    if (method === 'GET') return (await this.exchange<T>(method, p, o)).data
    await this.defaults.beforeWrite?.(method, p)
    const record = await this.defaults.audit?.({ method, path: p, query: o.query })
    if (!record) return (await this.exchange<T>(method, p, o)).data
    let reply: { data: T; status: number }
    try {
      reply = await this.exchange<T>(method, p, o)
    } catch (error) {
      await record({ status: (error as SynadmError).status, error: (error as Error).message })
      throw error
    }
    await record({ status: reply.status })
    return reply.data
  }

  /** One request, with 429s waited out: the reply's data and status, or a SynadmError. */
  private async exchange<T>(method: Method, p: string, o: RequestOptions): Promise<{ data: T; status: number }> {
    const url = this.url(p, o.query)
    const { log } = this.options
    o = { ...o, signal: o.signal ?? this.defaults.signal }
    const budget = this.options.rateLimit ?? { maxRetries: 5, maxWaitMs: 60_000 }
    let waited = 0
    for (let attempt = 0; ; attempt++) {
      // log lines are built only at the level that prints them: a bulk run sends thousands of requests
      if (log.level >= 1) log.info(`${method} ${url}`)
      if (log.level >= 2 && o.body !== undefined) log.debug(`request body: ${JSON.stringify(redact(o.body))}`)
      const release = await this.shared.gate.enter(o.signal)
      let response: Reply
      try {
        response = await this.send(method, url, o)
      } finally {
        release()
      }
      if (log.level >= 2) log.debug(`response ${response.status}: ${truncate(JSON.stringify(redact(response.data)))}`)
      if (response.status === 429) {
        const waitMs = retryAfter(response)
        if (attempt < budget.maxRetries && waited + waitMs <= budget.maxWaitMs) {
          log.info(`rate limited by the server; retrying in ${waitMs} ms`)
          waited += waitMs
          this.shared.gate.limitedFor(waitMs)
          continue
        }
      }
      if (response.status >= 200 && response.status < 300) {
        // Synapse answers every success with a JSON object; anything else is a broken server or proxy, not {}
        const { data } = response
        if (response.status === 204) return { data: {} as T, status: response.status }
        const broken = (what: string) => new SynadmError('api', `${method} ${redactText(url)} answered ${response.status} with ${what}`)
        if (data === '' || data === undefined) throw broken('an empty body where JSON was expected')
        if (typeof data === 'string') throw broken('a body that is not JSON')
        if (typeof data !== 'object' || data === null) throw broken('a body that is not a JSON object')
        return { data: data as T, status: response.status }
      }
      throw httpError(method, url, response)
    }
  }

  /**
   * The headers of a request with this token, built once per token, not on every request of a bulk run. Control
   * characters and trailing blanks (a token pasted with its line end) are left out: a header cannot carry them.
   */
  private authorized(token: string): Readonly<Record<string, string>> {
    if (this.shared.authorization?.token !== token) {
      const value = `Bearer ${token}`.replace(/[\u0000-\u0008\u000a-\u001f\u007f]+/g, '').replace(/[ \t]+$/, '')
      this.shared.authorization = { token, headers: { ...HEADERS, Authorization: value } }
    }
    return this.shared.authorization.headers
  }

  private async send(method: Method, url: string, o: RequestOptions): Promise<Reply> {
    const transport = this.transport()
    const token = o.token === undefined ? this.options.token : o.token
    const common = token ? this.authorized(token) : HEADERS
    const { body, headers } = o.body === undefined ? { body: undefined, headers: common } : encodeBody(o.body, common)
    for (let attempt = 0; ; attempt++) {
      // One deadline for the whole request (a server sending a byte a second must still time out): one controller
      // and one timer per request, cleared when it ends (AbortSignal.any/timeout cost more per request, and each
      // any() stays tied to the command's long-lived signal).
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.options.timeoutMs)
      const cancel = () => controller.abort()
      if (o.signal?.aborted) controller.abort()
      else o.signal?.addEventListener('abort', cancel, { once: true })
      try {
        return parseReply(await transport({ url, method, headers, body, signal: controller.signal }))
      } catch (error) {
        if (timedOut && !o.signal?.aborted) throw networkError({ code: 'ETIMEDOUT' }, url, this.options.timeoutMs)
        if (attempt === 0 && IDEMPOTENT.has(method) && staleKeepAlive(error)) {
          this.options.log.info(`the server had closed the kept-alive connection; ${method} again on a new one`)
          continue
        }
        throw networkError(error, url, this.options.timeoutMs, this.options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES)
      } finally {
        clearTimeout(timer)
        o.signal?.removeEventListener('abort', cancel)
      }
    }
  }
}

function retryAfter(response: Reply): number {
  const fromBody = Number((response.data as { retry_after_ms?: unknown })?.retry_after_ms)
  if (Number.isFinite(fromBody) && fromBody >= 0) return fromBody
  const fromHeader = Number(response.headers?.['retry-after'])
  return Number.isFinite(fromHeader) ? fromHeader * 1000 : 1000
}

const truncate = (text = '', max = 2000) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text)

const PROXY_HINT = 'check HTTP_PROXY, HTTPS_PROXY and NO_PROXY; a proxy that asks for a password takes it in its URL (http://USER:PASSWORD@HOST:PORT)'

/**
 * The error text of a reply that is not Matrix's `{errcode, error}`: a JSON:API error document's titles
 * (`{"errors":[{"title"}]}`, MAS's admin API), or a short text/plain body (a framework's rejection of a request body).
 */
function otherErrorText(response: Reply): string | undefined {
  const data = response.data as { errors?: { title?: unknown }[] } | string | undefined
  if (typeof data === 'string') return /^text\/plain\b/.test(String(response.headers?.['content-type'] ?? '')) ? data.split('\n')[0].slice(0, 300) || undefined : undefined
  const titles = Array.isArray(data?.errors) ? data.errors.map((e) => e?.title).filter((t): t is string => typeof t === 'string' && t !== '') : []
  return titles.join('; ') || undefined
}

function httpError(method: string, url: string, response: Reply): SynadmError {
  const body = (response.data && typeof response.data === 'object' ? response.data : {}) as { errcode?: string; error?: string }
  const data = { ...body, error: body.error ?? otherErrorText(response) }
  const status = response.status
  // 407 comes from a proxy, never from Synapse: the server was not reached, as when a proxy refuses a tunnel
  const kind: ErrorKind = status === 401 || status === 403 ? 'auth' : status === 404 ? 'notFound' : status === 429 ? 'rateLimited' : status === 407 ? 'network' : 'api'
  const what = [data.errcode, data.error].filter(Boolean).join(': ') || response.statusText || 'error'
  const hint =
    status === 401
      ? 'the access token was refused: get a new one (synadm matrix login) and store it with synadm config'
      : status === 403 && /admin/i.test(data.error ?? '')
        ? 'the configured user is not a server admin'
        : status === 404 && data.errcode === 'M_UNRECOGNIZED'
          ? 'this Synapse does not know the endpoint: it may be too old, or the feature disabled'
          : status === 407
            ? PROXY_HINT
            : undefined
  return new SynadmError(kind, redactText(`${status} ${what} (${method} ${new URL(url).pathname})`), {
    status,
    errcode: data.errcode,
    serverMessage: data.error,
    hint,
  })
}

/**
 * A kept-alive socket the server (or a proxy) closed while it sat idle: the request died on a reused connection
 * before any reply came, so the server never acted on it. Sending it again on a new connection is safe for
 * idempotent methods.
 */
function staleKeepAlive(error: unknown): boolean {
  const e = error as { code?: string; request?: { reusedSocket?: boolean } }
  return e.request?.reusedSocket === true && (e.code === 'ECONNRESET' || e.code === 'EPIPE')
}

function networkError(error: unknown, url: string, timeoutMs: number, maxReplyBytes = DEFAULT_MAX_REPLY_BYTES): SynadmError {
  const e = error as { code?: string; message?: string; name?: string }
  const origin = new URL(url).origin
  if (e.code === 'ERR_CANCELED') return new SynadmError('cancelled', 'cancelled')
  if (e.code === REPLY_TOO_LARGE) {
    return new SynadmError('api', `the reply from ${origin} is larger than ${maxReplyBytes / 1024 / 1024} MiB; stopped reading it`, { hint: 'raise max_reply_mb in the config if such a reply is expected', cause: error })
  }
  // a body cut short or corrupt under its Content-Encoding: the server (or a proxy) answered, brokenly
  if (e.code === BROKEN_REPLY) return new SynadmError('api', `the reply from ${origin} cannot be read: ${e.message}`, { cause: error })
  if (e.code === PROXY_REFUSED) return new SynadmError('network', `cannot reach ${origin}: ${e.message}`, { hint: PROXY_HINT, cause: error })
  if (e.code === 'ECONNREFUSED') return new SynadmError('network', `cannot connect to ${origin}: connection refused`, { hint: 'is Synapse running, and is base_url right?', cause: error })
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new SynadmError('network', `cannot resolve the host of ${origin}`, { hint: 'check base_url', cause: error })
  if (e.code === 'ETIMEDOUT' || e.code === 'ECONNABORTED') return new SynadmError('network', `no answer from ${origin} within ${timeoutMs / 1000} s`, { hint: 'raise timeout in the config if the server is slow', cause: error })
  if (e.code && TLS_CODES.test(e.code)) return new SynadmError('network', `TLS with ${origin} failed: ${e.message}`, { hint: 'ssl_verify: false accepts self-signed certificates (only on trusted networks)', cause: error })
  if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return new SynadmError('network', `connection to ${origin} was reset`, { cause: error })
  return new SynadmError('network', `request to ${origin} failed: ${e.message ?? String(error)}`, { cause: error })
}
