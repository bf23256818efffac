// Start-up and shell throughput benchmarks against a local Synapse; writes BENCHMARKS.md.
// Every figure is measured in this one run, next to its baseline.
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readyRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeHead } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 11)
const SHELL_COMMANDS = Number(process.env.BENCH_SHELL_COMMANDS ?? 1000)

const server = process.env.SYNAPSE_URL
  ? { url: process.env.SYNAPSE_URL, adminToken: process.env.SYNAPSE_ADMIN_TOKEN, adminUserId: process.env.SYNAPSE_ADMIN_USER ?? '@admin:synadm.test', serverName: 'synadm.test', version: '?', stop: async () => {} }
  : await startSynapse()
const env = { ...process.env, SYNAPSE_URL: server.url, SYNAPSE_ADMIN_TOKEN: server.adminToken }
const dir = mkdtempSync(join(tmpdir(), 'synadm-bench-'))
const config = join(dir, 'synadm.yaml')
writeSynadmConfig(config, { url: server.url, adminUserId: server.adminUserId, adminToken: server.adminToken, serverName: server.serverName })

function time(command, args, input, extraEnv = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { env: { ...env, ...extraEnv }, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
  return { ms, stdout: result.stdout }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Runs the contenders interleaved, so machine noise hits all of them alike. */
function compare(contenders) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  for (let i = 0; i < RUNS; i++) for (const [name, run] of Object.entries(contenders)) samples[name].push(run().ms)
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, { median: median(values), min: Math.min(...values), max: Math.max(...values) }]))
}

const root = readyRoot()
const pythonConfig = root ? join(root, 'root', '.config', 'synadm-bench.yaml') : undefined
if (pythonConfig) writeSynadmConfig(pythonConfig, { url: server.url, adminUserId: server.adminUserId, adminToken: server.adminToken, serverName: server.serverName })

// synadm keeps V8's compiled code in a cache (bin/code-cache.cjs): runs after the first use it; an empty cache
// folder per run shows a first start.
const codeCache = join(dir, 'cache')
const ours = () => time('node', [join(repo, 'bin/synadm.js'), '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: codeCache })
const oursFirstStart = () => time('node', [join(repo, 'bin/synadm.js'), '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: mkdtempSync(join(dir, 'nocache-')) })
const minimal = () => time('node', [join(repo, 'bench/minimal-version.mjs')])
const python = () => time('chroot', [root, 'synadm', '-c', '/root/.config/synadm-bench.yaml', '--batch', '-o', 'json', 'version'])
const bare = () => time('node', ['-e', '0'])

// Same answer from all three before timing anything.
const expected = JSON.parse(minimal().stdout)
if (JSON.stringify(JSON.parse(ours().stdout)) !== JSON.stringify(expected)) throw new Error('synadm printed something else than the server version')
const startup = compare({
  'node -e 0': bare,
  'minimal node:http script': minimal,
  'synadm (this project)': ours,
  'synadm, first start (no code cache yet)': oursFirstStart,
  ...(root ? { 'Python synadm 0.49.2': python } : {}),
})

const shellInput = 'version\n'.repeat(SHELL_COMMANDS)
const shellRun = time('node', [join(repo, 'bin/synadm.js'), '-c', config, '-o', 'json', 'shell'], shellInput, { XDG_CACHE_HOME: codeCache })
const keepAliveRun = time('node', [join(repo, 'bench/keepalive-version.mjs'), String(SHELL_COMMANDS)])
const shellLines = shellRun.stdout.split('\n').filter((l) => l.includes('server_version')).length
if (shellLines !== SHELL_COMMANDS) throw new Error(`the shell answered ${shellLines} of ${SHELL_COMMANDS} commands`)

const f = (ms) => `${ms.toFixed(1)} ms`
const oursMs = startup['synadm (this project)'].median
const minimalMs = startup['minimal node:http script'].median
const pythonMs = startup['Python synadm 0.49.2']?.median
const perShell = shellRun.ms / SHELL_COMMANDS
const perKeepAlive = keepAliveRun.ms / SHELL_COMMANDS
const verdict = (ok) => (ok ? 'met' : '**not met**')

const report = `# Benchmarks

Measured by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version},
against Synapse ${server.version} on loopback. All figures come from the same run; contenders are interleaved, ${RUNS} runs each,
because this kind of machine (a shared VM) varies by a third between runs: compare medians within one run only.
How start-up is kept short: README, section Architecture.

## Cold start: \`synadm -o json version\`

| program | median | min | max |
|---|---|---|---|
${Object.entries(startup).map(([name, s]) => `| ${name} | ${f(s.median)} | ${f(s.min)} | ${f(s.max)} |`).join('\n')}

- Over the minimal Node.js script: **${f(oursMs - minimalMs)}** (goal ≤ 50 ms: ${verdict(oursMs - minimalMs <= 50)}).
- The very first start, before V8's code cache exists: ${f(startup['synadm, first start (no code cache yet)'].median - minimalMs)} over the minimal script.
${pythonMs ? `- Against the Python synadm: **${((oursMs / pythonMs) * 100).toFixed(0)} %** of its wall time (goal ≤ 50 %: ${verdict(oursMs <= pythonMs / 2)}).` : '- The Python synadm was not available in this run.'}

## Many commands in one shell

${SHELL_COMMANDS} \`version\` commands piped into one \`synadm -o json shell\`, against the same ${SHELL_COMMANDS} requests made one
after another on one keep-alive connection by a minimal Node.js script (both include process start-up).

| | total | per command |
|---|---|---|
| synadm shell | ${f(shellRun.ms)} | ${f(perShell)} |
| keep-alive node:http script | ${f(keepAliveRun.ms)} | ${f(perKeepAlive)} |

- Overhead per command: **${f(perShell - perKeepAlive)}** (goal ≤ 3 ms: ${verdict(perShell - perKeepAlive <= 3)}).
${pythonMs ? `- The Python synadm needs a process per command: ${SHELL_COMMANDS} × ${f(pythonMs)} ≈ ${(SHELL_COMMANDS * pythonMs / 1000).toFixed(0)} s.` : ''}
`
// Other benchmarks (bench/bulk.mjs, bench/shell-keys.mjs …) write their own marked sections: writeHead keeps them.
writeHead(report)
process.stdout.write(report)
await server.stop()
