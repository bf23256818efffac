// docs/plugins.md's reference part is generated from the code (scripts/plugin-reference.mjs); this fails when the
// code changed and the doc was not regenerated. Also: the package's type exports cover every built-in API, and
// BUILTIN_COMPLETION_SOURCES names exactly the sources the built-in plugins offer.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBuiltins } from '../../core/plugin-host/loader.js'
import { Registry } from '../../core/cli/registry.js'
import { BUILTIN_COMPLETION_SOURCES } from '../../plugins/apis.js'
import { builtins } from '../../plugins/builtins.js'
// @ts-expect-error: a plain JavaScript script without types
import { DOC, pluginReference, withReference } from '../../scripts/plugin-reference.mjs'
import { repoRoot } from './configured.js'

describe('the plugin reference', () => {
  it('in docs/plugins.md is what the code says (run npm run docs after changing an API)', () => {
    const doc = readFileSync(DOC, 'utf8')
    expect(withReference(doc, pluginReference()) === doc, 'docs/plugins.md is out of date: run npm run docs').toBe(true)
  }, 120_000)

  it('lists every exported type of every built-in api.ts in the package exports (plugins/apis.ts)', () => {
    const apis = readFileSync(join(repoRoot, 'plugins', 'apis.ts'), 'utf8')
    for (const plugin of readdirSync(join(repoRoot, 'plugins'), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      let source: string
      try {
        source = readFileSync(join(repoRoot, 'plugins', plugin.name, 'api.ts'), 'utf8')
      } catch {
        continue
      }
      const exported = [...source.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1])
      const line = apis.split('\n').find((l) => l.endsWith(`from './${plugin.name}/api.js'`) && l.startsWith('export type {')) ?? ''
      expect(exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(line)), `plugins/apis.ts misses types of plugins/${plugin.name}/api.ts`).toEqual([])
      expect(apis).toMatch(new RegExp(`^  ${plugin.name}: \\w+Api$`, 'm'))
    }
  })

  it('names in BUILTIN_COMPLETION_SOURCES exactly the sources the built-in plugins offer', async () => {
    const registry = new Registry()
    await loadBuiltins(registry, builtins)
    expect([...registry.completionSources.keys(), ...registry.wordCompleters.keys()].sort()).toEqual([...BUILTIN_COMPLETION_SOURCES].sort())
  })
})
