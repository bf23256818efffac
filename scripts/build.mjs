// Builds the CLI with esbuild into CommonJS files in dist/cli/, which bin/synadm.js runs through V8's code cache
// (bin/code-cache.cjs: Node 20 caches compiled code only for scripts, not ES modules, and compiling is most of a
// cold start). A command compiles and runs only the code it needs: dist/cli/main.js holds what every start needs
// (the command line, config, the plugins' declarations); each plugin's commands, prompts, tables, the shell, bulk
// runs … are files of their own, required when first used.
// The package's API for third-party plugins (dist/index.js, dist/testing.js and their types) is built apart.
import { build, version as esbuildVersion } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

// Node's modules that take long to load and that a start of synadm seldom uses: an import of one (ours or a
// dependency's) gets a stand-in that loads the real module when one of its exports is first used. node:crypto
// (~7 ms on a 2-core VM) serves only writes (the audit log's IDs) and bulk runs. The stand-in is a CommonJS module
// whose property names are the real module's (read here, at build time), so that named, default and namespace
// imports all see every export, and each is read on first use.
const LOADED_ON_FIRST_USE = ['crypto']
const requireHere = createRequire(import.meta.url)
const loadOnFirstUse = {
  name: 'load-on-first-use',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(node:)?(${LOADED_ON_FIRST_USE.join('|')})$`) }, (args) =>
      // the stand-in's own require() is of the real module
      args.namespace === 'load-on-first-use' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'load-on-first-use' },
    )
    build.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, ({ path }) => ({
      loader: 'js',
      contents: `const names = ${JSON.stringify(Object.keys(requireHere(`node:${path}`)))}
        let real
        const load = () => (real ??= require('node:${path}'))
        module.exports = new Proxy({}, {
          get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
          has: (_, key) => key in load(),
          ownKeys: () => names,
        })`,
    }))
  },
}

/**
 * Modules the bundle leaves out and loads at run time, and the package of ours they are resolved from: tabtab reads
 * its script templates from its own folder. (Everything else is bundled: resolving a package at run time costs a
 * start ~5 ms of package.json reads and exports lookups.)
 */
const RUNTIME_MODULES = { '@pnpm/tabtab': '.' }

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const { version } = manifest
const root = new URL('..', import.meta.url).pathname
const cliDir = join(root, 'dist', 'cli')

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

// The CLI, in two steps. First esbuild splits it as ES modules (it splits only those) at every import(): a file for
// each module loaded that way, one for the start, and chunks of what several of them share.
const esmDir = mkdtempSync(join(tmpdir(), 'synadm-build-'))
const split = await build({
  ...common,
  banner: {},
  entryPoints: { main: 'main.ts' },
  outdir: esmDir,
  splitting: true,
  chunkNames: '[name]-[hash]',
  metafile: true,
  // js-yaml's CommonJS build
  alias: { 'js-yaml': './node_modules/js-yaml/index.js' },
  plugins: [loadOnFirstUse],
})

// Then each file becomes CommonJS, its import()s require()s. What every start loads (main.js and the chunks it
// imports, directly or not) becomes one file, dist/cli/main.js: one file to read and one code cache to load
// instead of dozens. It exports, under their file names, the chunks that the other files import, and
// bin/code-cache.cjs hands those out when a file requires one.
const imports = new Map(Object.entries(split.metafile.outputs).map(([file, { imports }]) => [basename(file), imports.filter((i) => !i.external).map((i) => ({ ...i, file: basename(i.path) }))]))
const files = [...imports.keys()].filter((file) => file.endsWith('.js')).sort()
const atStart = new Set(['main.js'])
for (const file of atStart) for (const i of imports.get(file)) if (i.kind === 'import-statement') atStart.add(i.file)
const later = files.filter((file) => !atStart.has(file))
const shared = [...atStart].filter((chunk) => later.some((file) => imports.get(file).some((i) => i.file === chunk)))
if (shared.includes('main.js')) throw new Error('build: a lazily loaded file imports main.js')

const toCommonJs = {
  absWorkingDir: root,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: common.minify,
  sourcemap: 'linked',
  supported: { 'dynamic-import': false },
  // import.meta.url of the sources is the file's own URL
  define: { 'import.meta.url': '__synadmModuleUrl' },
  logLevel: 'warning',
}
// The build's ID, from what makes the files: bin/code-cache.cjs keeps the code caches of one build apart from
// another's (V8 would take a cache made for another file of the same length). It heads every file.
const hash = createHash('sha256').update(JSON.stringify({ esbuild: esbuildVersion, toCommonJs }))
for (const file of files) hash.update(file).update(readFileSync(join(esmDir, file)))
toCommonJs.banner = { js: `// synadm build ${hash.digest('hex').slice(0, 16)}\nconst __synadmModuleUrl = require('node:url').pathToFileURL(__filename).href;` }
rmSync(cliDir, { recursive: true, force: true })
await build({
  ...toCommonJs,
  bundle: true,
  stdin: {
    contents: [...shared.map((chunk) => `export * as ${JSON.stringify(chunk)} from './${chunk}'`), "import './main.js'"].join('\n'),
    resolveDir: esmDir,
    sourcefile: 'start.js',
  },
  outfile: join(cliDir, 'main.js'),
  plugins: [
    {
      name: 'later-files-stay-apart',
      setup(build) {
        build.onResolve({ filter: /^\.\/[^/]+\.js$/ }, (args) => (atStart.has(basename(args.path)) ? undefined : { path: args.path, external: true }))
        build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }))
      },
    },
  ],
})
await build({ ...toCommonJs, entryPoints: later.map((file) => join(esmDir, file)), outdir: cliDir })
writeFileSync(join(cliDir, 'package.json'), '{ "type": "commonjs" }\n')
rmSync(esmDir, { recursive: true, force: true })

// What the bundle loads at run time resolves as an installed synadm would resolve it: from our own dependencies
// (listed in package.json).
for (const [name, from] of Object.entries(RUNTIME_MODULES)) {
  if (from === null) continue
  if (!manifest.dependencies[name]) throw new Error(`build: the bundle loads ${name} at run time: list it in dependencies`)
  createRequire(join(cliDir, 'main.js')).resolve(name)
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
// What earlier versions built: the CLI as one file, and as ES module chunks.
for (const old of ['synadm.cjs', 'synadm.cjs.map', 'chunks']) rmSync(join(root, 'dist', old), { recursive: true, force: true })
