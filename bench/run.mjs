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

const root = readyRoot()
const pythonConfig = root ? join(root, 'root', '.config', 'synadm-bench.yaml') : undefined
if (pythonConfig) writeSynadmConfig(pythonConfig, { url: server.url, adminUserId: server.adminUserId, adminToken: server.adminToken, serverName: server.serverName })

// synadm keeps V8's compiled code in caches (bin/code-cache.cjs): runs after the first use them; an empty cache
// folder per run shows a first start.
const codeCache = join(dir, 'cache')
const synadm = join(repo, 'bin/synadm.js')
const ours = () => time('node', [synadm, '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: codeCache })
const oursFirstStart = () => time('node', [synadm, '-c', config, '-o', 'json', 'version'], undefined, { XDG_CACHE_HOME: mkdtempSync(join(dir, 'nocache-')) })
const minimalCjs = () => time('node', [join(repo, 'bench/minimal-version.cjs')])
const minimalEsm = () => time('node', [join(repo, 'bench/minimal-version.mjs')])
const python = () => time('chroot', [root, 'synadm', '-c', '/root/.config/synadm-bench.yaml', '--batch', '-o', 'json', 'version'])

// Same answer from all of them before timing anything.
const expected = JSON.parse(minimalCjs().stdout)
for (const run of [minimalEsm, ours]) {
  if (JSON.stringify(JSON.parse(run().stdout)) !== JSON.stringify(expected)) throw new Error('a contender printed something else than the server version')
}
const CJS = 'minimal node:http script, CommonJS'
const ESM = 'minimal node:http script, ES module'
const OURS = 'synadm (this project)'
const FIRST = 'synadm, first start (no code cache yet)'
const PYTHON = 'Python synadm 0.49.2'
const startup = compare({ 'node -e 0': () => time('node', ['-e', '0']), [CJS]: minimalCjs, [ESM]: minimalEsm, [OURS]: ours, [FIRST]: oursFirstStart, ...(root ? { [PYTHON]: python } : {}) }, RUNS)

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
const shell = compare(
  {
    shell: () => {
      const run = time('node', [synadm, '-c', config, '-o', 'json', 'shell'], shellInput, { XDG_CACHE_HOME: codeCache })
      const answered = run.stdout.split('\n').filter((line) => line.includes('server_version')).length
      if (answered !== SHELL_COMMANDS) throw new Error(`the shell answered ${answered} of ${SHELL_COMMANDS} commands`)
      return run
    },
    keepAlive: () => time('node', [join(repo, 'bench/keepalive-version.mjs'), String(SHELL_COMMANDS)]),
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
${pythonMs ? `- Against the Python synadm: **${(oursMs / pythonMs).toFixed(2)}×** its wall time (goal ≤ ${GOALS.ofPython}×: ${verdict(oursMs <= pythonMs * GOALS.ofPython)}).` : '- The Python synadm was not available in this run.'}

## How start-up is kept short

\`scripts/build.mjs\` builds the CLI in two esbuild passes. The first splits it as ES modules (esbuild splits only
those) at every \`import()\`: a file for what every start needs, a file for each module loaded on demand (each
plugin's commands and API, axios, prompts, tables, YAML, the shell, bulk runs, fleets, the vorpal
facade …) and chunks of what several of those share. The second turns each file into CommonJS, its \`import()\`s
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
stays out: axios's fetch and http adapters (synadm's own transport carries every request; they would load undici,
zlib, https and http2), axios's request clock (performance.now(), which loads perf_hooks; Date.now() serves), and
node:crypto (audit log IDs, bulk runs), which loads on first use through a stand-in holding the real module's
export names. \`test/unit/start-up.test.ts\` holds all of this.

## Many commands in one shell

${SHELL_COMMANDS} \`version\` commands piped into one \`synadm -o json shell\`, against the same ${SHELL_COMMANDS} requests made one
after another on one keep-alive connection by a minimal Node.js script (both include process start-up);
interleaved, ${SHELL_RUNS} runs each.

| | total, median | min – max | per command |
|---|---|---|---|
| synadm shell | ${f(shell.shell.median)} | ${f(shell.shell.min)} – ${f(shell.shell.max)} | ${f(perCommand('shell'))} |
| keep-alive node:http script | ${f(shell.keepAlive.median)} | ${f(shell.keepAlive.min)} – ${f(shell.keepAlive.max)} | ${f(perCommand('keepAlive'))} |

- Overhead per command: **${shellOverhead.toFixed(2)} ms** (goal ≤ ${GOALS.shellPerCommand} ms: ${verdict(shellOverhead <= GOALS.shellPerCommand)}).
${pythonMs ? `- The Python synadm needs a process per command: ${SHELL_COMMANDS} × ${f(pythonMs)} ≈ ${((SHELL_COMMANDS * pythonMs) / 1000).toFixed(0)} s.` : ''}
`
// Other benchmarks (bench/bulk.mjs, bench/shell-keys.mjs …) write their own marked sections: writeHead keeps them.
writeHead(report)
process.stdout.write(report)
await server.stop()
