// Baseline for the bulk benchmark: the least a Node.js program does to shadow-ban a list of users with the request
// synadm sends (a POST of each account's shadow_ban; Synapse answers 404 for an account it does not have), N at a
// time on keep-alive connections.
import http from 'node:http'
import { readFileSync } from 'node:fs'

const [file, concurrency = '4'] = process.argv.slice(2)
const users = readFileSync(file, 'utf8').split('\n').filter(Boolean)
const base = new URL(process.env.SYNAPSE_URL)
const agent = new http.Agent({ keepAlive: true })
const headers = { Authorization: `Bearer ${process.env.SYNAPSE_ADMIN_TOKEN}` }

const request = (method, path) =>
  new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, agent, headers }, (res) => {
      let body = ''
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${method} ${path}: ${res.statusCode} ${body}`))))
    })
    req.on('error', reject)
    req.end()
  })

let next = 0
const worker = async () => {
  while (next < users.length) {
    const id = encodeURIComponent(users[next++])
    await request('POST', `/_synapse/admin/v1/users/${id}/shadow_ban`)
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker))
agent.destroy()
console.log(users.length)
