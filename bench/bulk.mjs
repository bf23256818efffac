// Bulk benchmark: shadow-banning 1000 users with `--targets`, against a minimal Node.js script sending the same
// requests at the same concurrency, a shell loop of our one-shot command, and a shell loop of the Python synadm.
// The loops take minutes for 1000 users: they run on a sample and are extrapolated (the report says so).
// Writes its section of BENCHMARKS.md (between the bulk markers); every figure comes from this one run.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { matrixRequest } from '../test/synapse/client.mjs'
import { readyRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeSection } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const USERS = Number(process.env.BENCH_BULK_USERS ?? 1000)
const RUNS = Number(process.env.BENCH_BULK_RUNS ?? 3)
const LOOP_SAMPLE = Number(process.env.BENCH_LOOP_SAMPLE ?? 100)
const PYTHON_SAMPLE = Number(process.env.BENCH_PYTHON_SAMPLE ?? 50)
const CONCURRENCY = 8 // synadm's default for shadow-ban (core/cli/options.ts)

const loadBefore = loadavg()[0]
const server = await startSynapse()
const env = { ...process.env, SYNAPSE_URL: server.url, SYNAPSE_ADMIN_TOKEN: server.adminToken, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'synadm-bench-cache-')) }
const dir = mkdtempSync(join(tmpdir(), 'synadm-bench-bulk-'))
const config = join(dir, 'synadm.yaml')
writeSynadmConfig(config, server)
const synadm = join(repo, 'bin/synadm.js')

function time(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 1 << 28, ...options })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
  return ms
}

// 1000 fresh accounts, made by `user import` (not timed).
const prefix = `bench${Date.now().toString(36)}`
const ids = Array.from({ length: USERS }, (_, i) => `@${prefix}-${String(i).padStart(4, '0')}:${server.serverName}`)
writeFileSync(join(dir, 'users.csv'), ['name', ...ids].join('\n') + '\n')
time('node', [synadm, '-c', config, '--batch', '-o', 'jsonl', 'user', 'import', join(dir, 'users.csv'), '--concurrency', '8'])
const targets = join(dir, 'targets.txt')
writeFileSync(targets, ids.join('\n') + '\n')

const shadowBanned = async () => {
  const { users } = await matrixRequest(server, 'GET', '/_synapse/admin/v2/users', { token: server.adminToken, query: { name: prefix, limit: USERS + 10 } })
  return users.filter((u) => u.shadow_banned).length
}
/** Lifts every ban (not timed), so each contender starts from the same state. */
const reset = async () => {
  time('node', [synadm, '-c', config, '--batch', '-o', 'jsonl', 'user', 'shadow-ban', '-u', '--targets', targets, '--concurrency', '8'])
  if ((await shadowBanned()) !== 0) throw new Error('reset left shadow-bans')
}
const check = async (who) => {
  const count = await shadowBanned()
  if (count !== USERS) throw new Error(`${who} shadow-banned ${count} of ${USERS}`)
}

const contenders = {
  ours: () => time('node', [synadm, '-c', config, '--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', targets, '--concurrency', String(CONCURRENCY)]),
  minimal: () => time('node', [join(repo, 'bench/minimal-shadow-ban.mjs'), targets, String(CONCURRENCY)]),
}
const samples = { ours: [], minimal: [] }
for (let i = 0; i < RUNS; i++) {
  for (const [name, run] of Object.entries(contenders)) {
    await reset()
    samples[name].push(run())
    await check(name)
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

// The loops: one process per user, on a sample.
await reset()
const loop = (sample, line) => {
  const list = join(dir, `sample-${sample}.txt`)
  writeFileSync(list, ids.slice(0, sample).join('\n') + '\n')
  return time('sh', ['-c', `while read -r u; do ${line} >/dev/null || exit 1; done < "${list}"`]) / sample
}
const oursLoopPerUser = loop(LOOP_SAMPLE, `node "${synadm}" -c "${config}" --batch user shadow-ban "$u"`)
const root = readyRoot()
let pythonPerUser
if (root) {
  writeSynadmConfig(join(root, 'root', '.config', 'synadm-bench-bulk.yaml'), server)
  pythonPerUser = loop(PYTHON_SAMPLE, `chroot "${root}" env HOME=/root synadm -c /root/.config/synadm-bench-bulk.yaml --batch user shadow-ban "$u"`)
}
await server.stop()

const oursMs = median(samples.ours)
const minimalMs = median(samples.minimal)
const s = (ms) => `${(ms / 1000).toFixed(1)} s`
const verdict = (ok) => (ok ? 'met' : '**not met**')
const rows = [
  [`synadm --targets (concurrency ${CONCURRENCY})`, s(oursMs), `${(oursMs / USERS).toFixed(1)} ms`, `measured, median of ${RUNS}`],
  [`minimal node:http script (concurrency ${CONCURRENCY})`, s(minimalMs), `${(minimalMs / USERS).toFixed(1)} ms`, `measured, median of ${RUNS}`],
  ['shell loop of `synadm user shadow-ban`', s(oursLoopPerUser * USERS), `${oursLoopPerUser.toFixed(1)} ms`, `${LOOP_SAMPLE} users measured, × ${+(USERS / LOOP_SAMPLE).toFixed(1)}`],
  ...(pythonPerUser ? [['shell loop of the Python synadm 0.49.2', s(pythonPerUser * USERS), `${pythonPerUser.toFixed(1)} ms`, `${PYTHON_SAMPLE} users measured, × ${+(USERS / PYTHON_SAMPLE).toFixed(1)}`]] : []),
]
const section = `<!-- bulk:start (written by bench/bulk.mjs) -->
## Bulk: shadow-banning ${USERS} users

Measured by \`node bench/bulk.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, against a
fresh Synapse ${server.version} on loopback, all in one run. Each contender starts with no user shadow-banned and is
checked afterwards on the server (${USERS} shadow-banned). All send the same request per user, a POST of its
shadow_ban (Synapse answers 404 for an account it does not have); synadm and the minimal script on keep-alive
connections, ${CONCURRENCY} at a time. The
loops start one process per user and are **measured on a sample and extrapolated**, as marked. Load average
(1 min) at the start ${loadBefore.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}${loadBefore > cpus().length ? ': other jobs shared the machine, so compare within this table only' : ' (Synapse and the contender on the same cores)'}.

| contender | ${USERS} users | per user | how |
|---|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

- Against the Python synadm loop: **${pythonPerUser ? ((pythonPerUser * USERS) / oursMs).toFixed(0) + '×' : 'n/a'} faster** (goal ≥ 50×: ${pythonPerUser ? verdict((pythonPerUser * USERS) / oursMs >= 50) : 'not measured: no Python chroot'}).
- Against the minimal Node.js script: **${(oursMs / minimalMs).toFixed(2)}×** its time (goal ≤ 1.5×: ${verdict(oursMs / minimalMs <= 1.5)}).
- Against a loop of our own one-shot command: ${((oursLoopPerUser * USERS) / oursMs).toFixed(0)}× faster.
<!-- bulk:end -->
`
writeSection('bulk', section)
