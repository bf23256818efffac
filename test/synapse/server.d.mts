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
}

export interface RunningSynapse {
  url: string
  serverName: string
  version: string
  adminUserId: string
  adminToken: string
  adminPassword: string
  registrationSharedSecret: string
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

export function startSynapse(options?: StartOptions): Promise<RunningSynapse>
/** Builds the chroot if needed (minutes, once; progress on stderr) and resolves to its path. */
export function buildRoot(): Promise<string>
/** The chroot's path if already built, else null. */
export function readyRoot(): string | null
/** Writes a synadm.yaml (mode 0600) that both our CLI and the Python synadm read. */
export function writeSynadmConfig(file: string, target: SynadmConfigTarget): void
