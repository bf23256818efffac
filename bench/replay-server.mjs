// A recorded replay for bench/big.mjs: serves GET /_synapse/admin/v2/users the way Synapse pages it (offset,
// limit, total, next_token), N users long, each a user object recorded from a real Synapse (taken in turn, its
// name made unique). Prints `listening <port>` when ready.
//   node bench/replay-server.mjs <recording.json> <N>
import { readFileSync } from 'node:fs'
import http from 'node:http'

const [recording, count] = [JSON.parse(readFileSync(process.argv[2], 'utf8')), Number(process.argv[3])]
const user = (i) => ({ ...recording[i % recording.length], name: `@replay-${String(i).padStart(6, '0')}:synadm.test` })
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://replay')
  if (url.pathname !== '/_synapse/admin/v2/users') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errcode":"M_NOT_FOUND","error":"not recorded"}')
    return
  }
  const from = Number(url.searchParams.get('from') ?? 0)
  const limit = Number(url.searchParams.get('limit') ?? 100)
  const users = Array.from({ length: Math.max(0, Math.min(limit, count - from)) }, (_, i) => user(from + i))
  const body = { users, total: count, ...(from + limit < count ? { next_token: String(from + limit) } : {}) }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`))
