// Baseline for the shell: N version requests, one after another, on one keep-alive connection.
import http from 'node:http'

const count = Number(process.argv[2] ?? 1000)
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const url = new URL('/_synapse/admin/v1/server_version', process.env.SYNAPSE_URL)
const once = () =>
  new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { Authorization: `Bearer ${process.env.SYNAPSE_ADMIN_TOKEN}` } }, (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve(process.stdout.write(JSON.stringify(JSON.parse(body), null, 4) + '\n')))
      })
      .on('error', reject)
  })
for (let i = 0; i < count; i++) await once()
agent.destroy()
