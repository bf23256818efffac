// The vorpal facade is initialised only when a configured plugin is a vorpal extension: synadm's start-up does
// not pay for it otherwise. (In the bundle every module is initialised on first import, as here.)
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { configured, examples } from './configured.js'
import user from '../../plugins/user/index.js'

const loads = vi.hoisted(() => ({ facade: 0 }))
vi.mock('../../core/vorpal/facade.js', async (importOriginal) => {
  loads.facade++
  return importOriginal()
})

describe('the vorpal facade', () => {
  it('is not loaded for synadm plugins, and loaded for a vorpal extension', async () => {
    const hello = await configured(['hello'], { builtins: [user] })
    expect(hello.session.plugins.find((p) => p.source === 'hello')?.error).toBeUndefined()
    expect(loads.facade).toBe(0)
    const withVorpal = await configured([join(examples, 'vorpal-hello', 'index.js')])
    expect(loads.facade).toBe(1)
    expect(withVorpal.session.plugins.find((p) => p.name === 'vorpal-hello')?.error).toBeUndefined()
  })
})
