// Bundles the CLI with esbuild: one entry module plus lazily loaded chunks (each plugin's commands,
// axios, prompts, tables), so a command loads only what it uses. Also emits the public API for plugins.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'

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
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __SYNADM_VERSION__: JSON.stringify(version) },
  // axios's multipart support and redirect follower are never used: requests are JSON, redirects off.
  alias: { 'form-data': './scripts/stubs/form-data.mjs', 'follow-redirects': './scripts/stubs/follow-redirects.mjs' },
  // cosmiconfig only needs TypeScript for .ts configs, which we do not search for.
  external: ['typescript'],
  banner: { js: "import { createRequire as __synadmRequire } from 'node:module'; const require = __synadmRequire(import.meta.url);" },
  logLevel: 'warning',
})
