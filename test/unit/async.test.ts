import { describe, expect, it } from 'vitest'
import { isThenable, sleep } from '../../core/kernel/async.js'

describe('sleep', () => {
  it('waits, or resolves as soon as the signal aborts', async () => {
    const started = Date.now()
    await sleep(30)
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    const controller = new AbortController()
    const pending = sleep(60_000, controller.signal)
    controller.abort()
    await expect(pending).resolves.toBeUndefined()
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined()
  })
})

describe('isThenable', () => {
  it('knows promises and objects with a then()', () => {
    expect(isThenable(Promise.resolve())).toBe(true)
    expect(isThenable({ then: () => undefined })).toBe(true)
    expect(isThenable({ then: 1 })).toBe(false)
    expect(isThenable(undefined)).toBe(false)
  })
})
