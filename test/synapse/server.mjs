#!/usr/bin/env node
// Starts a real Synapse (Debian sid package, run in the chroot that root.sh caches) on loopback for the
// integration tests and the demo. Module: startSynapse(). CLI: `node test/synapse/server.mjs start|stop`.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { login, matrixRequest, registerUser } from './client.mjs'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../..')
export const SERVER_NAME = 'synadm.test'
// Same default as root.sh.
const ROOT = process.env.SYNADM_SYNAPSE_ROOT || '/var/cache/synadm-test/sid-root'
const READY_MARKER = '.synadm-root-ready'
const START_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 10_000

/** Builds the chroot when needed (minutes, once; progress on stderr) and resolves to its path. */
export function buildRoot() {
  return new Promise((resolveRoot, reject) => {
    const child = spawn(join(here, 'root.sh'), [], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolveRoot(stdout.trim().split('\n').pop())
      else reject(new Error(`test/synapse/root.sh failed (${signal ?? `exit ${code}`})`))
    })
  })
}

/** The chroot's path if it is already built, else null (never builds). */
export function readyRoot() {
  return existsSync(join(ROOT, READY_MARKER)) ? ROOT : null
}

function isMountpoint(path) {
  return spawnSync('mountpoint', ['-q', path]).status === 0
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.trim()}`)
}

// Synapse needs /proc and /dev; they stay mounted because other instances may share the root (`root.sh umount`).
function mountSystemDirs(root) {
  if (!isMountpoint(join(root, 'proc'))) run('mount', ['-t', 'proc', 'proc', join(root, 'proc')])
  if (!isMountpoint(join(root, 'dev'))) run('mount', ['--bind', '/dev', join(root, 'dev')])
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

const secret = () => randomBytes(24).toString('hex')

/**
 * Places the data dir where the chrooted Python can read it. Without `dataDir`: a fresh directory inside the root,
 * deleted on stop. A `dataDir` outside the root is bind-mounted into it (stable place per host path, so a
 * persistent dir keeps working across runs).
 */
function prepareDataDir(root, dataDir) {
  const srv = join(root, 'srv')
  mkdirSync(srv, { recursive: true })
  if (!dataDir) {
    const host = mkdtempSync(join(srv, 'synadm-test-'))
    return { host, inner: `/${relative(root, host)}`, temporary: true, mount: null }
  }
  const host = resolve(dataDir)
  mkdirSync(host, { recursive: true })
  const inRoot = relative(root, host)
  if (!inRoot.startsWith('..') && !isAbsolute(inRoot)) {
    return { host, inner: `/${inRoot}`, temporary: false, mount: null }
  }
  const name = `synadm-data-${createHash('sha1').update(host).digest('hex').slice(0, 10)}`
  const mount = join(srv, name)
  mkdirSync(mount, { recursive: true })
  if (!isMountpoint(mount)) run('mount', ['--bind', host, mount])
  return { host, inner: `/srv/${name}`, temporary: false, mount }
}

// Secrets survive restarts of a persistent data dir: tokens stay valid and the admin can log in again.
function loadSecrets(host) {
  const file = join(host, 'harness-secrets.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'))
  const secrets = {
    registrationSharedSecret: secret(),
    macaroonSecretKey: secret(),
    formSecret: secret(),
    adminPassword: secret(),
  }
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
  return secrets
}

// Same format as `synapse.app.homeserver --generate-keys`, without paying for a Python start.
function ensureSigningKey(host) {
  const file = join(host, 'signing.key')
  if (!existsSync(file)) {
    const seed = randomBytes(32).toString('base64').replace(/=+$/, '')
    writeFileSync(file, `ed25519 a_${randomBytes(3).toString('hex')} ${seed}\n`, { mode: 0o600 })
  }
}

// Delegating auth to MAS: Synapse asks MAS about every token and takes users and devices from it; registration
// and passwords stay off (Synapse refuses to start with them), and there is no shared-secret registration.
function delegationConfig(mas, secrets) {
  if (!mas) return { registration_shared_secret: secrets.registrationSharedSecret }
  return {
    matrix_authentication_service: { enabled: true, endpoint: mas.endpoint, secret: mas.secret },
    // A fresh database runs its background updates one a second; see waitForBackgroundUpdates.
    background_updates: { sleep_duration_ms: 10 },
  }
}

function homeserverConfig({ inner, port, secrets, lowRateLimit, serverName, mas }) {
  const high = { per_second: 10_000, burst_count: 100_000 }
  // Low enough that a few quick requests get 429, for the test of our rate-limit handling.
  const low = lowRateLimit ? { per_second: 0.2, burst_count: 2 } : high
  return {
    server_name: serverName,
    public_baseurl: `http://127.0.0.1:${port}/`,
    pid_file: `${inner}/homeserver.pid`,
    listeners: [
      {
        port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: { name: 'sqlite3', args: { database: `${inner}/homeserver.db` } },
    media_store_path: `${inner}/media_store`,
    signing_key_path: `${inner}/signing.key`,
    enable_registration: false,
    ...delegationConfig(mas, secrets),
    macaroon_secret_key: secrets.macaroonSecretKey,
    form_secret: secrets.formSecret,
    report_stats: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    bcrypt_rounds: 4,
    enable_media_repo: true,
    max_upload_size: '10M',
    url_preview_enabled: false,
    presence: { enabled: false },
    // Synapse's default is deny: a room created public would silently stay out of the directory.
    room_list_publication_rules: [{ action: 'allow' }],
    alias_creation_rules: [{ action: 'allow' }],
    // Makes the send_server_notice admin API work.
    server_notices: {
      system_mxid_localpart: 'server',
      system_mxid_display_name: 'Server Notices',
      room_name: 'Server Notices',
    },
    rc_message: low,
    rc_login: { address: low, account: low, failed_attempts: low },
    rc_admin_redaction: low,
    rc_room_creation: low,
    rc_joins: { local: low, remote: low },
    rc_joins_per_room: low,
    rc_invites: { per_room: low, per_user: low, per_issuer: low },
    rc_registration: high,
    rc_registration_token_validity: high,
    rc_media_create: high,
    rc_3pid_validation: high,
    rc_third_party_invite: high,
    rc_key_requests: high,
    rc_presence: { per_user: high },
    rc_delayed_event_mgmt: high,
    rc_reports: high,
    rc_user_directory: high,
  }
}

function logTail(logFile, lines = 30) {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function waitUntilUp({ url, child, logFile }) {
  let exited = null
  child.once('exit', (code, signal) => (exited = signal ?? `exit ${code}`))
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Synapse stopped during start-up (${exited}); log tail:\n${logTail(logFile)}`)
    try {
      const response = await fetch(`${url}/_matrix/client/versions`, { signal: AbortSignal.timeout(1000) })
      if (response.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`Synapse did not answer within ${START_TIMEOUT_MS / 1000} s; log tail:\n${logTail(logFile)}`)
}

async function adminLogin(server, password, serverName) {
  try {
    const { userId, token } = await registerUser(server, 'admin', { admin: true, password })
    return { userId, token }
  } catch (error) {
    if (error.errcode !== 'M_USER_IN_USE') throw error
  }
  // A persistent data dir already has the admin.
  const userId = `@admin:${serverName}`
  return { userId, token: await login(server, userId, password) }
}

// In MAS mode the admin and its token come from MAS; whoami proves Synapse takes the token (introspection works).
async function masAdmin(server, mas) {
  const { token } = await mas.attach(server.url)
  const { user_id: userId } = await matrixRequest(server, 'GET', '/_matrix/client/v3/account/whoami', { token })
  return { userId, token }
}

// Synapse 1.160 on SQLite answers /_synapse/mas/reactivate_user with 500 ("ON CONFLICT clause does not match any
// PRIMARY KEY or UNIQUE constraint") until the background update profiles_full_user_id_key_idx has built its index:
// waits until the database lists no pending background update (the status API shows only the running one).
async function waitForBackgroundUpdates(root, database) {
  const query = `import sqlite3; print(sqlite3.connect('${database}').execute('SELECT COUNT(*) FROM background_updates').fetchone()[0])`
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    const result = spawnSync('chroot', [root, 'python3', '-c', query], { encoding: 'utf8' })
    if (result.status === 0 && result.stdout.trim() === '0') return
    await new Promise((done) => setTimeout(done, 200))
  }
  throw new Error(`Synapse's background updates did not finish within ${START_TIMEOUT_MS / 1000} s`)
}

function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      done(true)
    })
  })
}

/**
 * Starts a Synapse and registers an admin. Options: `dataDir` (host path, kept; default: a fresh dir deleted on
 * stop), `port` (default: a free one), `lowRateLimit` (small rc_message/rc_login/... limits to provoke 429),
 * `detached` (own process group, survives this process; for the CLI and the demo), `serverName`, and `mas`
 * (`{endpoint, secret, attach(synapseUrl) → {token}}`: delegate auth to that MAS, whose attach() provisions the
 * admin and gives its token).
 */
export async function startSynapse({
  dataDir,
  port,
  lowRateLimit = false,
  detached = false,
  serverName = SERVER_NAME,
  mas = null,
} = {}) {
  const root = await buildRoot()
  mountSystemDirs(root)
  port ??= await freePort()
  const dir = prepareDataDir(root, dataDir)
  const secrets = loadSecrets(dir.host)
  ensureSigningKey(dir.host)
  const configFile = join(dir.host, 'homeserver.yaml')
  const config = homeserverConfig({ inner: dir.inner, port, secrets, lowRateLimit, serverName, mas })
  writeFileSync(configFile, yaml.dump(config), { mode: 0o600 })
  const logFile = join(dir.host, 'homeserver.log')
  const logFd = openSync(logFile, 'a')
  const homeserver = ['chroot', root, 'python3', '-m', 'synapse.app.homeserver', '-c', `${dir.inner}/homeserver.yaml`]
  // Unless detached, the kernel sends SIGTERM to the server when this process dies, however it dies (a killed
  // test run must not leave servers behind). setpriv and chroot exec, so the PID is the server's.
  const command = detached ? homeserver : ['setpriv', '--pdeathsig', 'SIGTERM', ...homeserver]
  const child = spawn(command[0], command.slice(1), {
    stdio: ['ignore', logFd, logFd],
    detached,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root' },
  })
  closeSync(logFd)
  if (detached) child.unref()

  let stopped = false
  async function stop() {
    if (stopped) return
    stopped = true
    child.kill('SIGTERM')
    if (!(await waitForExit(child, STOP_GRACE_MS))) {
      child.kill('SIGKILL')
      await waitForExit(child, STOP_GRACE_MS)
    }
    if (dir.mount) {
      run('umount', [dir.mount])
      rmdirSync(dir.mount)
    }
    if (dir.temporary) rmSync(dir.host, { recursive: true, force: true })
  }

  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntilUp({ url, child, logFile })
    const registrationSharedSecret = mas ? null : secrets.registrationSharedSecret
    const server = { url, registrationSharedSecret }
    const admin = mas ? await masAdmin(server, mas) : await adminLogin(server, secrets.adminPassword, serverName)
    if (mas) await waitForBackgroundUpdates(root, config.database.args.database)
    const { server_version: version } = await matrixRequest(server, 'GET', '/_synapse/admin/v1/server_version', {
      token: admin.token,
    })
    return {
      url,
      serverName,
      version,
      adminUserId: admin.userId,
      adminToken: admin.token,
      adminPassword: mas ? null : secrets.adminPassword,
      registrationSharedSecret,
      masEndpoint: mas?.endpoint ?? null,
      pid: child.pid,
      root,
      dataDir: dir.host,
      configFile,
      logFile,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * Writes a config file both our CLI and the Python synadm read (mode 0600; `homeserver` set because a loopback
 * server can't answer federation discovery).
 */
export function writeSynadmConfig(file, { url, adminUserId, adminToken, serverName }) {
  mkdirSync(dirname(file), { recursive: true })
  const config = {
    user: adminUserId,
    token: adminToken,
    base_url: url,
    admin_path: '/_synapse/admin',
    matrix_path: '/_matrix',
    timeout: 30,
    format: 'json',
    ssl_verify: true,
    server_discovery: 'well-known',
    homeserver: serverName,
  }
  writeFileSync(file, yaml.dump(config, { sortKeys: true }), { mode: 0o600 })
  chmodSync(file, 0o600) // writeFileSync's mode only applies to new files.
}

// ---- CLI ----

const stateDir = join(repoRoot, '.synadm-test')
const stateFile = join(stateDir, 'synapse.json')

function processState(pid) {
  try {
    // Field 3 of /proc/<pid>/stat is the state; Z = exited but not yet reaped.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[0]
  } catch {
    return null
  }
}

const alive = (pid) => ![null, 'Z', 'X'].includes(processState(pid))

async function cliStart() {
  if (existsSync(stateFile)) {
    const { pid } = JSON.parse(readFileSync(stateFile, 'utf8'))
    if (alive(pid)) throw new Error(`a test Synapse is already running (pid ${pid}); run: node test/synapse/server.mjs stop`)
  }
  const synapse = await startSynapse({ detached: true })
  const state = {
    url: synapse.url,
    token: synapse.adminToken,
    adminUserId: synapse.adminUserId,
    serverName: synapse.serverName,
    registrationSharedSecret: synapse.registrationSharedSecret,
    pid: synapse.pid,
    version: synapse.version,
    dataDir: synapse.dataDir,
    configFile: synapse.configFile,
  }
  mkdirSync(stateDir, { recursive: true })
  writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 })
  writeSynadmConfig(join(stateDir, 'synadm.yaml'), synapse)
  console.log(`Synapse ${synapse.version} at ${synapse.url} (server name ${synapse.serverName}, pid ${synapse.pid})`)
  console.log(`Config: ${relative(process.cwd(), join(stateDir, 'synadm.yaml'))}; stop with: node test/synapse/server.mjs stop`)
}

async function cliStop() {
  if (!existsSync(stateFile)) throw new Error(`no ${relative(process.cwd(), stateFile)}: nothing to stop`)
  const state = JSON.parse(readFileSync(stateFile, 'utf8'))
  // Guard against a recycled PID: only signal the process if it runs our homeserver.yaml.
  let cmdline = ''
  try {
    cmdline = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8')
  } catch {
    // Already gone.
  }
  if (alive(state.pid) && cmdline.includes(`/${basename(state.dataDir)}/homeserver.yaml`)) {
    process.kill(state.pid, 'SIGTERM')
    const deadline = Date.now() + STOP_GRACE_MS
    while (alive(state.pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100))
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL')
  }
  // The CLI always starts with a fresh data dir inside the root; it is throwaway.
  if (state.dataDir?.includes('/srv/synadm-test-')) rmSync(state.dataDir, { recursive: true, force: true })
  rmSync(stateFile, { force: true })
  rmSync(join(stateDir, 'synadm.yaml'), { force: true })
  console.log(`Stopped Synapse (pid ${state.pid})`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2]
  const action = { start: cliStart, stop: cliStop }[command]
  if (!action) {
    console.error('usage: node test/synapse/server.mjs start|stop')
    process.exit(2)
  }
  action().catch((error) => {
    console.error(`server.mjs ${command}: ${error.message}`)
    process.exit(1)
  })
}
