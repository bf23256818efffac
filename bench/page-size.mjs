// Which page size serves `--all` best: pages through a whole admin list with each size (one keep-alive
// connection, nothing printed), interleaved, BENCH_RUNS times; then, at one size, 1, 2 and 4 pages in flight.
//   node bench/page-size.mjs <path> <items key> <next key> <total key> [concurrency page size]
//   (SYNAPSE_URL, SYNAPSE_ADMIN_TOKEN; prints a JSON report; bench/big.mjs records it in BENCHMARKS.md)
import http from 'node:http'
import { getPage } from './admin-page.mjs'

const [path, itemsKey, nextKey, totalKey, concurrencySize = '1000'] = process.argv.slice(2)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const SIZES = (process.env.BENCH_SIZES ?? '100,250,500,1000,2000,5000').split(',').map(Number)

const get = (agent, from, limit) => getPage(agent, path, from, limit)

/** All items with `concurrency` pages in flight (offsets known from the total); resolves to [ms, items]. */
async function all(limit, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const started = process.hrtime.bigint()
  const first = await get(agent, 0, limit)
  let count = first[itemsKey].length
  if (concurrency === 1) {
    for (let page = first; page[nextKey] !== undefined && page[nextKey] !== null; ) {
      page = await get(agent, page[nextKey], limit)
      count += page[itemsKey].length
    }
  } else {
    let offset = Number(first[nextKey] ?? Infinity)
    const worker = async () => {
      while (offset < first[totalKey]) {
        const from = offset
        offset += limit
        const page = await get(agent, from, limit)
        count += page[itemsKey].length
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }
  agent.destroy()
  return [Number(process.hrtime.bigint() - started) / 1e6, count]
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
async function compare(contenders) {
  const samples = new Map(contenders.map(([name]) => [name, []]))
  let items
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of contenders) {
      const [ms, count] = await run()
      samples.get(name).push(ms)
      if (items !== undefined && count !== items) throw new Error(`${name} got ${count} items, others ${items}`)
      items = count
    }
  }
  return { items, runs: RUNS, results: [...samples].map(([name, ms]) => ({ name, median: median(ms), min: Math.min(...ms), max: Math.max(...ms) })) }
}

const sizes = await compare(SIZES.map((size) => [`limit=${size}`, () => all(size, 1)]))
const size = Number(concurrencySize)
const concurrency = await compare([1, 2, 4].map((n) => [`limit=${size}, ${n} in flight`, () => all(size, n)]))
console.log(JSON.stringify({ path, sizes, concurrency }))
