/**
 * How synadm reaches MAS (matrix-authentication-service): whether the server delegates auth to it, where it is, and
 * the token for its admin API. Worked out once per session (ApiServices.memo), as the server name is.
 */
import { readSecretFile, runSecretCommand, SynadmError, type ApiServices, type HttpClient, type Method, type RequestOptions } from '../../core/index.js'

export const ADMIN_SCOPE = 'urn:mas:admin'
/** where MAS serves its admin API, under its URL */
export const ADMIN_API = 'api/admin/v1'
/** MAS's IDs and paging cursors: 26 characters of Crockford's base32 */
export const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/

/** What the server says about its authentication. */
export interface Delegation {
  /** the server delegates auth to MAS: its auth metadata endpoint exists (MSC2965) */
  delegated: boolean
  /** MAS's URL as the server announces it (the OAuth 2.0 issuer) */
  issuer?: string
  /** MAS's token endpoint, from the same metadata */
  token_endpoint?: string
  /** why the server could not say where MAS is */
  problem?: string
}

interface AuthMetadata {
  issuer?: unknown
  token_endpoint?: unknown
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)

/** A request that may fail: its reply, or the SynadmError it failed with. */
async function attempt<T>(request: () => Promise<T>): Promise<{ reply?: T; error?: SynadmError }> {
  try {
    return { reply: await request() }
  } catch (error) {
    if (!SynadmError.is(error)) throw error
    return { error }
  }
}

/**
 * Asks the server (no token needed): `/_matrix/client/v1/auth_metadata` exists only on a server that delegates auth
 * (Synapse registers it then; 404 otherwise) and names MAS as its issuer; a 5xx there means MAS's metadata could not
 * be fetched (MAS down). Where it is unknown (404), the client well-known's `org.matrix.msc2965.authentication` may
 * still name the issuer (servers from before the stable endpoint).
 */
export async function detectDelegation(s: ApiServices): Promise<Delegation> {
  const metadata = await attempt(() => s.matrix.get<AuthMetadata>('client/v1/auth_metadata', { token: null }))
  if (metadata.reply) return { delegated: true, issuer: text(metadata.reply.issuer), token_endpoint: text(metadata.reply.token_endpoint) }
  const error = metadata.error!
  if (error.kind === 'network' || error.kind === 'cancelled') throw error
  const wellKnown = await attempt(async () => (await s.client(s.settings.base_url)).get<Record<string, { issuer?: unknown }>>('.well-known/matrix/client', { token: null }))
  const issuer = text(wellKnown.reply?.['org.matrix.msc2965.authentication']?.issuer)
  if (issuer) return { delegated: true, issuer }
  if ((error.status ?? 0) >= 500) return { delegated: true, problem: `the server's auth metadata is unavailable (${error.message})` }
  return { delegated: false }
}

export const delegation = (s: ApiServices) => s.memo('mas:delegation', () => detectDelegation(s))

/** Where MAS's admin API is, and how to get a token for it. */
export interface MasEndpoint {
  url: string
  tokenEndpoint: string
  /** what the URL comes from, for messages */
  source: 'mas_url' | 'the server'
}

/** mas_url, else the issuer the server announces; a server that delegates nothing has no MAS (exit 3). */
export async function endpoint(s: ApiServices): Promise<MasEndpoint> {
  const configured = s.settings.mas_url
  if (configured) return { url: configured, tokenEndpoint: `${configured}/oauth2/token`, source: 'mas_url' }
  const found = await delegation(s)
  if (!found.delegated) {
    throw new SynadmError('config', `${s.settings.base_url} does not delegate auth to MAS: it announces no authorization server`, {
      hint: "for a MAS the server does not announce, set its URL: synadm config --mas-url URL",
    })
  }
  if (!found.issuer) throw new SynadmError('network', `MAS's URL is unknown: ${found.problem ?? 'the server names no issuer'}`, { hint: 'MAS may be down; mas_url in the config reaches its admin API directly' })
  const url = found.issuer.replace(/\/+$/, '')
  return { url, tokenEndpoint: found.token_endpoint ?? `${url}/oauth2/token`, source: 'the server' }
}

/** The client's secret: $SYNADM_MAS_CLIENT_SECRET, else mas_client_secret_file's first line, else the command's output. */
async function clientSecret(s: ApiServices): Promise<string> {
  const { mas_client_secret_file: file, mas_client_secret_command: command } = s.settings
  const fromEnv = s.env.SYNADM_MAS_CLIENT_SECRET
  if (fromEnv) return fromEnv
  if (file && command) throw new SynadmError('config', 'give one of mas_client_secret_file and mas_client_secret_command, not both')
  if (file) return readSecretFile(file, 'mas_client_secret_file', 'secret')
  if (command) return runSecretCommand(command, s.env, 'mas_client_secret_command', 'secret')
  throw new SynadmError('config', `mas_client_id is set, but no secret for it`, { hint: 'set mas_client_secret_file or mas_client_secret_command (synadm config), or SYNADM_MAS_CLIENT_SECRET' })
}

/** A token is renewed this long before it expires (or halfway through a shorter life). */
const RENEW_BEFORE_MS = 60_000

/**
 * Tokens from MAS's client-credentials grant (scope urn:mas:admin), kept in memory only and renewed before they
 * expire. One grant at a time: requests that need a token while one is on its way wait for it.
 */
export class ClientCredentials {
  private pending?: Promise<string>
  private renewAt = 0
  private secret?: Promise<string>

  constructor(private readonly tokenEndpoint: string) {}

  /** A token that lives a while yet; `s`: the running command's services (its signal ends a grant it waits for). */
  token(s: ApiServices): Promise<string> {
    if (!this.pending || Date.now() >= this.renewAt) {
      this.renewAt = Infinity
      const pending = this.grant(s)
      this.pending = pending
      pending.catch(() => {
        if (this.pending === pending) this.pending = undefined
      })
    }
    return this.pending
  }

  private async grant(s: ApiServices): Promise<string> {
    if (!this.secret) {
      const secret = (this.secret = clientSecret(s))
      secret.catch(() => (this.secret = undefined))
    }
    const clientId = s.settings.mas_client_id
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: ADMIN_SCOPE, client_id: clientId, client_secret: await this.secret })
    const url = new URL(this.tokenEndpoint)
    const client = await s.client(url.origin, { authentication: true })
    const started = Date.now()
    let reply: { access_token?: unknown; expires_in?: unknown }
    try {
      reply = await client.post(url.pathname.slice(1) + url.search, form, { token: null })
    } catch (error) {
      throw grantError(error, clientId)
    }
    const token = text(reply.access_token)
    if (!token) throw new SynadmError('api', `MAS's token endpoint answered without an access_token`)
    const lifeMs = typeof reply.expires_in === 'number' && reply.expires_in > 0 ? reply.expires_in * 1000 : 300_000
    this.renewAt = started + lifeMs - Math.min(RENEW_BEFORE_MS, lifeMs / 2)
    return token
  }
}

function grantError(error: unknown, clientId: string): unknown {
  if (!SynadmError.is(error) || error.status === undefined) return error
  const scope = /invalid_scope|unauthorized_client/.test(error.message)
  return new SynadmError(error.status === 401 ? 'auth' : error.kind, `MAS refused a token to the client ${clientId}: ${error.message}`, {
    status: error.status,
    hint: scope ? `the client needs the client_credentials grant and, for ${ADMIN_SCOPE}, a place in MAS's policy.data.admin_clients` : 'check mas_client_id and its secret',
  })
}

/** What a 401/403 of MAS's admin API means for the token synadm sent, by where the token came from. */
const authHint = (s: ApiServices) =>
  s.settings.mas_client_id
    ? `the client ${s.settings.mas_client_id} must be listed in MAS's policy.data.admin_clients to get ${ADMIN_SCOPE}`
    : `MAS's admin API needs a token with the ${ADMIN_SCOPE} scope: the access token serves it only when it carries that scope (a personal session token); else configure a client: synadm config --mas-client-id ID --mas-client-secret-path FILE`

/** An error of MAS's admin API as one line: MAS's own words, with a hint for what synadm can tell. */
function masError(error: unknown, s: ApiServices, where: MasEndpoint): unknown {
  if (!SynadmError.is(error) || error.kind === 'cancelled') return error
  const hint =
    error.kind === 'network'
      ? `is MAS running at ${where.url} (from ${where.source})? mas_url in the config names another URL`
      : error.status === 401 || error.status === 403
        ? authHint(s)
        : error.status === 404 && !error.serverMessage
          ? `no MAS admin API at ${where.url}/${ADMIN_API} (from ${where.source}): MAS serves it only from a listener with the adminapi resource`
          : undefined
  return new SynadmError(error.kind, `MAS: ${error.message}`, { hint, status: error.status, serverMessage: error.serverMessage, cause: error })
}

/** MAS's admin API: the client for its URL and the token it takes. */
export class MasClient {
  constructor(
    private readonly s: ApiServices,
    private readonly where: MasEndpoint,
    private readonly client: HttpClient,
    private readonly credentials?: ClientCredentials,
  ) {}

  get url(): string {
    return this.where.url
  }

  async request<T>(method: Method, path: string, o: RequestOptions = {}): Promise<T> {
    const token = await this.credentials?.token(this.s)
    try {
      return await this.client.request<T>(method, `${ADMIN_API}/${path}`, token ? { ...o, token } : o)
    } catch (error) {
      throw masError(error, this.s, this.where)
    }
  }

  get<T>(path: string, query?: Record<string, unknown>) {
    return this.request<T>('GET', path, { query })
  }

  post<T>(path: string, body?: unknown) {
    return this.request<T>('POST', path, { body })
  }

  put<T>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, { body })
  }

  delete<T>(path: string) {
    return this.request<T>('DELETE', path)
  }
}

/** The session's MAS client (its URL found, and its token's source chosen, once per session). */
export async function masClient(s: ApiServices): Promise<MasClient> {
  const where = await endpoint(s)
  const credentials = s.settings.mas_client_id ? await s.memo(`mas:credentials:${where.tokenEndpoint}`, async () => new ClientCredentials(where.tokenEndpoint)) : undefined
  return new MasClient(s, where, await s.client(where.url), credentials)
}
