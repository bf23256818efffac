// On a Node.js older than package.json's `engines`, the bin shim says so in one line and exits 1 before anything
// else loads. The older Node is faked: a preloaded script changes process.versions.node before the shim runs.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const repoRoot = join(import.meta.dirname, '..', '..')
const bin = join(repoRoot, 'bin', 'synadm.js')

function runOn(version: string) {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-node-'))
  const fake = join(dir, 'fake-node-version.cjs')
  writeFileSync(fake, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} })\n`)
  const cache = join(dir, 'cache')
  const result = spawnSync(process.execPath, ['--require', fake, bin, '--version'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: cache },
  })
  // The bundle writes its code cache when it runs: no cache means nothing past the check was loaded.
  return { ...result, bundleRan: existsSync(join(cache, 'synadm')) }
}

describe('Node.js version check', () => {
  it.each(['18.19.0', '20.11.1', '19.9.0', '16.20.2'])('refuses Node.js %s in one line, exit 1, nothing loaded', (version) => {
    const result = runOn(version)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`synadm: needs Node.js 20.12 or newer; this is Node.js ${version} (${process.execPath})\n`)
    expect(result.bundleRan).toBe(false)
  })

  it.each(['20.12.0', '21.0.0', '22.1.0'])('runs on Node.js %s', (version) => {
    const result = runOn(version)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^synadm, version \d/)
    expect(result.status).toBe(0)
  })

  it('checks the version package.json names in engines', () => {
    const engines = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).engines.node
    const shimMin = /const NODE_MIN = \[(\d+), (\d+)\]/.exec(readFileSync(bin, 'utf8'))
    expect(engines).toBe(`>=${shimMin?.[1]}.${shimMin?.[2]}`)
  })
})
