// Start-up with third-party plugins: `synadm -o json version` with no plugin, with one plugin installed in synadm's
// plugin folder (its 'synadm' import reaches the running synadm through the folder's link), and with one plugin
// file elsewhere (through the module resolution hook), against a minimal node:http script, interleaved.
// Writes its section of BENCHMARKS.md (between the plugins markers); every figure comes from this one run.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeSection } from './report.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 21)
const server = await startSynapse()
const dir = mkdtempSync(join(tmpdir(), 'synadm-bench-plugins-'))
const config = join(dir, 'synadm.yaml')
writeSynadmConfig(config, server)
const cache = join(dir, 'cache')

/** A plugin as the guide asks: declarations import nothing at run time; its command imports a helper from 'synadm'. */
const PLUGIN = (name) =>
  `export default { name: '${name}', apiVersion: 1, setup(ctx) { ctx.command({ path: '${name}', description: 'd', load: () => import(import.meta.url).then((m) => m.run) }) } }\nexport async function run() { const { localDateTime } = await import('synadm'); return localDateTime(0).length }\n`

/** A HOME whose plugins.yaml lists `entries`; `installed` packages are put into synadm's plugin folder. */
function home(name, entries, installed = []) {
  const h = join(dir, name)
  mkdirSync(join(h, 'config', 'synadm'), { recursive: true })
  writeFileSync(join(h, 'config', 'synadm', 'plugins.yaml'), `plugins: [${entries.join(', ')}]\n`)
  for (const pkg of installed) {
    const folder = join(h, 'data', 'synadm', 'plugins', 'node_modules', pkg)
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: pkg, version: '1.0.0', type: 'module', exports: './index.js' }))
    writeFileSync(join(folder, 'index.js'), PLUGIN(pkg.replace('synadm-plugin-', '')))
  }
  return { XDG_CONFIG_HOME: join(h, 'config'), XDG_DATA_HOME: join(h, 'data'), XDG_CACHE_HOME: cache }
}

const none = home('none', [])
const installed = home('installed', ['bench'], ['synadm-plugin-bench'])
const file = join(dir, 'elsewhere', 'plugin.mjs')
mkdirSync(join(dir, 'elsewhere'))
writeFileSync(file, PLUGIN('elsewhere'))
const elsewhere = home('elsewhere', [JSON.stringify(file)])

function time(command, args, extraEnv = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { env: { ...process.env, ...extraEnv }, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0 || result.stderr) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`)
  return { ms, stdout: result.stdout }
}
const synadm = (extraEnv) => () => time('node', [join(repo, 'bin/synadm.js'), '-c', config, '-o', 'json', 'version'], extraEnv)
const contenders = {
  'minimal node:http script': () => time('node', [join(repo, 'bench/minimal-version.mjs')], { SYNAPSE_URL: server.url, SYNAPSE_ADMIN_TOKEN: server.adminToken }),
  'synadm, no plugin': synadm(none),
  'synadm, one plugin installed by `plugins install`': synadm(installed),
  'synadm, one plugin file elsewhere (resolution hook)': synadm(elsewhere),
}
// each plugin loads (its command is there), and the code cache is warm, before timing
for (const [env, command] of [[installed, 'bench'], [elsewhere, 'elsewhere']]) time('node', [join(repo, 'bin/synadm.js'), '-c', config, '-o', 'json', command], env)
for (const run of Object.values(contenders)) run()

const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]))
for (let i = 0; i < RUNS; i++) for (const [name, run] of Object.entries(contenders)) samples[name].push(run().ms)
await server.stop()
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const stats = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, { median: median(values), min: Math.min(...values), max: Math.max(...values) }]))
const ms = (n) => `${n.toFixed(1)} ms`
const over = (name) => stats[name].median - stats['synadm, no plugin'].median

const section = `<!-- plugins:start (written by bench/plugins.mjs) -->
## Start-up with plugins: \`synadm -o json version\`

Measured by \`node bench/plugins.mjs\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, against Synapse
${server.version} on loopback; contenders interleaved, ${RUNS} runs each, code cache warm. The plugins declare one
command each (whose implementation imports a helper from 'synadm'; it is checked to run, not timed). Compare with the
minimal script of the same run: other jobs shared the machine when it is much slower than in the cold-start table.

| program | median | min | max |
|---|---|---|---|
${Object.entries(stats).map(([name, s]) => `| ${name} | ${ms(s.median)} | ${ms(s.min)} | ${ms(s.max)} |`).join('\n')}

- One plugin installed by \`plugins install\`: **${ms(over('synadm, one plugin installed by `plugins install`'))}** over no plugin (importing it and checking the plugin folder's link to the running synadm: no hook).
- A plugin file from whose folder 'synadm' does not resolve: **${ms(over('synadm, one plugin file elsewhere (resolution hook)'))}** over no plugin (Node's module hooks start a thread).
- With no plugin configured synadm reads only the absent plugins.yaml.
<!-- plugins:end -->
`
writeSection('plugins', section)
