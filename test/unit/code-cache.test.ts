// bin/code-cache.cjs on files made for the test, laid out as scripts/build.mjs lays out dist/cli: main.js exports,
// under their file names, the chunks it holds; other files load when first required, once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const { run } = createRequire(import.meta.url)('../../bin/code-cache.cjs') as { run: (entry: string) => Record<string, any> }

/** A folder of CommonJS files (no build line: nothing is cached) */
function cli(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-code-cache-'))
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

describe('bin/code-cache.cjs', () => {
  it('gives a later file the chunks main.js holds, and loads each later file once', () => {
    const dir = cli({
      'main.js': `globalThis.__loads = 0
        const shared = { counter: 0 }
        module.exports = { 'chunk-A.js': shared, load: () => require('./later.js') }`,
      'later.js': `globalThis.__loads++
        const shared = require('./chunk-A.js')
        shared.counter++
        module.exports = { shared }`,
    })
    const main = run(join(dir, 'main.js'))
    const later = main.load()
    expect(later.shared).toBe(main['chunk-A.js'])
    expect(main.load()).toBe(later)
    expect((globalThis as any).__loads).toBe(1)
    expect(main['chunk-A.js'].counter).toBe(1)
  })

  it('loads a file that failed again on the next require, instead of handing out half of it', () => {
    const dir = cli({
      'main.js': `module.exports = { load: () => require('./later.js') }`,
      'later.js': `if (!globalThis.__failedOnce) { globalThis.__failedOnce = true; throw new Error('first load fails') }
        module.exports = { ok: true }`,
    })
    const main = run(join(dir, 'main.js'))
    expect(() => main.load()).toThrow('first load fails')
    expect(main.load()).toEqual({ ok: true })
  })

  it('says that a file went missing because synadm was rebuilt while it ran', () => {
    const dir = cli({
      'main.js': `module.exports = { load: () => require('./commands-X.js') }`,
      'commands-X.js': `module.exports = {}`,
    })
    const main = run(join(dir, 'main.js'))
    rmSync(join(dir, 'commands-X.js'))
    expect(() => main.load()).toThrow(`${join(dir, 'commands-X.js')} is gone: synadm was rebuilt or upgraded while it ran; start it again`)
  })
})
