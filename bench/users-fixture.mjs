// Fills a Synapse with N users (default 10,000) through the Admin API (PUT /_synapse/admin/v2/users/…), for
// benchmarks that need a big server. Idempotent: users that exist are left alone, so a rerun only adds.
// Usage: node bench/users-fixture.mjs [N]   (server from SYNAPSE_URL + SYNAPSE_ADMIN_TOKEN, else .synadm-test)
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { matrixRequest } from '../test/synapse/client.mjs'

const CONCURRENCY = 8

/** Creates users fixture-00000 … up to `count`, skipping those the server already has. */
export async function fillUsers(server, serverName, count, log = () => {}) {
  const { total } = await matrixRequest(server, 'GET', '/_synapse/admin/v2/users', { token: server.adminToken, query: { limit: 1, guests: false } })
  const start = Math.max(0, total - 1)
  let next = start
  let done = 0
  async function worker() {
    while (next < count) {
      const n = next++
      const id = `@fixture-${String(n).padStart(5, '0')}:${serverName}`
      await matrixRequest(server, 'PUT', `/_synapse/admin/v2/users/${encodeURIComponent(id)}`, { token: server.adminToken, body: { displayname: `Fixture user ${n}` } })
      if (++done % 1000 === 0) log(`${start + done} users`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return start + done
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const count = Number(process.argv[2] ?? 10_000)
  const state = process.env.SYNAPSE_URL
    ? { url: process.env.SYNAPSE_URL, token: process.env.SYNAPSE_ADMIN_TOKEN, serverName: process.env.SYNAPSE_SERVER_NAME ?? 'synadm.test' }
    : JSON.parse(readFileSync(new URL('../.synadm-test/synapse.json', import.meta.url), 'utf8'))
  const started = Date.now()
  const made = await fillUsers({ url: state.url, adminToken: state.token }, state.serverName, count, console.log)
  console.log(`${made} fixture users up to ${count} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
