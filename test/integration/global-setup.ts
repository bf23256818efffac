// Vitest globalSetup for the integration project: gets a Synapse (the one named by SYNAPSE_URL and
// SYNAPSE_ADMIN_TOKEN, or a fresh local one), writes synadm configs for our CLI and the Python synadm, and
// provides everything as inject('synapse'). Without a server: a failure under CI, a loud skip elsewhere.
// Beside it, when a selected test file uses it: a second local Synapse delegating auth to the stand-in MAS
// (test/mas/), provided as inject('synapseMas').
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startStandInMas } from '../mas/stand-in.mjs'
import { matrixRequest } from '../synapse/client.mjs'
import { buildRoot, readyRoot, startSynapse, writeSynadmConfig } from '../synapse/server.mjs'
import type { SynapseAvailable, SynapseMasAvailable } from './synapse-info.js'

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

const MAS_SERVER_NAME = 'synadm-mas.test'

/** The stand-in MAS, then a Synapse delegating to it; the admin's MAS token serves both. */
async function masServer(): Promise<{ info: SynapseMasAvailable; stop: () => Promise<void> }> {
  const started = performance.now()
  const mas = await startStandInMas({ serverName: MAS_SERVER_NAME })
  try {
    const attach = async (url: string) => {
      await mas.attachHomeserver(url)
      return { token: mas.admin.token }
    }
    const synapse = await startSynapse({ serverName: MAS_SERVER_NAME, mas: { endpoint: mas.url, secret: mas.secret, attach } })
    const startSeconds = Math.round((performance.now() - started) / 100) / 10
    const cliHome = mkdtempSync(join(tmpdir(), 'synadm-it-mas-'))
    const configFile = join(cliHome, 'synadm.yaml')
    writeSynadmConfig(configFile, synapse)
    const info: SynapseMasAvailable = {
      available: true,
      url: synapse.url,
      serverName: synapse.serverName,
      version: synapse.version,
      adminUserId: synapse.adminUserId,
      adminToken: synapse.adminToken,
      configFile,
      cliHome,
      mas: {
        url: mas.url,
        clientId: mas.adminClient.clientId,
        clientSecret: mas.adminClient.clientSecret,
        controlToken: mas.controlToken,
      },
      startSeconds,
    }
    const stop = async () => {
      await synapse.stop()
      await mas.stop()
      rmSync(cliHome, { recursive: true, force: true })
    }
    return { info, stop }
  } catch (error) {
    await mas.stop()
    throw error
  }
}

const integrationDir = import.meta.dirname

/**
 * Whether this run needs the MAS-mode Synapse (seconds of start-up otherwise saved): SYNADM_TEST_MAS=1 or 0
 * decides; else yes unless test files were named on the command line and none of them uses synapseMas.
 */
function masWanted(project: TestProject): boolean {
  const forced = process.env.SYNADM_TEST_MAS
  if (forced === '1' || forced === '0') return forced === '1'
  // Vitest keeps the command line's file filters here (substrings of a test file's path).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern
  if (!filters?.length) return true
  return readdirSync(integrationDir)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join(integrationDir, name))
    .filter((file) => filters.some((filter) => file.includes(filter.replace(/^\.\//, ''))))
    .some((file) => readFileSync(file, 'utf8').includes('synapseMas'))
}

async function provideMasServer(project: TestProject, rootAvailable: boolean) {
  const skip = (reason: string) => {
    project.provide('synapseMas', { available: false, reason })
    return async () => {}
  }
  if (!masWanted(project)) return skip('not started: no selected test file uses it (SYNADM_TEST_MAS=1 starts it)')
  if (!rootAvailable) return skip('not started: the Synapse chroot is not built (test/synapse/root.sh)')
  try {
    const { info, stop } = await masServer()
    project.provide('synapseMas', info)
    console.log(`Synapse ${info.version} at ${info.url} delegating to a stand-in MAS at ${info.mas.url} (ready in ${info.startSeconds} s)`)
    return stop
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (process.env.CI) throw new Error(`the MAS-mode Synapse did not start: ${reason}`)
    console.warn(`\n*** MAS-MODE INTEGRATION TESTS SKIPPED: ${reason} ***\n`)
    return skip(reason)
  }
}

export default async function setup(project: TestProject) {
  const { SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN } = process.env
  const external = Boolean(SYNAPSE_URL && SYNAPSE_ADMIN_TOKEN)
  let server: Server
  let stopMas: () => Promise<void>
  try {
    // Built once before the two servers start side by side (root.sh is not safe to run twice at once).
    if (!external) await buildRoot()
    const [main, mas] = await Promise.allSettled([
      external ? externalServer(SYNAPSE_URL!, SYNAPSE_ADMIN_TOKEN!) : localServer(),
      provideMasServer(project, external ? readyRoot() !== null : true),
    ])
    if (main.status === 'rejected' || mas.status === 'rejected') {
      // One failed: stop the other before giving up.
      if (main.status === 'fulfilled') await main.value.stop()
      if (mas.status === 'fulfilled') await mas.value()
      throw main.status === 'rejected' ? main.reason : (mas as PromiseRejectedResult).reason
    }
    server = main.value
    stopMas = mas.value
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (process.env.CI) throw new Error(`integration tests need a Synapse: ${reason}`)
    console.warn(`\n*** INTEGRATION TESTS SKIPPED: ${reason} ***\n`)
    project.provide('synapse', { available: false, reason })
    project.provide('synapseMas', { available: false, reason })
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
    await Promise.all([server.stop(), stopMas()])
    rmSync(cliHome, { recursive: true, force: true })
    if (pythonDir) rmSync(pythonDir, { recursive: true, force: true })
  }
}
