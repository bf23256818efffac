// One page of an admin list with plain node:http (SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN), for the scripts that measure
// paging without synadm: bench/list-baseline.mjs and bench/page-size.mjs.
import http from 'node:http'

/** GET `path` with limit and from on the given keep-alive agent; resolves to the parsed page. */
export function getPage(agent, path, from, limit) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, process.env.SYNAPSE_URL)
    url.searchParams.set('limit', String(limit))
    url.searchParams.set('from', String(from))
    http
      .get(url, { agent, headers: { Authorization: `Bearer ${process.env.SYNAPSE_ADMIN_TOKEN}` } }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (chunk) => (body += chunk))
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))))
      })
      .on('error', reject)
  })
}
