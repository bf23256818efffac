// The report commands against a real Synapse: reports filed through the client API are listed, shown and deleted.
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { runSynadm } from './cli.js'
import { adminRequest, createRoom, joinRoom, registerUser, reportEvent, reportUser, sendMessage, uniqueName } from './fixtures.js'
import { EXIT, fails, ok, synadm } from './run-helpers.js'

describe.skipIf(!inject('synapse').available)('report commands', () => {
  let reporter: { userId: string; token: string }
  let offender: { userId: string; token: string }
  let roomId: string
  let eventId: string

  beforeAll(async () => {
    reporter = await registerUser(uniqueName('reporter'))
    offender = await registerUser(uniqueName('offender'))
    roomId = await createRoom(reporter.token, { name: uniqueName('Town square'), isPublic: true })
    await joinRoom(offender.token, roomId)
    eventId = await sendMessage(offender.token, roomId, 'buy cheap stuff')
  })

  it('report event list, details, delete', async () => {
    await reportEvent(reporter.token, roomId, eventId, 'spam')
    const page = ok(await synadm(['report', 'event', 'list', '-u', reporter.userId, '--room-id', roomId, '-s', offender.userId]))
    expect(page.total).toBe(1)
    const [report] = page.event_reports
    expect(report).toMatchObject({ event_id: eventId, room_id: roomId, user_id: reporter.userId, sender: offender.userId, reason: 'spam' })

    const details = ok(await synadm(['report', 'event', 'details', String(report.id)]))
    expect(details).toMatchObject({ id: report.id, event_id: eventId })
    expect(details.event_json.content.body).toBe('buy cheap stuff')

    const all = ok(await synadm(['report', 'event', 'list', '-l', '1', '--all', '-r']))
    expect(all.map((r: { id: number }) => r.id)).toContain(report.id)

    expect(fails(await runSynadm(['-o', 'json', 'report', 'event', 'delete', String(report.id)]), EXIT.usage)).toContain('refusing')
    expect(ok(await synadm(['report', 'event', 'delete', String(report.id)]))).toEqual({})
    await expect(adminRequest('GET', `/_synapse/admin/v1/event_reports/${report.id}`)).rejects.toThrow(/404/)
    expect(fails(await synadm(['report', 'event', 'details', String(report.id)]), EXIT.notFound)).toContain('Event report not found')
    // The event itself stays.
    expect((await adminRequest('GET', `/_synapse/admin/v1/fetch_event/${encodeURIComponent(eventId)}`)).event.event_id).toBe(eventId)
  })

  it('report user list, details, delete', async (context) => {
    if (!(await reportUser(reporter.token, offender.userId, 'rude'))) context.skip('this Synapse has no user report API')
    const page = ok(await synadm(['report', 'user', 'list', '-u', reporter.userId, '-t', offender.userId]))
    expect(page.total).toBe(1)
    const [report] = page.user_reports
    expect(report).toMatchObject({ target_user_id: offender.userId, user_id: reporter.userId, reason: 'rude' })

    expect(ok(await synadm(['report', 'user', 'details', String(report.id)]))).toEqual(report)
    expect(ok(await synadm(['report', 'user', 'list', '--all', '-l', '1'])).map((r: { id: number }) => r.id)).toContain(report.id)

    expect(ok(await synadm(['report', 'user', 'delete', String(report.id)]))).toEqual({})
    await expect(adminRequest('GET', `/_synapse/admin/v1/user_reports/${report.id}`)).rejects.toThrow(/404/)
    expect(fails(await synadm(['report', 'user', 'delete', String(report.id)]), EXIT.notFound)).toContain('User report not found')
  })
})
