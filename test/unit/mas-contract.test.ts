// The stand-in MAS held to MAS's published contract: a session that calls every operation of MAS 1.22's admin API
// (successes, and the errors MAS gives: 404, 409, bad input, bad tokens), then every recorded request and reply
// checked against ../shared/knowledge/mas-admin-api.spec.json with a JSON-Schema validator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Contract, type Exchange, loadContract, SPEC_PATH } from '../mas/contract.js'
import { type StandInMas, startStandInMas } from '../mas/stand-in.mjs'

const contract = loadContract()

if (!contract) {
  describe('MAS admin API contract', () => {
    it.skip(`skipped: ${SPEC_PATH} is absent (CI has ../shared/knowledge/ beside the clone)`, () => {})
  })
} else {
  describeContract(contract)
}

interface Reply {
  status: number
  body: any
}

function describeContract(contract: Contract) {
  let mas: StandInMas
  let token: string
  /** Sequence numbers of the requests this test sends off-contract on purpose. */
  const offContract = new Set<number>()

  async function call(
    method: string,
    path: string,
    { body, query, auth, raw, contentType }: { body?: unknown; query?: string; auth?: string | null; raw?: string; contentType?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {}
    const bearer = auth === undefined ? token : auth
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body))
    if (payload !== undefined) headers['content-type'] = contentType ?? 'application/json'
    const url = `${mas.url}api/admin/v1${path}${query ? `?${query}` : ''}`
    const response = await fetch(url, { method, headers, body: payload })
    const text = await response.text()
    return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text }
  }

  /** A request that breaks the contract on purpose (it must be caught as such, and answered as MAS does). */
  async function offContractCall(...args: Parameters<typeof call>) {
    const reply = await call(...args)
    offContract.add(mas.exchanges.at(-1)!.seq)
    return reply
  }

  const get = (path: string, query?: string) => call('GET', path, { query })
  const post = (path: string, body?: unknown) => call('POST', path, { body })
  const idOf = (reply: Reply) => reply.body.data.id as string

  /** Walks a list through its `next` (or `prev`) links; the page size stays as asked. */
  async function walk(first: string, link: 'next' | 'prev') {
    const ids: string[] = []
    let next: string | undefined = first
    while (next) {
      const [path, query] = next.replace('/api/admin/v1', '').split('?')
      const page = await get(path, query)
      expect(page.status).toBe(200)
      ids.push(...page.body.data.map((item: { id: string }) => item.id))
      next = page.body.links[link]
    }
    return ids
  }

  beforeAll(async () => {
    mas = await startStandInMas({ serverName: 'contract.test' })
    const response = await fetch(`${mas.url}oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'urn:mas:admin',
        client_id: mas.adminClient.clientId,
        client_secret: mas.adminClient.clientSecret,
      }),
    })
    token = ((await response.json()) as { access_token: string }).access_token
  })
  afterAll(() => mas?.stop())

  describe('MAS admin API contract', () => {
    it('answers site-config and version', async () => {
      expect((await get('/site-config')).body).toMatchObject({ server_name: 'contract.test' })
      expect((await get('/version')).body.version).toMatch(/^v1\.22/)
    })

    it('creates, finds, pages, filters, locks, deactivates and changes users', async () => {
      const ids: Record<string, string> = {}
      for (const username of ['alice', 'bob', 'carol', 'dave', 'erin']) {
        const reply = await post('/users', { username })
        expect(reply.status).toBe(201)
        ids[username] = idOf(reply)
      }
      expect((await post('/users', { username: 'alice' })).status).toBe(409)
      expect((await post('/users', { username: 'Not Valid' })).status).toBe(400)
      expect((await get(`/users/${ids.alice}`)).body.data.attributes).toMatchObject({ username: 'alice', admin: false })
      expect(idOf(await get('/users/by-username/bob'))).toBe(ids.bob)
      expect((await get('/users/by-username/nobody')).body).toEqual({ errors: [{ title: 'User with username "nobody" not found' }] })
      expect((await get(`/users/${'0'.repeat(26)}`)).status).toBe(404)
      expect((await offContractCall('GET', '/users/not-a-ulid')).status).toBe(400)

      const all = [mas.admin.id, ...Object.values(ids)]
      expect(await walk('/api/admin/v1/users?page[first]=2', 'next')).toEqual(all)
      expect(await walk('/api/admin/v1/users?page[last]=2', 'prev')).toEqual([...all.slice(-2), ...all.slice(2, 4), ...all.slice(0, 2)])
      expect((await get('/users', 'count=only')).body).toEqual({ meta: { count: 6 }, links: { self: '/api/admin/v1/users?count=only' } })
      expect((await get('/users', 'count=false&page[first]=1')).body.meta).toBeUndefined()
      expect((await call('GET', '/users', { query: 'page[first]=1&page[last]=1' })).status).toBe(400) // each alone is fine
      expect((await offContractCall('GET', '/users', { query: 'filter[admin]=maybe' })).status).toBe(400)

      expect((await post(`/users/${ids.bob}/lock`)).body.data.attributes.locked_at).not.toBeNull()
      expect((await post(`/users/${ids.carol}/deactivate`, { skip_erase: true })).body.data.attributes.deactivated_at).not.toBeNull()
      expect((await call('POST', `/users/${ids.dave}/deactivate`)).status).toBe(200) // the body is optional
      expect((await post(`/users/${ids.dave}/reactivate`)).body.data.attributes.deactivated_at).toBeNull()
      const filtered = async (query: string) => (await get('/users', query)).body.data.map((u: any) => u.attributes.username)
      expect(await filtered('filter[status]=locked')).toEqual(['bob'])
      expect(await filtered('filter[status]=deactivated')).toEqual(['carol'])
      expect(await filtered('filter[search]=ERI')).toEqual(['erin'])
      expect((await post(`/users/${ids.bob}/unlock`)).body.data.attributes.locked_at).toBeNull()
      expect((await post(`/users/${ids.alice}/set-admin`, { admin: true })).body.data.attributes.admin).toBe(true)
      expect(await filtered('filter[admin]=true')).toEqual(['admin', 'alice'])
      expect((await post(`/users/${ids.alice}/set-password`, { password: 'correct horse battery' })).status).toBe(204)
      expect((await post(`/users/${ids.alice}/set-password`, { password: 'short' })).body).toEqual({ errors: [{ title: 'Password is too weak' }] })
      expect((await post(`/users/${ids.alice}/set-password`, { password: 'short', skip_password_check: true })).status).toBe(204)
    })

    it('adds, lists and deletes e-mails', async () => {
      const user = idOf(await post('/users', { username: 'mailer' }))
      const added = await post('/user-emails', { user_id: user, email: 'mailer@example.test' })
      expect(added.status).toBe(201)
      expect((await post('/user-emails', { user_id: user, email: 'mailer@example.test' })).status).toBe(409)
      expect((await offContractCall('POST', '/user-emails', { body: { user_id: user, email: 'no address' } })).status).toBe(400)
      expect((await post('/user-emails', { user_id: '0'.repeat(26), email: 'x@example.test' })).status).toBe(404)
      expect((await get('/user-emails', `filter[user]=${user}`)).body.meta.count).toBe(1)
      expect((await get(`/user-emails/${idOf(added)}`)).body.data.attributes.email).toBe('mailer@example.test')
      expect((await call('DELETE', `/user-emails/${idOf(added)}`)).status).toBe(204)
      expect((await call('DELETE', `/user-emails/${idOf(added)}`)).status).toBe(404)
    })

    it('creates, regenerates and revokes personal sessions', async () => {
      const user = idOf(await post('/users', { username: 'pat' }))
      const created = await post('/personal-sessions', { actor_user_id: user, human_name: 'CI', scope: 'urn:matrix:client:api:*', expires_in: 3600 })
      expect(created.status).toBe(201)
      expect(created.body.data.attributes.access_token).toMatch(/^mpt_/)
      const id = idOf(created)
      expect((await get('/personal-sessions', `filter[actor_user]=${user}&filter[status]=active&filter[expires]=true`)).body.meta.count).toBe(1)
      expect((await get(`/personal-sessions/${id}`)).body.data.attributes.access_token).toBeNull()
      const regenerated = await post(`/personal-sessions/${id}/regenerate`, { expires_in: 60 })
      expect(regenerated.status).toBe(201)
      expect(regenerated.body.data.attributes.access_token).not.toBe(created.body.data.attributes.access_token)
      expect((await post(`/personal-sessions/${id}/revoke`)).body.data.attributes.revoked_at).not.toBeNull()
      expect((await post(`/personal-sessions/${id}/revoke`)).status).toBe(409)
      expect((await post(`/personal-sessions/${id}/regenerate`, {})).status).toBe(422)
      expect((await post('/personal-sessions', { actor_user_id: user, human_name: 'x', scope: 'bad\\scope' })).status).toBe(400)
      expect((await post('/personal-sessions', { actor_user_id: '0'.repeat(26), human_name: 'x', scope: 'openid' })).status).toBe(404)
      // A token without urn:mas:admin, and tokens MAS does not know or does not take here.
      const plain = await post('/personal-sessions', { actor_user_id: user, human_name: 'no admin', scope: 'urn:matrix:client:api:*' })
      const noScope = await call('GET', '/version', { auth: plain.body.data.attributes.access_token })
      expect(noScope).toEqual({ status: 401, body: { errors: [{ title: 'Missing urn:mas:admin scope' }] } })
      expect((await offContractCall('GET', '/version', { auth: null })).status).toBe(400)
      expect((await call('GET', '/version', { auth: 'mat_unknown_000000' })).status).toBe(401)
      const compat = await mas.seedCompatSession({ username: 'pat' })
      expect((await call('GET', '/version', { auth: compat.accessToken })).body.errors[0].title).toBe('Invalid type of access token')
    })

    it('lists and finishes compatibility, OAuth 2.0 and browser sessions', async () => {
      const user = idOf(await post('/users', { username: 'sam' }))
      const compat = await mas.seedCompatSession({ username: 'sam', humanName: 'Laptop' })
      const oauth2 = await mas.seedOAuth2Session({ username: 'sam' })
      const browser = mas.seedUserSession({ username: 'sam' })
      const sessions = [
        ['/compat-sessions', compat.id],
        ['/oauth2-sessions', oauth2.id],
        ['/user-sessions', browser.id],
      ] as const
      for (const [path, id] of sessions) {
        expect((await get(path, `filter[user]=${user}&filter[status]=active`)).body.data.map((s: any) => s.id)).toEqual([id])
        expect((await get(`${path}/${id}`)).status).toBe(200)
        expect((await post(`${path}/${id}/finish`)).body.data.attributes.finished_at).not.toBeNull()
        expect((await post(`${path}/${id}/finish`)).status).toBe(400)
        expect((await get(`${path}/${'0'.repeat(26)}`)).status).toBe(404)
        expect((await get(path, `filter[user]=${'0'.repeat(26)}`)).status).toBe(404)
      }
      expect((await get('/oauth2-sessions', 'filter[scope]=urn:mas:admin&filter[client-kind]=static')).body.meta.count).toBeGreaterThan(0)
      expect((await get('/oauth2-sessions', 'filter[scope]=a"b')).status).toBe(400)
    })

    it('adds, edits, revokes and unrevokes registration tokens', async () => {
      expect((await post('/user-registration-tokens', {})).body.data.attributes.token).toMatch(/^[A-Za-z0-9]{12}$/)
      const added = await post('/user-registration-tokens', { token: 'join-us', usage_limit: 1, expires_at: '2100-01-01T00:00:00Z' })
      expect(added.status).toBe(201)
      const id = idOf(added)
      expect((await post('/user-registration-tokens', { token: 'join-us' })).status).toBe(409)
      expect((await call('PUT', `/user-registration-tokens/${id}`, { body: { usage_limit: 5 } })).body.data.attributes.usage_limit).toBe(5)
      mas.useRegistrationToken({ token: 'join-us' })
      expect((await get('/user-registration-tokens', 'filter[used]=true')).body.data.map((t: any) => t.id)).toEqual([id])
      expect((await post(`/user-registration-tokens/${id}/revoke`)).body.data.attributes).toMatchObject({ valid: false })
      expect((await post(`/user-registration-tokens/${id}/revoke`)).status).toBe(400)
      expect((await get('/user-registration-tokens', 'filter[revoked]=true&filter[valid]=false')).body.meta.count).toBe(1)
      expect((await post(`/user-registration-tokens/${id}/unrevoke`)).body.data.attributes).toMatchObject({ valid: true })
      expect((await post(`/user-registration-tokens/${id}/unrevoke`)).status).toBe(400)
      expect((await get(`/user-registration-tokens/${id}`)).body.data.attributes.times_used).toBe(1)
    })

    it('links users to upstream providers', async () => {
      const providers = await get('/upstream-oauth-providers', 'filter[enabled]=true')
      expect(providers.body.meta.count).toBe(1)
      const provider = providers.body.data[0].id
      expect((await get(`/upstream-oauth-providers/${provider}`)).status).toBe(200)
      const user = idOf(await post('/users', { username: 'linked' }))
      const other = idOf(await post('/users', { username: 'other' }))
      const link = await post('/upstream-oauth-links', { user_id: user, provider_id: provider, subject: 'sub-1', human_account_name: 'Linked' })
      expect(link.status).toBe(201)
      expect((await post('/upstream-oauth-links', { user_id: other, provider_id: provider, subject: 'sub-1' })).status).toBe(409)
      expect((await get('/upstream-oauth-links', `filter[provider]=${provider}&filter[subject]=sub-1`)).body.meta.count).toBe(1)
      expect((await get(`/upstream-oauth-links/${idOf(link)}`)).body.data.attributes.human_account_name).toBe('Linked')
      expect((await call('DELETE', `/upstream-oauth-links/${idOf(link)}`)).status).toBe(204)
    })

    it('lists OAuth 2.0 clients and keeps policy data', async () => {
      const clients = await get('/oauth2-clients', 'filter[client-kind]=dynamic')
      expect(clients.body.data.map((c: any) => c.attributes.client_name)).toEqual(['Element Web'])
      expect((await get(`/oauth2-clients/${mas.adminClient.clientId}`)).body.data.attributes.is_static).toBe(true)
      expect((await get('/policy-data/latest')).status).toBe(404)
      const set = await post('/policy-data', { data: { admin_clients: [mas.adminClient.clientId] } })
      expect(set.status).toBe(201)
      expect(idOf(await get('/policy-data/latest'))).toBe(idOf(set))
      expect((await get(`/policy-data/${idOf(set)}`)).status).toBe(200)
      expect((await post('/policy-data', { data: [1, 2] })).status).toBe(400)
    })

    it('rejects bodies that are not the JSON an operation takes, as MAS (axum) does', async () => {
      expect((await offContractCall('POST', '/users', { raw: 'username=x', contentType: 'text/plain' })).status).toBe(415)
      expect((await offContractCall('POST', '/users', { raw: '{' })).status).toBe(400)
      expect((await offContractCall('POST', '/users', { body: { name: 'x' } })).status).toBe(422)
    })

    it('sent only requests the contract documents, except those sent off it on purpose, which it catches', () => {
      const problems = mas.exchanges.flatMap((exchange: Exchange & { seq: number }) => {
        const found = contract.checkRequest(exchange)
        if (offContract.has(exchange.seq)) return found.length ? [] : [`#${exchange.seq} ${exchange.method} ${exchange.path}: passed the check`]
        return found.map((p) => `#${exchange.seq} ${exchange.method} ${exchange.path}?${exchange.query}: ${p}`)
      })
      expect(problems).toEqual([])
      expect(offContract.size).toBeGreaterThan(5)
    })

    it('gave only replies the contract (or MAS, where its document is silent) allows', () => {
      const problems = mas.exchanges.flatMap((exchange: Exchange & { seq: number }) =>
        contract.checkResponse(exchange).map((p) => `#${exchange.seq} ${exchange.method} ${exchange.path}: ${p}`),
      )
      expect(problems).toEqual([])
    })

    it('implements every operation of the contract: each answered with success at least once', () => {
      const succeeded = new Set(mas.exchanges.filter((e) => e.status < 300).map((e) => e.operationId))
      const missing = [...contract.operations.values()].filter((operationId) => !succeeded.has(operationId))
      expect(missing).toEqual([])
      expect(contract.operations.size).toBe(47)
    })
  })

  describe('the contract check itself', () => {
    const listReply = () => structuredClone(mas.exchanges.find((e) => e.operationId === 'listUsers' && e.status === 200)!)

    it('catches a reply that breaks the schema', () => {
      const missingLinks = listReply()
      delete (missingLinks.responseBody as any).links
      expect(contract.checkResponse(missingLinks).join()).toMatch(/must have required property 'links'/)
      const wrongType = listReply()
      ;(wrongType.responseBody as any).data[0].attributes.admin = 'yes'
      expect(contract.checkResponse(wrongType).join()).toMatch(/admin must be boolean/)
    })

    it('catches a status MAS never gives, and a request off the document', () => {
      expect(contract.checkResponse({ ...listReply(), status: 418 })).toEqual([
        'status 418 is neither in the contract nor a known MAS reply',
      ])
      const request = { ...listReply(), query: 'page[size]=5&filter[status]=gone' }
      expect(contract.checkRequest(request)).toEqual([
        expect.stringMatching(/^query parameter filter\[status\]=gone: .*must be equal to one of the allowed values/),
        'query parameter page[size] is not in the contract',
      ])
    })
  })
}
