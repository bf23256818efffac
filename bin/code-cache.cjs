// Runs the CLI's CommonJS files (dist/cli/, written by scripts/build.mjs) as require() would, but each compiled
// through vm.Script with V8's code cache, and each only when first required: main.js holds what every start needs,
// the other files are required when a command first uses them.
//
// The caches are written (mode 0600) when the process exits, one per file that ran without one, in
// $XDG_CACHE_HOME/synadm/code-BUILD/ (~/.cache/synadm): BUILD is the build's ID, which the build writes on the first
// line of every file. V8 checks a cache only against the length of its source (and its own version and flags), so
// the ID, derived from the files' contents, keeps a cache from running against another build. The first cache of a
// new build removes those of earlier ones. Any trouble with the caches only costs speed: a file then runs compiled
// afresh.
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs')
const { createRequire } = require('node:module')
const { homedir } = require('node:os')
const { basename, dirname, join } = require('node:path')
const vm = require('node:vm')

const BUILD_LINE = /^\/\/ synadm build (\w+)\n/

/** The folder of every build's caches: the rule of core/kernel/dirs.ts's cacheDir. */
const cacheRoot = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'synadm')

/** Runs `entry` (dist/cli/main.js) and, through the require() it gives them, the files beside it. */
exports.run = function run(entry) {
  const folder = dirname(entry)
  const source = readFileSync(entry, 'utf8')
  const build = BUILD_LINE.exec(source)?.[1]
  const caches = build && join(cacheRoot(), `code-${build}`)
  const loaded = new Map()
  const unsaved = []

  function load(file, text = readSource(file)) {
    const cacheFile = caches && join(caches, `${basename(file)}.bin`)
    let cachedData
    try {
      if (cacheFile) cachedData = readFileSync(cacheFile)
    } catch {}
    // The function Node wraps a CommonJS file in.
    const wrapped = `(function (exports, require, module, __filename, __dirname) {${text}\n})`
    const script = new vm.Script(wrapped, { filename: file, cachedData })
    if (cacheFile && (!cachedData || script.cachedDataRejected)) unsaved.push({ cacheFile, script })
    const module = { exports: {}, filename: file, loaded: false }
    loaded.set(file, module)
    try {
      script.runInThisContext()(module.exports, requireFrom(file), module, file, folder)
    } catch (error) {
      loaded.delete(file)
      throw error
    }
    module.loaded = true
    return module.exports
  }

  /**
   * require() as Node gives it to `file`, except for the CLI's own files (`./NAME.js`): a chunk that main.js holds
   * comes from main.js's exports (under its file name), any other file loads through `load`, once.
   */
  function requireFrom(file) {
    const plain = createRequire(file)
    const own = (id) => {
      if (!id.startsWith('./')) return plain(id)
      const name = id.slice(2)
      const atStart = loaded.get(entry).exports
      if (Object.hasOwn(atStart, name)) return atStart[name]
      const path = join(folder, name)
      return loaded.get(path)?.exports ?? load(path)
    }
    return Object.assign(own, plain)
  }

  /** A file's text; a file that is gone went with a rebuild or an upgrade while this process ran. */
  function readSource(file) {
    try {
      return readFileSync(file, 'utf8')
    } catch (error) {
      if (error.code !== 'ENOENT') throw error
      throw new Error(`${file} is gone: synadm was rebuilt or upgraded while it ran; start it again`)
    }
  }

  // On exit, so that each cache also holds the functions this run compiled.
  process.once('exit', () => {
    if (unsaved.length) saveCaches(caches, unsaved)
  })
  return load(entry, source)
}

function saveCaches(caches, unsaved) {
  try {
    const newBuild = !existsSync(caches)
    mkdirSync(caches, { recursive: true, mode: 0o700 })
    for (const { cacheFile, script } of unsaved) {
      // Written whole under another name, then renamed: a synadm starting meanwhile never reads half a file.
      const partial = `${cacheFile}.${process.pid}`
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 })
      renameSync(partial, cacheFile)
    }
    if (newBuild) removeOtherBuilds(dirname(caches), basename(caches))
  } catch {}
}

/** Earlier builds' caches: code-BUILD/ folders, and the code-*.bin files of versions that kept one per build. */
function removeOtherBuilds(root, keep) {
  for (const name of readdirSync(root)) {
    if (name !== keep && name.startsWith('code-')) rmSync(join(root, name), { recursive: true, force: true })
  }
}
