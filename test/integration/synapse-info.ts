// What global-setup.ts provides to the integration tests, and the accessor the helpers use.
import { inject } from 'vitest'

export interface SynapseAvailable {
  available: true
  url: string
  serverName: string
  version: string
  adminUserId: string
  adminToken: string
  /** Null for an external server started without SYNAPSE_SHARED_SECRET (users are then made via the admin API). */
  registrationSharedSecret: string | null
  /** True when SYNAPSE_URL pointed at a server this run did not start. */
  external: boolean
  /** Config file for our CLI (host path, mode 0600). */
  configFile: string
  /** HOME for our CLI's child processes, so they never touch the real ~/.config. */
  cliHome: string
  /** The chroot holding the Python synadm, or null when it has not been built. */
  pythonRoot: string | null
  /** Config file for the Python synadm, as a path inside pythonRoot. */
  pythonConfigFile: string | null
}

export interface SynapseUnavailable {
  available: false
  reason: string
}

export type SynapseInfo = SynapseAvailable | SynapseUnavailable

declare module 'vitest' {
  export interface ProvidedContext {
    synapse: SynapseInfo
  }
}

/** The test server; throws when global setup could not provide one (tests should have been skipped). */
export function synapse(): SynapseAvailable {
  const info = inject('synapse')
  if (!info.available) throw new Error(`no Synapse for integration tests: ${info.reason}`)
  return info
}
