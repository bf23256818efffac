// notice send against a real Synapse: each notice is checked where it lands, in the recipient's server-notice
// room, read through the client API as that user.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { runSynadm } from './cli.js'
import { adminRequest, registerUser, uniqueName } from './fixtures.js'
import { EXIT, fails, ok, synadm } from './run-helpers.js'
import { synapse } from './synapse-info.js'

type User = { userId: string; token: string }
const encode = encodeURIComponent

/** The server notices a user received: joins the notice room it was invited to, then reads its messages. */
async function noticesOf(user: User): Promise<{ eventId: string; body: string }[]> {
  const as = (method: string, path: string, options: { body?: unknown; query?: Record<string, string | number> } = {}) =>
    adminRequest(method, path, { ...options, token: user.token })
  const sync = await as('GET', '/_matrix/client/v3/sync', { query: { timeout: 0 } })
  for (const roomId of Object.keys(sync.rooms?.invite ?? {})) await as('POST', `/_matrix/client/v3/join/${encode(roomId)}`, { body: {} })
  const notices = []
  for (const roomId of (await as('GET', '/_matrix/client/v3/joined_rooms')).joined_rooms) {
    const { chunk } = await as('GET', `/_matrix/client/v3/rooms/${encode(roomId)}/messages`, { query: { dir: 'f', limit: 100 } })
    for (const event of chunk) {
      if (event.type === 'm.room.message' && event.sender === `@server:${synapse().serverName}`) notices.push({ eventId: event.event_id, body: event.content.body })
    }
  }
  return notices
}

/**
 * Server notices are optional in Synapse (server_notices in homeserver.yaml; the suite's own server enables them):
 * without them the endpoint answers 400 "not enabled", so against such a server the tests skip and say why.
 */
async function serverNoticesOff(): Promise<boolean> {
  try {
    const probe = { user_id: `@${uniqueName('no-such-user')}:${synapse().serverName}`, content: { msgtype: 'm.text', body: 'probe' } }
    await adminRequest('POST', '/_synapse/admin/v1/send_server_notice', { body: probe })
    return false
  } catch (error) {
    return /not enabled/i.test(String((error as Error).message))
  }
}
const noticesOff = inject('synapse').available && (await serverNoticesOff())

describe.skipIf(!inject('synapse').available || noticesOff)(noticesOff ? 'notice send (skipped: server notices are not configured on this Synapse)' : 'notice send', () => {
  let alice: User

  beforeAll(async () => {
    alice = await registerUser(uniqueName('alice'))
  })

  it('sends to one user (localpart); a retried command does not send twice', async () => {
    const text = uniqueName('Maintenance tonight')
    const localpart = alice.userId.slice(1, alice.userId.indexOf(':'))
    const [reply] = ok(await synadm(['notice', 'send', localpart, text, `<b>${text}</b>`]))
    expect(reply.event_id).toMatch(/^\$/)
    expect(await noticesOf(alice)).toContainEqual({ eventId: reply.event_id, body: text })

    // Same recipient and content: the same transaction, so Synapse answers with the first event and sends nothing.
    const [retry] = ok(await synadm(['notice', 'send', alice.userId, text, `<b>${text}</b>`]))
    expect(retry.event_id).toBe(reply.event_id)
    expect((await noticesOf(alice)).filter((n) => n.body === text)).toHaveLength(1)
  })

  it('--no-txn-id sends every time; --txn-id names the transaction', async () => {
    const text = uniqueName('Reminder')
    const [first] = ok(await synadm(['notice', 'send', alice.userId, text, '--no-txn-id']))
    const [second] = ok(await synadm(['notice', 'send', alice.userId, text, '--no-txn-id']))
    expect(second.event_id).not.toBe(first.event_id)
    expect((await noticesOf(alice)).filter((n) => n.body === text)).toHaveLength(2)

    const txn = uniqueName('txn')
    const [named] = ok(await synadm(['notice', 'send', alice.userId, uniqueName('Named'), '--txn-id', txn]))
    const [again] = ok(await synadm(['notice', 'send', alice.userId, uniqueName('Other text'), '--txn-id', txn]))
    expect(again.event_id).toBe(named.event_id)
  })

  it('-r sends to every matching user, paging through the user list; -s prints nothing', async () => {
    const prefix = uniqueName('team')
    const members = [await registerUser(`${prefix}-a`), await registerUser(`${prefix}-b`), await registerUser(`${prefix}-c`)]
    const outsider = await registerUser(`x${prefix}`)
    const text = uniqueName('Team notice')
    // Pages of a quarter of the server's accounts: several pages whatever other tests created (the bulk tests
    // add 1000), without one request per two users.
    const { total } = await adminRequest('GET', '/_synapse/admin/v2/users', { query: { limit: 1, guests: 'true' } })
    const pageSize = Math.max(2, Math.ceil(total / 4))
    const replies = ok(await synadm(['notice', 'send', '-r', '-p', String(pageSize), `@${prefix}-`, text]))
    expect(replies).toHaveLength(3)
    for (const member of members) expect((await noticesOf(member)).map((n) => n.body)).toContain(text)
    expect((await noticesOf(outsider)).map((n) => n.body)).not.toContain(text)

    const silent = await synadm(['notice', 'send', '-r', '-s', `@${prefix}-a`, uniqueName('Quiet')])
    expect(silent.code).toBe(0)
    expect(silent.stdout).toBe('')
  })

  it('asks first: without a terminal or --batch nothing is sent', async () => {
    const text = uniqueName('Unconfirmed')
    expect(fails(await runSynadm(['-o', 'json', 'notice', 'send', alice.userId, text]), EXIT.usage)).toContain('Send this notice to 1 user?')
    expect((await noticesOf(alice)).map((n) => n.body)).not.toContain(text)
  })

  it('an unknown user exits 7', async () => {
    expect(fails(await synadm(['notice', 'send', uniqueName('ghost'), 'Hello']), EXIT.notFound)).toContain('User not found')
  })
})
