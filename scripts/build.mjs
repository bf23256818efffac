// Bundles the CLI with esbuild into one CommonJS file, dist/synadm.cjs, which bin/synadm.js runs through V8's code
// cache (Node 20 caches compiled code only for scripts, not ES modules, and compiling is most of a cold start).
// Inside it each plugin's commands, axios, prompts and tables are initialised only when first used.
// The package's API for third-party plugins (dist/index.js, dist/testing.js and their types) is built apart.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

// axios's fetch adapter and its FormData probe touch Node's lazy fetch globals when loaded, which makes Node
// load undici (~30 ms). synadm uses the http adapter and sends JSON only, so both are replaced by stand-ins.
const stub = (file) => ({ path: new URL(`./stubs/${file}`, import.meta.url).pathname })
const leaveOutAxiosFetchAdapter = {
  name: 'leave-out-axios-fetch-adapter',
  setup(build) {
    const inAxios = (args) => args.importer.includes('/node_modules/axios/lib/')
    build.onResolve({ filter: /^\.\/fetch\.js$/ }, (args) => (inAxios(args) && args.importer.endsWith('adapters.js') ? stub('axios-fetch-adapter.mjs') : undefined))
    build.onResolve({ filter: /env\/classes\/FormData\.js$/ }, (args) => (inAxios(args) ? stub('form-data.mjs') : undefined))
    // utils.js reads globalThis.FormData at load time, only to recognise FormData bodies.
    build.onLoad({ filter: /node_modules\/axios\/lib\/utils\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(
        "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
        'const FormDataCtor = undefined;',
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
    build.onResolve({ filter }, (args) =>
      args.importer.includes('/node_modules/axios/lib/') ? { path: args.path.replace(/^node:/, ''), namespace: 'load-on-first-use' } : undefined,
    )
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, ({ path }) => ({
      resolveDir: root,
      loader: 'js',
      contents:
        path === 'https-proxy-agent'
          ? `export default function HttpsProxyAgent(options) { return new (require('https-proxy-agent'))(options) }`
          : `let real; const load = () => (real ??= require('node:${path}'));
             export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
    }))
  },
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
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
  // cosmiconfig only needs TypeScript for .ts configs, which we do not search for; tabtab reads its script
  // templates from its own folder; axios's proxy agent (and its debug logger) is only needed behind a proxy.
  // These load from node_modules when used.
  external: ['typescript', '@pnpm/tabtab', 'https-proxy-agent'],
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
