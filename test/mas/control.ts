// For tests in other processes than the stand-in (vitest workers): its /_stand-in/* control API, and small calls
// of its OAuth 2.0 token endpoint and admin API. inject('synapseMas').mas gives the URL, client and control token.
import type { RecordedExchange, HomeserverCall, SeededCompatSession } from './stand-in.mjs'

export interface MasEndpoint {
  /** Base URL with a trailing slash. */
  url: string
  clientId: string
  clientSecret: string
  controlToken: string
}

export interface MasReply<T = any> {
  status: number
  body: T
}

async function json(response: Response) {
  const text = await response.text()
  if (!text) return null
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
}

export function masControl(mas: MasEndpoint) {
  async function control<T>(method: string, action: string, body?: unknown): Promise<T> {
    const response = await fetch(`${mas.url}_stand-in/${action}`, {
      method,
      headers: { authorization: `Bearer ${mas.controlToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const reply = await json(response)
    if (!response.ok) throw new Error(`stand-in MAS ${method} ${action} → ${response.status} ${JSON.stringify(reply)}`)
    return reply as T
  }
  return {
    /** Back to the state after start; Synapse keeps what it was sent. */
    reset: () => control('POST', 'reset'),
    /** true: MAS drops every connection (but the control API's) until set back. */
    setDown: (down: boolean) => control('POST', 'outage', { down }),
    seedCompatSession: (options: { username: string; deviceId?: string; synapseAdmin?: boolean; humanName?: string }) =>
      control<SeededCompatSession>('POST', 'compat-sessions', options),
    seedOAuth2Session: (options: { username: string; clientId?: string; scope?: string }) =>
      control<{ id: string; accessToken: string }>('POST', 'oauth2-sessions', options),
    seedUserSession: (options: { username: string }) => control<{ id: string }>('POST', 'user-sessions', options),
    useRegistrationToken: (token: string) => control('POST', 'registration-tokens/use', { token }),
    /** Admin API exchanges from sequence number `since` on; `next` is where to continue. */
    exchanges: (since = 0) => control<{ items: RecordedExchange[]; next: number }>('GET', `exchanges?since=${since}`),
    homeserverCalls: (since = 0) =>
      control<{ items: (HomeserverCall & { seq: number })[]; next: number }>('GET', `homeserver-calls?since=${since}`),
  }
}

/** An access token for the admin API through the client-credentials grant (scope urn:mas:admin). */
export async function clientCredentialsToken(mas: MasEndpoint): Promise<string> {
  const response = await fetch(`${mas.url}oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${mas.clientId}:${mas.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=urn%3Amas%3Aadmin',
  })
  const reply = await json(response)
  if (!response.ok) throw new Error(`stand-in MAS token grant → ${response.status} ${JSON.stringify(reply)}`)
  return reply.access_token
}

/** One admin API call: `path` under api/admin/v1 (e.g. '/users'), `query` without '?'. */
export async function masAdminRequest<T = any>(
  mas: MasEndpoint,
  token: string,
  method: string,
  path: string,
  { body, query }: { body?: unknown; query?: string } = {},
): Promise<MasReply<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const url = `${mas.url}api/admin/v1${path}${query ? `?${query}` : ''}`
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: response.status, body: await json(response) }
}
