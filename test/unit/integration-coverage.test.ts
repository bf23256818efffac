// Every command in the registry has an integration test against the real Synapse, and every read command of
// the Python synadm has a compatibility test. Both are checked from the test sources: a command counts as
// covered when its words stand as consecutive string literals (an argv) in an integration test file.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corePlugin } from '../../core/commands/index.js'
import { loadBuiltins } from '../../core/plugin-host/loader.js'
import { Registry } from '../../core/cli/registry.js'
import { builtins } from '../../plugins/builtins.js'

const dir = join(import.meta.dirname, '..', 'integration')
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }))

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const argvPattern = (path: string) => new RegExp(path.split(' ').map((w) => `['"\`]${escape(w)}['"\`]`).join('\\s*,\\s*'))

/** The Python synadm 0.49.2's commands that only read (cli-surface.md). */
export const PYTHON_READ_COMMANDS = [
  'version',
  'user list', 'user search', 'user details', 'user whois', 'user media', 'user membership', 'user redact-status', 'user 3pid', 'user auth-provider',
  'room list', 'room search', 'room details', 'room members', 'room state', 'room power-levels', 'room resolve', 'room block-status', 'room delete-status',
  'media list',
  'history purge-status',
  'regtok list', 'regtok details',
]

describe('integration coverage', async () => {
  const registry = new Registry()
  await loadBuiltins(registry, [corePlugin, ...builtins])
  const commands = registry.commands().map((c) => c.words.join(' '))

  it('finds the registry populated', () => {
    expect(commands.length).toBeGreaterThan(50)
  })

  it.each(commands)('%s runs in an integration test', (path) => {
    const pattern = argvPattern(path)
    expect(files.filter((f) => pattern.test(f.text)).map((f) => f.name), `no integration test runs '${path}'`).not.toEqual([])
  })

  it.each(PYTHON_READ_COMMANDS)('%s is compared with the Python synadm', (path) => {
    const pattern = argvPattern(path)
    const compared = files.filter((f) => /\b(runPythonSynadm|expectSameAsPython)\(/.test(f.text) && pattern.test(f.text))
    expect(compared.map((f) => f.name), `no compatibility test for '${path}'`).not.toEqual([])
  })
})
