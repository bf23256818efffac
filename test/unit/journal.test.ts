// The journal of a bulk run (core/campaigns/journal.ts): keyed by server across a fleet, one run at a time (a lock), a header
// that holds even for a file that was empty, lines that are not entries, files that are not journals, and a run that
// cannot write its journal (full disk), with HTTP mocked by nock.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as fs from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { EXIT } from '../../core/kernel/errors.js'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import { builtins } from '../../plugins/builtins.js'
import { bulkPlugin } from './fixtures/bulk-plugin.js'
import { plainSynapse } from '../../plugins/mas/testing.js'

/** A write of the journal fails with ENOSPC when its text matches: a disk that fills up in the middle of a run. */
const full = vi.hoisted(() => ({ when: undefined as RegExp | undefined }))
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>()
  const writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (full.when?.test(String(data))) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    return (real.writeSync as (...a: unknown[]) => number)(fd, data, ...rest)
  }) as typeof real.writeSync
  return { ...real, default: { ...real, writeSync }, writeSync }
})

const PROD = 'http://prod.test'
const STAGING = 'http://staging.test'
const enc = (id: string) => encodeURIComponent(id)
const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
let dir: string
let n = 0
const file = (text: string, name = `file-${++n}`) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
const journalLines = (path: string) => lines(readFileSync(path, 'utf8'))

/** GET then POST of `bt ban` for each user on a server */
function bans(base: string, users: string[], status = 200) {
  for (const user of users) {
    nock(base).get(`/_synapse/admin/v2/users/${enc(user)}`).reply(200, { name: user })
    nock(base).post(`/_synapse/admin/v1/users/${enc(user)}/shadow_ban`).reply(status, status === 200 ? {} : { errcode: 'M_UNKNOWN', error: 'boom' })
  }
}

beforeAll(() => nock.disableNetConnect())
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'synadm-journal-'))
  full.when = undefined
})
afterEach(() => nock.cleanAll())

describe('a fleet run: one journal, entries by server', () => {
  let env: Record<string, string | undefined>
  const run = (argv: string[]) => runSynadm([bulkPlugin], argv, { env })
  beforeEach(() => {
    const folder = join(dir, 'config', 'synadm', 'servers')
    mkdirSync(folder, { recursive: true })
    for (const [name, url] of [['prod', PROD], ['staging', STAGING]]) {
      writeFileSync(join(folder, `${name}.yaml`), `user: '@admin:x.test'\nbase_url: ${url}\nhomeserver: x.test\ntoken: ${name}-token\n`, { mode: 0o600 })
    }
    env = { SYNADM_BASE_URL: undefined, SYNADM_USER: undefined, SYNADM_TOKEN: undefined, SYNADM_HOMESERVER: undefined, SYNADM_CONFIG: join(dir, 'config', 'synadm.yaml'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') }
  })

  it('writes failing on one server: the resume retries them on that server only', async () => {
    const users = ['@a:x.test', '@b:x.test']
    const journal = join(dir, 'fleet.journal')
    const args = ['--batch', '-S', 'prod,staging', '-o', 'jsonl', 'bt', 'ban', '--targets', file(users.join('\n')), '--journal', journal]
    bans(PROD, users)
    bans(STAGING, users, 500)
    expect((await run(args)).code).toBe(EXIT.partial)
    expect(nock.isDone()).toBe(true)
    const entries = journalLines(journal).slice(1)
    expect(entries.filter((e) => e.state === 'done').map((e) => [e.server, e.base_url, e.target]).sort()).toEqual([['prod', PROD, '@a:x.test'], ['prod', PROD, '@b:x.test']])
    expect(entries.filter((e) => e.state === 'failed').map((e) => e.server)).toEqual(['staging', 'staging'])

    // Only staging is asked again: an unexpected request to prod would fail its targets.
    bans(STAGING, users)
    const again = await run(args)
    expect(again.code, again.stderr).toBe(0)
    expect(nock.isDone()).toBe(true)
    expect(again.stderr).toContain('[prod] synadm: 2 targets: 0 done, 0 failed, 2 skipped')
    expect(again.stderr).toContain('[staging] synadm: 2 targets: 2 done, 0 failed, 0 skipped')
    expect(existsSync(`${journal}.lock`)).toBe(false)
  })

  it('a profile that points somewhere else now is another server: its journal is refused', async () => {
    const journal = join(dir, 'moved.journal')
    const targets = file('@a:x.test\n')
    bans(PROD, ['@a:x.test'])
    expect((await run(['--batch', '-S', 'prod', 'bt', 'ban', '--targets', targets, '--journal', journal])).code).toBe(0)
    writeFileSync(join(dir, 'config', 'synadm', 'servers', 'prod.yaml'), `user: '@admin:x.test'\nbase_url: ${STAGING}\nhomeserver: x.test\ntoken: t\n`, { mode: 0o600 })
    const moved = await run(['--batch', '-S', 'prod', 'bt', 'ban', '--targets', targets, '--journal', journal])
    expect(moved.code).toBe(EXIT.usage)
    expect(moved.stderr).toContain(`recorded the server 'prod' at ${PROD}; it is at ${STAGING} now`)
  })
})

describe('one run at a time', () => {
  const run = (argv: string[]) => runSynadm([bulkPlugin], argv)
  const lockOf = (pid: number) => JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' })

  it('a journal locked by a live run is refused, naming the holder; nothing is sent', async () => {
    const journal = join(dir, 'busy.journal')
    writeFileSync(`${journal}.lock`, lockOf(process.ppid))
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', journal])
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toBe(`synadm: the journal ${journal} is in use by another run: process ${process.ppid} on ${hostname()}, started 2026-01-01T00:00:00.000Z\nhint: wait for that run to end, or give another journal; if it is surely gone, remove ${journal}.lock\n`)
    expect(readFileSync(`${journal}.lock`, 'utf8')).toBe(lockOf(process.ppid))
  })

  it('a second run while the first is going is refused; the first finishes alone', async () => {
    const journal = join(dir, 'twice.journal')
    const targets = file('@a:synapse.test\n')
    let second: Promise<Awaited<ReturnType<typeof run>>> | undefined
    nock(TEST_BASE_URL).get(`/_synapse/admin/v2/users/${enc('@a:synapse.test')}`).reply(200, () => {
      second = run(['--batch', 'bt', 'ban', '--targets', targets, '--journal', journal])
      return { name: '@a:synapse.test' }
    })
    // The first run's write is answered once the second run has ended.
    nock(TEST_BASE_URL)
      .post(`/_synapse/admin/v1/users/${enc('@a:synapse.test')}/shadow_ban`)
      .reply((_uri, _body, answer) => void second!.then(() => answer(null, [200, {}])))
    const first = await run(['--batch', 'bt', 'ban', '--targets', targets, '--journal', journal])
    expect(first.code, first.stderr).toBe(0)
    const refused = await second!
    expect(refused.code).toBe(EXIT.config)
    expect(refused.stderr).toContain(`the journal ${journal} is in use by another run: process ${process.pid}`)
    expect(journalLines(journal).map((l) => l.state ?? 'header')).toEqual(['header', 'start', 'done'])
  })

  it('the lock of a process that is gone is taken over, with a note', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const journal = join(dir, 'stale.journal')
    writeFileSync(`${journal}.lock`, lockOf(Number(gone.stdout)))
    bans(TEST_BASE_URL, ['@a:synapse.test'])
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', journal])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`taking over the journal from process ${gone.stdout} (started 2026-01-01T00:00:00.000Z), which is gone`)
    expect(existsSync(`${journal}.lock`)).toBe(false)
  })
})

describe('what a journal file must be', () => {
  const run = (argv: string[]) => runSynadm([bulkPlugin], argv)
  const header = (command: string) => JSON.stringify({ synadm_journal: 2, command, with: { args: {}, options: {} } })

  it('an empty file (as mktemp makes) gets the header, so another command is refused later', async () => {
    const journal = file('')
    const targets = file('@a:synapse.test\n')
    bans(TEST_BASE_URL, ['@a:synapse.test'])
    expect((await run(['--batch', 'bt', 'ban', '--targets', targets, '--journal', journal])).code).toBe(0)
    expect(journalLines(journal)[0]).toEqual({ synadm_journal: 2, command: 'bt ban', with: { args: {}, options: {} } })
    expect(statSync(journal).mode & 0o777).toBe(0o600)
    const other = await run(['--batch', 'bt', 'show', '--targets', targets, '--journal', journal])
    expect(other.code).toBe(EXIT.usage)
    expect(other.stderr).toContain(`${journal} is the journal of another run: 'bt ban'`)
  })

  it.each([
    ['null', 'line 2 is not a journal entry'],
    ['123', 'line 2 is not a journal entry'],
    ['[]', 'line 2 is not a journal entry'],
    ['{"target":"@a:synapse.test","state":"done"}', 'line 2 is not a journal entry'],
  ])('a line %s that is JSON but no entry: exit 3, one line', async (line, message) => {
    const journal = file([header('bt ban'), line, ''].join('\n'))
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', journal])
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toBe(`synadm: cannot use the journal ${journal}: ${message}\nhint: give the journal of a synadm bulk run\n`)
  })

  it.each([
    ['a first line that is no header', ['null'], 'line 1 is not a journal header'],
    ['entries without a header', [JSON.stringify({ server: 'default', base_url: TEST_BASE_URL, target: '@a:synapse.test', state: 'done', at: 1 })], 'line 1 is not a journal header'],
    ['a journal of format 1, whose entries name no server', [JSON.stringify({ synadm_journal: 1, command: 'bt ban', with: { args: {}, options: {} } })], 'it is a journal of format 1'],
  ])('%s: refused, exit 3', async (_what, content, message) => {
    const journal = file(content.join('\n') + '\n')
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', journal])
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toContain(`synadm: cannot use the journal ${journal}: ${message}`)
  })

  it('a device (/dev/full) or a line longer than any journal line is refused without reading it whole', async () => {
    const device = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', '/dev/full'])
    expect(device.code).toBe(EXIT.config)
    expect(device.stderr).toBe('synadm: cannot use the journal /dev/full: it is not a regular file\nhint: give a file path\n')
    const huge = file(header('bt ban') + '\n' + 'x'.repeat(200_000))
    const long = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', huge])
    expect(long.code).toBe(EXIT.config)
    expect(long.stderr).toContain('line 2 is longer than any journal line')
  })

  it('a folder that does not exist: exit 3, one line, nothing sent', async () => {
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', '/nonexistent/dir/j'])
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toBe('synadm: cannot use the journal /nonexistent/dir/j: its folder /nonexistent/dir does not exist\nhint: create the folder, or give a journal path in an existing one\n')
  })

  it('a last line cut short by a kill is ended before the next line is added', async () => {
    const journal = file([header('bt ban'), '{"server":"default","target":"@b:syn'].join('\n'))
    bans(TEST_BASE_URL, ['@a:synapse.test'])
    expect((await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n'), '--journal', journal])).code).toBe(0)
    bans(TEST_BASE_URL, ['@c:synapse.test'])
    const again = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\n@c:synapse.test\n'), '--journal', journal])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain('1 done, 0 failed, 1 skipped')
  })
})

describe('a journal that cannot be written (full disk)', () => {
  const run = (argv: string[]) => runSynadm([bulkPlugin], argv)

  it('stops starting targets, prints the summary and the resume hint, exit 3; the resume runs the rest', async () => {
    const journal = join(dir, 'full.journal')
    const targets = file('@a:synapse.test\n@b:synapse.test\n@c:synapse.test\n')
    const args = ['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', targets, '--journal', journal]
    bans(TEST_BASE_URL, ['@a:synapse.test'])
    full.when = /"target":"@b:synapse.test","state":"start"/
    const result = await run(args)
    expect(result.code).toBe(EXIT.config)
    expect(lines(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
    const [summary, error, hint] = result.stderr.trim().split('\n')
    expect(summary).toMatch(/^synadm: 3 targets: 1 done, 0 failed, 0 skipped, 2 not started in [\d.]+ s$/)
    expect(error).toBe(`synadm: cannot use the journal ${journal}: ENOSPC: no space left on device, write; no more targets are started; 2 target(s) not started`)
    expect(hint).toBe(`hint: run the same command with --journal ${journal} to go on`)

    full.when = undefined
    bans(TEST_BASE_URL, ['@b:synapse.test', '@c:synapse.test'])
    const again = await run(args)
    expect(again.code, again.stderr).toBe(0)
    expect(lines(again.stdout).map((l) => l.target)).toEqual(['@b:synapse.test', '@c:synapse.test'])
    expect(nock.isDone()).toBe(true)
  })

  it('a finish that cannot be written leaves the target in flight: applied, reported done, re-run only if idempotent', async () => {
    const journal = join(dir, 'full-finish.journal')
    bans(TEST_BASE_URL, ['@a:synapse.test'])
    full.when = /"state":"done"/
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--targets', file('@a:synapse.test\n@b:synapse.test\n'), '--concurrency', '1', '--journal', journal])
    expect(result.code).toBe(EXIT.config)
    expect(lines(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
    expect(journalLines(journal).map((l) => l.state ?? 'header')).toEqual(['header', 'start'])
  })
})

describe('the journal keeps no secret', () => {
  const run = (argv: string[]) => runSynadm(builtins, argv)
  // regtok and user commands first ask whether the server delegates auth to MAS: this one does not
  beforeEach(() => plainSynapse())

  it('registration tokens as targets are named by their hash, and a resume still skips them', async () => {
    const tokens = ['Secr3tTokenOne', 'Secr3tTokenTwo']
    const journal = join(dir, 'regtok.journal')
    const args = ['--batch', '-o', 'jsonl', 'regtok', 'delete', '--targets', file(tokens.join('\n')), '--journal', journal]
    for (const token of tokens) {
      nock(TEST_BASE_URL).get(`/_synapse/admin/v1/registration_tokens/${token}`).reply(200, { token })
      nock(TEST_BASE_URL).delete(`/_synapse/admin/v1/registration_tokens/${token}`).reply(200, {})
    }
    expect((await run(args)).code).toBe(0)
    expect(nock.isDone()).toBe(true)
    const text = readFileSync(journal, 'utf8')
    for (const token of tokens) expect(text).not.toContain(token)
    expect(journalLines(journal).slice(1).map((e) => e.target)).toEqual(expect.arrayContaining([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]))
    // nothing is asked again: both are done
    const again = await run(args)
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('2 target(s) done in an earlier run are skipped')
  })

  it('a secret option value is REDACTED in the header, and a resume with the option given still matches', async () => {
    const users = ['@a:x.test']
    const journal = join(dir, 'password.journal')
    const args = ['--batch', '-o', 'jsonl', 'user', 'password', '--targets', file(users.join('\n')), '-p', 'Hunter2Hunter2', '--journal', journal]
    nock(TEST_BASE_URL).get(`/_synapse/admin/v2/users/${enc('@a:x.test')}`).reply(200, { name: '@a:x.test' })
    nock(TEST_BASE_URL).post(`/_synapse/admin/v1/reset_password/${enc('@a:x.test')}`).reply(200, {})
    expect((await run(args)).code).toBe(0)
    expect(nock.isDone()).toBe(true)
    expect(readFileSync(journal, 'utf8')).not.toContain('Hunter2Hunter2')
    expect(journalLines(journal)[0].with.options).toMatchObject({ password: 'REDACTED' })
    const again = await run(args)
    expect(again.code).toBe(0)
    expect(again.stderr).toContain('1 target(s) done in an earlier run are skipped')
  })
})
