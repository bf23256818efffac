// Help names an option's default once, in words a user can type: never `[default: datetime] [default: true]`.
import { describe, expect, it } from 'vitest'
import { corePlugin } from '../../core/commands/index.js'
import { commandHelp } from '../../core/cli/help.js'
import { loadBuiltins } from '../../core/plugin-host/loader.js'
import { Registry } from '../../core/cli/registry.js'
import { builtins } from '../../plugins/builtins.js'

describe('defaults in help', async () => {
  const registry = new Registry()
  await loadBuiltins(registry, [corePlugin, ...builtins])

  it('at most one [default: …] per option, and a switch pair names its switch', () => {
    const lines = registry.commands().flatMap((c) => commandHelp(c.spec).split('\n').map((line) => `${c.spec.path}: ${line}`))
    expect(lines.length).toBeGreaterThan(100)
    expect(lines.filter((line) => (line.match(/\[default:/g) ?? []).length > 1)).toEqual([])
    expect(lines.filter((line) => /\[default: (true|false)\]/.test(line))).toEqual([])
    expect(commandHelp(registry.find('media list')!.spec)).toMatch(/--datetime, --dt \/ --timestamp, --ts\n\s+show created_ts .*\[default: datetime\]\n/)
  })
})
