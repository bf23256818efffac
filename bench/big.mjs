// `--all` on big servers (not run in CI): against a Synapse filled by bench/big-server.mjs (SYNAPSE_URL,
// SYNAPSE_ADMIN_TOKEN), in one run: which page size the user and room lists serve best (bench/page-size.mjs),
// `synadm user list --all -o jsonl` and `room list --all -o jsonl` against a minimal keep-alive Node.js script
// paging with limit=1000 (wall time and peak RSS, interleaved), and the same at 100,000 users from a recorded replay
// (bench/replay-server.mjs). Writes its section of BENCHMARKS.md (between the big-servers markers).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeSection } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const REPLAY_USERS = 100_000
const { SYNAPSE_URL: url, SYNAPSE_ADMIN_TOKEN: token } = process.env
if (!url || !token) throw new Error('set SYNAPSE_URL and SYNAPSE_ADMIN_TOKEN to a server filled by bench/big-server.mjs')
const dir = mkdtempSync(join(tmpdir(), 'synadm-big-bench-'))
const loadBefore = loadavg()[0]

async function get(path) {
  const response = await fetch(new URL(path, url), { headers: { authorization: `Bearer ${token}` } })
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
  return response.json()
}
const { server_version: version } = await get('/_synapse/admin/v1/server_version')
const { user_id: adminUserId } = await get('/_matrix/client/v3/account/whoami')
const serverName = adminUserId.slice(adminUserId.indexOf(':') + 1)
const config = (base) => {
  const file = join(dir, `synadm-${new URL(base).port}.yaml`)
  writeSynadmConfig(file, { url: base, adminUserId, adminToken: token, serverName })
  return file
}

/** One run of a command: wall time and peak RSS (GNU time), stdout to a file, its lines counted. */
function measure(command, args, env = {}) {
  const out = join(dir, 'out')
  const fd = openSync(out, 'w')
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ...env }, encoding: 'utf8' })
  closeSync(fd)
  const last = result.stderr.trim().split('\n').pop()
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`)
  const [seconds, kb] = last.split(' ').map(Number)
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean).length
  return { ms: seconds * 1000, rssMb: kb / 1024, lines }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
/** Contenders interleaved, RUNS times; every run of every contender must print the same number of items. */
function compare(contenders, items) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, { ms: [], rss: [] }]))
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(contenders)) {
      const { ms, rssMb, lines } = run()
      if (lines !== items) throw new Error(`${name} printed ${lines} items, not ${items}`)
      samples[name].ms.push(ms)
      samples[name].rss.push(rssMb)
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, { ms, rss }]) => [name, { median: median(ms), min: Math.min(...ms), max: Math.max(...ms), rss: Math.max(...rss) }]))
}

const synadm = (base, ...words) => () => measure(process.execPath, [join(repo, 'bin/synadm.js'), '-c', config(base), ...words])
/** the same with V8's old generation capped: it still runs, so what it keeps alive stays under the cap */
const OLD_SPACE_MB = 48
const capped = (base, ...words) => () => measure(process.execPath, [`--max-old-space-size=${OLD_SPACE_MB}`, join(repo, 'bin/synadm.js'), '-c', config(base), ...words])
const baseline = (base, path, items, next) => () => measure(process.execPath, [join(repo, 'bench/list-baseline.mjs'), path, items, next, '1000'], { SYNAPSE_URL: base, SYNAPSE_ADMIN_TOKEN: token })

// Page sizes, measured on this server in this run.
function pageSizes(path, items, next, total) {
  const result = spawnSync(process.execPath, [join(repo, 'bench/page-size.mjs'), path, items, next, total, '1000'], { env: { ...process.env, BENCH_RUNS: String(Math.min(RUNS, 3)) }, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`page-size: ${result.stderr}`)
  return JSON.parse(result.stdout)
}
const userSizes = pageSizes('/_synapse/admin/v2/users', 'users', 'next_token', 'total')
const roomSizes = pageSizes('/_synapse/admin/v1/rooms', 'rooms', 'next_batch', 'total_rooms')

const users = (await get('/_synapse/admin/v2/users?limit=1')).total
const rooms = (await get('/_synapse/admin/v1/rooms?limit=1')).total_rooms
const userRuns = compare({ synadm: synadm(url, 'user', 'list', '--all', '-o', 'jsonl'), baseline: baseline(url, '/_synapse/admin/v2/users', 'users', 'next_token') }, users)
const roomRuns = compare({ synadm: synadm(url, 'room', 'list', '--all', '-o', 'jsonl'), baseline: baseline(url, '/_synapse/admin/v1/rooms', 'rooms', 'next_batch') }, rooms)
// Today's --all before this change paged with -l's default of 100: the same command with -l 100 shows it.
const oldWay = compare({ synadm: synadm(url, 'user', 'list', '--all', '-l', '100', '-o', 'jsonl') }, users)

// 100k: user objects recorded from this server, replayed by a local server that pages like Synapse.
const recording = join(dir, 'recording.json')
writeFileSync(recording, JSON.stringify((await get(`/_synapse/admin/v2/users?limit=${users}`)).users))
const replay = spawn(process.execPath, [join(repo, 'bench/replay-server.mjs'), recording, String(REPLAY_USERS)], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((resolve, reject) => {
  replay.stdout.setEncoding('utf8').on('data', (text) => { const m = /listening (\d+)/.exec(text); if (m) resolve(Number(m[1])) })
  replay.on('exit', (code) => reject(new Error(`replay server exited ${code}`)))
})
const replayUrl = `http://127.0.0.1:${port}`
const replayRuns = compare({
  synadm: synadm(replayUrl, 'user', 'list', '--all', '-o', 'jsonl'),
  baseline: baseline(replayUrl, '/_synapse/admin/v2/users', 'users', 'next_token'),
  [`node --max-old-space-size=${OLD_SPACE_MB}`]: capped(replayUrl, 'user', 'list', '--all', '-o', 'jsonl'),
}, REPLAY_USERS)
replay.kill()

const ms = (x) => `${(x / 1000).toFixed(2)} s`
const mb = (x) => `${x.toFixed(0)} MB`
const verdict = (ok) => (ok ? 'met' : '**not met**')
const sizeRows = (r) => r.sizes.results.map((x) => `| ${x.name} | ${ms(x.median)} | ${ms(x.min)} | ${ms(x.max)} |`).join('\n')
const flightRows = (r) => r.concurrency.results.map((x) => `| ${x.name} | ${ms(x.median)} | ${ms(x.min)} | ${ms(x.max)} |`).join('\n')
const runRows = (r, what) => Object.entries(r).map(([name, x]) => `| ${name === 'baseline' ? 'minimal keep-alive script, limit=1000' : `\`${what}\`${name === 'synadm' ? '' : ` (${name})`}`} | ${ms(x.median)} | ${ms(x.min)} | ${ms(x.max)} | ${mb(x.rss)} |`).join('\n')
const ratio = (r) => r.synadm.median / r.baseline.median

const section = `<!-- big-servers:start (written by bench/big.mjs) -->
## Big servers: \`--all\`

Measured by \`node bench/big.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, against Synapse ${version}
on loopback holding ${users.toLocaleString('en')} users and ${rooms.toLocaleString('en')} rooms (built by \`bench/big-server.mjs\`: concurrent admin
PUTs without passwords, concurrent createRoom), all in one run; contenders interleaved, ${RUNS} runs each, peak RSS
by GNU time (the largest of the runs). Load average (1 min) at the start ${loadBefore.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}:
other jobs shared the machine, so compare within this section only.

### Page size (bench/page-size.mjs: the whole list, one keep-alive connection, nothing printed)

| users (${userSizes.sizes.items}) | median | min | max |
|---|---|---|---|
${sizeRows(userSizes)}
${flightRows(userSizes)}

| rooms (${roomSizes.sizes.items}) | median | min | max |
|---|---|---|---|
${sizeRows(roomSizes)}
${flightRows(roomSizes)}

Each page costs Synapse a count of the whole list besides the page itself, so fewer, larger pages win; 5000 is
what \`user list\` and \`room list\` declare for \`--all\` without \`-l\` (pageSize), with 2 pages in flight
(core/run/paginate.ts ALL_CONCURRENCY) and the next page fetched while the current one is printed.

### \`user list --all -o jsonl\` (${users.toLocaleString('en')} users)

| program | median | min | max | peak RSS |
|---|---|---|---|---|
${runRows(userRuns, 'synadm user list --all -o jsonl')}
${runRows(oldWay, 'synadm user list --all -l 100 -o jsonl')}

- Against the minimal script at limit=1000: **${ratio(userRuns).toFixed(2)}×** its time (goal ≤ 1.15×: ${verdict(ratio(userRuns) <= 1.15)}); peak RSS ${mb(userRuns.synadm.rss)} (goal < 100 MB: ${verdict(userRuns.synadm.rss < 100)}).
- Against \`--all\` with 100 a page (what it did before): ${(oldWay.synadm.median / userRuns.synadm.median).toFixed(1)}× faster.

### \`room list --all -o jsonl\` (${rooms.toLocaleString('en')} rooms)

| program | median | min | max | peak RSS |
|---|---|---|---|---|
${runRows(roomRuns, 'synadm room list --all -o jsonl')}

- Against the minimal script at limit=1000: **${ratio(roomRuns).toFixed(2)}×** its time (goal ≤ 1.15×: ${verdict(ratio(roomRuns) <= 1.15)}); peak RSS ${mb(roomRuns.synadm.rss)} (goal < 100 MB: ${verdict(roomRuns.synadm.rss < 100)}).

### 100,000 users: a recorded replay

Not a real Synapse: \`bench/replay-server.mjs\` serves the ${users.toLocaleString('en')} user objects recorded from the server above,
in turn with unique names, ${REPLAY_USERS.toLocaleString('en')} long, paged as Synapse pages v2/users (offset, limit, total, next_token). It
answers faster than Synapse would (no database), so this shows synadm's own cost and memory at that size.

| program | median | min | max | peak RSS |
|---|---|---|---|---|
${runRows(replayRuns, 'synadm user list --all -o jsonl')}

- Peak RSS at ${REPLAY_USERS.toLocaleString('en')} users: ${mb(replayRuns.synadm.rss)} against ${mb(userRuns.synadm.rss)} at ${users.toLocaleString('en')} (goal < 100 MB: ${verdict(replayRuns.synadm.rss < 100)}).
  With V8's old generation capped at ${OLD_SPACE_MB} MB the same run completes (peak RSS ${mb(replayRuns[`node --max-old-space-size=${OLD_SPACE_MB}`].rss)}): what synadm keeps alive
  fits in 48 MB; the rest of the RSS is garbage V8 has not collected yet (on a long list it grows its heap before
  collecting). Not flat in RSS: the goal is not met at 100k.
- Against the minimal script: ${ratio(replayRuns).toFixed(2)}× its time.
<!-- big-servers:end -->
`
writeSection('big-servers', section)
