// The user plugin against a real Synapse: every command runs, every write is checked through the API, and the read
// commands the Python synadm has give the same -o json data as synadm 0.49.2 on the same server.
import { randomBytes } from 'node:crypto'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { parseJson, parseJsonDocuments, runPythonSynadm, runSynadm, type RunResult } from './cli.js'
import { differencesFor } from './known-differences.js'
import { expectSameAsPython } from './run-helpers.js'
import { adminRequest, createRoom, joinRoom, registerUser, sendMessage, uniqueName, uploadMedia, waitFor } from './fixtures.js'
import { synapse } from './synapse-info.js'

const enc = encodeURIComponent
const A = '/_synapse/admin'

type User = Awaited<ReturnType<typeof registerUser>>

/** Our CLI with -o json; fails the test with stderr unless it exits 0. */
async function ours(args: string[], options: Parameters<typeof runSynadm>[1] = {}): Promise<any> {
  const result = await runSynadm(['-o', 'json', ...args], options)
  expect(result.code, `synadm ${args.join(' ')}\nstderr: ${result.stderr}`).toBe(0)
  return result.stdout.trim() ? parseJson(result.stdout) : undefined
}
const batch = (args: string[], options: Parameters<typeof runSynadm>[1] = {}) => ours(['--batch', ...args], options)

const details = (userId: string) => adminRequest('GET', `${A}/v2/users/${enc(userId)}`)
const devicesOf = async (userId: string): Promise<string[]> =>
  (await adminRequest('GET', `${A}/v2/users/${enc(userId)}/devices`)).devices.map((d: { device_id: string }) => d.device_id).sort()
const asUser = (token: string, method: string, path: string, body?: unknown) => adminRequest(method, path, { token, body })
const passwordLogin = (userId: string, password: string) =>
  adminRequest('POST', '/_matrix/client/v3/login', { token: undefined, body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password } })


describe.skipIf(!inject('synapse').available)('user plugin against a real Synapse', () => {
  const prefix = uniqueName('u')
  let alice: User
  let bob: User
  let roomId: string
  let alias: string

  beforeAll(async () => {
    alice = await registerUser(`${prefix}-alice`, { displayname: 'Alice' })
    bob = await registerUser(`${prefix}-bob`, { displayname: 'Bob' })
    alias = `${prefix}-room`
    roomId = await createRoom(alice.token, { name: 'User tests', alias, isPublic: true })
    await joinRoom(bob.token, roomId)
    await sendMessage(alice.token, roomId, 'hello')
    await uploadMedia(alice.token, new TextEncoder().encode('alice file'), 'text/plain')
    // Synapse stores last_seen_ts in batches every few seconds; compare only once it stopped changing.
    await waitFor(async () => (await details(alice.userId)).last_seen_ts && (await details(bob.userId)).last_seen_ts, 20_000)
  })

  const python = () => Boolean(synapse().pythonRoot)

  describe('reads, compared with the Python synadm', () => {
    it('details', async ({ skip }) => {
      expect((await ours(['user', 'details', alice.userId])).displayname).toBe('Alice')
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user details', ['user', 'details', alice.userId])
    })

    it('list with filters, and its next_token page', async ({ skip }) => {
      const page = await ours(['user', 'list', '-n', prefix, '-l', '1'])
      expect(page.users).toHaveLength(1)
      expect(page.next_token).toBe('1')
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user list', ['user', 'list', '-n', prefix])
      await expectSameAsPython('user list', ['user', 'list', '-n', prefix, '-l', '1', '-f', '1', '--sort-by', 'displayname', '--reverse', '-G', '-A'])
      await expectSameAsPython('user list', ['user', 'list', '-i', alice.userId, '-d', '-L'])
    })

    it('search', async ({ skip }) => {
      if (!python()) skip('the Python synadm chroot is not built')
      const [lower] = await expectSameAsPython('user search', ['user', 'search', `${prefix}-ALICE`], (stdout) => stdout.replace(/^User search results for '.*':$/gm, ''))
      expect(lower.users.map((u: { name: string }) => u.name)).toEqual([alice.userId])
    })

    it('whois', async ({ skip }) => {
      expect((await ours(['user', 'whois', alice.userId])).user_id).toBe(alice.userId)
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user whois', ['user', 'whois', alice.userId])
    })

    it('media, as date/time and as timestamps', async ({ skip }) => {
      const page = await waitFor(async () => {
        const reply = await ours(['user', 'media', alice.userId, '--ts'])
        return reply.total === 1 && reply
      })
      expect(page.media[0]).toMatchObject({ media_type: 'text/plain', media_length: 10 })
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user media', ['user', 'media', alice.userId])
      await expectSameAsPython('user media', ['user', 'media', alice.userId, '--ts', '-s', 'media_length', '-r', '-l', '5'])
    })

    it('membership, with aliases and with room IDs', async ({ skip }) => {
      const withAliases = await ours(['user', 'membership', bob.userId])
      expect(withAliases).toEqual({ joined_rooms: [`#${alias}:${synapse().serverName}`], total: 1 })
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user membership', ['user', 'membership', bob.userId])
      await expectSameAsPython('user membership', ['user', 'membership', bob.userId, '--ids'])
    })

    it('3pid, after --add-threepid gave Alice an address', async ({ skip }) => {
      const address = `${prefix}@example.org`
      await batch(['user', 'modify', alice.userId, '--add-threepid', 'email', address])
      expect(await ours(['user', '3pid', address])).toEqual({ user_id: alice.userId })
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user 3pid', ['user', '3pid', address, '-m', 'email'])
    })

    it('auth-provider, after --external-id linked Bob to an SSO ID', async ({ skip }) => {
      await batch(['user', 'modify', bob.userId, '--external-id', 'oidc', `ext-${prefix}`])
      expect((await details(bob.userId)).external_ids).toEqual([{ auth_provider: 'oidc', external_id: `ext-${prefix}` }])
      expect(await ours(['user', 'auth-provider', `ext-${prefix}`, '-p', 'oidc'])).toEqual({ user_id: bob.userId })
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user auth-provider', ['user', 'auth-provider', `ext-${prefix}`, '-p', 'oidc'])
    })

    it('an unknown user: one-line error and exit 7 here, error JSON and exit 0 in the Python synadm', async ({ skip }) => {
      const missing = `@${prefix}-nobody:${synapse().serverName}`
      const mine: RunResult = await runSynadm(['-o', 'json', 'user', 'details', missing])
      expect(mine.code).toBe(7)
      expect(mine.stdout).toBe('')
      expect(mine.stderr.trim().split('\n')[0]).toBe(`synadm: user ${missing} does not exist on this server`)
      if (!python()) skip('the Python synadm chroot is not built')
      const theirs = await runPythonSynadm(['-o', 'json', 'user', 'details', missing])
      expect(differencesFor('user details').some((d) => /exits 0/.test(d.reason))).toBe(true)
      expect(theirs.code).toBe(0)
      expect(parseJson(theirs.stdout)).toMatchObject({ errcode: 'M_NOT_FOUND' })
    })
  })

  describe('user list --all', () => {
    it('streams every user of a server with more users than a page holds (-l 7, 30 users)', async () => {
      const many = uniqueName('page')
      const created: string[] = []
      for (let i = 0; i < 30; i++) created.push((await registerUser(`${many}-${String(i).padStart(2, '0')}`)).userId)
      const result = await runSynadm(['-o', 'jsonl', 'user', 'list', '-n', many, '-l', '7', '--all'])
      expect(result.code, result.stderr).toBe(0)
      const names = result.stdout.trim().split('\n').map((line) => JSON.parse(line).name)
      expect(names).toHaveLength(30)
      expect(new Set(names).size).toBe(30)
      expect([...names].sort()).toEqual([...created].sort())
      // and over the whole server: every account once
      const everyone = await runSynadm(['-o', 'jsonl', 'user', 'list', '-l', '7', '--all'])
      const all = everyone.stdout.trim().split('\n').map((line) => JSON.parse(line).name)
      expect(new Set(all).size).toBe(all.length)
      expect(all.length).toBe((await adminRequest('GET', `${A}/v2/users`, { query: { limit: 1 } })).total)
      expect(all).toEqual(expect.arrayContaining(created))
    })
  })

  describe('list-v3', () => {
    it('-d lists only deactivated accounts, -D only active ones', async () => {
      const gone = await registerUser(`${prefix}-v3gone`)
      await adminRequest('POST', `${A}/v1/deactivate/${enc(gone.userId)}`, { body: { erase: false } })
      const only = await ours(['user', 'list-v3', '-n', `${prefix}-v3`, '-d'])
      expect(only.users.map((u: { name: string }) => u.name)).toEqual([gone.userId])
      const active = await ours(['user', 'list-v3', '-n', prefix, '-D'])
      expect(active.users.map((u: { name: string }) => u.name)).not.toContain(gone.userId)
      const both = await ours(['user', 'list-v3', '-n', prefix])
      expect(both.users.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining([gone.userId, alice.userId]))
    })
  })

  describe('modify', () => {
    it('creates an account, with the password from stdin', async () => {
      const userId = `@${prefix}-made:${synapse().serverName}`
      await batch(['user', 'modify', userId, '-n', 'Made', '--password-file', '-'], { input: 'made-pw\n' })
      expect(await details(userId)).toMatchObject({ name: userId, displayname: 'Made', deactivated: false })
      expect((await passwordLogin(userId, 'made-pw')).user_id).toBe(userId)
    })

    it('adds and removes single 3PIDs, keeping the others; --clear-threepids clears', async () => {
      const carol = await registerUser(`${prefix}-carol`)
      const pids = async () => (await details(carol.userId)).threepids.map((t: { medium: string; address: string }) => `${t.medium} ${t.address}`).sort()
      await batch(['user', 'modify', carol.userId, '--add-threepid', 'email', `a-${prefix}@x.org`, '--add-threepid', 'email', `b-${prefix}@x.org`])
      expect(await pids()).toEqual([`email a-${prefix}@x.org`, `email b-${prefix}@x.org`])
      await batch(['user', 'modify', carol.userId, '--remove-threepid', 'email', `a-${prefix}@x.org`, '--add-threepid', 'msisdn', '4915550001'])
      expect(await pids()).toEqual([`email b-${prefix}@x.org`, 'msisdn 4915550001'])
      const typo = await runSynadm(['--batch', 'user', 'modify', carol.userId, '--remove-threepid', 'email', `typo-${prefix}@x.org`])
      expect(typo.code).toBe(7)
      expect(await pids()).toEqual([`email b-${prefix}@x.org`, 'msisdn 4915550001'])
      await batch(['user', 'modify', carol.userId, '-t', 'email', `c-${prefix}@x.org`])
      expect(await pids()).toEqual([`email c-${prefix}@x.org`])
      await batch(['user', 'modify', carol.userId, '--clear-threepids'])
      expect(await pids()).toEqual([])
    })

    it('admin, lock, user type and avatar', async () => {
      const dave = await registerUser(`${prefix}-dave`)
      await batch(['user', 'modify', dave.userId, '-a', '-l', '--user-type', 'bot', '-v', 'mxc://example.org/avatar'])
      expect(await details(dave.userId)).toMatchObject({ admin: true, locked: true, user_type: 'bot', avatar_url: 'mxc://example.org/avatar' })
      await batch(['user', 'modify', dave.userId, '-u', '-L', '--user-type', 'regular'])
      expect(await details(dave.userId)).toMatchObject({ admin: false, locked: false, user_type: null })
    })

    it('--no-logout keeps the devices logged in when the password changes', async () => {
      const erin = await registerUser(`${prefix}-erin`)
      await batch(['user', 'modify', erin.userId, '--password-file', '-', '--no-logout'], { input: 'new-erin' })
      expect((await asUser(erin.token, 'GET', '/_matrix/client/v3/account/whoami')).user_id).toBe(erin.userId)
      expect((await passwordLogin(erin.userId, 'new-erin')).user_id).toBe(erin.userId)
    })
  })

  describe('password, login, shadow-ban, suspend, admin', () => {
    it('password: the new one works, the old one not', async () => {
      const frank = await registerUser(`${prefix}-frank`)
      await ours(['user', 'password', frank.userId, '--password-file', '-'], { input: 'frank-new\n' })
      expect((await passwordLogin(frank.userId, 'frank-new')).user_id).toBe(frank.userId)
      await expect(passwordLogin(frank.userId, frank.password)).rejects.toMatchObject({ status: 403 })
      // logged out of all devices by default
      await expect(asUser(frank.token, 'GET', '/_matrix/client/v3/account/whoami')).rejects.toMatchObject({ status: 401 })
      await ours(['user', 'password', frank.userId], { env: { SYNADM_PASSWORD: 'frank-env' } })
      expect((await passwordLogin(frank.userId, 'frank-env')).user_id).toBe(frank.userId)
    })

    it('login: the token acts as the user', async () => {
      const { access_token: token } = await ours(['user', 'login', bob.userId, '-d', '1'])
      expect((await asUser(token, 'GET', '/_matrix/client/v3/account/whoami')).user_id).toBe(bob.userId)
    })

    it('shadow-ban and unban', async () => {
      await ours(['user', 'shadow-ban', bob.userId])
      expect((await details(bob.userId)).shadow_banned).toBe(true)
      await ours(['user', 'shadow-ban', bob.userId, '-u'])
      expect((await details(bob.userId)).shadow_banned).toBe(false)
      // the write alone: Synapse's own 404 for a missing account becomes the one-line 'does not exist' (exit 7)
      const missing = `@nobody-${Date.now()}:${bob.userId.split(':')[1]}`
      const result = await runSynadm(['user', 'shadow-ban', missing])
      expect([result.code, result.stderr.trim().split('\n')[0]]).toEqual([EXIT.notFound, `synadm: user ${missing} does not exist on this server`])
    })

    it('suspend and -U', async () => {
      await batch(['user', 'suspend', bob.userId])
      expect((await details(bob.userId)).suspended).toBe(true)
      await batch(['user', 'suspend', bob.userId, '-U'])
      expect((await details(bob.userId)).suspended).toBe(false)
    })

    it('admin shows and changes the flag', async () => {
      expect(await ours(['user', 'admin', bob.userId])).toEqual({ admin: false })
      await ours(['user', 'admin', bob.userId, '--set'])
      expect(await adminRequest('GET', `${A}/v1/users/${enc(bob.userId)}/admin`)).toEqual({ admin: true })
      await ours(['user', 'admin', bob.userId, '--unset'])
      expect((await details(bob.userId)).admin).toBe(false)
    })
  })

  describe('rooms, account data, pushers, counts', () => {
    it('memberships and joined-rooms', async () => {
      expect(await ours(['user', 'memberships', bob.userId])).toEqual({ memberships: { [roomId]: 'join' } })
      expect(await ours(['user', 'joined-rooms', alice.userId])).toEqual(await adminRequest('GET', `${A}/v1/users/${enc(alice.userId)}/joined_rooms`))
    })

    it('account-data', async () => {
      await asUser(alice.token, 'PUT', `/_matrix/client/v3/user/${enc(alice.userId)}/account_data/org.example.synadm`, { answer: 42 })
      expect((await ours(['user', 'account-data', alice.userId])).account_data.global['org.example.synadm']).toEqual({ answer: 42 })
    })

    it('pushers', async () => {
      await asUser(alice.token, 'POST', '/_matrix/client/v3/pushers/set', {
        kind: 'http',
        app_id: 'org.example.synadm',
        pushkey: `key-${prefix}`,
        app_display_name: 'Test',
        device_display_name: 'Device',
        lang: 'en',
        data: { url: 'https://push.example.org/_matrix/push/v1/notify' },
      })
      const { pushers, total } = await ours(['user', 'pushers', alice.userId])
      expect(total).toBe(1)
      expect(pushers[0]).toMatchObject({ app_id: 'org.example.synadm', pushkey: `key-${prefix}` })
    })

    it('sent-invite-count and joined-room-count', async () => {
      const since = Date.now() - 60_000
      const invited = await registerUser(`${prefix}-invited`)
      const room = await createRoom(alice.token, { name: 'invites' })
      await asUser(alice.token, 'POST', `/_matrix/client/v3/rooms/${enc(room)}/invite`, { user_id: invited.userId })
      expect(await ours(['user', 'sent-invite-count', alice.userId, '--since-ts', String(since)])).toEqual({ invite_count: 1 })
      expect(await ours(['user', 'joined-room-count', alice.userId, '--since-days', '1'])).toEqual({ cumulative_joined_room_count: 2 })
    })

    it('username-available', async () => {
      expect(await ours(['user', 'username-available', `${prefix}-free`])).toEqual({ available: true })
      expect(await ours(['user', 'username-available', `${prefix}-alice`])).toMatchObject({ available: false, errcode: 'M_USER_IN_USE' })
    })
  })

  describe('devices', () => {
    it('list, show, create, rename, delete, delete-many, prune-devices', async () => {
      const gina = await registerUser(`${prefix}-gina`)
      const [first] = await devicesOf(gina.userId)
      // Use the login device once and let Synapse record it as seen: prune-devices keeps recently seen devices.
      await asUser(gina.token, 'GET', '/_matrix/client/v3/account/whoami')
      await waitFor(async () => (await adminRequest('GET', `${A}/v2/users/${enc(gina.userId)}/devices/${enc(first)}`)).last_seen_ts, 20_000)
      const listed = await ours(['user', 'devices', 'list', gina.userId, '--ts'])
      expect(listed.devices.map((d: { device_id: string }) => d.device_id)).toEqual([first])
      expect((await ours(['user', 'devices', 'show', gina.userId, first])).device_id).toBe(first)

      for (const id of ['DEV_A', 'DEV_B', 'DEV_C', 'DEV_D']) await ours(['user', 'devices', 'create', gina.userId, id])
      expect(await devicesOf(gina.userId)).toEqual(['DEV_A', 'DEV_B', 'DEV_C', 'DEV_D', first].sort())

      await ours(['user', 'devices', 'rename', gina.userId, 'DEV_A', 'Renamed'])
      expect((await adminRequest('GET', `${A}/v2/users/${enc(gina.userId)}/devices/DEV_A`)).display_name).toBe('Renamed')

      await batch(['user', 'devices', 'delete', gina.userId, 'DEV_A'])
      expect(await devicesOf(gina.userId)).not.toContain('DEV_A')

      await batch(['user', 'devices', 'delete-many', gina.userId, 'DEV_B', 'DEV_C'])
      expect(await devicesOf(gina.userId)).toEqual(['DEV_D', first].sort())

      // DEV_D was never seen (oldest); the login device was seen at registration
      const candidates = await ours(['user', 'prune-devices', gina.userId, '-d', '0', '-l'])
      expect(candidates.map((d: { device_id: string }) => d.device_id)).toEqual(['DEV_D'])
      expect(await devicesOf(gina.userId)).toEqual(['DEV_D', first].sort())
      await ours(['user', 'prune-devices', gina.userId, '-d', '0'])
      expect(await devicesOf(gina.userId)).toEqual([first])
    })
  })

  describe('media deletion, rate limits, features, cross-signing, validity', () => {
    it('delete-media deletes the user’s uploads', async () => {
      const hank = await registerUser(`${prefix}-hank`)
      await uploadMedia(hank.token, new TextEncoder().encode('one'), 'text/plain')
      await uploadMedia(hank.token, new TextEncoder().encode('two'), 'text/plain')
      const media = () => adminRequest('GET', `${A}/v1/users/${enc(hank.userId)}/media`)
      await waitFor(async () => (await media()).total === 2)
      const reply = await batch(['user', 'delete-media', hank.userId])
      expect(reply.total).toBe(2)
      expect((await media()).total).toBe(0)
    })

    it('ratelimit get, set, delete', async () => {
      expect(await ours(['user', 'ratelimit', 'get', bob.userId])).toEqual({})
      await ours(['user', 'ratelimit', 'set', bob.userId, '--messages-per-second', '3', '--burst-count', '9'])
      expect(await adminRequest('GET', `${A}/v1/users/${enc(bob.userId)}/override_ratelimit`)).toEqual({ messages_per_second: 3, burst_count: 9 })
      await ours(['user', 'ratelimit', 'delete', bob.userId])
      expect(await ours(['user', 'ratelimit', 'get', bob.userId])).toEqual({})
    })

    it('experimental-features get and set', async () => {
      expect((await ours(['user', 'experimental-features', 'get', bob.userId])).features.msc3881).toBe(false)
      await ours(['user', 'experimental-features', 'set', bob.userId, '--enable', 'msc3881'])
      expect((await adminRequest('GET', `${A}/v1/experimental_features/${enc(bob.userId)}`)).features.msc3881).toBe(true)
      await ours(['user', 'experimental-features', 'set', bob.userId, '--disable', 'msc3881'])
      expect((await adminRequest('GET', `${A}/v1/experimental_features/${enc(bob.userId)}`)).features.msc3881).toBe(false)
    })

    it('allow-cross-signing-replacement needs a master key, then opens a 10-minute window', async () => {
      const ivy = await registerUser(`${prefix}-ivy`)
      const none = await runSynadm(['user', 'allow-cross-signing-replacement', ivy.userId])
      expect(none.code).toBe(7)
      expect(none.stderr).toContain('User has no master cross-signing key')
      const key = randomBytes(32).toString('base64').replace(/=+$/, '')
      await asUser(ivy.token, 'POST', '/_matrix/client/v3/keys/device_signing/upload', {
        master_key: { user_id: ivy.userId, usage: ['master'], keys: { [`ed25519:${key}`]: key } },
        auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: ivy.userId }, password: ivy.password },
      })
      const before = Date.now()
      const { updatable_without_uia_before_ms: until } = await ours(['user', 'allow-cross-signing-replacement', ivy.userId])
      // Only a server that delegates auth (MAS) lets the key be replaced in that window, so the reply is the check.
      expect(until).toBeGreaterThanOrEqual(before + 10 * 60_000 - 5_000)
      expect(until).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 5_000)
    })

    it('validity sets the expiry it is given', async () => {
      const expiration = Date.now() + 30 * 86_400_000
      // Synapse has no read API for account validity; its reply is the stored expiry.
      expect(await ours(['user', 'validity', bob.userId, '--expiration-ts', String(expiration), '--no-renewal-emails'])).toEqual({ expiration_ts: expiration })
    })
  })

  describe('redact', () => {
    it('--wait redacts the user’s messages; redact-status matches the Python synadm', async ({ skip }) => {
      const spam = [await sendMessage(bob.token, roomId, 'spam 1'), await sendMessage(bob.token, roomId, 'spam 2')]
      const reply = await ours(['user', 'redact', bob.userId, '-r', roomId, '--reason', 'spam', '--wait'])
      expect(reply).toMatchObject({ redact_id: expect.any(String), status: 'complete', failed_redactions: {} })
      for (const eventId of spam) {
        const { event } = await adminRequest('GET', `${A}/v1/rooms/${enc(roomId)}/context/${enc(eventId)}`)
        expect(event.content).toEqual({})
        expect(event.unsigned.redacted_because.content.reason).toBe('spam')
      }
      const late = await sendMessage(bob.token, roomId, 'spam 3')
      const started = await ours(['user', 'redact', bob.userId, '-l', '10', '--after-ts', String(Date.now() - 3_600_000)])
      const status = await waitFor(async () => {
        const current = await ours(['user', 'redact-status', started.redact_id])
        return current.status === 'complete' && current
      })
      expect(status).toEqual({ status: 'complete', failed_redactions: {} })
      const { event } = await adminRequest('GET', `${A}/v1/rooms/${enc(roomId)}/context/${enc(late)}`)
      expect(event.content).toEqual({})
      if (!python()) skip('the Python synadm chroot is not built')
      await expectSameAsPython('user redact-status', ['user', 'redact-status', started.redact_id])
    })
  })

  describe('deactivation', () => {
    it('deactivate, then GDPR-erase', async () => {
      const jack = await registerUser(`${prefix}-jack`)
      await joinRoom(jack.token, roomId)
      expect(await batch(['user', 'deactivate', jack.userId])).toEqual({ id_server_unbind_result: 'success' })
      expect(await details(jack.userId)).toMatchObject({ deactivated: true, erased: false })
      // Synapse parts the rooms in the background after answering.
      await waitFor(async () => (await adminRequest('GET', `${A}/v1/users/${enc(jack.userId)}/joined_rooms`)).total === 0)
      await batch(['user', 'deactivate', jack.userId, '-e'])
      expect((await details(jack.userId)).erased).toBe(true)
    })

    it('an unknown user fails before any write, exit 7', async () => {
      const result = await runSynadm(['--batch', 'user', 'deactivate', `${prefix}-nobody`])
      expect(result.code).toBe(7)
      expect(result.stderr).toContain('does not exist on this server')
    })

    it('deactivate-regex: --dry-run lists, then every match is deactivated', async () => {
      const group = uniqueName('rx')
      const victims = [await registerUser(`${group}-1`), await registerUser(`${group}-2`)]
      const bystander = await registerUser(`x${group}`)
      const listed = await batch(['user', 'deactivate-regex', `@${group}-`, '-n', '-p', '3'])
      expect([...listed].sort()).toEqual(victims.map((v) => v.userId).sort())
      for (const v of victims) expect((await details(v.userId)).deactivated).toBe(false)
      const results = await batch(['user', 'deactivate-regex', `@${group}-`, '-p', '3'])
      expect(results).toHaveLength(2)
      for (const v of victims) expect((await details(v.userId)).deactivated).toBe(true)
      expect((await details(bystander.userId)).deactivated).toBe(false)
    })
  })

  describe('register', () => {
    it('registers with the shared secret from the environment and a password from stdin', async ({ skip }) => {
      const secret = synapse().registrationSharedSecret
      if (!secret) skip('the server’s registration shared secret is not known')
      const reply = await ours(['user', 'register', `${prefix}-reg`, '-a', '-n', 'Registered', '--password-file', '-'], {
        input: 'reg-pw\n',
        env: { SYNADM_SHARED_SECRET: secret! },
      })
      const userId = `@${prefix}-reg:${synapse().serverName}`
      expect(reply.user_id).toBe(userId)
      expect(await details(userId)).toMatchObject({ admin: true, displayname: 'Registered' })
      expect((await passwordLogin(userId, 'reg-pw')).user_id).toBe(userId)
    })
  })

  it('parses several documents (search prints two)', async () => {
    const result = await runSynadm(['-o', 'json', 'user', 'search', prefix])
    expect(result.code).toBe(0)
    expect(parseJsonDocuments(result.stdout)).toHaveLength(2)
  })
})
