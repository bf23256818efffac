import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXIT, completionProvider } from '../../core/index.js'
import { execute, json, runSynadm, TEST_BASE_URL } from 'synadm/testing'
import mas from './index.js'

const MAS = 'http://mas.test'
const V1 = '/api/admin/v1'
const ALICE_ID = '01J00000000000000000000001'
const SESSION_ID = '01J00000000000000000000002'
const TOKEN_ID = '01J00000000000000000000003'
const CLIENT = { SYNADM_MAS_CLIENT_ID: '01J000000000000000000CL1NT', SYNADM_MAS_CLIENT_SECRET: 'client-secret-value' }

const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([mas], ['-o', 'json', ...argv], options)
const batch = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => run(['--batch', ...argv], options)

/** The server's auth metadata, asked without a token, naming MAS. */
const delegating = () =>
  nock(TEST_BASE_URL, { badheaders: ['authorization'] })
    .get('/_matrix/client/v1/auth_metadata')
    .reply(200, { issuer: `${MAS}/`, token_endpoint: `${MAS}/oauth2/token`, account_management_uri: `${MAS}/account/` })
/** MAS's admin API with the access token (a personal session token with urn:mas:admin). */
const admin = (token = 'test-token') => nock(MAS).matchHeader('authorization', `Bearer ${token}`)

const resource = (type: string, id: string, attributes: Record<string, unknown>) => ({ type, id, attributes, links: { self: `${V1}/${type}s/${id}` } })
const alice = (extra: Record<string, unknown> = {}) => ({ username: 'alice', created_at: '2026-01-01T00:00:00Z', locked_at: null, deactivated_at: null, admin: false, legacy_guest: false, ...extra })
const single = (type: string, id: string, attributes: Record<string, unknown>) => ({ data: resource(type, id, attributes), links: { self: `${V1}/${type}s/${id}` } })
const userDoc = (extra?: Record<string, unknown>) => single('user', ALICE_ID, alice(extra))
function listing(type: string, records: [string, Record<string, unknown>][], next = false, count?: number) {
  return {
    ...(count === undefined ? {} : { meta: { count } }),
    data: records.map(([id, attributes]) => ({ ...resource(type, id, attributes), meta: { page: { cursor: id } } })),
    links: { self: `${V1}/${type}s`, first: `${V1}/${type}s?page[first]=2`, last: `${V1}/${type}s?page[last]=2`, ...(next ? { next: `${V1}/${type}s?page[after]=${records.at(-1)![0]}&page[first]=2` } : {}) },
  }
}

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('where MAS is', () => {
  it("asks the server's auth metadata once, without a token, and MAS's admin API at the issuer with the access token", async () => {
    const metadata = delegating()
    const users = admin()
      .get(`${V1}/users`)
      .query({ 'page[first]': 100, count: true })
      .reply(200, listing('user', [[ALICE_ID, alice()]], true, 3))
    const result = await run(['mas', 'users', 'list'])
    expect(json(result)).toEqual({ users: [{ id: ALICE_ID, ...alice() }], total: 3, next_cursor: ALICE_ID })
    expect(metadata.isDone() && users.isDone()).toBe(true)
    // the same session asks the server no more
    admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    expect(await execute(result.session, ['mas', 'users', 'details', 'alice'])).toBe(0)
  })

  it("mas_url needs no question to the server; the user ID of this server names the MAS username", async () => {
    const scope = admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    const result = await run(['mas', 'users', 'details', '@alice:synapse.test'], { env: { SYNADM_MAS_URL: `${MAS}/` } })
    expect(json(result)).toEqual({ id: ALICE_ID, ...alice() })
    expect(scope.isDone()).toBe(true)
    const other = await run(['mas', 'users', 'details', '@alice:elsewhere.test'], { env: { SYNADM_MAS_URL: MAS } })
    expect(other.code).toBe(EXIT.usage)
    expect(other.stderr).toContain('@alice:elsewhere.test is not a user of this server (synapse.test)')
  })

  it("the client well-known's MSC2965 issuer is taken where the metadata endpoint is unknown", async () => {
    nock(TEST_BASE_URL).get('/_matrix/client/v1/auth_metadata').reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
    nock(TEST_BASE_URL).get('/.well-known/matrix/client').reply(200, { 'm.homeserver': { base_url: TEST_BASE_URL }, 'org.matrix.msc2965.authentication': { issuer: `${MAS}/` } })
    const scope = admin().get(`${V1}/version`).reply(200, { version: '1.22.0' })
    expect(json(await run(['mas', 'version']))).toEqual({ version: '1.22.0' })
    expect(scope.isDone()).toBe(true)
  })

  it('a server that delegates nothing is a configuration error (exit 3) that names mas_url; nothing is sent to a MAS', async () => {
    nock(TEST_BASE_URL).get('/_matrix/client/v1/auth_metadata').reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
    nock(TEST_BASE_URL).get('/.well-known/matrix/client').reply(404, {})
    const result = await run(['mas', 'users', 'list'])
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toBe(`synadm: ${TEST_BASE_URL} does not delegate auth to MAS: it announces no authorization server\nhint: for a MAS the server does not announce, set its URL: synadm config --mas-url URL\n`)
  })

  it("mas info says so without failing, and where MAS is on a server that delegates", async () => {
    nock(TEST_BASE_URL).get('/_matrix/client/v1/auth_metadata').reply(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
    nock(TEST_BASE_URL).get('/.well-known/matrix/client').reply(404, {})
    expect(json(await run(['mas', 'info']))).toMatchObject({ delegated: false, mas_url: null, admin_api: null })
    delegating()
    expect(json(await run(['mas', 'info']))).toMatchObject({ delegated: true, issuer: `${MAS}/`, mas_url: MAS, mas_url_from: 'the server', admin_api: `${MAS}${V1}` })
  })

  it("a server whose MAS metadata fails (500: MAS down) delegates, but MAS's URL is unknown: exit 4", async () => {
    nock(TEST_BASE_URL).get('/_matrix/client/v1/auth_metadata').reply(500, { errcode: 'M_UNKNOWN', error: 'Internal server error' })
    nock(TEST_BASE_URL).get('/.well-known/matrix/client').reply(500, {})
    const result = await run(['mas', 'users', 'list'])
    expect(result.code).toBe(EXIT.network)
    expect(result.stderr).toContain("synadm: MAS's URL is unknown: the server's auth metadata is unavailable (500 M_UNKNOWN: Internal server error")
  })
})

describe("MAS's answers", () => {
  it("MAS's error document is the one line, with the exit code of its status", async () => {
    delegating()
    admin().get(`${V1}/users/${ALICE_ID}`).reply(404, { errors: [{ title: `User ID ${ALICE_ID} not found` }] })
    const result = await run(['mas', 'users', 'details', ALICE_ID])
    expect(result.code).toBe(EXIT.notFound)
    expect(result.stderr).toMatch(new RegExp(`^synadm: MAS has no user '${ALICE_ID}'\nhint: `))
    delegating()
    admin().post(`${V1}/users`, { username: 'alice' }).reply(409, { errors: [{ title: 'User already exists' }] })
    const taken = await batch(['mas', 'users', 'add', 'alice'])
    expect(taken.code).toBe(EXIT.api)
    expect(taken.stderr).toBe(`synadm: MAS: 409 User already exists (POST ${V1}/users)\n`)
  })

  it('a token without urn:mas:admin is refused (exit 6) with what to configure', async () => {
    delegating()
    admin().get(`${V1}/users`).query(true).reply(401, { errors: [{ title: 'Missing urn:mas:admin scope' }] })
    const result = await run(['mas', 'users', 'list'])
    expect(result.code).toBe(EXIT.auth)
    expect(result.stderr).toContain(`synadm: MAS: 401 Missing urn:mas:admin scope (GET ${V1}/users)\nhint: MAS's admin API needs a token with the urn:mas:admin scope`)
  })

  it('a MAS that does not answer is a network error (exit 4) naming where MAS was looked for', async () => {
    // a port nothing listens on: a closed server's
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const down = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await new Promise((resolve) => server.close(resolve))
    nock.enableNetConnect('127.0.0.1')
    try {
      const result = await run(['mas', 'users', 'list'], { env: { SYNADM_MAS_URL: down } })
      expect(result.code).toBe(EXIT.network)
      expect(result.stderr).toBe(`synadm: MAS: cannot connect to ${down}: connection refused\nhint: is MAS running at ${down} (from mas_url)? mas_url in the config names another URL\n`)
    } finally {
      nock.disableNetConnect()
    }
  })

  it('--all follows the cursors and streams JSON lines; -f starts after a cursor; a cursor that is no ULID is refused before any request', async () => {
    const BOB_ID = '01J00000000000000000000009'
    delegating()
    const scope = admin()
      .get(`${V1}/users`)
      .query({ 'page[first]': 1000, count: true, 'filter[status]': 'active' })
      .reply(200, listing('user', [[ALICE_ID, alice()]], true, 2))
      .get(`${V1}/users`)
      .query({ 'page[first]': 1000, 'page[after]': ALICE_ID, count: false, 'filter[status]': 'active' })
      .reply(200, listing('user', [[BOB_ID, alice({ username: 'bob' })]]))
    const result = await run(['mas', 'users', 'list', '--status', 'active', '--all', '-o', 'jsonl'])
    expect(result.stdout.trim().split('\n').map((line) => JSON.parse(line).username)).toEqual(['alice', 'bob'])
    expect(scope.isDone()).toBe(true)
    expect((await run(['mas', 'users', 'list', '-f', 'not-a-cursor'])).code).toBe(EXIT.usage)
  })
})

describe('the token for the admin API', () => {
  it('client credentials: one grant (form, scope urn:mas:admin) serves the session, renewed before it expires; the grant is never audited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-mas-'))
    const auditLog = join(dir, 'audit.log')
    delegating()
    const grant = (token: string, expiresIn: number) =>
      nock(MAS, { badheaders: ['authorization'] })
        .post('/oauth2/token', { grant_type: 'client_credentials', scope: 'urn:mas:admin', client_id: CLIENT.SYNADM_MAS_CLIENT_ID, client_secret: CLIENT.SYNADM_MAS_CLIENT_SECRET })
        .reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'urn:mas:admin' })
    const first = grant('mat_first', 300)
    admin('mat_first').get(`${V1}/users/by-username/alice`).twice().reply(200, userDoc())
    admin('mat_first').post(`${V1}/users/${ALICE_ID}/unlock`).reply(200, userDoc())
    const result = await batch(['mas', 'users', 'unlock', 'alice'], { env: { ...CLIENT, SYNADM_AUDIT_LOG: auditLog } })
    expect(result.code).toBe(0)
    expect(await execute(result.session, ['mas', 'users', 'details', 'alice'])).toBe(0)
    expect(first.isDone()).toBe(true)
    const audited = readFileSync(auditLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    expect(audited.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([`POST ${V1}/users/${ALICE_ID}/unlock null`, `POST ${V1}/users/${ALICE_ID}/unlock 200`])
    expect(readFileSync(auditLog, 'utf8')).not.toContain(CLIENT.SYNADM_MAS_CLIENT_SECRET)

    // a token is renewed before it expires (a short one halfway through its life)
    const session = (await run(['--version'], { env: CLIENT })).session
    delegating()
    grant('mat_short', 1)
    admin('mat_short').get(`${V1}/version`).reply(200, { version: '1' })
    expect(await execute(session, ['mas', 'version'])).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 600))
    const renewed = grant('mat_next', 300)
    admin('mat_next').get(`${V1}/version`).reply(200, { version: '1' })
    expect(await execute(session, ['mas', 'version'])).toBe(0)
    expect(renewed.isDone()).toBe(true)
  })

  it('a dry run gets its token (reads need one) but sends no write', async () => {
    delegating()
    nock(MAS).post('/oauth2/token').reply(200, { access_token: 'mat_dry', expires_in: 300 })
    admin('mat_dry').get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    const result = await run(['mas', 'users', 'lock', 'alice', '--dry-run'], { env: CLIENT })
    expect(result.code).toBe(0)
    expect(json(result)).toMatchObject({ dry_run: true, would: expect.stringContaining('Lock alice?'), preview: { id: ALICE_ID } })
  })

  it("the secret from mas_client_secret_file must be the owner's alone; -vv shows neither secret nor token", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-mas-'))
    const file = join(dir, 'secret')
    writeFileSync(file, `${CLIENT.SYNADM_MAS_CLIENT_SECRET}\n`)
    chmodSync(file, 0o644)
    const env = { SYNADM_MAS_URL: MAS, SYNADM_MAS_CLIENT_ID: CLIENT.SYNADM_MAS_CLIENT_ID, SYNADM_MAS_CLIENT_SECRET_FILE: file }
    const refused = await run(['mas', 'version'], { env })
    expect(refused.code).toBe(EXIT.config)
    expect(refused.stderr).toContain(`mas_client_secret_file ${file} is refused: its mode 0644 lets other users read or change it`)
    chmodSync(file, 0o600)
    nock(MAS).post('/oauth2/token', (body) => body.client_secret === CLIENT.SYNADM_MAS_CLIENT_SECRET).reply(200, { access_token: 'mat_secret_token', expires_in: 300 })
    admin('mat_secret_token').get(`${V1}/version`).reply(200, { version: '1' })
    const result = await run(['-vv', 'mas', 'version'], { env })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(`POST ${MAS}/oauth2/token`)
    expect(result.stderr).not.toContain(CLIENT.SYNADM_MAS_CLIENT_SECRET)
    expect(result.stderr).not.toContain('mat_secret_token')
  })

  it("MAS's refusal of the client is exit 6 and says what the client needs", async () => {
    nock(MAS).post('/oauth2/token').reply(400, { error: 'invalid_scope' })
    const result = await run(['mas', 'version'], { env: { ...CLIENT, SYNADM_MAS_URL: MAS } })
    expect(result.code).toBe(EXIT.api)
    expect(result.stderr).toContain(`synadm: MAS refused a token to the client ${CLIENT.SYNADM_MAS_CLIENT_ID}: 400 invalid_scope (POST /oauth2/token)\nhint: the client needs the client_credentials grant`)
    nock(MAS).post('/oauth2/token').reply(401, { error: 'invalid_client' })
    expect((await run(['mas', 'version'], { env: { ...CLIENT, SYNADM_MAS_URL: MAS } })).code).toBe(EXIT.auth)
  })
})

describe('synadm config', () => {
  it('stores the MAS keys; a secret file is checked now and one secret source is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-mas-config-'))
    const config = join(dir, 'synadm.yaml')
    const secret = join(dir, 'secret')
    writeFileSync(secret, 'the secret\n')
    chmodSync(secret, 0o600)
    const env = { SYNADM_CONFIG: config }
    const stored = await runSynadm([mas], ['config', '--mas-url', 'https://auth.example.org', '--mas-client-id', 'CLIENT', '--mas-client-secret-path', secret], { env })
    expect(stored.code, stored.stderr).toBe(0)
    expect(readFileSync(config, 'utf8')).toMatch(/mas_client_id: CLIENT\nmas_client_secret_file: .*secret\nmas_url: https:\/\/auth\.example\.org\n/)
    expect((await runSynadm([mas], ['config', '--mas-client-secret-command', 'pass show mas'], { env })).code).toBe(0)
    expect(readFileSync(config, 'utf8')).toContain('mas_client_secret_command: pass show mas')
    expect(readFileSync(config, 'utf8')).not.toContain('mas_client_secret_file')
    chmodSync(secret, 0o644)
    const refused = await runSynadm([mas], ['config', '--mas-client-secret-path', secret], { env })
    expect(refused.code).toBe(EXIT.config)
    expect(refused.stderr).toContain('its mode 0644 lets other users read or change it')
    expect(readFileSync(config, 'utf8')).toContain('mas_client_secret_command: pass show mas')
  })
})

describe('users', () => {
  it('lock asks, showing the user (refused without a terminal or --batch); a locked user is left alone', async () => {
    delegating()
    admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    const refused = await run(['mas', 'users', 'lock', 'alice'])
    expect(refused.code).toBe(EXIT.usage)
    expect(refused.stderr).toContain('refusing to go on without confirmation: Lock alice?')
    delegating()
    admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    const lock = admin().post(`${V1}/users/${ALICE_ID}/lock`).reply(200, userDoc({ locked_at: '2026-02-01T00:00:00Z' }))
    expect(json(await batch(['mas', 'users', 'lock', 'alice']))).toMatchObject({ id: ALICE_ID, locked_at: '2026-02-01T00:00:00Z' })
    expect(lock.isDone()).toBe(true)
    delegating()
    admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc({ locked_at: '2026-02-01T00:00:00Z' }))
    expect((await batch(['mas', 'users', 'lock', 'alice'])).code).toBe(0)
  })

  it('--targets takes what mas users list -o jsonl printed (the username field); a MAS user ID works as a target too', async () => {
    delegating()
    const lines = [JSON.stringify({ id: ALICE_ID, ...alice() }), '01J0000000000000000000000B'].join('\n')
    admin().get(`${V1}/users/by-username/alice`).reply(200, userDoc())
    admin().post(`${V1}/users/${ALICE_ID}/unlock`).reply(200, userDoc())
    admin().get(`${V1}/users/01J0000000000000000000000B`).reply(200, single('user', '01J0000000000000000000000B', alice({ username: 'bob' })))
    admin().post(`${V1}/users/01J0000000000000000000000B/unlock`).reply(200, single('user', '01J0000000000000000000000B', alice({ username: 'bob' })))
    const result = await batch(['-o', 'jsonl', 'mas', 'users', 'unlock', '--targets', '-'], { input: lines })
    expect(result.code).toBe(0)
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l).ok)).toEqual([true, true])
  })

  it('deactivate sends skip_erase unless -e; set-password reads the password as user password does; set-admin --unset', async () => {
    delegating()
    admin().get(`${V1}/users/by-username/alice`).times(3).reply(200, userDoc())
    const deactivate = admin().post(`${V1}/users/${ALICE_ID}/deactivate`, { skip_erase: true }).reply(200, userDoc({ deactivated_at: '2026-02-01T00:00:00Z' }))
    const password = admin().post(`${V1}/users/${ALICE_ID}/set-password`, { password: 'from the env 1' }).reply(204)
    const setAdmin = admin().post(`${V1}/users/${ALICE_ID}/set-admin`, { admin: false }).reply(200, userDoc())
    const { session } = await batch(['mas', 'users', 'deactivate', 'alice'])
    session.io.env.SYNADM_PASSWORD = 'from the env 1'
    expect(await execute(session, ['--batch', 'mas', 'users', 'set-password', 'alice'])).toBe(0)
    expect(await execute(session, ['mas', 'users', 'set-admin', 'alice', '--unset'])).toBe(0)
    expect([deactivate.isDone(), password.isDone(), setAdmin.isDone()]).toEqual([true, true, true])
  })
})

describe('sessions, tokens, policy', () => {
  it('sessions finish finds the kind of the session, asks, and finishes it; a finished one is left alone', async () => {
    delegating()
    admin().get(`${V1}/compat-sessions/${SESSION_ID}`).reply(404, { errors: [{ title: 'not found' }] })
    admin().get(`${V1}/oauth2-sessions/${SESSION_ID}`).reply(200, single('oauth2-session', SESSION_ID, { user_id: ALICE_ID, finished_at: null, scope: 'openid' }))
    const finish = admin().post(`${V1}/oauth2-sessions/${SESSION_ID}/finish`).reply(200, single('oauth2-session', SESSION_ID, { user_id: ALICE_ID, finished_at: '2026-02-01T00:00:00Z' }))
    expect(json(await batch(['mas', 'sessions', 'finish', SESSION_ID]))).toMatchObject({ kind: 'oauth2', id: SESSION_ID, finished_at: '2026-02-01T00:00:00Z' })
    expect(finish.isDone()).toBe(true)
    delegating()
    admin().get(`${V1}/compat-sessions/${SESSION_ID}`).reply(200, single('compat-session', SESSION_ID, { user_id: ALICE_ID, finished_at: '2026-02-01T00:00:00Z' }))
    expect(json(await batch(['mas', 'sessions', 'finish', SESSION_ID, '-k', 'compat']))).toMatchObject({ kind: 'compat', finished_at: '2026-02-01T00:00:00Z' })
  })

  it("sessions list of a user's active sessions; personal-sessions add sends the actor, the scopes and the expiry", async () => {
    delegating()
    admin().get(`${V1}/users/by-username/alice`).twice().reply(200, userDoc())
    const list = admin()
      .get(`${V1}/user-sessions`)
      .query({ 'filter[user]': ALICE_ID, 'filter[status]': 'active', 'page[first]': 100, count: true })
      .reply(200, listing('user-session', [[SESSION_ID, { user_id: ALICE_ID, finished_at: null }]], false, 1))
    const added = admin()
      .post(`${V1}/personal-sessions`, (body) => body.actor_user_id === ALICE_ID && body.scope === 'urn:matrix:client:api:* urn:synadm:x' && body.human_name === 'bot' && body.expires_in > 86_300 && body.expires_in <= 86_400)
      .reply(201, single('personal-session', SESSION_ID, { actor_user_id: ALICE_ID, access_token: 'mpt_new', scope: 'urn:matrix:client:api:*' }))
    const { session, stdout } = await run(['mas', 'sessions', 'list', '-k', 'browser', '-u', 'alice', '--status', 'active'])
    expect(JSON.parse(stdout)).toMatchObject({ sessions: [{ id: SESSION_ID }], total: 1 })
    expect(await execute(session, ['mas', 'personal-sessions', 'add', 'alice', '-s', 'urn:matrix:client:api:*', '-s', 'urn:synadm:x', '-n', 'bot', '-d', '1'])).toBe(0)
    expect([list.isDone(), added.isDone()]).toEqual([true, true])
  })

  it('tokens add converts the expiry; tokens edit -u -1 -t -1 sends null (MAS lifts the limit and the expiry)', async () => {
    delegating()
    const add = admin().post(`${V1}/user-registration-tokens`, { token: 'join-us', usage_limit: 3, expires_at: new Date(2030, 0, 1).toISOString() }).reply(201, single('user-registration_token', TOKEN_ID, { token: 'join-us' }))
    const edit = admin().put(`${V1}/user-registration-tokens/${TOKEN_ID}`, { usage_limit: null, expires_at: null }).reply(200, single('user-registration_token', TOKEN_ID, { token: 'join-us' }))
    const { session } = await run(['mas', 'tokens', 'add', '-n', 'join-us', '-u', '3', '-e', '2030-01-01'])
    expect(await execute(session, ['mas', 'tokens', 'edit', TOKEN_ID, '-u', '-1', '-t', '-1'])).toBe(0)
    expect([add.isDone(), edit.isDone()]).toEqual([true, true])
    expect((await run(['mas', 'tokens', 'edit', TOKEN_ID])).code).toBe(EXIT.usage)
  })

  it('policy-data set refuses what is not a JSON object before any request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-mas-'))
    writeFileSync(join(dir, 'list.json'), '[1]')
    const result = await batch(['mas', 'policy-data', 'set', join(dir, 'list.json')], { env: { SYNADM_MAS_URL: MAS } })
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("holds no JSON object: MAS's policy data is one")
  })
})

describe('completion', () => {
  it("mas_user: MAS's first 1000 usernames, and its username search for the rest", async () => {
    const { session } = await run(['--version'])
    const services = await session.services()
    const apiOf = <T>(ns: string) => session.api<T>(ns, services)
    const source = completionProvider(await session.registry.completionSources.get('mas_user')!.fetch())
    delegating()
    admin().get(`${V1}/users`).query({ 'page[first]': 1000, count: false }).reply(200, listing('user', [[ALICE_ID, alice()]], true))
    expect(await source.fetch(apiOf)).toEqual({ values: ['alice'], partial: true })
    admin().get(`${V1}/users`).query({ 'filter[search]': 'al', 'page[first]': 100, count: false }).reply(200, listing('user', [[ALICE_ID, alice()]]))
    expect(await source.search!(apiOf, 'al')).toEqual(['alice'])
  })
})
