// Bulk runs against a real Synapse: 1000 accounts made by `user import`, 500 of them shadow-banned with --targets
// in runs that are stopped midway (Ctrl-C, then SIGKILL) and resumed from their journals; the server's state, not
// only the report, shows every target done exactly once. A dry run and a list with a bad line change nothing;
// 20 rooms are deleted with --wait. (429s in a bulk run: ratelimit.test.ts, which has the low-limit server.)
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { runSynadm, type RunResult } from './cli.js'
import { adminRequest, createRoom, registerUser, uniqueName } from './fixtures.js'
import { synapse } from './synapse-info.js'

const USERS = 1000
const dir = mkdtempSync(join(tmpdir(), 'synadm-bulk-it-'))
const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))

/** Our CLI as a child we can signal; resolves with its output when it ends. */
function startSynadm(args: string[]) {
  const info = synapse()
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'synadm.js'), '-c', info.configFile, ...args], { env: { ...process.env, HOME: info.cliHome }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const done = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
  return { child, done }
}

const journalLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) } catch { return {} } }) : [])

async function untilJournalHas(file: string, doneLines: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (journalLines(file).filter((l) => l.state === 'done').length < doneLines) {
    if (Date.now() > deadline) throw new Error(`journal ${file} did not reach ${doneLines} done targets`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe.skipIf(!inject('synapse').available)('bulk runs', () => {
  const prefix = uniqueName('bulk')
  const ids: string[] = []
  /** shadow_banned of every imported account, from the server */
  const shadowBans = async () => {
    const { users } = await adminRequest<{ users: { name: string; shadow_banned: boolean }[] }>('GET', '/_synapse/admin/v2/users', { query: { name: prefix, limit: 5000, guests: false } })
    return new Map(users.map((u) => [u.name, u.shadow_banned]))
  }
  const banned = async () => [...(await shadowBans())].filter(([, b]) => b).map(([name]) => name).sort()

  beforeAll(async () => {
    for (let i = 0; i < USERS; i++) ids.push(`@${prefix}-${String(i).padStart(4, '0')}:${synapse().serverName}`)
  })

  it(`user import creates ${USERS} accounts from CSV; passwords never shown; rejected rows go to a file`, async () => {
    const secret = uniqueName('pw')
    const rows = ids.map((id, i) => `${i % 2 ? id : id.slice(1, id.indexOf(':'))},User ${i},${i < 3 ? secret : ''},${i === 0}`)
    const input = join(dir, 'users.csv')
    writeFileSync(input, ['name,displayname,password,admin', ...rows, 'Not Valid,x,,'].join('\n') + '\n')
    const result = await runSynadm(['--batch', '-o', 'jsonl', 'user', 'import', input, '--concurrency', '8'], { timeoutMs: 300_000 })
    expect(result.code, result.stderr).toBe(9) // the one invalid row
    expect(result.stderr).toContain(`line ${USERS + 2}: 'Not Valid'`)
    expect(result.stderr).toContain(`${USERS} done, 0 failed, 0 skipped`)
    const report = jsonLines(result.stdout)
    expect(report.length).toBe(USERS)
    expect(new Set(report.filter((l) => l.ok).map((l) => l.target)).size).toBe(USERS)
    expect(result.stdout + result.stderr).not.toContain(secret)
    const rejects = join(dir, 'users.rejected.csv')
    expect(readFileSync(rejects, 'utf8')).toBe(`name,displayname,password,admin,rejected_because\nNot Valid,x,,,"line ${USERS + 2}: 'Not Valid': a localpart holds only a-z, 0-9 and . _ = - / +"\n`)
    expect(statSync(rejects).mode & 0o777).toBe(0o600)
    // The server has them all, as the file said.
    expect((await shadowBans()).size).toBe(USERS)
    expect(await adminRequest('GET', `/_synapse/admin/v2/users/${encodeURIComponent(ids[0])}`)).toMatchObject({ displayname: 'User 0', admin: true })
    // Imported again (a few rows): the accounts exist and are skipped, or updated with --on-conflict update.
    const few = join(dir, 'few.jsonl')
    writeFileSync(few, ids.slice(0, 3).map((name) => JSON.stringify({ name, displayname: 'Changed' })).join('\n') + '\n')
    expect((await runSynadm(['--batch', '-o', 'jsonl', 'user', 'import', few])).stderr).toContain('0 done, 0 failed, 3 skipped')
    expect((await adminRequest('GET', `/_synapse/admin/v2/users/${encodeURIComponent(ids[1])}`)).displayname).toBe('User 1')
    expect((await runSynadm(['--batch', '-o', 'jsonl', 'user', 'import', '--on-conflict', 'update', few])).stderr).toContain('3 done, 0 failed, 0 skipped')
    expect((await adminRequest('GET', `/_synapse/admin/v2/users/${encodeURIComponent(ids[1])}`)).displayname).toBe('Changed')
  }, 320_000)

  it('a dry run and a list with a bad line change nothing', async () => {
    const before = await shadowBans()
    const targets = join(dir, 'dry.txt')
    writeFileSync(targets, ids.slice(0, 500).join('\n') + '\n')
    const dry = await runSynadm(['-o', 'jsonl', 'user', 'shadow-ban', '--dry-run', '--targets', targets], { timeoutMs: 120_000 })
    expect(dry.code, dry.stderr).toBe(0)
    expect(jsonLines(dry.stdout).every((l) => l.ok && l.result.dry_run === true && /^POST v1\/users\/.*\/shadow_ban$/.test(l.result.request))).toBe(true)
    const bad = join(dir, 'bad.txt')
    writeFileSync(bad, [...ids.slice(0, 499), 'not a user!', ...ids.slice(499, 500)].join('\n') + '\n')
    const refused = await runSynadm(['--batch', 'user', 'shadow-ban', '--targets', bad])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('line 500:')
    expect(await shadowBans()).toEqual(before)
  }, 150_000)

  it('500 shadow-bans over --targets, stopped by Ctrl-C and by SIGKILL and resumed, each target done exactly once', async () => {
    const runs: { targets: string[]; signal: NodeJS.Signals }[] = [
      { targets: ids.slice(0, 250), signal: 'SIGINT' },
      { targets: ids.slice(250, 500), signal: 'SIGKILL' },
    ]
    for (const [n, { targets, signal }] of runs.entries()) {
      const list = join(dir, `ban-${n}.jsonl`)
      // JSON lines as `user list -o jsonl` prints them, with a comment and a duplicate.
      writeFileSync(list, ['# spam wave', ...targets.map((name) => JSON.stringify({ name, admin: false })), JSON.stringify({ name: targets[0] })].join('\n') + '\n')
      const journal = join(dir, `ban-${n}.journal`)
      const args = ['--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', list, '--journal', journal, '--concurrency', '2']
      const first = startSynadm(args)
      await untilJournalHas(journal, 20)
      first.child.kill(signal)
      const stopped = await first.done
      if (signal === 'SIGINT') {
        expect(stopped.code, stopped.stderr).toBe(130)
        expect(stopped.stderr).toContain(`--journal ${journal} to go on`)
        // Ctrl-C lets running targets finish: nothing is left in flight.
        const lines = journalLines(journal)
        expect(lines.filter((l) => l.state === 'start').length).toBe(lines.filter((l) => l.state === 'done').length)
      } else expect(stopped.code).toBe(null)
      const doneBefore = new Set(journalLines(journal).filter((l) => l.state === 'done').map((l) => l.target))
      expect(doneBefore.size).toBeGreaterThanOrEqual(20)
      expect(doneBefore.size).toBeLessThan(targets.length)

      const resumed = await runSynadm(args, { timeoutMs: 120_000 })
      expect(resumed.code, resumed.stderr).toBe(0)
      expect(resumed.stderr).toContain(`${doneBefore.size} skipped`)
      // The resumed run did none of the targets done before.
      expect(jsonLines(resumed.stdout).filter((l) => doneBefore.has(l.target))).toEqual([])
      // Across both runs, the journal holds one 'done' per target.
      const done = journalLines(journal).filter((l) => l.state === 'done').map((l) => l.target)
      expect(done.length).toBe(targets.length)
      expect(new Set(done).size).toBe(targets.length)
    }
    // The server: exactly the 500 are shadow-banned, the other 500 not.
    expect(await banned()).toEqual(ids.slice(0, 500).sort())
  }, 300_000)

  it('two runs at once on one journal: the second is refused, naming the first; each target is done once', async () => {
    const targets = ids.slice(505, 900)
    const list = join(dir, 'twice.txt')
    writeFileSync(list, targets.join('\n') + '\n')
    const journal = join(dir, 'twice.journal')
    const args = ['--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', list, '--journal', journal, '--concurrency', '1']
    const first = startSynadm(args)
    await untilJournalHas(journal, 5)
    const second = await runSynadm(args)
    expect(second.code, second.stderr).toBe(3)
    expect(second.stderr).toMatch(new RegExp(`^synadm: the journal ${journal} is in use by another run: process ${first.child.pid} on `))
    const done = await first.done
    expect(done.code, done.stderr).toBe(0)
    const finished = journalLines(journal).filter((l) => l.state === 'done').map((l) => l.target)
    expect(finished.sort()).toEqual([...targets].sort())
    expect(existsSync(`${journal}.lock`)).toBe(false)
    const state = await shadowBans()
    expect(targets.every((id) => state.get(id) === true)).toBe(true)
  }, 120_000)

  it('an audit log that cannot take the intent (/dev/full): the shadow-ban is not sent', async () => {
    const id = ids[950]
    const result = await runSynadm(['--batch', 'user', 'shadow-ban', id], { env: { SYNADM_AUDIT_LOG: '/dev/full' } })
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^synadm: cannot write the audit log \/dev\/full: ENOSPC.*; POST .*shadow_ban was not sent\n/)
    expect((await shadowBans()).get(id)).toBe(false)
  })

  it('deletes 20 rooms with --wait per target, five of them listed by alias among comments', async () => {
    const owner = await registerUser(uniqueName('bulk-owner'))
    const rooms: string[] = []
    const aliases: string[] = []
    for (let i = 0; i < 20; i++) {
      const alias = i < 5 ? uniqueName('doomed-alias') : undefined
      rooms.push(await createRoom(owner.token, { name: uniqueName('doomed'), alias }))
      if (alias) aliases.push(`#${alias}:${synapse().serverName}`)
    }
    const list = join(dir, 'rooms.txt')
    writeFileSync(list, ['# spam rooms, found by hand', ...aliases, '#', ...rooms.slice(5)].join('\n') + '\n')
    const result = await runSynadm(['--batch', '-o', 'jsonl', 'room', 'delete', '--targets', list, '--wait'], { timeoutMs: 240_000 })
    expect(result.code, result.stderr).toBe(0)
    const report = jsonLines(result.stdout)
    expect(report.map((l) => l.target).sort()).toEqual([...rooms].sort())
    expect(report.every((l) => l.ok && l.result.status === 'complete')).toBe(true)
    for (const room of rooms) {
      await expect(adminRequest('GET', `/_synapse/admin/v1/rooms/${encodeURIComponent(room)}`)).rejects.toThrow(/404/)
    }
  }, 250_000)

  it('takes the CSV that user list -o csv writes as a target list, from its name column', async () => {
    const csv = await runSynadm(['-o', 'csv', 'user', 'list', '-n', `${prefix}-09`, '-l', '5'])
    expect(csv.code, csv.stderr).toBe(0)
    const [header, ...rows] = csv.stdout.trim().split('\n')
    const column = header.split(',').indexOf('name')
    const listed = rows.map((row) => row.split(',')[column])
    expect(listed).toEqual(ids.slice(900, 905))
    const file = join(dir, 'export.csv')
    writeFileSync(file, csv.stdout)
    const result = await runSynadm(['--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', file])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("CSV with a header row; the targets are its column 'name'")
    expect(jsonLines(result.stdout).map((l) => l.target).sort()).toEqual([...listed].sort())
    const state = await shadowBans()
    expect(listed.every((id) => state.get(id) === true)).toBe(true)
  })
})
