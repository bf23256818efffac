// The README's architecture section is the map of core: every file of core/ (and each folder in it) is named
// there with what it owns, so a new file without a place on the map fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('\n## ', readme.indexOf('## Architecture') + 1))
const entries = readdirSync(join(root, 'core'), { withFileTypes: true }).filter((e) => (e.isDirectory() || e.name.endsWith('.ts')) && !e.name.endsWith('.test.ts'))

describe("README's architecture section", () => {
  it('is there', () => expect(section).toContain('`core/` knows no domain'))
  it.each(entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)))('names core/%s', (name) => {
    expect(section).toContain(`\`${name}\``)
  })
})
