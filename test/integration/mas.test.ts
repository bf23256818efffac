// synadm on a real Synapse that delegates auth to the stand-in MAS (inject('synapseMas')): the account and regtok
// commands do their job through MAS or say why not, every mas command runs (one-shot, in the piped shell, across
// -S all), MAS's writes are in the audit log, and every admin API exchange is held to MAS's OpenAPI document.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { loadContract } from '../mas/contract.js'
import { clientCredentialsToken, masAdminRequest, masControl } from '../mas/control.js'
import { matrixRequest } from '../synapse/client.mjs'
import { writeSynadmConfig } from '../synapse/server.mjs'
import { runSynadm, type RunOptions, type RunResult } from './cli.js'
import { uniqueName } from './fixtures.js'
import { fails, ok } from './run-helpers.js'

const EXIT = { usage: 2, network: 4, api: 5, auth: 6, notFound: 7 } as const
import { synapseMas } from './synapse-info.js'

describe.skipIf(!inject('synapseMas').available)('synadm on a server that delegates auth to MAS', () => {
  const info = () => synapseMas()
  const control = () => masControl(info().mas)
  let masToken: string
  let exchangesFrom: number
  let home: string
  let auditLog: string

  /** Our CLI against the MAS-mode Synapse, as its admin (a personal session token serving both APIs). */
  const synadm = (args: string[], o: RunOptions = {}): Promise<RunResult> =>
    runSynadm(['--batch', '-o', 'json', ...args], { configFile: info().configFile, ...o, env: { HOME: home, SYNADM_AUDIT_LOG: auditLog, ...o.env } })
  const lines = (result: RunResult) => ok({ ...result, stdout: `[${result.stdout.trim().split('\n').join(',')}]` }) as any[]
  const userId = (localpart: string) => `@${localpart}:${info().serverName}`
  const mas = <T = any>(method: string, path: string, body?: unknown) => masAdminRequest<T>(info().mas, masToken, method, path, body === undefined ? {} : { body })
  const masUserNamed = async (localpart: string) => (await mas('GET', `/users/by-username/${localpart}`)).body.data
  const synapseUser = async (localpart: string) => matrixRequest({ url: info().url }, 'GET', `/_synapse/admin/v2/users/${encodeURIComponent(userId(localpart))}`, { token: info().adminToken })
  const whoami = (token: string) => matrixRequest({ url: info().url }, 'GET', '/_matrix/client/v3/account/whoami', { token }).then((r: any) => r.user_id, (e: any) => e.status)

  /** A user created through MAS (which provisions it in Synapse); its MAS ID. */
  async function masUser(prefix: string) {
    const localpart = uniqueName(prefix)
    const reply = await mas('POST', '/users', { username: localpart })
    expect(reply.status).toBe(201)
    return { localpart, id: reply.body.data.id as string }
  }

  beforeAll(async () => {
    exchangesFrom = (await control().exchanges(Number.MAX_SAFE_INTEGER)).next
    masToken = await clientCredentialsToken(info().mas)
    home = mkdtempSync(join(tmpdir(), 'synadm-it-mas-home-'))
    auditLog = join(home, 'audit.log')
  })

  it('mas info: the server delegates, MAS is where its auth metadata says, the access token serves MAS', async () => {
    expect(ok(await synadm(['mas', 'info']))).toMatchObject({ delegated: true, issuer: info().mas.url, mas_url: info().mas.url.replace(/\/$/, ''), mas_url_from: 'the server' })
    expect(ok(await synadm(['mas', 'version']))).toEqual({ version: expect.any(String) })
    expect(ok(await synadm(['mas', 'site-config']))).toMatchObject({ server_name: info().serverName })
  })

  describe('the account commands', () => {
    it('user list works (guests=false); -g says why it cannot; user details as on any Synapse', async () => {
      const { localpart } = await masUser('mas-list')
      const listed = ok(await synadm(['user', 'list', '-l', '500']))
      expect(listed.users.map((u: { name: string }) => u.name)).toContain(userId(localpart))
      expect(fails(await synadm(['user', 'list', '-g']), EXIT.usage)).toContain('Synapse lists no guests when it delegates auth to MAS')
      expect(ok(await synadm(['user', 'details', localpart]))).toMatchObject({ name: userId(localpart), deactivated: false })
    })

    it("user password sets MAS's password and ends the user's sessions; -n keeps them", async () => {
      const { localpart, id } = await masUser('mas-password')
      // (tokens are asked of Synapse only after the change: it caches MAS's answer about a token for 2 minutes)
      const session = await control().seedCompatSession({ username: localpart })
      const { next } = await control().exchanges(Number.MAX_SAFE_INTEGER)
      ok(await synadm(['user', 'password', localpart, '--password-file', '-'], { input: 'a long enough password\n' }))
      const sent = (await control().exchanges(next)).items.map((e) => `${e.method} ${e.path} ${e.status}`)
      expect(sent).toContain(`POST /api/admin/v1/users/${id}/set-password 204`)
      expect(sent).toContain(`POST /api/admin/v1/compat-sessions/${session.id}/finish 200`)
      expect(await whoami(session.accessToken)).toBe(401)
      const kept = await control().seedCompatSession({ username: localpart })
      ok(await synadm(['user', 'password', localpart, '-n', '--password-file', '-'], { input: 'another long password\n' }))
      expect(await whoami(kept.accessToken)).toBe(userId(localpart))
    })

    it('user modify -a --lock, then --deactivate: MAS changes them and tells Synapse; the display name is Synapse’s', async () => {
      const { localpart } = await masUser('mas-modify')
      const modified = ok(await synadm(['user', 'modify', localpart, '-a', '--lock', '-n', 'Modified']))
      expect(modified).toMatchObject({ displayname: 'Modified', mas: { admin: true, locked_at: expect.any(String) } })
      expect(await masUserNamed(localpart)).toMatchObject({ attributes: { admin: true, locked_at: expect.any(String) } })
      expect(await synapseUser(localpart)).toMatchObject({ locked: true, displayname: 'Modified' })
      ok(await synadm(['user', 'modify', localpart, '--unlock', '--deactivate']))
      expect((await masUserNamed(localpart)).attributes).toMatchObject({ locked_at: null, deactivated_at: expect.any(String) })
      expect(await synapseUser(localpart)).toMatchObject({ locked: false, deactivated: true })
      ok(await synadm(['user', 'modify', localpart, '--activate']))
      expect(await synapseUser(localpart)).toMatchObject({ deactivated: false })
      expect(fails(await synadm(['user', 'modify', localpart, '--add-threepid', 'email', 'x@example.test']), EXIT.usage)).toContain("MAS keeps users' e-mail addresses")
    })

    it('user login: a personal session acting as the user, whose token Synapse takes', async () => {
      const { localpart } = await masUser('mas-login')
      const login = ok(await synadm(['user', 'login', localpart, '-d', '1']))
      expect(login).toMatchObject({ access_token: expect.stringMatching(/^mpt_/), personal_session_id: expect.any(String), expires_at: expect.any(String) })
      expect(await whoami(login.access_token)).toBe(userId(localpart))
    })

    it('user deactivate --targets: each through MAS, which has Synapse deactivate the account', async () => {
      const users = [await masUser('mas-bulk'), await masUser('mas-bulk')]
      const file = join(home, 'deactivate.txt')
      writeFileSync(file, users.map((u) => u.localpart).join('\n'))
      const report = lines(await synadm(['-o', 'jsonl', 'user', 'deactivate', '--targets', file]))
      expect(report.map((r) => r.ok)).toEqual([true, true])
      for (const { localpart } of users) {
        expect((await masUserNamed(localpart)).attributes.deactivated_at).toEqual(expect.any(String))
        expect(await synapseUser(localpart)).toMatchObject({ deactivated: true })
      }
    })

    it('user admin shows and sets MAS’s admin right; register and validity say what to use instead', async () => {
      const { localpart } = await masUser('mas-admin')
      expect(ok(await synadm(['user', 'admin', localpart]))).toEqual({ admin: false })
      expect(ok(await synadm(['user', 'admin', localpart, '--set']))).toEqual({ admin: true })
      expect(fails(await synadm(['user', 'register', 'someone'], { env: { SYNADM_SHARED_SECRET: 'x', SYNADM_PASSWORD: 'y' } }), EXIT.usage)).toContain('synadm mas users add someone')
      expect(fails(await synadm(['user', 'validity', localpart]), EXIT.usage)).toContain('synadm mas users lock')
    })

    it('a user only Synapse has is not in MAS: exit 7, with the command that adds it', async () => {
      const localpart = uniqueName('synapse-only')
      await matrixRequest({ url: info().url }, 'PUT', `/_synapse/admin/v2/users/${encodeURIComponent(userId(localpart))}`, { token: info().adminToken, body: {} })
      const stderr = fails(await synadm(['user', 'password', localpart, '--password-file', '-'], { input: 'a long enough password\n' }), EXIT.notFound)
      expect(stderr).toContain(`MAS has no user '${localpart}'`)
      expect(stderr).toContain(`synadm mas users add ${localpart} --skip-homeserver-check`)
    })
  })

  describe('regtok', () => {
    it("regtok new, list, details, update, delete: MAS's registration tokens, shown as Synapse's", async () => {
      const token = uniqueName('invite').replace(/-/g, '')
      expect(ok(await synadm(['regtok', 'new', '-n', token, '-u', '2', '-e', '2031-01-01']))).toMatchObject({ token, uses_allowed: 2, completed: 0, valid: true })
      expect(ok(await synadm(['regtok', 'list', '-v'])).registration_tokens.map((t: { token: string }) => t.token)).toContain(token)
      const details = ok(await synadm(['regtok', 'details', token, '--ts']))
      expect(details).toMatchObject({ token, uses_allowed: 2, expiry_time: new Date(2031, 0, 1).getTime() })
      expect(ok(await synadm(['regtok', 'update', token, '-u', '-1', '-t', '-1']))).toMatchObject({ uses_allowed: null, expiry_time: null })
      expect((await mas('GET', `/user-registration-tokens/${details.id}`)).body.data.attributes).toMatchObject({ usage_limit: null, expires_at: null })
      const deleted = await synadm(['regtok', 'delete', token])
      expect(ok(deleted)).toMatchObject({ token, valid: false, revoked_at: expect.any(String) })
      expect(deleted.stderr).toContain(`synadm mas tokens unrevoke ${details.id}`)
      expect(ok(await synadm(['regtok', 'list', '-V'])).registration_tokens.map((t: { token: string }) => t.token)).toContain(token)
      expect(ok(await synadm(['regtok', 'new', '-l', '20'])).token).toMatch(/^[A-Za-z0-9]{20}$/)
    })
  })

  describe('the mas commands', () => {
    it('mas users list --all -o jsonl follows the cursors; filters; a cursor of no item still pages', async () => {
      const created = [await masUser('mas-page'), await masUser('mas-page'), await masUser('mas-page')]
      const all = lines(await synadm(['mas', 'users', 'list', '--all', '-l', '2', '-o', 'jsonl']))
      expect(all.map((u) => u.username)).toEqual(expect.arrayContaining(created.map((u) => u.localpart)))
      expect(new Set(all.map((u) => u.id)).size).toBe(all.length)
      const found = ok(await synadm(['mas', 'users', 'list', '-s', created[0].localpart]))
      expect(found.users.map((u: { id: string }) => u.id)).toEqual([created[0].id])
      expect(ok(await synadm(['mas', 'users', 'list', '--status', 'active', '-a', '-l', '1']))).toMatchObject({ users: [{ admin: true }], total: expect.any(Number) })
      expect(ok(await synadm(['mas', 'users', 'list', '-f', '01ARZ3NDEKTSV4RRFFQ69G5FAV'])).users.length).toBeGreaterThan(0)
      expect(fails(await synadm(['mas', 'users', 'list', '-f', 'nope']), EXIT.usage)).toContain("'nope' is not a ULID")
    })

    it('mas users add, details, lock, unlock, set-password, set-admin, deactivate, reactivate', async () => {
      const localpart = uniqueName('mas-cmd')
      const added = ok(await synadm(['mas', 'users', 'add', localpart, '-n', 'Added Here']))
      expect(await synapseUser(localpart)).toMatchObject({ displayname: 'Added Here' })
      expect(fails(await synadm(['mas', 'users', 'add', localpart]), EXIT.api)).toContain('MAS: 409 User already exists')
      expect(ok(await synadm(['mas', 'users', 'details', added.id]))).toMatchObject({ username: localpart })
      expect(fails(await runSynadm(['-o', 'json', 'mas', 'users', 'lock', localpart], { configFile: info().configFile, env: { HOME: home } }), EXIT.usage)).toContain('refusing to go on without confirmation: Lock')
      expect(ok(await synadm(['mas', 'users', 'lock', userId(localpart)]))).toMatchObject({ locked_at: expect.any(String) })
      expect(await synapseUser(localpart)).toMatchObject({ locked: true })
      expect(ok(await synadm(['mas', 'users', 'unlock', localpart]))).toMatchObject({ locked_at: null })
      expect(ok(await synadm(['mas', 'users', 'set-password', localpart, '--password-file', '-'], { input: 'correct horse battery\n' }))).toMatchObject({ password_set: true })
      expect(fails(await synadm(['mas', 'users', 'set-password', localpart, '--password-file', '-'], { input: 'short\n' }), EXIT.api)).toContain('Password is too weak')
      expect(ok(await synadm(['mas', 'users', 'set-admin', localpart]))).toMatchObject({ admin: true })
      expect(ok(await synadm(['mas', 'users', 'set-admin', localpart, '--unset']))).toMatchObject({ admin: false })
      expect(ok(await synadm(['mas', 'users', 'deactivate', localpart]))).toMatchObject({ deactivated_at: expect.any(String) })
      expect(await synapseUser(localpart)).toMatchObject({ deactivated: true })
      expect(ok(await synadm(['mas', 'users', 'reactivate', localpart]))).toMatchObject({ deactivated_at: null })
      expect(await synapseUser(localpart)).toMatchObject({ deactivated: false })
    })

    it('mas sessions list, details, finish: the device goes from Synapse', async () => {
      const { localpart, id } = await masUser('mas-session')
      const session = await control().seedCompatSession({ username: localpart })
      const browser = await control().seedUserSession({ username: localpart })
      expect(ok(await synadm(['mas', 'sessions', 'list', '-u', localpart, '--status', 'active'])).sessions).toEqual([expect.objectContaining({ id: session.id, user_id: id, device_id: session.deviceId })])
      expect(ok(await synadm(['mas', 'sessions', 'list', '-k', 'browser', '-u', localpart])).sessions.map((s: { id: string }) => s.id)).toEqual([browser.id])
      expect(ok(await synadm(['mas', 'sessions', 'details', session.id]))).toMatchObject({ kind: 'compat', device_id: session.deviceId })
      expect(ok(await synadm(['mas', 'sessions', 'finish', session.id]))).toMatchObject({ kind: 'compat', finished_at: expect.any(String) })
      expect(await whoami(session.accessToken)).toBe(401)
      const devices = await matrixRequest({ url: info().url }, 'GET', `/_synapse/admin/v2/users/${encodeURIComponent(userId(localpart))}/devices`, { token: info().adminToken })
      expect(devices.devices).toEqual([])
      expect(ok(await synadm(['mas', 'sessions', 'finish', browser.id, '-k', 'browser']))).toMatchObject({ kind: 'browser', finished_at: expect.any(String) })
      expect(fails(await synadm(['mas', 'sessions', 'details', '01ARZ3NDEKTSV4RRFFQ69G5FAV']), EXIT.notFound)).toContain('MAS has no session')
    })

    it('mas personal-sessions add, list, details, regenerate, revoke', async () => {
      const { localpart, id } = await masUser('mas-personal')
      const added = ok(await synadm(['mas', 'personal-sessions', 'add', localpart, '-s', 'urn:matrix:client:api:*', '-n', 'a bot', '--expire-days', '2']))
      expect(await whoami(added.access_token)).toBe(userId(localpart))
      expect(ok(await synadm(['mas', 'personal-sessions', 'list', '--actor', localpart])).personal_sessions.map((s: { id: string }) => s.id)).toEqual([added.id])
      expect(ok(await synadm(['mas', 'personal-sessions', 'details', added.id]))).toMatchObject({ actor_user_id: id, human_name: 'a bot' })
      const renewed = ok(await synadm(['mas', 'personal-sessions', 'regenerate', added.id, '-d', '1']))
      expect(renewed).toMatchObject({ id: added.id, access_token: expect.stringMatching(/^mpt_/) })
      expect(renewed.access_token).not.toBe(added.access_token)
      ok(await synadm(['mas', 'personal-sessions', 'revoke', added.id]))
      // (Synapse caches MAS's answer about a token for 2 minutes: a token it has not asked about shows the revocation)
      expect(await whoami(renewed.access_token)).toBe(401)
      expect(ok(await synadm(['mas', 'personal-sessions', 'list', '--actor', localpart, '--status', 'revoked'])).personal_sessions.map((s: { id: string }) => s.id)).toEqual([added.id])
    })

    it('mas emails add, list, details, delete (MAS tells Synapse)', async () => {
      const { localpart } = await masUser('mas-email')
      const address = `${localpart}@example.test`
      const added = ok(await synadm(['mas', 'emails', 'add', localpart, address]))
      expect((await synapseUser(localpart)).threepids).toEqual([expect.objectContaining({ medium: 'email', address })])
      expect(ok(await synadm(['mas', 'emails', 'list', '-u', localpart])).emails.map((e: { email: string }) => e.email)).toEqual([address])
      expect(ok(await synadm(['mas', 'emails', 'details', added.id]))).toMatchObject({ email: address })
      ok(await synadm(['mas', 'emails', 'delete', added.id]))
      expect((await synapseUser(localpart)).threepids).toEqual([])
    })

    it('mas providers, links and clients', async () => {
      const { localpart, id } = await masUser('mas-link')
      const providers = ok(await synadm(['mas', 'providers', 'list', '--enabled'])).providers
      expect(ok(await synadm(['mas', 'providers', 'details', providers[0].id]))).toMatchObject({ id: providers[0].id })
      const link = ok(await synadm(['mas', 'links', 'add', localpart, providers[0].id, `sub-${localpart}`, '--account-name', 'them at the IdP']))
      expect(ok(await synadm(['mas', 'links', 'list', '-u', localpart])).links).toEqual([expect.objectContaining({ id: link.id, user_id: id })])
      expect(ok(await synadm(['mas', 'links', 'details', link.id]))).toMatchObject({ subject: `sub-${localpart}` })
      ok(await synadm(['mas', 'links', 'delete', link.id]))
      expect(ok(await synadm(['mas', 'links', 'list', '-u', localpart])).links).toEqual([])
      const clients = ok(await synadm(['mas', 'clients', 'list', '--kind', 'static'])).clients
      expect(clients.length).toBeGreaterThan(0)
      expect(ok(await synadm(['mas', 'clients', 'details', clients[0].id]))).toMatchObject({ is_static: true })
    })

    it('mas tokens add (one-shot), list, details, edit, revoke, unrevoke', async () => {
      const added = ok(await synadm(['mas', 'tokens', 'add', '-u', '5']))
      expect(added).toMatchObject({ token: expect.any(String), usage_limit: 5, valid: true })
      expect(ok(await synadm(['mas', 'tokens', 'list', '--valid', '--unused'])).tokens.map((t: { id: string }) => t.id)).toContain(added.id)
      expect(ok(await synadm(['mas', 'tokens', 'details', added.id]))).toMatchObject({ token: added.token })
      const edited = ok(await synadm(['mas', 'tokens', 'edit', added.id, '-e', '2032-01-01']))
      expect(edited).toMatchObject({ usage_limit: 5 })
      expect(Date.parse(edited.expires_at)).toBe(new Date(2032, 0, 1).getTime())
      expect(ok(await synadm(['mas', 'tokens', 'revoke', added.id]))).toMatchObject({ valid: false })
      expect(ok(await synadm(['mas', 'tokens', 'unrevoke', added.id]))).toMatchObject({ valid: true, revoked_at: null })
    })

    it('mas policy-data set and show', async () => {
      const file = join(home, 'policy.json')
      writeFileSync(file, JSON.stringify({ admin_clients: [info().mas.clientId], note: uniqueName('policy') }))
      const set = ok(await synadm(['mas', 'policy-data', 'set', file]))
      expect(ok(await synadm(['mas', 'policy-data', 'show']))).toMatchObject({ id: set.id, data: JSON.parse(readFileSync(file, 'utf8')) })
      expect(ok(await synadm(['mas', 'policy-data', 'show', set.id]))).toMatchObject({ id: set.id })
    })
  })

  describe('in the shell, across servers, in the audit log', () => {
    it('the piped synadm> shell locks a user, finishes a session and adds a token in one process', async () => {
      const { localpart } = await masUser('mas-shell')
      const session = await control().seedCompatSession({ username: localpart })
      const input = [`mas users lock ${localpart}`, `mas sessions finish ${session.id}`, 'mas tokens add -u 1', `user list -l 500 -L -n ${localpart}`].join('\n') + '\n'
      const result = await runSynadm(['--batch', '-o', 'minified', 'shell'], { configFile: info().configFile, input, env: { HOME: home, SYNADM_AUDIT_LOG: auditLog } })
      expect(result.code, result.stderr).toBe(0)
      const [locked, finished, token, listed] = result.stdout.trim().split('\n').map((l) => JSON.parse(l))
      expect(locked).toMatchObject({ username: localpart, locked_at: expect.any(String) })
      expect(finished).toMatchObject({ id: session.id, finished_at: expect.any(String) })
      expect(token).toMatchObject({ usage_limit: 1 })
      expect(listed.users.map((u: { name: string }) => u.name)).toEqual([userId(localpart)])
    })

    it('-S all: the same MAS through a personal token and through client credentials', async () => {
      const fleetHome = mkdtempSync(join(tmpdir(), 'synadm-it-mas-fleet-'))
      writeSynadmConfig(join(fleetHome, '.config', 'synadm.yaml'), info())
      const servers = join(fleetHome, '.config', 'synadm', 'servers')
      mkdirSync(servers, { recursive: true })
      const secretFile = join(fleetHome, 'mas-secret')
      writeFileSync(secretFile, `${info().mas.clientSecret}\n`, { mode: 0o600 })
      chmodSync(secretFile, 0o600)
      writeSynadmConfig(join(servers, 'client.yaml'), info())
      writeFileSync(join(servers, 'client.yaml'), `${readFileSync(join(servers, 'client.yaml'), 'utf8')}mas_client_id: ${info().mas.clientId}\nmas_client_secret_file: ${secretFile}\n`)
      const fleet = (args: string[]) => runSynadm(['-S', 'all', ...args], { configFile: null, env: { HOME: fleetHome, SYNADM_AUDIT_LOG: auditLog } })
      const { localpart } = await masUser('mas-fleet')
      const listed = lines(await fleet(['-o', 'jsonl', 'mas', 'users', 'list', '--all', '-s', localpart]))
      expect(listed.map((u) => [u.server, u.username]).sort()).toEqual([['client', localpart], ['default', localpart]])
      expect(fails(await fleet(['-o', 'json', 'mas', 'users', 'lock', localpart]), EXIT.usage)).toContain('--batch')
      const locked = await fleet(['--batch', '-o', 'jsonl', 'mas', 'users', 'lock', localpart])
      expect(locked.code, locked.stderr).toBe(0)
      expect((await masUserNamed(localpart)).attributes.locked_at).toEqual(expect.any(String))
      const tokens = lines(await fleet(['--batch', '-o', 'jsonl', 'mas', 'tokens', 'add', '-u', '1']))
      expect(tokens.map((t) => t.server).sort()).toEqual(['client', 'default'])
    })

    it('every MAS write is in the audit log, with its path under /api/admin/v1', async () => {
      const { localpart, id } = await masUser('mas-audit')
      ok(await synadm(['mas', 'users', 'lock', localpart]))
      const entries = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      const lock = entries.filter((e) => e.path === `/api/admin/v1/users/${id}/lock`)
      expect(lock.map((e) => [e.method, e.status])).toEqual([['POST', null], ['POST', 200]])
      expect(lock[0].command).toContain(`mas users lock ${localpart}`)
      expect(entries.some((e) => /oauth2\/token/.test(e.path))).toBe(false)
    })
  })

  describe('faults', () => {
    it('a token without urn:mas:admin is refused (exit 6) with what to configure; a MAS that is down is exit 4', async () => {
      const { id } = await masUser('mas-scope')
      const personal = await mas('POST', '/personal-sessions', { actor_user_id: id, human_name: 'no admin', scope: 'urn:matrix:client:api:*' })
      const stderr = fails(await synadm(['mas', 'users', 'list'], { env: { SYNADM_TOKEN: personal.body.data.attributes.access_token } }), EXIT.auth)
      expect(stderr).toContain('MAS: 401 Missing urn:mas:admin scope')
      expect(stderr).toContain('hint: ')
      await control().setDown(true)
      try {
        const down = await synadm(['mas', 'version'], { env: { SYNADM_MAS_URL: info().mas.url } })
        expect(fails(down, EXIT.network)).toContain(`is MAS running at ${info().mas.url.replace(/\/$/, '')} (from mas_url)?`)
      } finally {
        await control().setDown(false)
      }
    })
  })

  describe.skipIf(!loadContract())('the contract', () => {
    it("held every admin API exchange of this file (synadm's and the fixtures') to MAS's OpenAPI document", async () => {
      const contract = loadContract()!
      const { items } = await control().exchanges(exchangesFrom)
      expect(items.length).toBeGreaterThan(50)
      const problems = items.flatMap((e) => [...contract.checkRequest(e), ...contract.checkResponse(e)].map((p) => `${e.method} ${e.path}?${e.query}: ${p}`))
      expect(problems).toEqual([])
    })
  })
})
