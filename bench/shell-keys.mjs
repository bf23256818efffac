// Key latency of the synadm> shell with hints and suggestions on, against a server with 10,000 users: the time
// from writing a key to the terminal until the shell's repaint of the line comes back. Writes its section of
// BENCHMARKS.md (between the shell-keys markers); every figure comes from this one run.
//
// Method: synadm runs in a pseudo-terminal made by util-linux `script`; this process writes one key at a time to
// it and times until output arrives, 40 ms between keys (faster than anyone types). The baseline is a minimal
// Node.js program in the same pseudo-terminal that echoes each key in raw mode: what the terminal relay costs.
// Server: SYNAPSE_URL + SYNAPSE_ADMIN_TOKEN, else a fresh local Synapse; it is filled up to 10,000 users first.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { fillUsers } from './users-fixture.mjs'
import { writeSection } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const ROUNDS = Number(process.env.BENCH_KEY_ROUNDS ?? 3)
const PAUSE_MS = 40

const server = process.env.SYNAPSE_URL
  ? { url: process.env.SYNAPSE_URL, adminToken: process.env.SYNAPSE_ADMIN_TOKEN, adminUserId: process.env.SYNAPSE_ADMIN_USER ?? '@admin:synadm.test', serverName: process.env.SYNAPSE_SERVER_NAME ?? 'synadm.test', stop: async () => {} }
  : await startSynapse()
const users = await fillUsers(server, server.serverName, USERS, (line) => console.error(line))

const dir = mkdtempSync(join(tmpdir(), 'synadm-keys-'))
const config = join(dir, 'synadm.yaml')
writeSynadmConfig(config, server)
// A full history (1000 lines), so that every key looks through it for a suggestion.
mkdirSync(join(dir, 'data', 'synadm'), { recursive: true })
const history = Array.from({ length: 1000 }, (_, i) => `user details @fixture-${String(i * 7).padStart(5, '0')}:${server.serverName}`)
writeFileSync(join(dir, 'data', 'synadm', 'history'), history.join('\n') + '\n', { mode: 0o600 })

const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), TERM: 'xterm-256color' }
delete env.NO_COLOR
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A program in a pseudo-terminal: write keys, read what comes back. */
function inTerminal(command) {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] })
  let output = ''
  let waiter
  child.stdout.on('data', (chunk) => {
    output += chunk.toString()
    waiter?.()
  })
  return {
    child,
    get output() {
      return output
    },
    async until(pattern, timeoutMs = 60_000) {
      const started = Date.now()
      while (!pattern.test(output)) {
        if (Date.now() - started > timeoutMs) throw new Error(`never saw ${pattern} in:\n${output.slice(-2000)}`)
        await sleep(20)
      }
    },
    /** ms from writing `key` to the next output */
    key(key) {
      return new Promise((resolve) => {
        const started = process.hrtime.bigint()
        waiter = () => {
          waiter = undefined
          resolve(Number(process.hrtime.bigint() - started) / 1e6)
        }
        child.stdin.write(key)
      })
    },
  }
}

const LINES = ['user list -l 5 -f 10', `user details @fixture-01234:${server.serverName}`, 'room list -n synadm', 'watch -n 1 user list ']

async function measure(terminal) {
  const samples = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const line of LINES) {
      for (const ch of line) {
        samples.push(await terminal.key(ch))
        await sleep(PAUSE_MS)
      }
      await terminal.key('\u0015') // Ctrl-U: start the next line
      await sleep(PAUSE_MS)
    }
  }
  return samples
}

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
  return { n: sorted.length, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] }
}

// The baseline: a raw-mode echo, no line editing at all.
const echo = join(dir, 'echo.mjs')
writeFileSync(echo, "process.stdin.setRawMode(true); process.stdout.write('ready> '); process.stdin.on('data', (d) => { if (d[0] === 4) process.exit(0); process.stdout.write(d[0] === 0x15 ? '\\r\\u001b[K' : d) })\n")
const baselineTerminal = inTerminal(`${process.execPath} ${echo}`)
await baselineTerminal.until(/ready> /)
const baseline = stats(await measure(baselineTerminal))
baselineTerminal.child.stdin.write('\u0004')

const synadm = inTerminal(`${process.execPath} ${join(repo, 'bin/synadm.js')} -c ${config}`)
await synadm.until(/synadm> /)
// Let the background completion refresh (user IDs of the 10,000-user server) run while keys are typed.
const ours = stats(await measure(synadm))
const load = loadavg()[0]
const hinted = /\[-f FROM\]/.test(synadm.output) && /\u001b\[90m/.test(synadm.output)
synadm.child.stdin.write('\u0004')
await server.stop()

const f = (ms) => `${ms.toFixed(1)} ms`
const verdict = (ok) => (ok ? 'met' : '**not met**')
const section = `<!-- shell-keys:start -->
## Key latency in the shell (hints on, ${users.toLocaleString('en')} users)

Measured by \`node bench/shell-keys.mjs\` on this machine (Node.js ${process.version}): the time from writing a key
to a pseudo-terminal (util-linux \`script\`) until the shell's repaint comes back, for ${ours.n} keys of ${LINES.length}
command lines typed ${ROUNDS} times, ${PAUSE_MS} ms apart, with a 1000-line history and a server of
${users.toLocaleString('en')} users (the shell refreshes its completion values from it in the background meanwhile).
Hints and history suggestions were on${hinted ? ' and seen on screen' : ''}. Baseline: a minimal Node.js program echoing each
key in raw mode in the same pseudo-terminal. Load average during the run: ${load.toFixed(1)} on ${cpus().length} cores.

| | median | p95 | max |
|---|---|---|---|
| synadm> shell | ${f(ours.median)} | ${f(ours.p95)} | ${f(ours.max)} |
| raw-mode echo (baseline) | ${f(baseline.median)} | ${f(baseline.p95)} | ${f(baseline.max)} |

- Median key → echo: **${f(ours.median)}** (goal < 20 ms: ${verdict(ours.median < 20)}).
<!-- shell-keys:end -->
`
writeSection('shell-keys', section)
process.exit(0)
