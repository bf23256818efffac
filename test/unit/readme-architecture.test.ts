// The README's architecture section is the map of core: each folder of core/ (a layer) is in the diagram of the
// layers and has a bullet naming every file in it, and each file at core/'s top is named; so a new file or folder
// without a place on the map fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('\n## ', readme.indexOf('## Architecture') + 1))
const core = join(root, 'core')
const sources = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
const folders = readdirSync(core, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
/** the diagram of the layers: the code block that names core/index.ts */
const diagram = section.split('```').find((block) => block.includes('index.ts') && block.includes('kernel/')) ?? ''
/** the bullet of a folder: from "- `name/`" to the next bullet */
const bullet = (folder: string) => section.split(/\n- /).find((b) => b.startsWith(`\`${folder}/\``)) ?? ''

describe("README's architecture section", () => {
  it('is there', () => expect(section).toContain('`core/` knows no domain'))
  it.each(folders)('shows core/%s/ in the diagram of the layers', (folder) => {
    expect(diagram).toMatch(new RegExp(`(^|\\s)${folder}/\\s`, 'm'))
  })
  it.each(folders)("names every file of core/%s/ in the folder's bullet", (folder) => {
    expect(bullet(folder), `a bullet starting with \`${folder}/\``).not.toBe('')
    for (const file of sources(join(core, folder))) expect(bullet(folder), `${folder}/${file}`).toContain(`\`${file}\``)
  })
  it.each(sources(core))('names core/%s', (file) => {
    expect(section).toContain(`\`${file}\``)
  })
})
