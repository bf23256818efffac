// A server with more users than the completion cache holds (its own Synapse, so the shared one keeps its size):
// Tab completion in the synadm> shell beyond the first 1000 users, localparts and aliases, and how long a key
// waits; --all with the big page size; human tables in an 80-column terminal.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createRoom } from '../synapse/client.mjs'
import { readyRoot, repoRoot, startSynapse, writeSynadmConfig, type RunningSynapse } from '../synapse/server.mjs'
import { runSynadm } from './cli.js'
import { hasTmux, sleep, tmux } from './tmux.js'

const USERS = 1200
const CONCURRENCY = 16
const SEARCH_DEADLINE_MS = 400
const localpart = (i: number) => `zz-big-${String(i).padStart(4, '0')}`
const LATE = 'zz-late-unique'

// One tmux server per session (./tmux.js): a server whose last session ended exits, and the next test's session
// on the same socket could meet it exiting ('server exited unexpectedly').
const terminal = tmux('synadm-test-big')
const { keys } = terminal
/** Polls every 20 ms (the key latencies below are measured with it), for up to 15 s. */
const until = (session: string, expected: RegExp, timeoutMs = 15_000) => terminal.until(session, expected, timeoutMs, 20)

/** Accounts through concurrent admin PUTs without a password (no bcrypt): the quickest way through the API. */
async function createUsers(server: RunningSynapse) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const put = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const id = encodeURIComponent(`@${name}:${server.serverName}`)
      const request = http.request(`${server.url}/_synapse/admin/v2/users/${id}`, { method: 'PUT', agent, headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' } }, (res) => {
        res.resume().on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`PUT ${id}: ${res.statusCode}`))))
      })
      request.on('error', reject)
      request.end(JSON.stringify({ displayname: name }))
    })
  let next = 0
  const worker = async () => {
    while (next < USERS) await put(localpart(next++))
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  // Sorts after all of them: far beyond the first 1000.
  await put(LATE)
  agent.destroy()
}

describe.skipIf(!inject('synapse').available || !readyRoot())('a server with more users than the completion cache holds', () => {
  let server: RunningSynapse
  let home: string
  let configFile: string
  const alias = 'lobby-big'

  beforeAll(async () => {
    server = await startSynapse()
    home = mkdtempSync(join(tmpdir(), 'synadm-big-'))
    configFile = join(home, 'synadm.yaml')
    writeSynadmConfig(configFile, server)
    await createUsers(server)
    await createRoom(server, server.adminToken, { name: 'Lobby', alias })
  }, 300_000)

  afterAll(async () => {
    for (const session of ['big', 'narrow']) terminal.kill(session)
    await server?.stop()
  })

  it('--all without -l reads 5000 users a page', async () => {
    const result = await runSynadm(['-v', 'user', 'list', '--all', '-o', 'jsonl'], { configFile })
    expect(result.code).toBe(0)
    const names = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { name: string }).name)
    expect(names).toHaveLength(USERS + 2)
    expect(new Set(names).size).toBe(USERS + 2)
    expect(names.slice(-1)).toEqual([`@${LATE}:${server.serverName}`])
    const requests = result.stderr.split('\n').filter((line) => /GET .*v2\/users/.test(line))
    // One page of 5000 holds them all.
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatch(/limit=5000/)
  })

  it.skipIf(!hasTmux)('the shell completes a user beyond the first 1000, a localpart and an alias; no key waits longer than the deadline', async () => {
    // NO_COLOR: no grey hints after the line, so the screen shows only what is typed and completed.
    const vars = [`HOME=${home}`, `XDG_DATA_HOME=${join(home, 'data')}`, `XDG_CACHE_HOME=${join(home, 'cache')}`, 'NO_COLOR=1']
    terminal.on('big', 'new-session', '-d', '-s', 'big', '-x', '160', '-y', '40', 'env', ...vars, process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', configFile)
    await until('big', /synadm>\s*$/m)
    // The shell fills the cache with the first 1000 users when it starts: wait until it has.
    const cacheFile = join(home, 'cache', 'synadm', 'completion.json')
    for (let i = 0; i < 300 && !(existsSync(cacheFile) && readFileSync(cacheFile, 'utf8').includes('"user_id"')); i++) await sleep(50)

    /**
     * Tab, then a key at once: how long the key waits before it is on screen. Then the completion itself: the
     * shell answers from the cache at once and Tabs again when the server's values come within the deadline; on a
     * machine too busy for that, the values are in the cache for the next Tab.
     */
    async function tabThenKey(line: string, shows: RegExp): Promise<number> {
      keys('big', 'C-u')
      keys('big', '-l', line)
      const typed = new RegExp(`synadm> ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm')
      await until('big', typed)
      const started = Date.now()
      keys('big', 'Tab')
      keys('big', '-l', '~')
      await until('big', /~\s*$/m)
      const waited = Date.now() - started
      keys('big', 'C-u')
      keys('big', '-l', line)
      await until('big', typed)
      for (let tabs = 1; ; tabs++) {
        keys('big', 'Tab')
        try {
          await until('big', shows, 2000)
          break
        } catch (error) {
          if (tabs === 3) throw error
        }
      }
      return waited
    }
    const waits = [
      await tabThenKey(`user details @${localpart(1177)}`, new RegExp(`synadm> user details @${localpart(1177)}:${server.serverName.replace('.', '\\.')}\\s*$`, 'm')),
      await tabThenKey('user details zz-late-u', new RegExp(`synadm> user details ${LATE}\\s*$`, 'm')),
      await tabThenKey('room details #lob', new RegExp(`synadm> room details #${alias}:${server.serverName.replace('.', '\\.')}\\s*$`, 'm')),
    ]
    console.log(`keys after Tab waited ${waits.join(', ')} ms (deadline ${SEARCH_DEADLINE_MS} ms)`)
    // The deadline plus generous room for tmux, the screen polling and a busy machine.
    for (const waited of waits) expect(waited).toBeLessThan(SEARCH_DEADLINE_MS + 1000)
    keys('big', 'C-u')
    keys('big', 'exit', 'Enter')
  })

  it.skipIf(!hasTmux)('an 80-column terminal: the user list fits, one note says how to see the rest; piped it is as before', async () => {
    const command = [process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', configFile, '-o', 'human', 'user', 'list', '-l', '5']
    const stderrFile = join(home, 'narrow.stderr')
    terminal.on('narrow', 'new-session', '-d', '-s', 'narrow', '-x', '80', '-y', '40', 'sh', '-c', `HOME=${home} "$@" 2>${stderrFile}; echo "exit=$?"; sleep 60`, 'sh', ...command)
    await until('narrow', /exit=0/)
    // -J joins what the terminal wrapped: a table line wider than the terminal would show as one long line.
    const lines = terminal.on('narrow', 'capture-pane', '-p', '-J', '-t', 'narrow').split('\n').filter((line) => line.trim())
    const header = lines.find((line) => line.startsWith('name '))!.split(/\s+/)
    expect(header).toEqual(expect.arrayContaining(['name', 'displayname', 'admin', 'deactivated', 'last_seen_ts']))
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    const notes = readFileSync(stderrFile, 'utf8').split('\n').filter((line) => line.includes('columns hidden'))
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/^\d+ of \d+ columns hidden \(-o wide shows all\): \w+/)
    const piped = await runSynadm(['-o', 'human', 'user', 'list', '-l', '5'], { configFile })
    const wide = await runSynadm(['-o', 'wide', 'user', 'list', '-l', '5'], { configFile })
    expect(piped.stdout).toBe(wide.stdout)
    expect(piped.stdout.split('\n')[0]).toMatch(/^name\s+user_type\s+is_guest\s+admin/)
    expect(piped.stderr).not.toContain('columns hidden')
  })
})
