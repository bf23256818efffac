import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT, localDateTime } from '../../core/index.js'
import { json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { tokenNames } from './completion.js'
import regtok from './index.js'
import mas from '../mas/index.js'
import { plainSynapse } from '../mas/testing.js'

const A = '/_synapse/admin/v1/registration_tokens'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([regtok, mas], ['-o', 'json', ...argv], options)

beforeAll(() => nock.disableNetConnect())
// the servers of these tests delegate no auth: they answer the question of synadm's mas plugin so
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

const EXPIRY = 1_900_000_000_000
const token = { token: 'abcd', uses_allowed: 2, pending: 0, completed: 1, expiry_time: EXPIRY }

describe('regtok list', () => {
  it('lists all tokens with expiry as local date/time', async () => {
    const scope = api().get(A).reply(200, { registration_tokens: [token, { ...token, token: 'x', expiry_time: null }] })
    const result = await run(['regtok', 'list'])
    expect(json(result)).toEqual({ registration_tokens: [{ ...token, expiry_time: localDateTime(EXPIRY) }, { ...token, token: 'x', expiry_time: null }] })
    expect(scope.isDone()).toBe(true)
  })

  it('-v / -V filter valid or invalid tokens; --ts keeps timestamps', async () => {
    const scope = api()
      .get(A)
      .query({ valid: 'true' })
      .reply(200, { registration_tokens: [token] })
      .get(A)
      .query({ valid: 'false' })
      .reply(200, { registration_tokens: [] })
    expect(json(await run(['regtok', 'list', '-v', '--ts']))).toEqual({ registration_tokens: [token] })
    expect(json(await run(['regtok', 'list', '--invalid']))).toEqual({ registration_tokens: [] })
    expect(scope.isDone()).toBe(true)
  })

  it('401 exits 6', async () => {
    api().get(A).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' })
    expect((await run(['regtok', 'list'])).code).toBe(EXIT.auth)
  })
})

describe('regtok details', () => {
  it('shows one token; one Synapse cannot have is a usage error before any request', async () => {
    const scope = api().get(`${A}/a.b~c`).reply(200, { ...token, token: 'a.b~c' })
    const result = await run(['regtok', 'details', 'a.b~c', '--timestamp'])
    expect(json(result)).toEqual({ ...token, token: 'a.b~c' })
    expect((await run(['regtok', 'details', 'a/b'])).code).toBe(2)
    expect(scope.isDone()).toBe(true)
  })

  it('an unknown token exits 7; a missing argument exits 2', async () => {
    api().get(`${A}/nope`).reply(404, { errcode: 'M_NOT_FOUND', error: 'No such registration token: nope' })
    expect((await run(['regtok', 'details', 'nope'])).code).toBe(EXIT.notFound)
    expect((await run(['regtok', 'details'])).code).toBe(EXIT.usage)
  })
})

describe('regtok new', () => {
  it('sends the defaults synadm sends', async () => {
    const scope = api().post(`${A}/new`, { length: 16, uses_allowed: null, expiry_time: null }).reply(200, token)
    expect(json(await run(['regtok', 'new']))).toEqual(token)
    expect(scope.isDone()).toBe(true)
  })

  it('sends token, length, uses and expiry; -t wins over -e; 0 is a value', async () => {
    const scope = api()
      .post(`${A}/new`, { length: 8, uses_allowed: 0, expiry_time: 0, token: 'mine' })
      .reply(200, token)
      .post(`${A}/new`, { length: 16, uses_allowed: 3, expiry_time: new Date(2030, 0, 1).getTime() })
      .reply(200, token)
    expect((await run(['regtok', 'new', '-n', 'mine', '-l', '8', '-u', '0', '-t', '0', '-e', '2030-01-01'])).code).toBe(0)
    expect((await run(['regtok', 'new', '-u', '3', '-e', '2030-01-01'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('a bad date or number is a usage error', async () => {
    expect((await run(['regtok', 'new', '-e', 'tomorrow'])).code).toBe(EXIT.usage)
    expect((await run(['regtok', 'new', '-u', 'many'])).code).toBe(EXIT.usage)
  })
})

describe('regtok update', () => {
  it('sends only what was given; -1 means unlimited / never', async () => {
    const scope = api()
      .put(`${A}/abcd`, { uses_allowed: null, expiry_time: null })
      .reply(200, token)
      .put(`${A}/abcd`, { uses_allowed: 5 })
      .reply(200, token)
      .put(`${A}/abcd`, { expiry_time: 0 })
      .reply(200, token)
      .put(`${A}/abcd`, { expiry_time: new Date(2031, 5, 1, 12, 0, 0).getTime() })
      .reply(200, token)
    expect((await run(['regtok', 'update', 'abcd', '-u', '-1', '-t', '-1'])).code).toBe(0)
    expect((await run(['regtok', 'update', 'abcd', '-u', '5'])).code).toBe(0)
    expect((await run(['regtok', 'update', 'abcd', '-t', '0'])).code).toBe(0)
    expect((await run(['regtok', 'update', 'abcd', '-e', '2031-06-01 12:00:00'])).code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })
})

describe('regtok delete', () => {
  it('shows the token, and deletes it with --batch', async () => {
    const scope = api().get(`${A}/abcd`).reply(200, token).delete(`${A}/abcd`).reply(200, {})
    const result = await run(['--batch', 'regtok', 'delete', 'abcd'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({})
    expect(result.stderr).toContain('Registration token abcd deleted.')
    expect(scope.isDone()).toBe(true)
  })

  it('asks in a terminal; no deletes nothing; without a terminal it refuses', async () => {
    api().get(`${A}/abcd`).twice().reply(200, token)
    const declined = await run(['regtok', 'delete', 'abcd'], { interactive: true, input: 'n\r' })
    expect(declined.code).toBe(EXIT.aborted)
    expect(declined.stderr).toContain('Delete registration token abcd?')
    const refused = await run(['regtok', 'delete', 'abcd'])
    expect(refused.code).toBe(EXIT.usage)
    expect(nock.isDone()).toBe(true)
  })

  it('an unknown token exits 7 without deleting', async () => {
    api().get(`${A}/nope`).reply(404, { errcode: 'M_NOT_FOUND', error: 'No such registration token: nope' })
    expect((await run(['--batch', 'regtok', 'delete', 'nope'])).code).toBe(EXIT.notFound)
  })

  it('a network failure exits 4', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['--batch', 'regtok', 'delete', 'abcd'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    expect(result.code).toBe(EXIT.network)
    nock.disableNetConnect()
  })
})

describe('regtok completion', () => {
  it("offers the token names: Synapse's, or MAS's on a server that delegates auth to MAS", async () => {
    const apis = (mas: boolean) =>
      (async (ns: string) =>
        ns === 'mas'
          ? { onMas: async () => mas, listTokens: async () => ({ items: [{ token: 'from-mas' }] }) }
          : { list: async () => ({ registration_tokens: [token, { ...token, token: 'efgh' }] }) }) as <T>(ns: string) => Promise<T>
    expect(await tokenNames(apis(false))).toEqual(['abcd', 'efgh'])
    expect(await tokenNames(apis(true))).toEqual(['from-mas'])
  })
})
