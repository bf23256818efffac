// Baseline: the least a Node.js program does to print the server version (one request with node:http), as a
// CommonJS script: Node starts these faster than ES modules (bench/minimal-version.mjs is the same as one).
const http = require('node:http')

const url = new URL('/_synapse/admin/v1/server_version', process.env.SYNAPSE_URL)
http.get(url, { headers: { Authorization: `Bearer ${process.env.SYNAPSE_ADMIN_TOKEN}` } }, (res) => {
  let body = ''
  res.on('data', (chunk) => (body += chunk))
  res.on('end', () => console.log(JSON.stringify(JSON.parse(body), null, 4)))
})
