#!/usr/bin/env node
// Builds the "big server" fixture for bench/big.mjs (not run in CI): a real Synapse with a persistent data dir,
// N users and M rooms. Users come from bench/users-fixture.mjs (concurrent admin PUT v2/users without a password:
// no bcrypt, the cheapest account Synapse makes through an API); rooms from concurrent createRoom calls of the
// admin, every tenth with an alias. Idempotent: counts what is there and only adds the rest.
//
//   node bench/big-server.mjs [users=10000] [rooms=2000]     (BIG_DATA_DIR, default /var/tmp/synadm-big)
//
// Prints the server's URL and admin token as JSON on the last line; the server keeps running (detached);
// stop it with `kill <pid>` (the pid is in the JSON).
import http from 'node:http'
import { startSynapse } from '../test/synapse/server.mjs'
import { fillUsers } from './users-fixture.mjs'

const USERS = Number(process.argv[2] ?? 10_000)
const ROOMS = Number(process.argv[3] ?? 2000)
const CONCURRENCY = Number(process.env.BIG_CONCURRENCY ?? 16)
const dataDir = process.env.BIG_DATA_DIR ?? '/var/tmp/synadm-big'

const server = await startSynapse({ dataDir, detached: true, port: Number(process.env.BIG_PORT ?? 0) || undefined })
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })

function request(method, path, body) {
  const url = new URL(path, server.url)
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`${method} ${path} → ${res.statusCode} ${text.slice(0, 200)}`))
        else resolve(JSON.parse(text || '{}'))
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Runs task(i) for i in [from, to) with a bound on requests in flight. */
async function pool(from, to, task) {
  let next = from
  const worker = async () => {
    while (next < to) await task(next++)
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

function progress(what, done, total, started) {
  if (done % 1000 === 0 || done === total) process.stderr.write(`${what}: ${done}/${total} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
}

let started = Date.now()
const have = (await request('GET', '/_synapse/admin/v2/users?limit=1')).total
await fillUsers(server, server.serverName, USERS, (line) => process.stderr.write(`users: ${line}\n`))
const userSeconds = (Date.now() - started) / 1000
let done = 0

const rooms = (await request('GET', '/_synapse/admin/v1/rooms?limit=1')).total_rooms
started = Date.now()
await pool(rooms, ROOMS, async (i) => {
  const body = { name: `Room ${i}`, preset: 'public_chat', ...(i % 10 === 0 ? { room_alias_name: `room${String(i).padStart(5, '0')}` } : {}) }
  await request('POST', '/_matrix/client/v3/createRoom', body)
  progress('rooms', ++done, ROOMS - rooms, started)
})
const roomSeconds = (Date.now() - started) / 1000

agent.destroy()
console.log(JSON.stringify({ url: server.url, adminToken: server.adminToken, adminUserId: server.adminUserId, serverName: server.serverName, pid: server.pid, dataDir: server.dataDir, userSeconds, roomSeconds, usersAdded: Math.max(0, USERS + 1 - have), roomsAdded: Math.max(0, ROOMS - rooms) }))
