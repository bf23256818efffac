import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import notice from './index.js'
import user from '../user/index.js'

const A = '/_synapse/admin'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([notice, user], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const content = (plain: string, formatted = plain) => ({ msgtype: 'm.text', body: plain, format: 'org.matrix.custom.html', formatted_body: formatted })
const derivedTxn = (userId: string, c: object) => 'synadm-' + createHash('sha256').update(JSON.stringify([userId, c])).digest('hex').slice(0, 32)

describe('notice send to one user', () => {
  it('PUTs with a transaction ID derived from recipient and content', async () => {
    const body = { user_id: '@alice:synapse.test', content: content('Hello', '<b>Hello</b>') }
    const scope = api().put(`${A}/v1/send_server_notice/${derivedTxn(body.user_id, body.content)}`, body).reply(200, { event_id: '$e1' })
    const result = await run(['--batch', 'notice', 'send', 'alice', 'Hello', '<b>Hello</b>'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([{ event_id: '$e1' }])
    expect(scope.isDone()).toBe(true)
  })

  it('the same notice gets the same ID (a retry is not sent twice); other content another', async () => {
    const ids: string[] = []
    api()
      .put(new RegExp(`^${A}/v1/send_server_notice/`))
      .times(3)
      .reply(200, function () {
        ids.push(this.req.path.split('/').pop()!)
        return { event_id: '$e' }
      })
    await run(['--batch', 'notice', 'send', 'alice', 'Hello'])
    await run(['--batch', 'notice', 'send', '@alice:synapse.test', 'Hello'])
    await run(['--batch', 'notice', 'send', 'alice', 'Hello again'])
    expect(ids[0]).toBe(ids[1])
    expect(ids[2]).not.toBe(ids[0])
  })

  it('--txn-id sets the ID; --no-txn-id POSTs', async () => {
    const body = { user_id: '@alice:synapse.test', content: content('Hi') }
    const scope = api().put(`${A}/v1/send_server_notice/maint-42`, body).reply(200, { event_id: '$a' }).post(`${A}/v1/send_server_notice`, body).reply(200, { event_id: '$b' })
    expect(json(await run(['--batch', 'notice', 'send', 'alice', 'Hi', '--txn-id', 'maint-42']))).toEqual([{ event_id: '$a' }])
    expect(json(await run(['--batch', 'notice', 'send', 'alice', 'Hi', '--no-txn-id']))).toEqual([{ event_id: '$b' }])
    expect(scope.isDone()).toBe(true)
  })

  it('-f reads the content from files; -s prints nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notice-'))
    writeFileSync(join(dir, 'plain.txt'), 'From a file\n')
    writeFileSync(join(dir, 'html.txt'), '<p>From a file</p>')
    const body = { user_id: '@alice:synapse.test', content: content('From a file\n', '<p>From a file</p>') }
    const scope = api().post(`${A}/v1/send_server_notice`, body).reply(200, { event_id: '$f' })
    const result = await run(['--batch', 'notice', 'send', '-f', '-s', '--no-txn-id', 'alice', join(dir, 'plain.txt'), join(dir, 'html.txt')])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(scope.isDone()).toBe(true)
  })

  it('a missing file exits 1; an unknown user exits 7; an invalid recipient exits 2', async () => {
    expect((await run(['--batch', 'notice', 'send', '-f', 'alice', '/no/such/file'])).code).toBe(EXIT.failure)
    api().put(new RegExp(`${A}/v1/send_server_notice/`)).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    expect((await run(['--batch', 'notice', 'send', 'ghost', 'Hi'])).code).toBe(EXIT.notFound)
    expect((await run(['--batch', 'notice', 'send', 'not valid!', 'Hi'])).code).toBe(EXIT.usage)
    expect((await run(['--batch', 'notice', 'send', 'alice'])).code).toBe(EXIT.usage)
  })

  it('asks first: the preview names the recipient and the message; without a terminal it refuses', async () => {
    const declined = await run(['notice', 'send', 'alice', 'Maintenance at noon'], { interactive: true, input: 'n\r' })
    expect(declined.code).toBe(EXIT.aborted)
    expect(declined.stderr).toContain('Send this notice to 1 user?')
    expect(declined.stderr).toContain('@alice:synapse.test')
    expect(declined.stderr).toContain('Maintenance at noon')
    expect((await run(['notice', 'send', 'alice', 'Hi'])).code).toBe(EXIT.usage)
  })
})

describe('notice send -r', () => {
  const users = (names: string[], next?: string) => ({ users: names.map((name) => ({ name })), total: 5, ...(next ? { next_token: next } : {}) })
  const listing = () =>
    api()
      .get(`${A}/v2/users`)
      .query({ from: 0, limit: 2, guests: 'true' })
      .reply(200, users(['@ann:synapse.test', '@bob:synapse.test'], '2'))
      .get(`${A}/v2/users`)
      .query({ from: 2, limit: 2, guests: 'true' })
      .reply(200, users(['@anna:synapse.test', '@carl:synapse.test'], '4'))
      .get(`${A}/v2/users`)
      .query({ from: 4, limit: 2, guests: 'true' })
      .reply(200, users(['@xann:synapse.test']))

  it('pages through every user, matches from the start of the ID, and sends to each match', async () => {
    const scope = listing()
    const sent: string[] = []
    api()
      .put(new RegExp(`^${A}/v1/send_server_notice/run7-`))
      .times(2)
      .reply(200, function (_uri, body) {
        sent.push((body as { user_id: string }).user_id)
        return { event_id: `$${sent.length}` }
      })
    const result = await run(['--batch', 'notice', 'send', '-r', '-p', '2', '--txn-id', 'run7', '@ann', 'Hello'])
    expect(result.code).toBe(0)
    expect(sent).toEqual(['@ann:synapse.test', '@anna:synapse.test'])
    expect(json(result)).toEqual([{ event_id: '$1' }, { event_id: '$2' }])
    expect(scope.isDone()).toBe(true)
  })

  it('the confirmation shows the count and the first recipients', async () => {
    listing()
    const result = await run(['notice', 'send', '-r', '-p', '2', '-l', '1', '@', 'Hello'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('Send this notice to 5 users?')
    expect(result.stderr).toContain('recipient_count: 5')
    expect(result.stderr).toContain('@ann:synapse.test')
    expect(result.stderr).not.toContain('@bob:synapse.test')
    expect(result.stderr).toContain('... and 4 more')
  })

  it('no match sends nothing', async () => {
    listing()
    const result = await run(['--batch', 'notice', 'send', '-r', '-p', '2', '@zed', 'Hello'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual([])
    expect(result.stderr).toContain("No user matches '@zed'")
  })

  it('one failed recipient does not stop the others; the exit code says partial', async () => {
    listing()
    api().put(new RegExp(`${A}/v1/send_server_notice/`)).reply(200, { event_id: '$1' })
    api().put(new RegExp(`${A}/v1/send_server_notice/`)).reply(400, { errcode: 'M_UNKNOWN', error: 'Server notices are not enabled on this server' })
    const result = await run(['--batch', 'notice', 'send', '-r', '-p', '2', '@ann', 'Hello'])
    expect(result.code).toBe(EXIT.partial)
    expect(json(result)).toEqual([
      { event_id: '$1' },
      { user_id: '@anna:synapse.test', status: 400, errcode: 'M_UNKNOWN', error: 'Server notices are not enabled on this server' },
    ])
    expect(result.stderr).toContain('1 of 2 notices failed')
    expect(result.stderr).toContain('sends only the notices that failed')
  })

  it('an invalid pattern is a usage error before any request', async () => {
    const result = await run(['--batch', 'notice', 'send', '-r', '(', 'Hello'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('not a valid regular expression')
  })

  it('a failing user list stops with its error', async () => {
    api().get(`${A}/v2/users`).query(true).reply(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    expect((await run(['--batch', 'notice', 'send', '-r', '.*', 'Hello'])).code).toBe(EXIT.auth)
  })
})
