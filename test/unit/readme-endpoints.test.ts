// The README's endpoint table is the completeness claim: rows 1–99 of Synapse's Admin API docs (as listed in
// docs/admin-api.md), each naming a command that exists in the registry.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corePlugin } from '../../core/commands/index.js'
import { loadBuiltins } from '../../core/plugin-host/loader.js'
import { Registry } from '../../core/cli/registry.js'
import { builtins } from '../../plugins/builtins.js'

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Every Admin API endpoint'), readme.indexOf('## Testing'))
const rows = section.split('\n').filter((line) => /^\| (\d+|—) \|/.test(line))
const sourceRows = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'admin-api.md'), 'utf8').split('\n').filter((line) => /^\| \d+ \|/.test(line))
/** method and path, with parameter names and optional parts left out: `GET A/v1/rooms/<>/members` */
const endpoint = (method: string, path: string) => `${method.trim()} ${path.trim().replace(/<[^>]+>/g, '<>').replace(/\[[^\]]*\]/g, '').replace(/ \(.*\)$/, '').trim()}`

describe('README endpoint table', async () => {
  const registry = new Registry()
  await loadBuiltins(registry, [corePlugin, ...builtins])

  it('has every documented endpoint, numbered 1 to 99', () => {
    const numbers = rows.map((r) => r.split('|')[1].trim()).filter((n) => n !== '—').map(Number)
    expect(numbers).toEqual(Array.from({ length: 99 }, (_, i) => i + 1))
  })

  it('names the same endpoint as docs/admin-api.md in each numbered row', () => {
    const source = new Map(sourceRows.map((row) => {
      const cells = row.split('|')
      return [cells[1].trim(), endpoint(cells[3], cells[4])]
    }))
    expect(source.size).toBe(99)
    for (const row of rows.filter((r) => !r.startsWith('| — '))) {
      const [number, methodAndPath] = [row.split('|')[1].trim(), row.split('|')[2].trim()]
      const [method, ...path] = methodAndPath.split(' ')
      expect(endpoint(method, path.join(' ')), `README row ${number}`).toBe(source.get(number))
    }
  })

  it('points only at files of the repository', () => {
    expect(readme).not.toMatch(/\.\.\/shared|shared\/knowledge/)
    for (const [, target] of readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) {
      expect(existsSync(join(import.meta.dirname, '..', '..', target)), target).toBe(true)
    }
  })

  it.each(rows.map((r) => [r.split('|')[1].trim() + ' ' + r.split('|')[2].trim(), r] as const))('%s names existing commands', (_, row) => {
    const commands = [...row.split('|')[3].matchAll(/`synadm ([^`]+)`/g)].map((m) => m[1])
    expect(commands.length).toBeGreaterThan(0)
    for (const command of commands) {
      const match = registry.match(command.split(' '))
      expect(match.command?.words.join(' '), `'${command}' is not a command`).toBe(command)
    }
  })
})
