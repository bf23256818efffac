// Vitest globalSetup for the integration project: gets a Synapse (the one named by SYNAPSE_URL and
// SYNAPSE_ADMIN_TOKEN, or a fresh local one), writes synadm configs for our CLI and the Python synadm, and
// provides everything as inject('synapse'). Without a server: a failure under CI, a loud skip elsewhere.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { matrixRequest } from '../synapse/client.mjs'
import { readyRoot, startSynapse, writeSynadmConfig } from '../synapse/server.mjs'
import type { SynapseAvailable } from './synapse-info.js'

type Server = Pick<
  SynapseAvailable,
  'url' | 'serverName' | 'version' | 'adminUserId' | 'adminToken' | 'registrationSharedSecret' | 'external'
> & { root: string | null; stop: () => Promise<void> }

async function externalServer(url: string, adminToken: string): Promise<Server> {
  const server = { url: url.replace(/\/+$/, ''), adminToken }
  const { user_id: adminUserId } = await matrixRequest(server, 'GET', '/_matrix/client/v3/account/whoami', {
    token: adminToken,
  })
  const { server_version: version } = await matrixRequest(server, 'GET', '/_synapse/admin/v1/server_version', {
    token: adminToken,
  })
  return {
    ...server,
    version,
    adminUserId,
    serverName: process.env.SYNAPSE_SERVER_NAME || adminUserId.slice(adminUserId.indexOf(':') + 1),
    registrationSharedSecret: process.env.SYNAPSE_SHARED_SECRET || null,
    external: true,
    // The Python synadm is only offered when its chroot is already built; building it takes minutes.
    root: readyRoot(),
    stop: async () => {},
  }
}

async function localServer(): Promise<Server> {
  const synapse = await startSynapse()
  return { ...synapse, external: false }
}

export default async function setup(project: TestProject) {
  const { SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN } = process.env
  let server: Server
  try {
    server =
      SYNAPSE_URL && SYNAPSE_ADMIN_TOKEN ? await externalServer(SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN) : await localServer()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (process.env.CI) throw new Error(`integration tests need a Synapse: ${reason}`)
    console.warn(`\n*** INTEGRATION TESTS SKIPPED: ${reason} ***\n`)
    project.provide('synapse', { available: false, reason })
    return
  }

  const cliHome = mkdtempSync(join(tmpdir(), 'synadm-it-'))
  const configFile = join(cliHome, 'synadm.yaml')
  writeSynadmConfig(configFile, server)
  let pythonDir: string | null = null
  let pythonConfigFile: string | null = null
  if (server.root) {
    // The chrooted Python synadm can only read files inside the root.
    pythonDir = mkdtempSync(join(server.root, 'srv', 'synadm-test-config-'))
    writeSynadmConfig(join(pythonDir, 'synadm.yaml'), server)
    pythonConfigFile = `${pythonDir.slice(server.root.length)}/synadm.yaml`
  }

  project.provide('synapse', {
    available: true,
    url: server.url,
    serverName: server.serverName,
    version: server.version,
    adminUserId: server.adminUserId,
    adminToken: server.adminToken,
    registrationSharedSecret: server.registrationSharedSecret,
    external: server.external,
    configFile,
    cliHome,
    pythonRoot: server.root,
    pythonConfigFile,
  })
  console.log(`Synapse ${server.version} at ${server.url} (server name ${server.serverName})`)

  return async () => {
    await server.stop()
    rmSync(cliHome, { recursive: true, force: true })
    if (pythonDir) rmSync(pythonDir, { recursive: true, force: true })
  }
}
