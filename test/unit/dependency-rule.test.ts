// The dependency rule of core's layers (.dependency-cruiser.cjs, README "Architecture"): no runtime import cycle,
// no import that climbs to a higher layer, plugins only through core/index.ts. Type-only imports are exempt.
// The first test holds the tree to it; the second shows on a small tree that the rules catch what they should.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cruise, type ICruiseResult } from 'dependency-cruiser'
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './configured.js'

/** Every violation of the rules in `baseDir`, one line each: `rule: from → to`. */
async function violations(baseDir: string, entries: string[], tsConfig?: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(join(repoRoot, '.dependency-cruiser.cjs'))
  const transpile = tsConfig ? { tsConfig: extractTSConfig(tsConfig) } : {}
  const result = await cruise(entries, { ...options, baseDir }, {}, transpile)
  const output = result.output as ICruiseResult
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort()
}

describe('the dependency rule', () => {
  it('holds for core, the plugins and the package entries', async () => {
    expect(await violations(repoRoot, ['core', 'plugins', 'main.ts', 'index.ts', 'testing.ts'], join(repoRoot, 'tsconfig.json'))).toEqual([])
  }, 120_000)

  it('catches a climb, a runtime cycle (also through import()) and a plugin reaching past core/index.ts; not a type-only import', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-layers-'))
    const files: Record<string, string> = {
      'core/kernel/low.ts': "import { high } from '../run/high.js'\nexport const low = high\n",
      'core/kernel/shape.ts': "import type { High } from '../run/high.js'\nexport type Shape = High\n",
      'core/run/high.ts': "export const high = 1\nexport type High = number\n",
      'core/run/ping.ts': "import { pong } from './pong.js'\nexport const ping = () => pong\n",
      'core/run/pong.ts': "export const pong = async () => (await import('./ping.js')).ping\n",
      'core/cli/a.ts': "import { b } from './b.js'\nexport const a = b\nexport type A = number\n",
      'core/cli/b.ts': "import type { A } from './a.js'\nexport const b: A = 1\n",
      'core/index.ts': "export { a } from './cli/a.js'\n",
      'plugins/p/index.ts': "import { a } from '../../core/index.js'\nimport { high } from '../../core/run/high.js'\nexport default [a, high]\n",
    }
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), text)
    }
    expect(await violations(dir, ['core', 'plugins'])).toEqual([
      'layer-kernel: core/kernel/low.ts → core/run/high.ts',
      'no-runtime-cycle: core/run/ping.ts → core/run/pong.ts',
      'plugins-use-the-public-api: plugins/p/index.ts → core/run/high.ts',
    ])
  }, 60_000)
})
