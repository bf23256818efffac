// Start-up and shell throughput benchmarks against a local Synapse; writes the head of BENCHMARKS.md.
// Every figure is measured in this one run, next to its baselines, with the contenders interleaved.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readyRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeHead } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 31)
const SHELL_COMMANDS = Number(process.env.BENCH_SHELL_COMMANDS ?? 1000)
const SHELL_RUNS = Number(process.env.BENCH_SHELL_RUNS ?? 5)
const GOALS = { overCommonJs: 40, ofPython: 0.45, shellPerCommand: 1 }

const loadBefore = loadavg()[0]
const server = process.env.SYNAPSE_URL
  ? { url: process.env.SYNAPSE_URL, adminToken: process.env.SYNAPSE_ADMIN_TOKEN, adminUserId: process.env.SYNAPSE_ADMIN_USER ?? '@admin:synadm.test', serverName: 'synadm.test', version: '?', stop: async () => {} }
  : await startSynapse()
// NODE_EXTRA_CA_CERTS makes every Node.js start read and parse that file (~40 ms on this VM, where the
// environment sets it): it is left out, and one contender shows what it costs.
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...inherited } = process.env
const env = { ...inherited, SYNAPSE_URL: server.url, SYNAPSE_ADMIN_TOKEN: server.adminToken }
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

/** median, quartiles, min and max of a sample */
function spread(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q) => sorted[Math.round(q * (sorted.length - 1))]
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), min: sorted[0], max: sorted.at(-1) }
}

/** Runs the contenders interleaved, `runs` rounds, so that machine noise hits all of them alike. */
function compare(contenders, runs) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
  for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(contenders)) samples[name].push(run().ms)
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, spread(values)]))
}

// CPU time (all threads, user and system) as perf counts it, where perf is installed: on a shared machine other
// jobs stretch wall time, much less the CPU time a program needs.
const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', 'true'], { encoding: 'utf8' }).status === 0
/** `time` for CPU time: the command under `perf stat`, its task-clock in ms. */
function cpuTime(command, args, input, extraEnv = {}) {
  const result = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', command, ...args], { env: { ...env, ...extraEnv }, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  const counted = /^([\d.]+),msec,task-clock/m.exec(result.stderr)
  if (result.status !== 0 || !counted) throw new Error(`perf stat ${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
  return { ms: Number(counted[1]) }
}

const root = readyRoot()
const pythonConfig = root ? join(root, 'root', '.config', 'synadm-bench.yaml') : undefined
if (pythonConfig) writeSynadmConfig(pythonConfig, { url: server.url, adminUserId: server.adminUserId, adminToken: server.adminToken, serverName: server.serverName })

// synadm keeps V8's compiled code in caches (bin/code-cache.cjs): runs after the first use them; an empty cache
// folder per run shows a first start.
const codeCache = join(dir, 'cache')
const synadm = join(repo, 'bin/synadm.js')
// Each contender as [command, args, input, environment], for `time` and `cpuTime`.
const ours = () => ['node', [synadm, '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: codeCache }]
const oursFirstStart = () => ['node', [synadm, '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: mkdtempSync(join(dir, 'nocache-')) }]
const minimalCjs = () => ['node', [join(repo, 'bench/minimal-version.cjs')]]
const minimalEsm = () => ['node', [join(repo, 'bench/minimal-version.mjs')]]
const python = () => ['chroot', [root, 'synadm', '-c', '/root/.config/synadm-bench.yaml', '--batch', '-o', 'json', 'version']]
const bare = () => ['node', ['-e', '0']]

// Same answer from all of them before timing anything.
const expected = JSON.parse(time(...minimalCjs()).stdout)
for (const contender of [minimalEsm, ours]) {
  if (JSON.stringify(JSON.parse(time(...contender()).stdout)) !== JSON.stringify(expected)) throw new Error('a contender printed something else than the server version')
}
const CJS = 'minimal node:http script, CommonJS'
const ESM = 'minimal node:http script, ES module'
const OURS = 'synadm (this project)'
const FIRST = 'synadm, first start (no code cache yet)'
const PYTHON = 'Python synadm 0.49.2'
const EXTRA_CA = 'node -e 0, with NODE_EXTRA_CA_CERTS as set on this machine'
const bareWithCa = () => ['node', ['-e', '0'], undefined, { NODE_EXTRA_CA_CERTS: extraCaCerts }]
const contenders = { 'node -e 0': bare, ...(extraCaCerts ? { [EXTRA_CA]: bareWithCa } : {}), [CJS]: minimalCjs, [ESM]: minimalEsm, [OURS]: ours, [FIRST]: oursFirstStart, ...(root ? { [PYTHON]: python } : {}) }
// Wall and CPU time in the same rounds: each contender runs once plainly, once under perf.
const measured = { wall: {}, cpu: {} }
for (const [name, contender] of Object.entries(contenders)) {
  measured.wall[name] = () => time(...contender())
  if (perf) measured.cpu[name] = () => cpuTime(...contender())
}
const both = compare(Object.fromEntries(Object.entries(contenders).flatMap(([name]) => [[`wall ${name}`, measured.wall[name]], ...(perf ? [[`cpu ${name}`, measured.cpu[name]]] : [])])), RUNS)
const pick = (kind) => Object.fromEntries(Object.keys(contenders).filter((name) => both[`${kind} ${name}`]).map((name) => [name, both[`${kind} ${name}`]]))
const startup = pick('wall')
const cpu = pick('cpu')

// What `version` loaded: the files of dist/cli that have a code cache (each file run writes one).
const cliDir = join(repo, 'dist', 'cli')
const build = /^\/\/ synadm build (\w+)\n/.exec(readFileSync(join(cliDir, 'main.js'), 'utf8'))[1]
const cacheDir = join(codeCache, 'synadm', `code-${build}`)
const loaded = readdirSync(cacheDir).map((name) => name.replace(/\.bin$/, ''))
const cliFiles = readdirSync(cliDir).filter((name) => name.endsWith('.js'))
const kb = (bytes) => `${Math.round(bytes / 1024)} KB`
const sizeOf = (files, folder, suffix = '') => files.reduce((sum, file) => sum + statSync(join(folder, file + suffix)).size, 0)

// The shell: SHELL_COMMANDS `version` commands in one process, against as many requests on one keep-alive
// connection by a minimal script; both include process start-up. Interleaved, SHELL_RUNS each.
const shellInput = 'version\n'.repeat(SHELL_COMMANDS)
const shellRun = ['node', [synadm, '-c', config, '-o', 'json', 'shell'], shellInput, { XDG_CACHE_HOME: codeCache }]
const keepAliveRun = ['node', [join(repo, 'bench/keepalive-version.mjs'), String(SHELL_COMMANDS)]]
const answered = time(...shellRun).stdout.split('\n').filter((line) => line.includes('server_version')).length
if (answered !== SHELL_COMMANDS) throw new Error(`the shell answered ${answered} of ${SHELL_COMMANDS} commands`)
const shell = compare(
  {
    shell: () => time(...shellRun),
    keepAlive: () => time(...keepAliveRun),
    ...(perf ? { 'shell cpu': () => cpuTime(...shellRun), 'keepAlive cpu': () => cpuTime(...keepAliveRun) } : {}),
  },
  SHELL_RUNS,
)
const loadAfter = loadavg()[0]

const f = (ms) => `${ms.toFixed(1)} ms`
const row = (name, s) => `| ${name} | ${f(s.median)} | ${f(s.q1)} – ${f(s.q3)} | ${f(s.min)} – ${f(s.max)} |`
const verdict = (ok) => (ok ? 'met' : '**not met**')
const oursMs = startup[OURS].median
const overCjs = oursMs - startup[CJS].median
const overEsm = oursMs - startup[ESM].median
const pythonMs = startup[PYTHON]?.median
const perCommand = (name) => shell[name].median / SHELL_COMMANDS
const shellOverhead = perCommand('shell') - perCommand('keepAlive')
const cpuOverCjs = perf && cpu[OURS].median - cpu[CJS].median
const cpuShellOverhead = perf && perCommand('shell cpu') - perCommand('keepAlive cpu')

const report = `# Benchmarks

Measured by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version},
against Synapse ${server.version} on loopback. All figures of this part come from the same run, the contenders
interleaved (${RUNS} runs each for start-up), because this kind of machine (a shared VM) varies by a third between runs:
compare within one run only. Load average (1 min) at the start ${loadBefore.toFixed(1)}, at the end ${loadAfter.toFixed(1)}${loadBefore > cpus().length || loadAfter > cpus().length ? ': other jobs shared the machine' : ''}.

## Cold start: \`synadm -o json version\`

| program | median | quartiles | min – max |
|---|---|---|---|
${Object.entries(startup).map(([name, s]) => row(name, s)).join('\n')}

- Over the minimal CommonJS script: **${f(overCjs)}** (goal ≤ ${GOALS.overCommonJs} ms: ${verdict(overCjs <= GOALS.overCommonJs)}); over the ES module one: ${f(overEsm)}.
- The very first start, before V8's code caches exist: ${f(startup[FIRST].median - startup[CJS].median)} over the minimal CommonJS script.
${extraCaCerts ? `- All contenders run without NODE_EXTRA_CA_CERTS, which this machine's environment sets: with it every Node.js start takes ${f(startup[EXTRA_CA].median - startup['node -e 0'].median)} more (the first two rows).` : ''}
${pythonMs ? `- Against the Python synadm: **${(oursMs / pythonMs).toFixed(2)}×** its wall time (goal ≤ ${GOALS.ofPython}×: ${verdict(oursMs <= pythonMs * GOALS.ofPython)}).` : '- The Python synadm was not available in this run.'}
${
  perf
    ? `
CPU time (user and system, all threads, counted by \`perf stat\`) of the same contenders, in the same rounds: other
jobs on the machine stretch wall time much more than the CPU time a program needs.

| program | median | quartiles | min – max |
|---|---|---|---|
${Object.entries(cpu).map(([name, s]) => row(name, s)).join('\n')}

- CPU time over the minimal CommonJS script: **${f(cpuOverCjs)}**; over the ES module one: ${f(cpu[OURS].median - cpu[ESM].median)}.
${cpu[PYTHON] ? `- Against the Python synadm: ${(cpu[OURS].median / cpu[PYTHON].median).toFixed(2)}× its CPU time.` : ''}
`
    : ''
}
## How start-up is kept short

\`scripts/build.mjs\` builds the CLI in two esbuild passes. The first splits it as ES modules (esbuild splits only
those) at every \`import()\`: a file for what every start needs, a file for each module loaded on demand (each
plugin's commands and API, prompts, tables, YAML, the shell, bulk runs, fleets, the vorpal facade
…) and chunks of what several of those share. The second turns each file into CommonJS, its \`import()\`s
into \`require()\`s, and bundles what every start loads into one file, \`dist/cli/main.js\` (the command line,
config, the built-in plugins' declarations), which also exports, under their file names, the chunks the other
files import from it. \`bin/synadm.js\` (CommonJS: for an ES module Node would start its ES module loader) hands
main.js to \`bin/code-cache.cjs\`, which compiles each file when it is first required, through \`vm.Script\` with
V8's code cache (Node 20 caches compiled code only for scripts, not for ES modules). The caches live in
\`~/.cache/synadm/code-BUILD/\`, one per file, written at exit by the run that first loaded the file; BUILD is a
hash of the build's files, on the first line of each (V8 checks a cache only against the length of its source).
The first cache of a new build removes the caches of earlier builds.

In this run \`synadm -o json version\` loaded ${loaded.length} of the ${cliFiles.length} files (${kb(sizeOf(loaded, cliDir))} of ${kb(sizeOf(cliFiles, cliDir))}; main.js
${kb(statSync(join(cliDir, 'main.js')).size)}) and read ${kb(sizeOf(loaded, cacheDir, '.bin'))} of code caches. What a plain-HTTP JSON read never uses
stays out: node:https and node:zlib (an https server or a compressed reply loads them), node:crypto (audit log
IDs, bulk runs), which loads on first use through a stand-in holding the real module's
export names, node:fs/promises with the stream and readline modules it loads (config is read synchronously; the
audit log and input files load it on first use), and \`process.stdin\`, which Node makes when it is first read.
proxy-from-env is bundled (resolving a package at run time costs package.json reads and an exports lookup).
\`test/unit/start-up.test.ts\` holds all of this.

## Many commands in one shell

${SHELL_COMMANDS} \`version\` commands piped into one \`synadm -o json shell\`, against the same ${SHELL_COMMANDS} requests made one
after another on one keep-alive connection by a minimal Node.js script (both include process start-up);
interleaved, ${SHELL_RUNS} runs each.

| | total, median | min – max | per command |
|---|---|---|---|
| synadm shell | ${f(shell.shell.median)} | ${f(shell.shell.min)} – ${f(shell.shell.max)} | ${f(perCommand('shell'))} |
| keep-alive node:http script | ${f(shell.keepAlive.median)} | ${f(shell.keepAlive.min)} – ${f(shell.keepAlive.max)} | ${f(perCommand('keepAlive'))} |

- Overhead per command: **${shellOverhead.toFixed(2)} ms** (goal ≤ ${GOALS.shellPerCommand} ms: ${verdict(shellOverhead <= GOALS.shellPerCommand)}).
- Where it goes (found apart from this run, with \`perf record\` per thread, \`--cpu-prof\`, \`--trace-opt\` and
  \`--no-opt\`): about half is V8's optimizing compiler, which compiles some 80 functions of the per-command path
  (the run context, the line reader, the executor, node:http's request) on worker threads that share the two cores:
  a fifth of the shell's CPU time; under \`--no-opt\` the overhead was 0.47 ms instead of 0.84 ms (CPU time 0.44 against
  0.83 ms; one interleaved run at load 3.5). The rest is that path itself (the command line parser, the run context, the executor) and its garbage.
  axios's per-request pipeline (config merge, header normalisation, transforms) was the largest part of it until
  the client called its transport itself: 1.01 and 1.57 ms over before, 0.75 and 0.98 ms after (two interleaved runs at load 3).
${perf ? `- In CPU time: ${f(perCommand('shell cpu'))} per command against ${f(perCommand('keepAlive cpu'))}, ${cpuShellOverhead.toFixed(2)} ms over.` : ''}
${pythonMs ? `- The Python synadm needs a process per command: ${SHELL_COMMANDS} × ${f(pythonMs)} ≈ ${((SHELL_COMMANDS * pythonMs) / 1000).toFixed(0)} s.` : ''}
`
// Other benchmarks (bench/bulk.mjs, bench/shell-keys.mjs …) write their own marked sections: writeHead keeps them.
writeHead(report)
process.stdout.write(report)
await server.stop()
