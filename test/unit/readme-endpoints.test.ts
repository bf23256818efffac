// The README's endpoint table is the completeness claim: rows 1–99 of Synapse's Admin API docs, each naming a
// command that exists in the registry.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corePlugin } from '../../core/commands/index.js'
import { loadBuiltins } from '../../core/loader.js'
import { Registry } from '../../core/registry.js'
import { builtins } from '../../plugins/builtins.js'

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Every Admin API endpoint'), readme.indexOf('## Testing'))
const rows = section.split('\n').filter((line) => /^\| (\d+|—) \|/.test(line))

describe('README endpoint table', async () => {
  const registry = new Registry()
  await loadBuiltins(registry, [corePlugin, ...builtins])

  it('has every documented endpoint, numbered 1 to 99', () => {
    const numbers = rows.map((r) => r.split('|')[1].trim()).filter((n) => n !== '—').map(Number)
    expect(numbers).toEqual(Array.from({ length: 99 }, (_, i) => i + 1))
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
