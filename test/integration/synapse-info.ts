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

/** A second Synapse, delegating auth to the stand-in MAS (test/mas/), for issue 23's tests. */
export interface SynapseMasAvailable {
  available: true
  url: string
  serverName: string
  version: string
  adminUserId: string
  /** MAS's personal session token of the admin: scopes client API, Synapse admin and MAS admin (serves both APIs). */
  adminToken: string
  /** Config file for our CLI pointing at this server with adminToken (host path, mode 0600). */
  configFile: string
  /** HOME for our CLI's child processes against this server. */
  cliHome: string
  mas: {
    /** The stand-in's base URL, with a trailing slash (the OAuth 2.0 issuer; the admin API is under api/admin/v1/). */
    url: string
    /** A client allowed urn:mas:admin through the client-credentials grant. */
    clientId: string
    clientSecret: string
    /** Bearer token for the stand-in's /_stand-in/* control API (test/mas/control.ts). */
    controlToken: string
  }
  /** Seconds from starting the stand-in to this Synapse answering with the admin's token. */
  startSeconds: number
}

export type SynapseMasInfo = SynapseMasAvailable | SynapseUnavailable

declare module 'vitest' {
  export interface ProvidedContext {
    synapse: SynapseInfo
    synapseMas: SynapseMasInfo
  }
}

/** The test server; throws when global setup could not provide one (tests should have been skipped). */
export function synapse(): SynapseAvailable {
  const info = inject('synapse')
  if (!info.available) throw new Error(`no Synapse for integration tests: ${info.reason}`)
  return info
}

/** The MAS-mode Synapse; throws when global setup did not start one (tests should have been skipped). */
export function synapseMas(): SynapseMasAvailable {
  const info = inject('synapseMas')
  if (!info.available) throw new Error(`no MAS-mode Synapse for integration tests: ${info.reason}`)
  return info
}
