import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import server from '../server/index.js'
import group from './index.js'

const A = '/_synapse/admin'
const NO_GROUPS = 'synadm: groups (communities) were removed from Synapse in 1.61; this server has no group API\n'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([server, group], argv, options)
const version = (v: string) => api().get(`${A}/v1/server_version`).reply(200, { server_version: v })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('group delete', () => {
  it('on Synapse 1.61 and later: one line, non-zero, nothing sent and nothing asked', async () => {
    version('1.160.0')
    const result = await run(['group', 'delete', '+g:synapse.test'], { interactive: true })
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toBe(NO_GROUPS)
    expect(result.stdout).toBe('')
  })

  it('on an older Synapse: POSTs delete_group after confirming', async () => {
    version('1.60.0')
    const scope = api().post(`${A}/v1/delete_group/%2Bg%3Asynapse.test`).reply(200, {})
    const result = await run(['--batch', 'group', 'delete', '+g:synapse.test'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({})
    expect(scope.isDone()).toBe(true)
  })

  it('an unrecognised endpoint says the same line', async () => {
    version('unknown-fork')
    api().post(`${A}/v1/delete_group/%2Bg%3As`).reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
    const result = await run(['--batch', 'group', 'delete', '+g:s'])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toBe(NO_GROUPS)
  })

  it('other errors pass through', async () => {
    version('1.50.0')
    api().post(`${A}/v1/delete_group/%2Bg%3As`).reply(403, { errcode: 'M_FORBIDDEN', error: 'not a server admin' })
    expect((await run(['--batch', 'group', 'delete', '+g:s'])).code).toBe(EXIT.auth)
  })

  it('asks first; no sends nothing', async () => {
    version('1.50.0')
    const result = await run(['group', 'delete', '+g:s'], { interactive: true, input: 'n\r' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('Delete group +g:s?')
  })

  it('a refused connection is a network error', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['group', 'delete', '+g:s'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    nock.disableNetConnect()
    expect(result.code).toBe(EXIT.network)
  })

  it('needs the group ID', async () => {
    expect((await run(['group', 'delete'])).code).toBe(EXIT.usage)
  })
})
