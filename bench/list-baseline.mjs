// Baseline for `--all`: a minimal Node.js script that pages an admin list on one keep-alive connection,
// one page after another with a fixed page size, and prints one JSON line per item.
//   node bench/list-baseline.mjs <path> <items key> <next key> <limit>   (SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN)
import http from 'node:http'
import { getPage } from './admin-page.mjs'

const [path, itemsKey, nextKey, limit] = process.argv.slice(2)
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const get = (from) => getPage(agent, path, from, limit)
let from = 0
for (;;) {
  const page = await get(from)
  process.stdout.write(page[itemsKey].map((item) => JSON.stringify(item) + '\n').join(''))
  if (page[nextKey] === undefined || page[nextKey] === null) break
  from = page[nextKey]
}
agent.destroy()
