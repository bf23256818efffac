// The spam wave of bench/spam-wave.mjs, built on a fresh Synapse through its real APIs (shared-secret registration,
// createRoom, join, send, upload, report): spam accounts that created rooms, posted and uploaded, reports against
// some of them, and legitimate users — one a server admin — with rooms and messages of their own, some of whom
// joined spam rooms and some of whose rooms the spammers joined. Returns everything the verification needs to know.
import { createRoom, joinRoom, matrixRequest, registerUser, reportEvent, reportUser, sendMessage, uploadMedia } from '../test/synapse/client.mjs'

const CONCURRENCY = 12

/** Runs fn over items, `concurrency` at a time, keeping the order of the results. */
export async function pool(items, fn, concurrency = CONCURRENCY) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

const enc = encodeURIComponent

/** An m.image message pointing at an uploaded mxc:// URI; resolves to the event ID. */
async function sendImage(server, token, roomId, mxc, body) {
  const txn = `spam-wave-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
  const reply = await matrixRequest(server, 'PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${txn}`, {
    token,
    body: { msgtype: 'm.image', body, url: mxc, info: { mimetype: 'image/png', size: 4096 } },
  })
  return reply.event_id
}

const LEGIT = [
  { name: 'alice', room: 'Book club', public: true },
  { name: 'bob', room: 'Gardening', public: false },
  { name: 'carol', room: 'Chess', public: true },
  { name: 'dave', room: 'Cooking', public: false },
  { name: 'erin', room: 'Hiking', public: false },
  { name: 'lead', room: 'Moderators', public: false, admin: true },
]

const pad = (n) => String(n).padStart(4, '0')
const localpartOf = (userId) => userId.slice(1, userId.indexOf(':'))

/**
 * Builds the scenario. `spamUsers` accounts @spam0001…, the first `spamRooms` of them each create a public room
 * "Casino N" (#casino-N); every spammer joins two of those rooms, posts a text in each and an image it uploaded in
 * the first; every 10th spammer also joins a public room of a legitimate user and posts there. Legitimate users
 * join a few spam rooms and speak there; they report spam events and spam users, and one (mistaken) event report
 * is about a legitimate user's message: it is not part of the wave and must stay.
 */
export async function buildSpamWave(server, { spamUsers = 220, spamRooms = 40, log = () => {} } = {}) {
  const s = server.serverName
  const legit = await pool(LEGIT, async (person) => ({ ...person, ...(await registerUser(server, person.name, { admin: person.admin === true, displayname: person.name[0].toUpperCase() + person.name.slice(1) })) }))
  const byName = Object.fromEntries(legit.map((person) => [person.name, person]))

  // Legitimate rooms: each person's own room, their friends in it, their messages and a picture.
  const legitMessages = []
  const legitMedia = []
  const legitRooms = await pool(legit, async (owner, i) => {
    const roomId = await createRoom(server, owner.token, { name: owner.room, alias: owner.room.toLowerCase().replace(/ /g, '-'), isPublic: owner.public })
    return { roomId, name: owner.room, owner: owner.userId, members: [owner], public: owner.public, index: i }
  })
  await pool(legitRooms, async (room) => {
    const friends = legit.filter((person, j) => j !== room.index && (j + room.index) % 2 === 1)
    for (const friend of friends) {
      if (!room.public) await matrixRequest(server, 'POST', `/_matrix/client/v3/rooms/${enc(room.roomId)}/invite`, { token: byName[localpartOf(room.owner)].token, body: { user_id: friend.userId } })
      await joinRoom(server, friend.token, room.roomId)
      room.members.push(friend)
    }
    for (const [k, member] of room.members.entries()) {
      for (const text of [`Hello from ${localpartOf(member.userId)} in ${room.name}`, `${room.name} meeting notes ${k}`]) {
        legitMessages.push({ roomId: room.roomId, sender: member.userId, eventId: await sendMessage(server, member.token, room.roomId, text), body: text })
      }
    }
    const owner = room.members[0]
    const mxc = await uploadMedia(server, owner.token, new Uint8Array(4096).fill(7), 'image/png')
    legitMedia.push({ owner: owner.userId, mxc })
    legitMessages.push({ roomId: room.roomId, sender: owner.userId, eventId: await sendImage(server, owner.token, room.roomId, mxc, 'photo.png'), body: 'photo.png' })
  })
  log(`${legit.length} legitimate users, ${legitRooms.length} rooms, ${legitMessages.length} messages`)

  // The wave: accounts first, then the rooms the first of them create.
  const spam = await pool(Array.from({ length: spamUsers }, (_, i) => i + 1), async (n) => {
    const user = await registerUser(server, `spam${pad(n)}`, { displayname: `Casino bonus ${n}` })
    return { ...user, n, events: [], media: [], rooms: [] }
  })
  log(`${spam.length} spam accounts`)
  const rooms = await pool(spam.slice(0, spamRooms), async (creator, i) => {
    const roomId = await createRoom(server, creator.token, { name: `Casino ${i + 1}`, alias: `casino-${i + 1}`, isPublic: true })
    creator.rooms.push(roomId)
    return { roomId, name: `Casino ${i + 1}`, creator: creator.userId, legitMembers: [] }
  })
  const publicLegit = legitRooms.filter((room) => room.public)
  await pool(spam, async (user, i) => {
    const mine = [rooms[i % spamRooms], rooms[(i * 7 + 3) % spamRooms]]
    for (const room of mine) {
      if (room.creator !== user.userId) await joinRoom(server, user.token, room.roomId)
      user.events.push({ roomId: room.roomId, eventId: await sendMessage(server, user.token, room.roomId, `WIN BIG at Casino ${user.n}! Free spins`), spamRoom: true })
    }
    const mxc = await uploadMedia(server, user.token, new Uint8Array(2048).fill(user.n % 256), 'image/png')
    user.media.push(mxc)
    user.events.push({ roomId: mine[0].roomId, eventId: await sendImage(server, user.token, mine[0].roomId, mxc, 'jackpot.png'), spamRoom: true })
    if (user.n % 10 === 0) {
      const room = publicLegit[(user.n / 10) % publicLegit.length]
      await joinRoom(server, user.token, room.roomId)
      user.events.push({ roomId: room.roomId, eventId: await sendMessage(server, user.token, room.roomId, `Casino bonus for everyone in ${room.name}!`), spamRoom: false })
    }
  })
  log(`${rooms.length} spam rooms, ${spam.reduce((sum, user) => sum + user.events.length, 0)} spam events`)

  // Legitimate users caught in spam rooms: they joined and spoke there.
  const caught = [['alice', 0], ['alice', 1], ['bob', 2], ['lead', 3], ['carol', 4], ['carol', 5]]
  for (const [name, r] of caught) {
    const person = byName[name]
    await joinRoom(server, person.token, rooms[r].roomId)
    rooms[r].legitMembers.push(person.userId)
    await sendMessage(server, person.token, rooms[r].roomId, 'What is this room?')
  }

  // Reports by legitimate users: event reports about spam events (in spam rooms and in their own rooms), user
  // reports about spammers, and one mistaken event report about a legitimate message.
  const reporters = legit.filter((person) => !person.admin)
  const eventReports = []
  const reportedSpam = spam.filter((user) => user.n % 8 === 1 || user.n % 10 === 0).slice(0, 30)
  await pool(reportedSpam, async (user, i) => {
    const event = user.events[user.events.length - 1]
    const reporter = event.spamRoom ? reporters[i % reporters.length] : legitRooms.find((room) => room.roomId === event.roomId).members.find((m) => !m.admin)
    // A reporter must be in the room: a legitimate user joins the (public) spam room to report from it.
    if (event.spamRoom) await joinRoom(server, reporter.token, event.roomId).catch(() => {})
    if (event.spamRoom && !rooms.find((room) => room.roomId === event.roomId).legitMembers.includes(reporter.userId)) rooms.find((room) => room.roomId === event.roomId).legitMembers.push(reporter.userId)
    await reportEvent(server, reporter.token, event.roomId, event.eventId, `spam: casino ads (${user.userId})`)
    eventReports.push({ about: user.userId, eventId: event.eventId })
  })
  const userReported = spam.filter((user) => user.n % 25 === 2)
  let userReports = 0
  for (const [i, user] of userReported.entries()) {
    if (await reportUser(server, reporters[i % reporters.length].token, user.userId, 'spam account')) userReports++
  }
  const mistaken = legitMessages.find((message) => message.sender === byName.bob.userId)
  const mistakenRoom = legitRooms.find((room) => room.roomId === mistaken.roomId)
  const mistakenReporter = mistakenRoom.members.find((member) => member.userId !== mistaken.sender && !member.admin)
  await reportEvent(server, mistakenReporter.token, mistaken.roomId, mistaken.eventId, 'I think this is spam?')
  // Their IDs, as the Admin API lists them now (a purge later hides a room's reports from the list).
  const admin = (path) => matrixRequest(server, 'GET', `/_synapse/admin${path}`, { token: server.adminToken, query: { limit: 1000 } })
  const listedEvent = (await admin('/v1/event_reports')).event_reports
  const listedUser = (await admin('/v1/user_reports')).user_reports ?? []
  for (const report of eventReports) report.id = listedEvent.find((r) => r.event_id === report.eventId).id
  const mistakenId = listedEvent.find((r) => r.event_id === mistaken.eventId).id
  const userReportList = listedUser.map((r) => ({ id: r.id, about: r.target_user_id }))
  log(`${eventReports.length + 1} event reports (one about a legitimate message), ${userReports} user reports`)

  return {
    spam: spam.map(({ userId, n, events, media }) => ({ userId, n, events, media })),
    rooms,
    legit: legit.map(({ userId, name, admin }) => ({ userId, name, admin: admin === true })),
    legitRooms: legitRooms.map(({ roomId, name, owner, members }) => ({ roomId, name, owner, members: members.map((m) => m.userId) })),
    legitMessages,
    legitMedia,
    eventReports,
    userReports: userReportList,
    mistakenReport: { id: mistakenId, eventId: mistaken.eventId, about: mistaken.sender },
    serverName: s,
  }
}
