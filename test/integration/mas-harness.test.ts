// Self-test of the MAS-mode harness: a real Synapse delegating auth to the stand-in MAS answers as
// ../shared/knowledge/mas.md says, users provisioned through MAS reach Synapse, and the stand-in's admin API works
// with the tokens the suite provides; every admin API exchange of this file is then held to MAS's contract.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { loadContract } from '../mas/contract.js'
import { clientCredentialsToken, masAdminRequest, masControl } from '../mas/control.js'
import { matrixRequest } from '../synapse/client.mjs'
import { uniqueName } from './fixtures.js'
import { synapseMas } from './synapse-info.js'

describe.skipIf(!inject('synapseMas').available)('Synapse delegating to the stand-in MAS', () => {
  const info = () => synapseMas()
  const server = () => ({ url: info().url })
  const control = () => masControl(info().mas)
  /** A Synapse admin API or client API call; resolves to {status, errcode, error} or the JSON reply. */
  const synapse = async (method: string, path: string, { token = info().adminToken, query, body }: Record<string, any> = {}) => {
    try {
      return { status: 200, json: await matrixRequest(server(), method, path, { token, query, body }) }
    } catch (error: any) {
      return { status: error.status as number, errcode: error.errcode as string | undefined, message: error.message as string }
    }
  }
  const userId = (localpart: string) => `@${localpart}:${info().serverName}`
  const synapseUser = async (localpart: string) => (await synapse('GET', `/_synapse/admin/v2/users/${encodeURIComponent(userId(localpart))}`)).json
  let masToken: string
  let exchangesFrom: number

  /** Creates a user through MAS's admin API (MAS provisions it into Synapse); resolves to its MAS ID. */
  async function masUser(localpart: string) {
    const reply = await masAdminRequest(info().mas, masToken, 'POST', '/users', { body: { username: localpart } })
    expect(reply.status).toBe(201)
    return reply.body.data.id as string
  }

  beforeAll(async () => {
    exchangesFrom = (await control().exchanges(Number.MAX_SAFE_INTEGER)).next
    masToken = await clientCredentialsToken(info().mas)
  })

  it('serves MAS as its auth metadata and takes the admin token MAS issued', async () => {
    const metadata = await synapse('GET', '/_matrix/client/v1/auth_metadata', { token: undefined })
    expect(metadata.json).toMatchObject({ issuer: info().mas.url, account_management_uri: `${info().mas.url}account/` })
    expect((await synapse('GET', '/_matrix/client/v3/account/whoami')).json.user_id).toBe(info().adminUserId)
    expect((await synapse('GET', '/_synapse/admin/v1/server_version')).json.server_version).toBe(info().version)
  })

  it('refuses a user list without guests=false, and lists with it', async () => {
    const plain = await synapse('GET', '/_synapse/admin/v2/users', { query: { limit: 1 } })
    expect(plain).toMatchObject({ status: 400, errcode: 'M_INVALID_PARAM' })
    expect(plain.message).toContain('The guests parameter is not supported when delegating to MAS.')
    const listed = await synapse('GET', '/_synapse/admin/v2/users', { query: { guests: 'false', limit: 100 } })
    expect(listed.json.users.map((u: { name: string }) => u.name)).toContain(info().adminUserId)
  })

  it('has no registration tokens and no password changes in Synapse any more', async () => {
    expect(await synapse('GET', '/_synapse/admin/v1/registration_tokens')).toMatchObject({ status: 404, errcode: 'M_UNRECOGNIZED' })
    const password = await synapse('PUT', `/_synapse/admin/v2/users/${encodeURIComponent(info().adminUserId)}`, { body: { password: 'x' } })
    expect(password).toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' })
  })

  it('shows Synapse the users MAS provisions, and their lock, e-mails and deactivation', async () => {
    const localpart = uniqueName('mas-user')
    const id = await masUser(localpart)
    expect(await synapseUser(localpart)).toMatchObject({ name: userId(localpart), locked: false, deactivated: false })
    expect((await masAdminRequest(info().mas, masToken, 'POST', '/users', { body: { username: localpart } })).status).toBe(409)

    await masAdminRequest(info().mas, masToken, 'POST', `/users/${id}/lock`)
    expect((await synapseUser(localpart)).locked).toBe(true)
    await masAdminRequest(info().mas, masToken, 'POST', `/users/${id}/unlock`)
    const email = `${localpart}@example.test`
    expect((await masAdminRequest(info().mas, masToken, 'POST', '/user-emails', { body: { user_id: id, email } })).status).toBe(201)
    expect(await synapseUser(localpart)).toMatchObject({ locked: false, threepids: [expect.objectContaining({ medium: 'email', address: email })] })

    await masAdminRequest(info().mas, masToken, 'POST', `/users/${id}/deactivate`, { body: { skip_erase: true } })
    expect((await synapseUser(localpart)).deactivated).toBe(true)
    expect((await masAdminRequest(info().mas, masToken, 'POST', `/users/${id}/reactivate`)).status).toBe(200)
    expect((await synapseUser(localpart)).deactivated).toBe(false)
  })

  it('answers Synapse about sessions: devices come and go with them, locked users are refused', async () => {
    const localpart = uniqueName('mas-device')
    const id = await masUser(localpart)
    const session = await control().seedCompatSession({ username: localpart })
    const whoami = await synapse('GET', '/_matrix/client/v3/account/whoami', { token: session.accessToken })
    expect(whoami.json).toMatchObject({ user_id: userId(localpart), device_id: session.deviceId })
    const devices = async () =>
      (await synapse('GET', `/_synapse/admin/v2/users/${encodeURIComponent(userId(localpart))}/devices`)).json.devices.map(
        (d: { device_id: string }) => d.device_id,
      )
    expect(await devices()).toEqual([session.deviceId])

    await masAdminRequest(info().mas, masToken, 'POST', `/compat-sessions/${session.id}/finish`)
    expect(await devices()).toEqual([])
    expect(await synapse('GET', '/_matrix/client/v3/account/whoami', { token: session.accessToken })).toMatchObject({
      status: 401,
      errcode: 'M_UNKNOWN_TOKEN',
    })

    await masAdminRequest(info().mas, masToken, 'POST', `/users/${id}/lock`)
    const locked = await control().seedCompatSession({ username: localpart })
    expect((await synapse('GET', '/_matrix/client/v3/account/whoami', { token: locked.accessToken })).status).toBe(401)
  })

  it("serves MAS's admin API to the admin's token and to client credentials, and is unreachable when down", async () => {
    for (const token of [info().adminToken, masToken]) {
      const me = await masAdminRequest(info().mas, token, 'GET', '/users/by-username/admin')
      expect(me).toMatchObject({ status: 200, body: { data: { attributes: { username: 'admin', admin: true } } } })
    }
    const localpart = uniqueName('mas-pat')
    const id = await masUser(localpart)
    const body = { actor_user_id: id, human_name: 'harness', scope: 'urn:matrix:client:api:*', expires_in: 600 }
    const personal = await masAdminRequest(info().mas, masToken, 'POST', '/personal-sessions', { body })
    const token = personal.body.data.attributes.access_token
    expect((await synapse('GET', '/_matrix/client/v3/account/whoami', { token })).json.user_id).toBe(userId(localpart))

    const fresh = await control().seedCompatSession({ username: localpart })
    await control().setDown(true)
    try {
      const down = await synapse('GET', '/_matrix/client/v3/account/whoami', { token: fresh.accessToken })
      expect(down).toMatchObject({ status: 503 })
      expect(down.message).toContain('Unable to introspect the access token')
    } finally {
      await control().setDown(false)
    }
  })

  describe.skipIf(!loadContract())('the contract', () => {
    it("held every admin API exchange of this file to MAS's OpenAPI document", async () => {
      const contract = loadContract()!
      const { items } = await control().exchanges(exchangesFrom)
      expect(items.length).toBeGreaterThan(10)
      const problems = items.flatMap((e) => [...contract.checkRequest(e), ...contract.checkResponse(e)].map((p) => `${e.method} ${e.path}: ${p}`))
      expect(problems).toEqual([])
    })
  })
})
