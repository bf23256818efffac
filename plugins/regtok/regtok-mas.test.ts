// The regtok commands on a server that delegates auth to MAS: MAS's registration tokens, taken and shown as on Synapse.
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT, localDateTime } from '../../core/index.js'
import { json, runSynadm } from 'synadm/testing'
import mas from '../mas/index.js'
import { masSynapse } from '../mas/testing.js'
import regtok from './index.js'

const MAS = 'http://mas.test'
const V1 = '/api/admin/v1'
const ID = '01J00000000000000000000003'
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([regtok, mas], ['-o', 'json', ...argv], options)
const masApi = () => nock(MAS).matchHeader('authorization', 'Bearer test-token')

const attributes = { token: 'join-us', valid: true, usage_limit: 2, times_used: 1, created_at: '2026-01-01T00:00:00Z', last_used_at: null, expires_at: '2030-01-01T00:00:00Z', revoked_at: null }
const resource = (extra: Record<string, unknown> = {}) => ({ type: 'user-registration_token', id: ID, attributes: { ...attributes, ...extra }, links: { self: `${V1}/user-registration-tokens/${ID}` } })
const single = (extra?: Record<string, unknown>) => ({ data: resource(extra), links: { self: '' } })
const tokens = (next = false) => ({ data: [{ ...resource(), meta: { page: { cursor: ID } } }], links: { self: '', ...(next ? { next: 'x' } : {}) } })
const EXPIRY = Date.parse('2030-01-01T00:00:00Z')
const shown = { token: 'join-us', uses_allowed: 2, pending: 0, completed: 1, expiry_time: EXPIRY, id: ID, valid: true, revoked_at: null, created_at: '2026-01-01T00:00:00Z', last_used_at: null }
const listed = () => masApi().get(`${V1}/user-registration-tokens`).query({ 'page[first]': 1000, count: false }).reply(200, tokens())

beforeAll(() => nock.disableNetConnect())
beforeEach(() => masSynapse(MAS))
afterEach(() => nock.cleanAll())

describe('regtok on a MAS server', () => {
  it("list shows MAS's tokens as Synapse's (every page; -v asks for the valid ones)", async () => {
    const scope = masApi()
      .get(`${V1}/user-registration-tokens`)
      .query({ 'filter[valid]': true, 'page[first]': 1000, count: false })
      .reply(200, tokens(true))
      .get(`${V1}/user-registration-tokens`)
      .query({ 'filter[valid]': true, 'page[after]': ID, 'page[first]': 1000, count: false })
      .reply(200, { data: [], links: { self: '' } })
    expect(json(await run(['regtok', 'list', '-v']))).toEqual({ registration_tokens: [{ ...shown, expiry_time: localDateTime(EXPIRY) }] })
    expect(scope.isDone()).toBe(true)
  })

  it('details finds the token by its text; an unknown one is exit 7 (the token redacted in the message)', async () => {
    listed()
    expect(json(await run(['regtok', 'details', 'join-us', '--ts']))).toEqual(shown)
    listed()
    const unknown = await run(['regtok', 'details', 'nope-nope'])
    expect(unknown.code).toBe(EXIT.notFound)
    expect(unknown.stderr).toContain('synadm: MAS has no registration token REDACTED')
  })

  it('new sends the token, the limit and the expiry; -l makes a token of that length (MAS takes no length)', async () => {
    const chosen = masApi().post(`${V1}/user-registration-tokens`, { token: 'mine', usage_limit: 3, expires_at: new Date(2030, 0, 1).toISOString() }).reply(201, single())
    const generated = masApi().post(`${V1}/user-registration-tokens`, (b) => /^[A-Za-z0-9]{10}$/.test(b.token) && Object.keys(b).length === 1).reply(201, single())
    const plain = masApi().post(`${V1}/user-registration-tokens`, {}).reply(201, single())
    expect(json(await run(['regtok', 'new', '-n', 'mine', '-u', '3', '-e', '2030-01-01']))).toEqual(shown)
    expect((await run(['regtok', 'new', '-l', '10'])).code).toBe(0)
    expect((await run(['regtok', 'new'])).code).toBe(0)
    expect([chosen.isDone(), generated.isDone(), plain.isDone()]).toEqual([true, true, true])
  })

  it('update -u -1 -t -1 lifts the limit and the expiry (null); what is not given is left out', async () => {
    listed()
    const edit = masApi().put(`${V1}/user-registration-tokens/${ID}`, { usage_limit: null, expires_at: null }).reply(200, single({ usage_limit: null, expires_at: null }))
    expect(json(await run(['regtok', 'update', 'join-us', '-u', '-1', '-t', '-1']))).toMatchObject({ token: 'join-us', uses_allowed: null, expiry_time: null })
    listed()
    const only = masApi().put(`${V1}/user-registration-tokens/${ID}`, { usage_limit: 7 }).reply(200, single({ usage_limit: 7 }))
    expect((await run(['regtok', 'update', 'join-us', '-u', '7'])).code).toBe(0)
    expect([edit.isDone(), only.isDone()]).toEqual([true, true])
  })

  it('delete revokes the token (MAS deletes none), after asking', async () => {
    listed()
    const refused = await run(['regtok', 'delete', 'join-us'])
    expect(refused.code).toBe(EXIT.usage)
    listed()
    const revoke = masApi().post(`${V1}/user-registration-tokens/${ID}/revoke`).reply(200, single({ revoked_at: '2026-02-01T00:00:00Z', valid: false }))
    const result = await run(['--batch', 'regtok', 'delete', 'join-us'])
    expect(json(result)).toMatchObject({ token: 'join-us', valid: false, revoked_at: '2026-02-01T00:00:00Z' })
    expect(result.stderr).toContain(`Registration token join-us revoked in MAS (synadm mas tokens unrevoke ${ID} takes it back).`)
    expect(revoke.isDone()).toBe(true)
  })
})
