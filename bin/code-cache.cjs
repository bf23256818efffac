// Runs a CommonJS file the way require() would, but compiled through vm.Script with V8's code cache: the cache is
// written (mode 0600) after the first run, under $XDG_CACHE_HOME/synadm (~/.cache/synadm), and keyed by the file's
// size and modification time. Any trouble with the cache only costs speed: the file then runs compiled afresh.
const { mkdirSync, readFileSync, statSync, writeFileSync } = require('node:fs')
const Module = require('node:module')
const { homedir } = require('node:os')
const { dirname, join } = require('node:path')
const { fileURLToPath } = require('node:url')
const vm = require('node:vm')

function cacheFileFor(file) {
  const { size, mtimeMs } = statSync(file)
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'synadm')
  return join(dir, `code-${process.version}-${size}-${Math.trunc(mtimeMs)}.bin`)
}

exports.run = function run(url) {
  const file = fileURLToPath(url)
  // Module.wrap and new Module() are not documented API: without them, run the file as plain require() would.
  if (typeof Module.wrap !== 'function' || typeof Module !== 'function') return require(file)
  const source = readFileSync(file, 'utf8')
  let cacheFile
  let cachedData
  try {
    cacheFile = cacheFileFor(file)
    cachedData = readFileSync(cacheFile)
  } catch {}
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData })
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // On exit, so that the cache also holds the functions this run compiled.
    process.once('exit', () => {
      try {
        mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 })
        writeFileSync(cacheFile, script.createCachedData(), { mode: 0o600 })
      } catch {}
    })
  }
  const module = new Module(file, null)
  module.filename = file
  module.paths = Module._nodeModulePaths?.(dirname(file)) ?? []
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, dirname(file))
}
