// Bundles the CLI with esbuild: one entry module plus lazily loaded chunks (each plugin's commands,
// axios, prompts, tables), so a command loads only what it uses. Also emits the public API for plugins.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
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

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const root = new URL('..', import.meta.url).pathname

await build({
  absWorkingDir: root,
  entryPoints: { synadm: 'main.ts', index: 'core/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: process.env.SYNADM_NO_MINIFY !== '1',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __SYNADM_VERSION__: JSON.stringify(version) },
  // axios's multipart support and redirect follower are never used: requests are JSON, redirects off.
  // Bundle axios from its ES sources so its unused parts can be left out below.
  alias: {
    axios: './node_modules/axios/lib/axios.js',
    'form-data': './scripts/stubs/form-data.mjs',
    'follow-redirects': './scripts/stubs/follow-redirects.mjs',
  },
  plugins: [leaveOutAxiosFetchAdapter],
  // cosmiconfig only needs TypeScript for .ts configs, which we do not search for.
  external: ['typescript'],
  banner: { js: "import { createRequire as __synadmRequire } from 'node:module'; const require = __synadmRequire(import.meta.url);" },
  logLevel: 'warning',
})
