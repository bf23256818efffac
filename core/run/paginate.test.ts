import { describe, expect, it } from 'vitest'
import { pages, type Page } from './paginate.js'
import type { PagedSpec } from '../contract/spec.js'

const OFFSET: PagedSpec = { items: 'users', next: 'next_token', style: 'offset', total: 'total' }

/** A list of `total` numbers served in pages of `limit` from offset `from`, like Synapse's v2/users. */
function server(total: number, limit: number, delayMs = 5) {
  const log = { started: [] as number[], inFlight: 0, maxInFlight: 0 }
  const fetchPage = async (token: unknown): Promise<Page> => {
    const from = Number(token ?? 0)
    log.started.push(from)
    log.maxInFlight = Math.max(log.maxInFlight, ++log.inFlight)
    await new Promise((done) => setTimeout(done, delayMs))
    log.inFlight--
    const users = Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, i) => from + i)
    return { users, total, ...(from + limit < total ? { next_token: String(from + limit) } : {}) }
  }
  return { fetchPage, log }
}

async function collect(generator: AsyncGenerator<Page>, onPage?: () => Promise<void>) {
  const out: number[] = []
  for await (const page of generator) {
    out.push(...(page.users as number[]))
    await onPage?.()
  }
  return out
}

describe('pages', () => {
  it('fetches the next page while the current one is handled', async () => {
    const { fetchPage, log } = server(30, 10)
    const seenWhileHandling: number[][] = []
    const out = await collect(pages(fetchPage, { items: 'users' }), async () => void seenWhileHandling.push([...log.started]))
    expect(out).toEqual(Array.from({ length: 30 }, (_, i) => i))
    // While the first page is handled, the second is already asked for.
    expect(seenWhileHandling[0]).toEqual([0, 10])
    expect(log.maxInFlight).toBe(1)
  })

  it('offset paging with a total: pages side by side, bounded, in order', async () => {
    const { fetchPage, log } = server(1005, 100, 10)
    const out = await collect(pages(fetchPage, OFFSET, { concurrency: 3 }), () => new Promise((done) => setTimeout(done, 1)))
    expect(out).toEqual(Array.from({ length: 1005 }, (_, i) => i))
    expect(log.maxInFlight).toBe(3)
    expect(log.started).toHaveLength(11)
  })

  it('starts at the given offset and steps by what the first page advanced', async () => {
    const { fetchPage, log } = server(100, 7)
    const out = await collect(pages(fetchPage, OFFSET, { first: 50, concurrency: 4 }))
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i))
    expect(log.started.sort((a, b) => a - b)).toEqual([50, 57, 64, 71, 78, 85, 92, 99])
  })

  it('follows the tokens again when the list changed under it', async () => {
    // The list shrinks after the first page: page 10 says the next is 18, not the planned 20.
    let calls = 0
    const fetchPage = async (token: unknown): Promise<Page> => {
      const from = Number(token ?? 0)
      calls++
      if (from === 0) return { users: [0], total: 40, next_token: '10' }
      if (from === 10) return { users: [10], total: 38, next_token: '18' }
      if (from === 18) return { users: [18], total: 38 }
      return { users: [from], total: 38, next_token: String(from + 10) }
    }
    expect(await collect(pages(fetchPage, OFFSET, { concurrency: 2 }))).toEqual([0, 10, 18])
    expect(calls).toBeGreaterThanOrEqual(3)
  })

  it('goes on past the total when the list grew', async () => {
    const fetchPage = async (token: unknown): Promise<Page> => {
      const from = Number(token ?? 0)
      return from === 0 ? { users: [0], total: 20, next_token: '10' } : from < 30 ? { users: [from], total: 30, next_token: String(from + 10) } : { users: [from], total: 40 }
    }
    expect(await collect(pages(fetchPage, OFFSET, { concurrency: 2 }))).toEqual([0, 10, 20, 30])
  })

  it('stops at a repeated token and reports a failed page only when it is reached', async () => {
    const repeat = async (): Promise<Page> => ({ users: [1], next_token: 'x' })
    expect(await collect(pages(repeat, { items: 'users' }))).toEqual([1, 1])
    const failing = async (token: unknown): Promise<Page> => {
      if (token === '2') throw new Error('page 2 failed')
      return { users: [token ?? 0], next_token: '2' }
    }
    const generator = pages(failing, { items: 'users' })
    expect((await generator.next()).value).toEqual({ users: [0], next_token: '2' })
    await expect(generator.next()).rejects.toThrow('page 2 failed')
  })
})
