// matrix login and matrix raw against a real Synapse: the token login returns works, and raw client calls act as
// whoever's token they carry.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { adminRequest, registerUser, uniqueName } from './fixtures.js'
import { EXIT, expectSameAsPython, fails, ok, skipWithoutPython, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

const whoami = (token: string) => adminRequest('GET', '/_matrix/client/v3/account/whoami', { token })

describe.skipIf(!inject('synapse').available)('matrix commands', () => {
  let user: { userId: string; token: string; password: string }
  let localpart: string

  beforeAll(async () => {
    localpart = uniqueName('member')
    user = await registerUser(localpart, { password: 'correct horse battery' })
  })

  it('matrix login reads the password from stdin; the new token belongs to the user and names its device', async () => {
    const login = ok(await synadm(['matrix', 'login', localpart, '--password-file', '-'], { input: 'correct horse battery\n' }))
    expect(login.user_id).toBe(user.userId)
    expect(await whoami(login.access_token)).toMatchObject({ user_id: user.userId, device_id: login.device_id })
    const { devices } = await adminRequest('GET', `/_synapse/admin/v2/users/${encodeURIComponent(user.userId)}/devices`)
    expect(devices).toContainEqual(expect.objectContaining({ device_id: login.device_id, display_name: 'synadm matrix login command' }))
  })

  it('matrix login -p still works; a wrong password exits 6', async () => {
    expect(ok(await synadm(['matrix', 'login', user.userId, '-p', 'correct horse battery'])).user_id).toBe(user.userId)
    expect(fails(await synadm(['matrix', 'login', user.userId, '-p', 'wrong']), EXIT.auth)).toContain('M_FORBIDDEN')
    expect(fails(await synadm(['matrix', 'login', user.userId]), EXIT.usage)).toContain('--password-file')
  })

  it('matrix raw uses the admin token, or the user token from $MTOKEN or -t', async () => {
    expect(ok(await synadm(['matrix', 'raw', 'client/v3/account/whoami'])).user_id).toBe(synapse().adminUserId)
    expect(ok(await synadm(['matrix', 'raw', 'client/v3/account/whoami'], { env: { MTOKEN: user.token } })).user_id).toBe(user.userId)
    expect(ok(await synadm(['matrix', 'raw', 'client/v3/account/whoami', '-t', user.token])).user_id).toBe(user.userId)
    expect(fails(await synadm(['matrix', 'raw', 'client/v3/account/whoami', '-t', 'not-a-token']), EXIT.auth)).toContain('M_UNKNOWN_TOKEN')
  })

  it('matrix raw writes with -d and -f -', async () => {
    const path = `client/v3/profile/${encodeURIComponent(user.userId)}/displayname`
    ok(await synadm(['matrix', 'raw', path, '-m', 'put', '-d', '{"displayname": "Via raw"}', '-t', user.token]))
    expect(await adminRequest('GET', `/_matrix/client/v3/profile/${encodeURIComponent(user.userId)}`)).toMatchObject({ displayname: 'Via raw' })
    ok(await synadm(['matrix', 'raw', path, '-m', 'put', '-f', '-'], { input: '{"displayname": "From stdin"}', env: { MTOKEN: user.token } }))
    expect(await adminRequest('GET', `/_matrix/client/v3/profile/${encodeURIComponent(user.userId)}`)).toMatchObject({ displayname: 'From stdin' })
  })

  it('matrix raw reads give the same data as the Python synadm', async (context) => {
    skipWithoutPython(context)
    expect(await expectSameAsPython('matrix raw', ['matrix', 'raw', 'client/versions'])).toHaveProperty('versions')
    await expectSameAsPython('matrix raw', ['matrix', 'raw', `client/v3/profile/${encodeURIComponent(user.userId)}`])
  })

  it('matrix admin-client-config sets the admin\'s account data and reads it back', async () => {
    ok(await synadm(['matrix', 'admin-client-config', '--soft-failed', '--no-spammy']))
    const stored = await adminRequest(
      'GET',
      `/_matrix/client/v3/user/${encodeURIComponent(synapse().adminUserId)}/account_data/io.element.synapse.admin_client_config`,
    )
    expect(stored).toEqual({ return_soft_failed_events: true, return_policy_server_spammy_events: false })
    ok(await synadm(['matrix', 'admin-client-config', '--no-soft-failed']))
    expect(ok(await synadm(['matrix', 'admin-client-config']))).toEqual({ return_soft_failed_events: false, return_policy_server_spammy_events: false })
  })
})
