// Bundles the CLI with esbuild into one CommonJS file, dist/synadm.cjs, which bin/synadm.js runs through V8's code
// cache (Node 20 caches compiled code only for scripts, not ES modules, and compiling is most of a cold start).
// Inside it each plugin's commands, axios, prompts and tables are initialised only when first used.
// The package's API for third-party plugins (dist/index.js, dist/testing.js and their types) is built apart.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

// Every patch below must apply: an axios update that moves what they patch fails the build here, instead of
// silently shipping a slower start-up (or an adapter that wakes undici). `applied` counts each patch's hits.
const applied = new Map()
const hit = (patch) => applied.set(patch, (applied.get(patch) ?? 0) + 1)
const PATCHES = ['axios fetch adapter', 'axios utils FormData probe', ...['http2', 'crypto', 'https', 'https-proxy-agent'].map((m) => `axios import of ${m}`)]
/** `text.replace(from, to)` that throws when `from` is not there */
function patchText(text, from, to, patch) {
  if (!text.includes(from)) throw new Error(`build: patch '${patch}' no longer applies: ${JSON.stringify(from)} not found (did axios change?)`)
  hit(patch)
  return text.replace(from, to)
}

// axios's fetch adapter and its FormData probe touch Node's lazy fetch globals when loaded, which makes Node
// load undici (~30 ms). synadm uses the http adapter and sends JSON only, so both are replaced by stand-ins
// (axios's FormData class comes from form-data, which the alias below replaces).
const stub = (file) => ({ path: new URL(`./stubs/${file}`, import.meta.url).pathname })
const leaveOutAxiosFetchAdapter = {
  name: 'leave-out-axios-fetch-adapter',
  setup(build) {
    const inAxios = (args) => args.importer.includes('/node_modules/axios/lib/')
    build.onResolve({ filter: /^\.\/fetch\.js$/ }, (args) => (inAxios(args) && args.importer.endsWith('adapters.js') ? (hit('axios fetch adapter'), stub('axios-fetch-adapter.mjs')) : undefined))
    // utils.js reads globalThis.FormData at load time, only to recognise FormData bodies.
    build.onLoad({ filter: /node_modules\/axios\/lib\/utils\.js$/ }, async (args) => ({
      contents: patchText(
        await readFile(args.path, 'utf8'),
        "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
        'const FormDataCtor = undefined;',
        'axios utils FormData probe',
      ),
      loader: 'js',
    }))
  },
}

// axios imports http2, crypto, https and an HTTPS proxy agent at load time; a plain-HTTP JSON request uses
// none of them. Inside axios they are replaced by stand-ins that load the real module on first use (~40 ms).
// (zlib stays: axios reads its constants at load time.)
const LAZY_IN_AXIOS = ['http2', 'crypto', 'https', 'https-proxy-agent']
const loadOnFirstUse = {
  name: 'load-on-first-use',
  setup(build) {
    const filter = new RegExp(`^(node:)?(${LAZY_IN_AXIOS.join('|')})$`)
    build.onResolve({ filter }, (args) => {
      if (!args.importer.includes('/node_modules/axios/lib/')) return undefined
      const path = args.path.replace(/^node:/, '')
      hit(`axios import of ${path}`)
      return { path, namespace: 'load-on-first-use' }
    })
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, ({ path }) => ({
      resolveDir: root,
      loader: 'js',
      contents:
        path === 'https-proxy-agent'
          ? // axios's own dependency, resolved from axios's folder: found however npm lays out node_modules (the
            // name is computed, or esbuild would resolve it at build time through the axios alias)
            `export default function HttpsProxyAgent(options) {
               const fromAxios = require('node:module').createRequire(require.resolve(['axios', 'package.json'].join('/')))
               return new (fromAxios('https-proxy-agent'))(options)
             }`
          : `let real; const load = () => (real ??= require('node:${path}'));
             export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
    }))
  },
}

/**
 * Modules the bundle leaves out and loads at run time, and the package of ours they are resolved from: cosmiconfig
 * only needs TypeScript for .ts configs, which we do not search for (never loaded: no check); tabtab reads its script
 * templates from its own folder; proxy-from-env (the proxy lookup of core/http/transport.ts) loads when a client is made;
 * axios's proxy agent (and its debug logger) stays out of the bundle, unused: synadm's transport carries proxied
 * requests too.
 */
const RUNTIME_MODULES = { typescript: null, '@pnpm/tabtab': '.', 'proxy-from-env': '.', 'https-proxy-agent': 'axios' }

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const { version } = manifest
const root = new URL('..', import.meta.url).pathname

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: process.env.SYNADM_NO_MINIFY !== '1',
  sourcemap: 'linked',
  define: { __SYNADM_VERSION__: JSON.stringify(version) },
  // What the bundle loads from node_modules at run time (RUNTIME_MODULES, checked after the build).
  external: Object.keys(RUNTIME_MODULES),
  banner: { js: "import { createRequire as __synadmRequire } from 'node:module'; const require = __synadmRequire(import.meta.url);" },
  logLevel: 'warning',
}

await build({
  ...common,
  format: 'cjs',
  entryPoints: ['main.ts'],
  outfile: 'dist/synadm.cjs',
  // import.meta.url of the sources is the bundle's own URL
  define: { ...common.define, 'import.meta.url': '__synadmModuleUrl' },
  banner: { js: "const __synadmModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // axios's multipart support and redirect follower are never used: requests are JSON, redirects off.
  // Bundle axios from its ES sources so its unused parts can be left out below.
  alias: {
    axios: './node_modules/axios/lib/axios.js',
    'form-data': './scripts/stubs/form-data.mjs',
    'follow-redirects': './scripts/stubs/follow-redirects.mjs',
    // one copy of js-yaml: cosmiconfig requires its CommonJS build, so ours uses that too
    'js-yaml': './node_modules/js-yaml/index.js',
  },
  plugins: [leaveOutAxiosFetchAdapter, loadOnFirstUse],
})

// The patches all applied, and what the bundle loads at run time resolves as an installed synadm would resolve it:
// from our own dependencies (listed in package.json), or from the dependency that brings it (axios's proxy agent).
for (const patch of PATCHES) if (!applied.get(patch)) throw new Error(`build: patch '${patch}' was never applied (did axios change?)`)
for (const [name, from] of Object.entries(RUNTIME_MODULES)) {
  if (from === null) continue
  if (from === '.' && !manifest.dependencies[name]) throw new Error(`build: the bundle loads ${name} at run time: list it in dependencies`)
  if (from !== '.' && !manifest.dependencies[from]) throw new Error(`build: ${name} comes with ${from}, which is not a dependency`)
  const base = from === '.' ? new URL('../dist/synadm.cjs', import.meta.url).pathname : createRequire(new URL('../dist/synadm.cjs', import.meta.url)).resolve(`${from}/package.json`)
  createRequire(base).resolve(name)
}

// The package's API for plugins: `synadm` (definePlugin, types, errors) and `synadm/testing` (runs synadm
// in-process with captured streams, for a plugin's own tests).
const api = await build({
  ...common,
  metafile: true,
  entryPoints: { index: 'index.ts', testing: 'testing.ts' },
  outdir: 'dist',
  packages: 'external',
  splitting: true,
  chunkNames: 'api/[name]-[hash]',
})
// Their types (dist/types/index.d.ts, testing.d.ts), for plugins written in TypeScript.
execFileSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })

// Chunk names carry content hashes: remove those of earlier builds (not the whole folder, which a running
// test may be using).
const current = new Set(Object.keys(api.metafile.outputs).map((file) => file.replace(/^dist\//, '')))
for (const file of readdirSync(new URL('../dist/api', import.meta.url))) {
  if (!current.has(`api/${file}`.replace(/\.map$/, ''))) rmSync(new URL(`../dist/api/${file}`, import.meta.url))
}
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true }) // from the ES module build of earlier versions
