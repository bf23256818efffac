// `synadm status` benchmark: the requests and wall time of one `status` on a Synapse of 10,000 users, and of a fleet
// of two profiles, against gathering the same facts with the Python synadm, one command each (`version`,
// `matrix raw` for the auth metadata, `raw` for the Admin API reads, `room list` for the largest rooms). Requests
// are counted by a proxy in front of Synapse that every contender goes through.
// Writes its section of BENCHMARKS.md (between the status markers); every figure comes from this one run.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRoom, joinRoom, registerUser, reportEvent, sendMessage, uploadMedia } from '../test/synapse/client.mjs'
import { readyRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeSection } from './report.mjs'
import { fillUsers } from './users-fixture.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const USERS = Number(process.env.BENCH_STATUS_USERS ?? 10_000)
const RUNS = Number(process.env.BENCH_STATUS_RUNS ?? 11)
const PYTHON_RUNS = Number(process.env.BENCH_STATUS_PYTHON_RUNS ?? 5)
const ATTENTION = 12

const loadBefore = loadavg()[0]
const server = await startSynapse()
try {
  // A server with something to report: 10,000 accounts, media, rooms, a waiting report.
  await fillUsers(server, server.serverName, USERS)
  const alice = await registerUser(server, `alice${Date.now().toString(36)}`)
  const bob = await registerUser(server, `bob${Date.now().toString(36)}`)
  await uploadMedia(server, alice.token, new Uint8Array(2_000_000))
  await uploadMedia(server, bob.token, new Uint8Array(500_000))
  const lobby = await createRoom(server, alice.token, { name: 'Lobby', isPublic: true })
  await joinRoom(server, bob.token, lobby)
  await reportEvent(server, bob.token, lobby, await sendMessage(server, alice.token, lobby, 'spam'))

  // Every request of every contender passes here and is counted.
  let requests = 0
  const upstream = new URL(server.url)
  const proxy = createServer((req, res) => {
    requests++
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode, reply.headers)
      reply.pipe(res)
    })
    req.pipe(forward)
  })
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const proxied = { ...server, url: `http://127.0.0.1:${proxy.address().port}` }

  const dir = mkdtempSync(join(tmpdir(), 'synadm-bench-status-'))
  const config = join(dir, 'synadm.yaml')
  writeSynadmConfig(config, proxied)
  const servers = join(dir, 'config', 'synadm', 'servers')
  mkdirSync(servers, { recursive: true })
  for (const name of ['a', 'b']) writeSynadmConfig(join(servers, `${name}.yaml`), proxied)
  const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir }
  const synadm = join(repo, 'bin/synadm.js')

  /** Runs a command (not spawnSync: the proxy in this process must keep answering): wall time and requests. */
  const time = async (command, args) => {
    const before = requests
    const started = process.hrtime.bigint()
    await new Promise((resolve, reject) => {
      const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (chunk) => (stderr += chunk))
      child.on('error', reject)
      child.on('close', (code) => (code === 0 || code === ATTENTION ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`))))
    })
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, requests: requests - before }
  }

  const ours = () => time('node', [synadm, '-c', config, '-o', 'json', 'status'])
  const fleet = () => time('node', [synadm, '-S', 'a,b', '-o', 'json', 'status'])
  // The same facts, one Python synadm command each.
  const root = readyRoot()
  const PYTHON_COMMANDS = [
    ['version'],
    ['matrix', 'raw', 'client/v1/auth_metadata'],
    ['raw', 'v1/background_updates/status'],
    ['raw', 'v1/scheduled_tasks?status=active&status=failed'],
    ['raw', 'v1/event_reports?limit=1&dir=f'],
    ['raw', 'v1/user_reports?limit=1&dir=f'],
    ['raw', 'v1/federation/destinations?order_by=failure_ts&dir=b&limit=100'],
    ['raw', 'v1/federation/destinations?order_by=failure_ts&dir=f&limit=100'],
    ['raw', 'v2/users?order_by=creation_ts&dir=b&limit=250&guests=false&deactivated=true'],
    ['raw', 'v1/statistics/users/media?order_by=media_length&dir=b&limit=5'],
    ['raw', 'v1/statistics/database/rooms'],
    ['room', 'list', '-s', 'joined_members', '-l', '5'],
  ]
  let python
  if (root) {
    writeSynadmConfig(join(root, 'root', '.config', 'synadm-bench-status.yaml'), proxied)
    python = async () => {
      let total = { ms: 0, requests: 0 }
      for (const command of PYTHON_COMMANDS) {
        const one = await time('chroot', [root, 'env', 'HOME=/root', 'synadm', '-c', '/root/.config/synadm-bench-status.yaml', '--batch', '-o', 'json', ...command])
        total = { ms: total.ms + one.ms, requests: total.requests + one.requests }
      }
      return total
    }
  }

  // Interleaved, so machine noise hits all alike; the first run of each warms caches and is not counted.
  const contenders = { ours, fleet, ...(python ? { python } : {}) }
  for (const run of Object.values(contenders)) await run()
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(contenders)) if (name !== 'python' || i < PYTHON_RUNS) samples[name].push(await run())
  }
  proxy.close()

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const figures = Object.fromEntries(Object.entries(samples).map(([name, runs]) => [name, { ms: median(runs.map((r) => r.ms)), requests: [...new Set(runs.map((r) => r.requests))].join(' or '), runs: runs.length }]))
  const s = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)
  const rows = [
    ['`synadm status`', figures.ours],
    ['`synadm -S a,b status` (two profiles of this server)', figures.fleet],
    ...(figures.python ? [[`the Python synadm 0.49.2, ${PYTHON_COMMANDS.length} commands one after another`, figures.python]] : []),
  ]
  const section = `<!-- status:start (written by bench/status.mjs) -->
## Status at a glance: \`synadm status\`

Measured by \`node bench/status.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, against a
fresh Synapse ${server.version} (SQLite) on loopback with ${USERS.toLocaleString('en')} fixture accounts and a few more with media, a room
and a waiting report. Requests are counted by a proxy in front of Synapse that every contender goes through;
times are wall times with process start, medians (the Python sequence: ${figures.python?.runs ?? 0} runs, synadm: ${figures.ours.runs} each),
the runs interleaved. Load average (1 min) at the start ${loadBefore.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}${loadBefore > cpus().length ? ': other jobs\nshared the machine, so compare within this table only' : ''}.

| what | requests | wall time | runs |
|---|---|---|---|
${rows.map(([name, f]) => `| ${name} | ${f.requests} | ${s(f.ms)} | ${f.runs} |`).join('\n')}

- \`status\` sends ${figures.ours.requests} requests, a few checks at a time (nothing cached: each run asks anew). On SQLite Synapse
  refuses the database room sizes (PostgreSQL only), so the room list by members is asked after it: one request
  more than on PostgreSQL. New accounts come from one page of the 250 newest, whatever the number of accounts.
- The Python synadm gathers the same replies with ${PYTHON_COMMANDS.length} commands (\`version\`, \`matrix raw\`, \`raw\` …, \`room list\`),
  a process each, and leaves judging them to the reader${figures.python ? `: **${(figures.python.ms / figures.ours.ms).toFixed(1)}×** the time of \`synadm status\`` : ' (not measured: no Python chroot)'}.
<!-- status:end -->
`
  writeSection('status', section)
} finally {
  await server.stop()
}
