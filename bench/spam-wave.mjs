// Spam-wave benchmark (issue 24): from "list the reports" to "wave gone" on a real Synapse, with synadm in one
// `synadm shell` session, against the same steps with the Python synadm 0.49 (one process per command, measured on a
// sample of users and rooms and extrapolated to the whole wave, as bench/bulk.mjs does). Each contender gets its own
// fresh Synapse with the same scenario (bench/spam-wave-scenario.mjs); every request goes through a counting proxy.
// Afterwards the server is checked through the Admin API, independently of what synadm printed: every spam account
// deactivated and erased, its events redacted or purged, its media quarantined, every spam room blocked and purged,
// every report about the wave resolved — and every legitimate user, room, message and picture untouched. Exits 1
// when a check fails.
// Writes bench/results/spam-wave.json and its section of BENCHMARKS.md (between the spam-wave markers).
// Usage: node bench/spam-wave.mjs   (env: BENCH_SPAM_USERS 220, BENCH_SPAM_ROOMS 40, BENCH_PYTHON_USERS 10,
//        BENCH_PYTHON_ROOMS 4, BENCH_SPAM_ONLY=synadm|python to run one contender, BENCH_SPAM_NO_WRITE=1 to write nothing,
//        BENCH_SYNADM=path/to/bin/synadm.js, BENCH_SPAM_RENDER=1 to rewrite the section from the last results). Run `npm run build` first: synadm runs from dist/.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { matrixRequest } from '../test/synapse/client.mjs'
import { readyRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'
import { writeSection } from './report.mjs'
import { buildSpamWave, pool } from './spam-wave-scenario.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const SPAM_USERS = Number(process.env.BENCH_SPAM_USERS ?? 220)
const SPAM_ROOMS = Number(process.env.BENCH_SPAM_ROOMS ?? 40)
const PYTHON_USERS = Number(process.env.BENCH_PYTHON_USERS ?? 10)
const PYTHON_ROOMS = Number(process.env.BENCH_PYTHON_ROOMS ?? 4)
const ONLY = process.env.BENCH_SPAM_ONLY
const WRITE = !process.env.BENCH_SPAM_NO_WRITE
// Above the largest spam room of the scenario (about 16 local members): the rooms are chosen by their creator, the
// limit is the takedown's own guard against a mistaken target.
const MAX_LOCAL_MEMBERS = 25
const POLL_MS = 500

const log = (message) => console.error(`[spam-wave ${new Date().toISOString().slice(11, 19)}] ${message}`)
const enc = encodeURIComponent
// BENCH_SYNADM: another build's bin/synadm.js (a clean checkout of a commit, say)
const synadm = process.env.BENCH_SYNADM ?? join(repo, 'bin/synadm.js')

// ---------------------------------------------------------------------------------------------- load

/** The 1-minute load average, sampled every 5 s while the benchmark runs. */
function watchLoad() {
  const samples = [loadavg()[0]]
  const timer = setInterval(() => samples.push(loadavg()[0]), 5000)
  return { stop: () => (clearInterval(timer), { start: samples[0], end: loadavg()[0], max: Math.max(...samples, loadavg()[0]) }) }
}

// ---------------------------------------------------------------------------------------------- proxy

/** A proxy in front of Synapse that counts every request passing through it, by method and path shape. */
async function countingProxy(server) {
  const counter = { total: 0, byRoute: {} }
  const upstream = new URL(server.url)
  const proxy = createServer((req, res) => {
    counter.total++
    const route = `${req.method} ${req.url.replace(/\?.*/, '').replace(/\/(%40|@|!|%21|\$|%24)[^/]*/g, '/ID').replace(/\/\d+(?=\/|$)/g, '/N')}`
    counter.byRoute[route] = (counter.byRoute[route] ?? 0) + 1
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode, reply.headers)
      reply.pipe(res)
    })
    forward.on('error', (error) => res.destroy(error))
    req.pipe(forward)
  })
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return { counter, url: `http://127.0.0.1:${proxy.address().port}`, close: () => new Promise((resolve) => proxy.close(resolve)) }
}

// ---------------------------------------------------------------------------------------------- synadm

/**
 * The synadm sequence in one `synadm shell` fed line by line: the next line is written only when the shell has
 * printed the previous one's time (`timing on`), so each line's requests and time are its own. The bench stands in
 * for the `>` of a POSIX shell: it saves a line's output to the file the next line reads (the shell has no
 * redirection); the pauses this takes are left out of the session's time.
 */
async function runSynadmShell(config, env, dir, counter) {
  const users = join(dir, 'spam-users.jsonl')
  const rooms = join(dir, 'spam-rooms.jsonl')
  const lines = [
    { phase: 'see the reports', line: 'report queue --by user -o jsonl' },
    { phase: 'find the wave', line: "user list --all --where 'name~^@spam' -o jsonl", save: users },
    { phase: 'their rooms (before any redaction)', line: `user rooms --targets ${users} --where created=true -o jsonl`, save: rooms },
    { phase: 'room takedown', line: `room takedown --targets ${rooms} --max-local-members ${MAX_LOCAL_MEMBERS} -o jsonl` },
    { phase: 'user takedown', line: `user takedown --targets ${users} -o jsonl` },
  ]
  const child = spawn('node', [synadm, '-c', config, '--batch', 'shell'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let waiting
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  // A line is done when the shell prints its time (`timing on` itself answers `Timing is on.`).
  const DONE = /^(?:Time: ([\d.]+) ms|Timing is on\.)$/m
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr += chunk
    const match = stderr.match(DONE)
    if (match && waiting) {
      const before = stderr.slice(0, match.index)
      stderr = stderr.slice(match.index + match[0].length + 1)
      const done = waiting
      waiting = undefined
      done({ ms: Number(match[1] ?? 0), stderr: before })
    }
  })
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  exited.then(() => waiting?.({ ms: NaN, stderr: `the shell ended: ${stderr}` }))
  const started = process.hrtime.bigint()
  let paused = 0n
  const send = (text) =>
    new Promise((resolve) => {
      waiting = resolve
      child.stdin.write(`${text}\n`)
    })
  const startRequests = counter.total
  await send('timing on')
  const results = []
  for (const step of lines) {
    const before = counter.total
    const routesBefore = { ...counter.byRoute }
    stdout = ''
    const { ms, stderr: text } = await send(step.line)
    const pause = process.hrtime.bigint()
    await new Promise((resolve) => setTimeout(resolve, 150)) // the line's stdout, on its own pipe
    const records = stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l))
    if (step.save) writeFileSync(step.save, stdout)
    const routes = Object.fromEntries(Object.entries(counter.byRoute).map(([route, count]) => [route, count - (routesBefore[route] ?? 0)]).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]))
    results.push({ ...step, ms, requests: counter.total - before, routes, records: records.length, failed: records.filter((r) => r.ok === false).length, stderr: text.trim(), output: records })
    log(`synadm: ${step.phase}: ${ms.toFixed(0)} ms, ${counter.total - before} requests, ${records.length} records${text.trim() ? `; stderr: ${text.trim().split('\n').slice(-3).join(' | ')}` : ''}`)
    paused += process.hrtime.bigint() - pause
  }
  child.stdin.end()
  const code = await exited
  const wallMs = Number(process.hrtime.bigint() - started - paused) / 1e6
  return { lines: results, wallMs, requests: counter.total - startRequests, exitCode: code }
}

// ---------------------------------------------------------------------------------------------- Python synadm

/**
 * The same steps with the Python synadm 0.49, a process per command, as an admin would type them: the reports
 * through `raw` (0.49 has no report commands), the wave from `user list`, its rooms from `room list` (picked by
 * creator, as jq would), then per room quarantine + delete with block and purge (waiting for the job), per user
 * lock + redact (waiting for the job) + quarantine + deactivate with erase, per report its deletion through `raw`.
 */
async function runPython(root, config, counter, scenario) {
  const py = async (args) => {
    const before = counter.total
    const started = process.hrtime.bigint()
    const out = await new Promise((resolve, reject) => {
      const child = spawn('chroot', [root, 'env', 'HOME=/root', 'synadm', '-c', config, '--batch', '-o', 'minified', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      let text = ''
      let err = ''
      child.stdout.setEncoding('utf8').on('data', (chunk) => (text += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk))
      child.on('error', reject)
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`synadm ${args.join(' ')} exited ${code}: ${err.trim()}`))))
    })
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, requests: counter.total - before, out }
  }
  // -o minified: one document a line; `room delete` prints three (details, members, reply), the reply last
  const json = (out) => JSON.parse(out.trim().split('\n').pop())
  const tally = () => ({ ms: 0, requests: 0, commands: 0 })
  const add = (sum, one) => ((sum.ms += one.ms), (sum.requests += one.requests), sum.commands++, one)

  // Finding: the whole list, once.
  const find = tally()
  const eventReports = json(add(find, await py(['raw', 'v1/event_reports?limit=1000'])).out).event_reports
  const userReports = json(add(find, await py(['raw', 'v1/user_reports?limit=1000'])).out).user_reports ?? []
  const users = json(add(find, await py(['user', 'list', '-n', 'spam', '-l', '1000'])).out).users.filter((u) => /^@spam/.test(u.name))
  const spamIds = new Set(users.map((u) => u.name))
  const rooms = json(add(find, await py(['room', 'list', '-l', '1000'])).out).rooms.filter((r) => spamIds.has(r.creator))
  log(`python: found ${eventReports.length} event reports, ${userReports.length} user reports, ${users.length} spam users, ${rooms.length} spam rooms (${find.commands} commands)`)

  // Evenly spread samples of the rooms and users.
  const spread = (list, n) => Array.from({ length: Math.min(n, list.length) }, (_, i) => list[Math.floor((i * list.length) / Math.min(n, list.length))])
  const sampleRooms = spread(rooms, PYTHON_ROOMS).map((r) => r.room_id)
  const sampleUsers = spread(users, PYTHON_USERS).map((u) => u.name)

  const poll = async (sum, args, done) => {
    for (;;) {
      const one = add(sum, await py(args))
      if (done(json(one.out))) return
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  }
  const perRoom = tally()
  for (const roomId of sampleRooms) {
    add(perRoom, await py(['media', 'quarantine', '-r', roomId]))
    add(perRoom, await py(['room', 'delete', roomId, '-b']))
    await poll(perRoom, ['room', 'delete-status', '-r', roomId], (reply) => (reply.results ?? []).every((r) => r.status === 'complete' || r.status === 'failed'))
  }
  log(`python: ${sampleRooms.length} rooms in ${(perRoom.ms / 1000).toFixed(1)} s, ${perRoom.requests} requests`)
  const perUser = tally()
  for (const userId of sampleUsers) {
    add(perUser, await py(['user', 'modify', userId, '-l']))
    const { redact_id: redactId } = json(add(perUser, await py(['user', 'redact', userId])).out)
    await poll(perUser, ['user', 'redact-status', redactId], (reply) => reply.status !== 'scheduled' && reply.status !== 'active')
    add(perUser, await py(['media', 'quarantine', '-u', userId]))
    add(perUser, await py(['user', 'deactivate', userId, '-e']))
  }
  log(`python: ${sampleUsers.length} users in ${(perUser.ms / 1000).toFixed(1)} s, ${perUser.requests} requests`)
  // The reports about the sampled users and rooms, resolved one by one.
  const sampled = new Set([...sampleUsers, ...sampleRooms])
  const reports = [
    ...eventReports.filter((r) => spamIds.has(r.sender)).map((r) => ({ kind: 'event', id: r.id, eventId: r.event_id, about: [r.sender, r.room_id] })),
    ...userReports.filter((r) => spamIds.has(r.target_user_id)).map((r) => ({ kind: 'user', id: r.id, about: [r.target_user_id] })),
  ]
  const sampleReports = reports.filter((r) => r.about.some((id) => sampled.has(id)))
  const perReport = tally()
  for (const report of sampleReports) add(perReport, await py(['raw', '-m', 'delete', `v1/${report.kind}_reports/${report.id}`]))
  log(`python: ${sampleReports.length} reports in ${(perReport.ms / 1000).toFixed(1)} s, ${perReport.requests} requests`)

  const scale = (sum, measured, whole) => ({ measured, whole, ms: measured ? (sum.ms / measured) * whole : 0, requests: measured ? (sum.requests / measured) * whole : 0, commands: measured ? (sum.commands / measured) * whole : 0, sample: { ...sum } })
  const extrapolated = {
    find: { measured: 1, whole: 1, ms: find.ms, requests: find.requests, commands: find.commands, sample: find },
    rooms: scale(perRoom, sampleRooms.length, rooms.length),
    users: scale(perUser, sampleUsers.length, users.length),
    reports: scale(perReport, sampleReports.length, reports.length),
  }
  const total = Object.values(extrapolated).reduce((sum, part) => ({ ms: sum.ms + part.ms, requests: sum.requests + part.requests, commands: sum.commands + part.commands }), { ms: 0, requests: 0, commands: 0 })
  return { parts: extrapolated, total, sampleUsers, sampleRooms, sampleReports, found: { users: users.length, rooms: rooms.length, reports: reports.length } }
}

// ---------------------------------------------------------------------------------------------- verification

/** The checks that the wave is gone (the others: that everything else is untouched). */
const WAVE_CHECKS = /^(spam |reports about the wave)/

/**
 * The verification run before the takedown: each check of the wave must fail then and each check of the
 * legitimate side pass, or the checks could not tell a wave gone from one left standing.
 */
async function verifyCanFail(server, scenario) {
  const gone = { users: scenario.spam, rooms: scenario.rooms, reportsGone: scenario.eventReports, userReportsGone: scenario.userReports }
  const checks = await verify(server, scenario, gone, { quiet: true })
  const blind = checks.filter((c) => c.ok === c.wave).map((c) => `${c.name}: ${c.ok ? 'passes' : 'fails'} before the takedown`)
  if (blind.length) throw new Error(`the verification cannot tell the wave from its absence:\n  ${blind.join('\n  ')}`)
  log(`verify before the takedown: the ${checks.filter((c) => c.wave).length} checks of the wave fail, the ${checks.filter((c) => !c.wave).length} others pass`)
}

/** Every event of a room as the Admin API's room messages show it (redactions applied), by event ID. */
async function messagesOf(server, roomId) {
  const events = new Map()
  let from
  for (;;) {
    const page = await matrixRequest(server, 'GET', `/_synapse/admin/v1/rooms/${enc(roomId)}/messages`, { token: server.adminToken, query: { dir: 'b', limit: 1000, ...(from && { from }) } })
    for (const event of page.chunk) events.set(event.event_id, event)
    if (!page.chunk.length || !page.end || page.end === from) return events
    from = page.end
  }
}

/** The IDs of the event and user reports the database holds (read-only, from the chroot's Python). */
function reportsInDatabase(server) {
  const database = `/${relative(server.root, server.dataDir)}/homeserver.db`
  const query = `import sqlite3, json; c = sqlite3.connect('file:${database}?mode=ro', uri=True); print(json.dumps({t: [r[0] for r in c.execute(f'SELECT id FROM {t}_reports')] for t in ('event', 'user')}))`
  const result = spawnSync('chroot', [server.root, 'python3', '-c', query], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`reading the reports from the database failed: ${result.stderr.trim()}`)
  return JSON.parse(result.stdout)
}

/**
 * Reads the server back through the Admin API (never synadm) and checks the wave is gone and nothing else is.
 * `users` and `rooms`: the spam accounts and rooms that must be gone (all, or the Python sample); `reportsGone`:
 * the reports that must be resolved. Everything else of the wave is left unchecked; the legitimate side, always.
 */
async function verify(server, scenario, { users, rooms, reportsGone, userReportsGone }, { quiet = false } = {}) {
  const admin = (method, path, query) => matrixRequest(server, method, `/_synapse/admin${path}`, { token: server.adminToken, query })
  const status = async (path) => admin('GET', path).then((body) => ({ ok: true, body }), (error) => ({ ok: false, status: error.status, error }))
  const checks = []
  const check = (name, failures, total, detail) => {
    checks.push({ name, ok: failures.length === 0, checked: total, ...(detail && { detail }), failures: failures.slice(0, 5), wave: WAVE_CHECKS.test(name) })
    if (!quiet) log(`verify: ${failures.length ? 'FAIL' : 'ok  '} ${name} (${total} checked${failures.length ? `; ${failures.length} failed: ${failures.slice(0, 3).join('; ')}` : ''})`)
  }
  const goneRooms = new Set(rooms.map((r) => r.roomId))

  // Spam accounts: deactivated and erased.
  const accounts = await pool(users, (u) => admin('GET', `/v2/users/${enc(u.userId)}`))
  check('spam accounts deactivated and erased', accounts.filter((a) => !(a.deactivated && a.erased)).map((a) => `${a.name} deactivated=${a.deactivated} erased=${a.erased}`), accounts.length)

  // Their events: gone with their room's purge, or redacted where the room stands (the Admin API's room messages
  // show an event as the room has it; fetch_event returns it as stored, unredacted).
  const standing = new Map()
  const roomEvents = async (roomId) => {
    if (!standing.has(roomId)) standing.set(roomId, messagesOf(server, roomId))
    return standing.get(roomId)
  }
  const events = users.flatMap((u) => u.events.map((e) => ({ ...e, sender: u.userId })))
  const eventFailures = (
    await pool(events, async (e) => {
      if (goneRooms.has(e.roomId)) {
        const reply = await status(`/v1/fetch_event/${enc(e.eventId)}`)
        return reply.ok || reply.status !== 404 ? [`${e.eventId} of ${e.sender} still there after its room's purge`] : []
      }
      const event = (await roomEvents(e.roomId)).get(e.eventId)
      if (!event) return [`${e.eventId} of ${e.sender} missing from its room`]
      return event.unsigned?.redacted_because && !event.content?.body ? [] : [`${e.eventId} of ${e.sender} not redacted (${JSON.stringify(event.content).slice(0, 60)})`]
    })
  ).flat()
  const purged = events.filter((e) => goneRooms.has(e.roomId)).length
  check('spam events redacted, or purged with their room', eventFailures, events.length, `${events.length - purged} redacted, ${purged} purged`)

  // Their media: every item they uploaded quarantined.
  const media = await pool(users, async (u) => ({ u, list: (await admin('GET', `/v1/users/${enc(u.userId)}/media`, { limit: 100 })).media }))
  const mediaFailures = media.flatMap(({ u, list }) => {
    const uploaded = u.media.map((mxc) => mxc.split('/').pop())
    const missing = uploaded.filter((id) => !list.some((m) => m.media_id === id))
    return [...missing.map((id) => `${u.userId}: ${id} not listed`), ...list.filter((m) => !m.quarantined_by).map((m) => `${u.userId}: ${m.media_id} not quarantined`)]
  })
  check('spam media quarantined', mediaFailures, media.reduce((sum, { list }) => sum + list.length, 0))

  // Spam rooms: blocked, and purged (the Admin API no longer knows them).
  const roomStates = await pool(rooms, async (r) => ({ r, block: await admin('GET', `/v1/rooms/${enc(r.roomId)}/block`), details: await status(`/v1/rooms/${enc(r.roomId)}`) }))
  check('spam rooms blocked', roomStates.filter(({ block }) => !block.block).map(({ r }) => `${r.name} not blocked`), roomStates.length)
  check('spam rooms purged', roomStates.filter(({ details }) => details.ok || details.status !== 404).map(({ r, details }) => `${r.name} still known (${details.ok ? 'details answered' : details.status})`), roomStates.length)

  // Reports: those about the wave resolved; the mistaken one about a legitimate user left open. Read from the
  // database: after a purge Synapse keeps a room's reports but neither lists them nor answers for their ID.
  const open = reportsInDatabase(server)
  const openEvent = new Set(open.event)
  const openUser = new Set(open.user)
  const stillOpen = [
    ...reportsGone.filter((r) => openEvent.has(r.id)).map((r) => `event report ${r.id} about ${r.about} still open`),
    ...userReportsGone.filter((r) => openUser.has(r.id)).map((r) => `user report ${r.id} about ${r.about} still open`),
  ]
  check('reports about the wave resolved', stillOpen, reportsGone.length + userReportsGone.length)
  check('the mistaken report about a legitimate message left open', openEvent.has(scenario.mistakenReport.id) ? [] : [`report about ${scenario.mistakenReport.about} was resolved`], 1)

  // Legitimate users: active, unlocked, not erased, not shadow-banned; the admin still an admin.
  const legit = await pool(scenario.legit, (p) => admin('GET', `/v2/users/${enc(p.userId)}`))
  check(
    'legitimate users untouched',
    legit.filter((a, i) => a.deactivated || a.erased || a.locked || a.shadow_banned || a.suspended || a.admin !== scenario.legit[i].admin).map((a) => `${a.name}: deactivated=${a.deactivated} erased=${a.erased} locked=${a.locked}`),
    legit.length,
  )
  // Their rooms: known, not blocked, every member still joined.
  const legitRooms = await pool(scenario.legitRooms, async (r) => ({ r, details: await status(`/v1/rooms/${enc(r.roomId)}`), block: await admin('GET', `/v1/rooms/${enc(r.roomId)}/block`), members: await status(`/v1/rooms/${enc(r.roomId)}/members`) }))
  check(
    'legitimate rooms untouched',
    legitRooms.flatMap(({ r, details, block, members }) => {
      if (!details.ok) return [`${r.name}: ${details.error.message}`]
      const missing = r.members.filter((m) => !members.body.members.includes(m))
      return [...(block.block ? [`${r.name} blocked`] : []), ...missing.map((m) => `${r.name}: ${m} no longer joined`)]
    }),
    legitRooms.length,
  )
  // Their messages and pictures, as their rooms show them.
  const messages = await pool(scenario.legitMessages, async (m) => ({ m, event: (await roomEvents(m.roomId)).get(m.eventId) }))
  check('legitimate messages intact', messages.filter(({ m, event }) => !event || event.content?.body !== m.body || event.unsigned?.redacted_because).map(({ m }) => `${m.sender} in ${m.roomId}: ${m.eventId}`), messages.length)
  const legitMedia = await pool(scenario.legitMedia, async (m) => ({ m, info: await status(`/v1/media/${scenario.serverName}/${m.mxc.split('/').pop()}`) }))
  check('legitimate media not quarantined', legitMedia.filter(({ info }) => !info.ok || info.body.media_info?.quarantined_by).map(({ m }) => `${m.owner}: ${m.mxc}`), legitMedia.length)
  return checks
}

// ---------------------------------------------------------------------------------------------- one contender

/** A fresh Synapse with the scenario and a counting proxy in front of it; `fn` runs the contender on it. */
async function onFreshServer(name, fn) {
  const server = await startSynapse()
  try {
    const started = Date.now()
    const scenario = await buildSpamWave(server, { spamUsers: SPAM_USERS, spamRooms: SPAM_ROOMS, log: (m) => log(`${name} scenario: ${m}`) })
    log(`${name} scenario built in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    await verifyCanFail(server, scenario)
    const proxy = await countingProxy(server)
    try {
      const outcome = await fn(server, scenario, proxy)
      return { ...outcome, synapse: server.version, scenario: summary(scenario) }
    } finally {
      await proxy.close()
    }
  } finally {
    await server.stop()
  }
}

const summary = (scenario) => ({
  spamUsers: scenario.spam.length,
  spamRooms: scenario.rooms.length,
  spamRoomsWithLegitMembers: scenario.rooms.filter((r) => r.legitMembers.length).length,
  spamEvents: scenario.spam.reduce((sum, u) => sum + u.events.length, 0),
  spamEventsInLegitRooms: scenario.spam.reduce((sum, u) => sum + u.events.filter((e) => !e.spamRoom).length, 0),
  spamMedia: scenario.spam.reduce((sum, u) => sum + u.media.length, 0),
  eventReports: scenario.eventReports.length + 1,
  userReports: scenario.userReports.length,
  legitUsers: scenario.legit.length,
  legitRooms: scenario.legitRooms.length,
  legitMessages: scenario.legitMessages.length,
})

/** The commit synadm was built from, marked when the tree has changes. */
function commitOf(dir) {
  const head = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim()
  const dirty = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim()
  return dirty ? `${head} with uncommitted changes` : head
}

if (process.env.BENCH_SPAM_RENDER) {
  // Only rewrites the section from the results of the last run (bench/results/spam-wave.json).
  writeSection('spam-wave', section(JSON.parse(readFileSync(join(repo, 'bench/results/spam-wave.json'), 'utf8'))))
  process.exit(0)
}

const load = watchLoad()
const results = { date: new Date().toISOString(), cores: cpus().length, node: process.version, commit: process.env.BENCH_SYNADM_COMMIT ?? commitOf(repo) }

if (ONLY !== 'synadm') {
  const root = readyRoot()
  if (!root) log('python: no chroot (test/synapse/root.sh): the Python synadm is not measured')
  else {
    results.python = await onFreshServer('python', async (server, scenario, proxy) => {
      writeSynadmConfig(join(root, 'root', '.config', 'synadm-bench-spam.yaml'), { ...server, url: proxy.url })
      const run = await runPython(root, '/root/.config/synadm-bench-spam.yaml', proxy.counter, scenario)
      const sampleUsers = new Set(run.sampleUsers)
      const sampleRooms = new Set(run.sampleRooms)
      const users = scenario.spam.filter((u) => sampleUsers.has(u.userId))
      const rooms = scenario.rooms.filter((r) => sampleRooms.has(r.roomId))
      const checks = await verify(server, scenario, {
        users,
        rooms,
        reportsGone: run.sampleReports.filter((r) => r.kind === 'event').map((r) => ({ id: r.id, about: r.about[0] })),
        userReportsGone: run.sampleReports.filter((r) => r.kind === 'user').map((r) => ({ id: r.id, about: r.about[0] })),
      })
      return { ...run, checks, byRoute: proxy.counter.byRoute }
    })
  }
}

if (ONLY !== 'python') {
  results.synadm = await onFreshServer('synadm', async (server, scenario, proxy) => {
    const dir = mkdtempSync(join(tmpdir(), 'synadm-bench-spam-'))
    const config = join(dir, 'synadm.yaml')
    writeSynadmConfig(config, { ...server, url: proxy.url })
    const env = { ...process.env, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'state') }
    delete env.NODE_EXTRA_CA_CERTS // as bench/run.mjs: every Node start would parse the CA file
    const run = await runSynadmShell(config, env, dir, proxy.counter)
    const checks = await verify(server, scenario, {
      users: scenario.spam,
      rooms: scenario.rooms,
      reportsGone: scenario.eventReports,
      userReportsGone: scenario.userReports,
    })
    return { ...run, lines: run.lines.map(({ output, ...line }) => line), checks, byRoute: proxy.counter.byRoute }
  })
}
results.load = load.stop()

const failed = Object.entries(results).flatMap(([name, r]) => (r?.checks ?? []).filter((c) => !c.ok).map((c) => `${name}: ${c.name}`))
if (WRITE) {
  mkdirSync(join(repo, 'bench/results'), { recursive: true })
  writeFileSync(join(repo, 'bench/results/spam-wave.json'), JSON.stringify(results, null, 2) + '\n')
  if (results.synadm && results.python) writeSection('spam-wave', section(results))
} else if (results.synadm && results.python) console.log(section(results))
if (failed.length) {
  console.error(`spam-wave: ${failed.length} checks failed:\n  ${failed.join('\n  ')}`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------- report

function section(r) {
  const { synadm: ours, python } = r
  const sc = ours.scenario
  const sec = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`)
  const n = (x) => Math.round(x).toLocaleString('en')
  const line = (phase) => ours.lines.find((l) => l.phase === phase)
  const find = ['see the reports', 'find the wave', 'their rooms (before any redaction)'].map(line)
  const sum = (lines, key) => lines.reduce((total, l) => total + l[key], 0)
  const p = python.parts
  const sample = (part, what) => `${part.measured} ${what} measured, × ${+(part.whole / part.measured).toFixed(1)}`
  const rows = [
    ['see the reports, find the wave and its rooms', sec(sum(find, 'ms')), n(sum(find, 'requests')), sec(p.find.ms), n(p.find.requests), `${p.find.commands} commands, measured`],
    [`take down the ${sc.spamRooms} rooms`, sec(line('room takedown').ms), n(line('room takedown').requests), sec(p.rooms.ms), n(p.rooms.requests), sample(p.rooms, 'rooms')],
    [`take down the ${sc.spamUsers} accounts`, sec(line('user takedown').ms), n(line('user takedown').requests), sec(p.users.ms), n(p.users.requests), sample(p.users, 'users')],
    [`resolve the ${python.found.reports} reports`, 'in the takedowns', '', sec(p.reports.ms), n(p.reports.requests), sample(p.reports, 'reports')],
    ['**total**', `**${sec(ours.wallMs)}**`, `**${n(ours.requests)}**`, `**${sec(python.total.ms)}**`, `**${n(python.total.requests)}**`, `${n(python.total.commands)} commands`],
  ]
  const verdict = (c) => (c ? `${c.ok ? 'ok' : '**failed**'}, ${c.checked} checked${c.detail ? ` (${c.detail})` : ''}` : 'not run')
  const oursLines = ours.lines.map((l) => `synadm> ${l.line.replace(/\/tmp\/[^ ]*\//g, '')}`)
  return `<!-- spam-wave:start (written by bench/spam-wave.mjs) -->
## Spam wave: from the reports to the wave gone

Measured by \`node bench/spam-wave.mjs\` (after \`npm run build\`) on ${r.date.slice(0, 10)}, ${r.cores} cores, Node ${r.node}, synadm at
${r.commit}, each contender against its own fresh Synapse ${ours.synapse} (SQLite) on loopback holding the same scenario,
built by \`bench/spam-wave-scenario.mjs\` through the client and admin APIs (not timed): **${sc.spamUsers} spam accounts**
(@spam0001 …) of which the first ${sc.spamRooms} created the **${sc.spamRooms} rooms** "Casino 1" … (#casino-N); every spammer joined two
of them, posted a text in each and an image it uploaded (${sc.spamEvents} spam events, ${sc.spamMedia} media), every 10th also spammed a public
room of a legitimate user (${sc.spamEventsInLegitRooms} events). ${sc.legitUsers} legitimate users, one a server admin, with ${sc.legitRooms} rooms of their own,
${sc.legitMessages} messages and a picture in each room; ${sc.spamRoomsWithLegitMembers} of the spam rooms have legitimate members (who spoke there, or joined to
report). They filed **${sc.eventReports - 1} event reports and ${sc.userReports} user reports** about spammers, and one mistaken event report
about a legitimate message, which must stay open. Every request goes through a counting proxy in front of Synapse.
Load average (1 min) at the start ${r.load.start.toFixed(1)}, highest ${r.load.max.toFixed(1)}, at the end ${r.load.end.toFixed(1)}${r.load.max > r.cores ? ': other jobs shared the machine' : ''}.

synadm: one \`synadm --batch shell\` session, fed these lines one after another (times are the shell's \`timing on\`; the
bench saves a line's output to the file the next line reads, as \`>\` would in a POSIX shell, and that pause is not counted):

\`\`\`
${oursLines.join('\n')}
\`\`\`

The rooms are the ones the spam accounts created (\`user rooms … --where created=true\`), listed before anything is
redacted; the rooms of legitimate users that spammers joined are not among them (their spam is redacted by the user
takedown). \`--max-local-members ${MAX_LOCAL_MEMBERS}\` sits above the largest spam room (the takedown's guard against a wrong target).
Each takedown reads every target first, then runs: rooms: block, quarantine media, delete with purge (waiting for
the job), resolve reports; users (4 at a time, deactivation one at a time): lock, redact in every room (waiting for
the job), quarantine media, deactivate with erase, resolve reports.

The Python synadm 0.49.2, one process per command, the nearest commands it has: the reports through
\`raw v1/event_reports\` and \`raw v1/user_reports\` (it has no report commands), \`user list -n spam -l 1000\`,
\`room list -l 1000\` (the spam rooms picked by creator, as jq would; not counted), then per room \`media quarantine
-r\`, \`room delete -b\` and \`room delete-status -r\` until the purge is done; per user \`user modify -l\` (lock),
\`user redact\` and \`user redact-status\` until done, \`media quarantine -u\`, \`user deactivate -e\`; per report
\`raw -m delete v1/event_reports/ID\` (or user_reports). Waits poll every ${POLL_MS / 1000} s. The per-room, per-user and per-report
commands ran on an evenly spread **sample, extrapolated** to the whole wave as marked.

| phase | synadm | requests | Python synadm 0.49.2 | requests | Python: how |
|---|---|---|---|---|---|
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

- From the reports to the wave gone: **${sec(ours.wallMs)}** and ${n(ours.requests)} requests in one session, against about
  **${sec(python.total.ms)}** and ${n(python.total.requests)} requests in ${n(python.total.commands)} Python synadm commands: **${(python.total.ms / ours.wallMs).toFixed(0)}×** the time.
- Where synadm's requests went: ${ours.lines.filter((l) => l.requests > 10).map((l) => `${l.phase.replace(/ \(.*/, '')}: ${Object.entries(l.routes).slice(0, 4).map(([route, count]) => `${count} \`${route.replace('/_synapse/admin', '')}\``).join(', ')}`).join('; ')} (ID = a user, room or event ID, N = a number).
- synadm's session ran in ${sec(ours.wallMs)} including its start (its lines: ${ours.lines.map((l) => `${l.phase} ${sec(l.ms)}`).join(', ')}).
- synadm sends ${(ours.requests / python.total.requests).toFixed(2)}× the requests of the Python sequence: it reads every target before the first write
  (the preview's counts, the rooms to redact in, the reports to resolve: its checks ask before they act), and the user
  takedown reads the report lists once per user; the Python sequence looks at nothing before it
  acts. Its time is the other way round: a process per command (${n(python.total.commands)} of them) and a poll per wait.

Checked on the server afterwards through the Admin API (room messages for redactions; the database for reports,
which Synapse neither lists nor shows after their room's purge), not from what synadm printed. The same checks, run
on each fresh scenario before the takedown, failed for the wave and passed for the rest, so they can fail.

| check | synadm, whole wave | Python synadm, its sample (${python.sampleUsers.length} users, ${python.sampleRooms.length} rooms, ${python.sampleReports.length} reports) |
|---|---|---|
${ours.checks.map((c, i) => `| ${c.name} | ${verdict(c)} | ${verdict(python.checks[i])} |`).join('\n')}

- The legitimate users caught in spam rooms leave them with the purge, and their messages there go with the rooms,
  as with any room deletion; their accounts, own rooms, messages and media stay (the checks above).
<!-- spam-wave:end -->
`
}
