// Types for stand-in.mjs.

export const ADMIN_SCOPE: 'urn:mas:admin'
export const CLIENT_API_SCOPE: 'urn:matrix:client:api:*'
export const SYNAPSE_ADMIN_SCOPE: 'urn:synapse:admin:*'

export interface StandInOptions {
  /** Default: a free loopback port. */
  port?: number
  /** The homeserver's name (site-config's server_name). Default synadm.test. */
  serverName?: string
  /** Shared with Synapse (matrix_authentication_service.secret). Default: random. */
  secret?: string
  /** Seconds a client-credentials (or seeded OAuth 2.0) access token lives. Default 300, as MAS. */
  tokenTtl?: number
  /** false: set-password answers 403 "Password auth is disabled". Default true. */
  passwordLogin?: boolean
  /** What GET /api/admin/v1/version answers. */
  version?: string
  /** Admin API exchanges kept in `exchanges` (oldest dropped first). Default 10000. */
  maxExchanges?: number
}

/** One admin API call: see test/mas/contract.ts's Exchange (the same shape, plus its sequence number). */
export interface RecordedExchange {
  seq: number
  operationId: string | null
  method: string
  path: string
  query: string
  authorization: 'bearer' | 'other' | null
  requestContentType: string | null
  requestBody: string | null
  status: number
  responseContentType: 'application/json' | 'text/plain' | null
  responseBody: unknown
}

/** A call the stand-in made to Synapse's /_synapse/mas/* (path with query). */
export interface HomeserverCall {
  method: string
  path: string
  body: Record<string, unknown> | null
}

export interface SeededCompatSession {
  id: string
  deviceId: string
  /** mct_… token; introspects with the client API scope (and urn:synapse:admin:* when synapseAdmin). */
  accessToken: string
}

export interface StandInMas {
  /** Base URL with a trailing slash; also the OAuth 2.0 issuer and Synapse's `endpoint`. */
  url: string
  issuer: string
  port: number
  secret: string
  /** Bearer token for /_stand-in/* (the control API tests in other processes use). */
  controlToken: string
  /** A static client allowed urn:mas:admin through the client-credentials grant (HTTP Basic or form). */
  adminClient: { clientId: string; clientSecret: string }
  /** MAS's `admin` user and its personal session token (scopes: client API, Synapse admin, MAS admin). */
  admin: { id: string; username: string; token: string }
  /** The in-memory state (Maps of records by ULID); for assertions. */
  readonly state: Record<string, Map<string, Record<string, unknown>>>
  readonly exchanges: RecordedExchange[]
  readonly homeserverCalls: HomeserverCall[]
  /** Background-job calls to Synapse that failed (MAS would retry them). */
  readonly jobFailures: { what: string; error: string }[]
  /** Provisions the admin user into this Synapse, and sends every later provisioning call there. */
  attachHomeserver(synapseUrl: string): Promise<void>
  /** Back to the state after start (same admin client, user and token); Synapse keeps what it was sent. */
  reset(): void
  /** true: every request but /_stand-in/* gets its connection dropped, as a MAS that is down. */
  setDown(down: boolean): void
  seedCompatSession(options: { username: string; deviceId?: string; synapseAdmin?: boolean; humanName?: string }): Promise<SeededCompatSession>
  seedOAuth2Session(options: { username: string; clientId?: string; scope?: string }): Promise<{ id: string; accessToken: string }>
  seedUserSession(options: { username: string }): { id: string }
  useRegistrationToken(options: { token: string }): Record<string, never>
  stop(): Promise<void>
}

export function startStandInMas(options?: StandInOptions): Promise<StandInMas>
