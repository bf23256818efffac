// A paged list that only reads, over --targets: one list of every target's records (every page with --all), with
// --where applied, instead of a bulk report; one page per target says when there are more.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { json, runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import { builtins } from '../../plugins/builtins.js'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const USERS = ['@spam1:synapse.test', '@spam2:synapse.test']
const media = (user: string, n: number) => ({ media_id: `${user.slice(1, 6)}-${n}`, media_length: n * 100, created_ts: n })

/** two pages of one item for each user: -l 1 */
function serve() {
  for (const user of USERS) {
    const path = `/_synapse/admin/v1/users/${encodeURIComponent(user)}/media`
    nock(TEST_BASE_URL).get(path).query((q) => q.from === '0').reply(200, { media: [media(user, 1)], total: 2, next_token: 1 })
    nock(TEST_BASE_URL).get(path).query((q) => q.from === '1').reply(200, { media: [media(user, 2)], total: 2 })
  }
}

describe('a paged list over --targets', () => {
  it('with --all: every page of every target as one list, --where applied', async () => {
    serve()
    const result = await runSynadm(builtins, ['-o', 'json', 'user', 'media', '--targets', '-', '-l', '1', '--all', '--timestamp', '--where', 'media_length>=200'], { input: USERS.join('\n') })
    expect(result.code).toBe(0)
    expect(json(result).map((m: { media_id: string }) => m.media_id).sort()).toEqual(['spam1-2', 'spam2-2'])
    // every target ran: none is "not started"
    expect(result.stderr).toMatch(/2 targets: 2 done, 0 failed, 0 skipped in /)
    expect(nock.isDone()).toBe(true)
  })

  it('without --all: the first page of each, and a line saying there are more', async () => {
    serve()
    const result = await runSynadm(builtins, ['-o', 'jsonl', 'user', 'media', '--targets', '-', '-l', '1', '--timestamp'], { input: USERS.join('\n') })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line).media_id).sort()).toEqual(['spam1-1', 'spam2-1'])
    expect(result.stderr).toContain('2 target(s) have more media than their first page: add --all for every page')
  })
})
