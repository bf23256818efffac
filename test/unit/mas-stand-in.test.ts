// The stand-in MAS's side towards Synapse and its token endpoint, without a Synapse: what Synapse's introspection
// gets, which tokens the client-credentials grant gives, and which /_synapse/mas/* calls each admin write makes
// (recorded; MAS's own handlers at the OpenAPI document's commit are the reference).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StandInMas, startStandInMas } from '../mas/stand-in.mjs'

let mas: StandInMas

beforeAll(async () => {
  mas = await startStandInMas({ serverName: 'stand-in.test', tokenTtl: 1 })
})
afterAll(() => mas?.stop())

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${mas.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
  return { status: response.status, body: (await response.json()) as any }
}

const introspect = (token: string, headers: Record<string, string> = {}) =>
  post('oauth2/introspect', form({ token, token_type_hint: 'access_token' }), { authorization: `Bearer ${mas.secret}`, ...headers })

async function admin(method: string, path: string, body?: unknown, token = mas.admin.token) {
  const response = await fetch(`${mas.url}api/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any }
}

/** The /_synapse/mas/* calls an action makes. */
async function callsOf(action: () => Promise<unknown>) {
  const before = mas.homeserverCalls.length
  await action()
  return mas.homeserverCalls.slice(before).map((c) => `${c.method} ${c.path} ${JSON.stringify(c.body)}`)
}

describe('stand-in MAS, towards Synapse', () => {
  it('publishes OAuth 2.0 server metadata with the issuer and account management URL Synapse needs', async () => {
    const metadata = (await (await fetch(`${mas.url}.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(metadata).toMatchObject({ issuer: mas.url, account_management_uri: `${mas.url}account/`, token_endpoint: `${mas.url}oauth2/token` })
  })

  it('introspects only for the shared secret, and describes the admin token as Synapse reads it', async () => {
    expect((await introspect(mas.admin.token, { authorization: 'Bearer wrong' })).status).toBe(401)
    const { body } = await introspect(mas.admin.token)
    expect(body).toMatchObject({ active: true, username: 'admin', sub: mas.admin.id })
    expect(body.scope.split(' ')).toEqual(expect.arrayContaining(['urn:matrix:client:api:*', 'urn:synapse:admin:*', 'urn:mas:admin']))
    expect(body).not.toHaveProperty('expires_in')
    expect((await introspect('mct_not_a_token')).body).toEqual({ active: false })
  })

  it('gives compatibility tokens their device, explicitly when Synapse says it reads it, and admin only when asked', async () => {
    await admin('POST', '/users', { username: 'compat' })
    const plain = await mas.seedCompatSession({ username: 'compat', deviceId: 'DEVICEONE' })
    const explicit = await introspect(plain.accessToken, { 'x-mas-supports-device-id': '1' })
    expect(explicit.body).toMatchObject({ active: true, username: 'compat', device_id: 'DEVICEONE' })
    expect(explicit.body.scope).not.toContain('urn:synapse:admin:*')
    expect((await introspect(plain.accessToken)).body.scope).toContain('urn:matrix:client:device:DEVICEONE')
    const elevated = await mas.seedCompatSession({ username: 'compat', synapseAdmin: true })
    expect((await introspect(elevated.accessToken)).body.scope).toContain('urn:synapse:admin:*')
  })

  it('reports a locked user inactive, and active again once unlocked', async () => {
    const id = (await admin('POST', '/users', { username: 'lockme' })).body.data.id
    const session = await mas.seedCompatSession({ username: 'lockme' })
    await admin('POST', `/users/${id}/lock`)
    expect((await introspect(session.accessToken)).body).toEqual({ active: false })
    await admin('POST', `/users/${id}/unlock`)
    expect((await introspect(session.accessToken)).body.active).toBe(true)
  })
})

describe('stand-in MAS, token grant', () => {
  const grant = (secret: string, scope = 'urn:mas:admin') =>
    post('oauth2/token', form({ grant_type: 'client_credentials', scope }), { authorization: basic(mas.adminClient.clientId, secret) })

  it('refuses a wrong secret and a scope the client may not have', async () => {
    expect(await grant('wrong')).toEqual({ status: 401, body: { error: 'invalid_client' } })
    expect(await grant(mas.adminClient.clientSecret, 'urn:synapse:admin:*')).toEqual({ status: 400, body: { error: 'invalid_scope' } })
  })

  it('gives a token that serves the admin API until it expires (tokenTtl)', async () => {
    const { body } = await grant(mas.adminClient.clientSecret)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1, scope: 'urn:mas:admin' })
    expect((await admin('GET', '/version', undefined, body.access_token)).status).toBe(200)
    await new Promise((done) => setTimeout(done, 1100))
    expect((await admin('GET', '/version', undefined, body.access_token)).body).toEqual({ errors: [{ title: 'Access token expired' }] })
  })
})

describe('stand-in MAS, provisioning into Synapse', () => {
  let id: string

  it('checks the localpart, then provisions a new user', async () => {
    const calls = await callsOf(async () => {
      id = (await admin('POST', '/users', { username: 'prov', displayname: 'Prov' })).body.data.id
    })
    expect(calls).toEqual([
      'GET /_synapse/mas/is_localpart_available?localpart=prov null',
      'POST /_synapse/mas/provision_user {"localpart":"prov","locked":false,"set_displayname":"Prov"}',
    ])
  })

  it('sends the lock state and e-mails on lock and e-mail changes, then syncs devices', async () => {
    expect(await callsOf(() => admin('POST', `/users/${id}/lock`))).toEqual([
      'POST /_synapse/mas/provision_user {"localpart":"prov","set_emails":[],"locked":true}',
      'POST /_synapse/mas/sync_devices {"localpart":"prov","devices":[]}',
    ])
    expect(await callsOf(() => admin('POST', '/user-emails', { user_id: id, email: 'prov@example.test' }))).toEqual([
      'POST /_synapse/mas/provision_user {"localpart":"prov","set_emails":["prov@example.test"],"locked":true}',
      'POST /_synapse/mas/sync_devices {"localpart":"prov","devices":[]}',
    ])
  })

  it('provisions nothing for the admin flag or a password (Synapse takes admin rights from the scope)', async () => {
    expect(await callsOf(() => admin('POST', `/users/${id}/set-admin`, { admin: true }))).toEqual([])
    expect(await callsOf(() => admin('POST', `/users/${id}/set-password`, { password: 'a long password' }))).toEqual([])
  })

  it('deletes the user in Synapse on deactivation (erasing unless skip_erase), and reactivates it', async () => {
    expect(await callsOf(() => admin('POST', `/users/${id}/deactivate`))).toEqual([
      'POST /_synapse/mas/delete_user {"localpart":"prov","erase":true}',
    ])
    expect(await callsOf(() => admin('POST', `/users/${id}/reactivate`))).toEqual([
      'POST /_synapse/mas/reactivate_user {"localpart":"prov"}',
    ])
  })

  it('keeps passwords out of the recorded exchanges', () => {
    const recorded = mas.exchanges.filter((e) => e.operationId === 'setUserPassword').map((e) => e.requestBody)
    expect(recorded).toEqual(['{"password":"***"}'])
  })

  it('comes back to its first state on reset, with the same admin token', async () => {
    mas.reset()
    expect((await admin('GET', '/users', undefined)).body.meta.count).toBe(1)
    expect((await introspect(mas.admin.token)).body.active).toBe(true)
  })
})
