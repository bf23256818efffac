// The README's table of environment variables is complete and true: every variable the code reads is in it, and
// every variable in it is read (by the code, or by a library the README names).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KEYS } from '../../core/config/settings.js'

const repoRoot = join(import.meta.dirname, '..', '..')
/** read by libraries, not by our code: proxy-from-env's lookup for core/http/transport.ts */
const READ_BY_LIBRARIES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|js|cjs|mjs)$/.test(file) && !/\.test\.ts$|(^|\/)testing\.ts$/.test(file))
    .map((file) => join(repoRoot, dir, file))
}

function readByCode(): Set<string> {
  const names = new Set<string>()
  for (const file of ['core', 'plugins', 'bin'].flatMap(sources)) {
    const text = readFileSync(file, 'utf8')
    for (const pattern of [/\benv\??\.([A-Z][A-Z0-9_]+)\b/g, /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g, /\benvVar: '([A-Z][A-Z0-9_]+)'/g]) {
      for (const [, name] of text.matchAll(pattern)) names.add(name)
    }
    // config keys: SYNADM_${key.toUpperCase()}
    if (/SYNADM_\$\{key\.toUpperCase\(\)\}/.test(text)) for (const key of KEYS) names.add(`SYNADM_${key.toUpperCase()}`)
  }
  return names
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('### Environment variables') + 4)
const table = section.slice(0, section.indexOf('\n#'))
const documented = new Set(table.split('\n').filter((row) => row.startsWith('| `')).flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])))

describe('environment variables', () => {
  const read = readByCode()

  it('the code reads a known set (the scan works)', () => {
    expect([...read]).toEqual(expect.arrayContaining(['SYNADM_CONFIG', 'SYNADM_TOKEN', 'SYNADM_PASSWORD', 'XDG_CACHE_HOME']))
  })

  it('every variable the code reads is in the README table', () => {
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([])
  })

  it('every variable in the README table is read', () => {
    expect([...documented].filter((name) => !read.has(name) && !READ_BY_LIBRARIES.includes(name) && name !== 'HOME').sort()).toEqual([])
  })
})
