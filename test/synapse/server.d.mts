// Types for server.mjs.

export const repoRoot: string
export const SERVER_NAME: string

export interface StartOptions {
  /** Host directory kept across runs; default: a fresh directory inside the root, deleted by stop(). */
  dataDir?: string
  /** Default: a free loopback port. */
  port?: number
  /** Small rc_message / rc_login / rc_admin_redaction / rc_room_creation / rc_joins / rc_invites limits. */
  lowRateLimit?: boolean
  /** Own process group: survives this process and terminal Ctrl-C. */
  detached?: boolean
  /** Default SERVER_NAME. */
  serverName?: string
  /** Delegate auth to this MAS (matrix_authentication_service); the admin then comes from it. */
  mas?: MasDelegation | null
}

export interface MasDelegation {
  /** MAS's base URL (Synapse's `endpoint`). */
  endpoint: string
  /** Shared secret of Synapse and MAS. */
  secret: string
  /** Called once Synapse answers: provisions the admin through Synapse's /_synapse/mas/* and gives its token. */
  attach(synapseUrl: string): Promise<{ token: string }>
}

export interface RunningSynapse {
  url: string
  serverName: string
  version: string
  adminUserId: string
  adminToken: string
  adminPassword: string
  registrationSharedSecret: string
  /** The MAS that Synapse delegates auth to: null here, see RunningMasSynapse. */
  masEndpoint: null
  pid: number
  /** The chroot the server runs in. */
  root: string
  /** Host path of the data directory. */
  dataDir: string
  /** Host path of homeserver.yaml. */
  configFile: string
  logFile: string
  /** SIGTERM to this server's PID, SIGKILL after 10 s; removes a temporary data dir. Idempotent. */
  stop(): Promise<void>
}

export interface SynadmConfigTarget {
  url: string
  adminUserId: string
  adminToken: string
  serverName: string
}

/** A Synapse delegating auth to MAS: no admin password, no shared-secret registration. */
export interface RunningMasSynapse extends Omit<RunningSynapse, 'adminPassword' | 'registrationSharedSecret' | 'masEndpoint'> {
  adminPassword: null
  registrationSharedSecret: null
  masEndpoint: string
}

export function startSynapse(options: StartOptions & { mas: MasDelegation }): Promise<RunningMasSynapse>
export function startSynapse(options?: StartOptions & { mas?: null }): Promise<RunningSynapse>
/** Builds the chroot if needed (minutes, once; progress on stderr) and resolves to its path. */
export function buildRoot(): Promise<string>
/** The chroot's path if already built, else null. */
export function readyRoot(): string | null
/** Writes a synadm.yaml (mode 0600) that both our CLI and the Python synadm read. */
export function writeSynadmConfig(file: string, target: SynadmConfigTarget): void
