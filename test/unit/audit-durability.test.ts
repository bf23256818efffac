// The audit log is on disk before a write is sent: the intent line is written and synced first, and a log that
// cannot take it (/dev/full) stops the write; an outcome the log cannot take stops the writes after it without
// calling the applied one failed, and a resume from the journal does not send it again. `synadm audit` shows an
// intent and its outcome as one entry. HTTP mocked with nock.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { NO_OUTCOME } from '../../core/run/audit.js'
import { EXIT } from '../../core/kernel/errors.js'
import { json, runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import { bulkPlugin } from './fixtures/bulk-plugin.js'

/** Writes to the audit log fail with ENOSPC when their text matches: a disk that fills up between two lines. */
const full = vi.hoisted(() => ({ when: undefined as RegExp | undefined }))
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  const open = (async (...args: Parameters<typeof real.open>) => {
    const handle = await real.open(...args)
    const write = handle.write.bind(handle) as (data: unknown) => Promise<unknown>
    return Object.assign(handle, {
      write: (data: unknown) => (full.when?.test(String(data)) ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) : write(data)),
    })
  }) as typeof real.open
  return { ...real, default: { ...real, open }, open }
})

const enc = (id: string) => encodeURIComponent(id)
const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
let dir: string
let log: string
const run = (argv: string[], auditLog = log) => runSynadm([bulkPlugin], argv, { env: { SYNADM_AUDIT_LOG: auditLog } })
const targets = (...users: string[]) => {
  const path = join(dir, `targets-${users.length}`)
  writeFileSync(path, users.join('\n') + '\n')
  return path
}
const get = (user: string) => nock(TEST_BASE_URL).get(`/_synapse/admin/v2/users/${enc(user)}`).reply(200, { name: user })
const post = (user: string) => nock(TEST_BASE_URL).post(`/_synapse/admin/v1/users/${enc(user)}/shadow_ban`).reply(200, {})

beforeAll(() => nock.disableNetConnect())
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'synadm-audit-'))
  log = join(dir, 'audit.log')
  full.when = undefined
})
afterEach(() => nock.cleanAll())

describe('the intent is on disk before the request', () => {
  it('the pending line is in the log when the server gets the write; the outcome follows it', async () => {
    get('@a:synapse.test')
    let seen: unknown[] = []
    nock(TEST_BASE_URL)
      .post(`/_synapse/admin/v1/users/${enc('@a:synapse.test')}/shadow_ban`)
      .reply(200, () => ((seen = lines(readFileSync(log, 'utf8'))), {}))
    expect((await run(['--batch', 'bt', 'ban', 'a'])).code).toBe(0)
    expect(seen).toEqual([expect.objectContaining({ method: 'POST', status: null, pending: true })])
    const [intent, outcome, ...more] = lines(readFileSync(log, 'utf8'))
    expect(more).toEqual([])
    expect(outcome).toMatchObject({ id: intent.id, status: 200, method: 'POST' })
    expect(outcome.pending).toBeUndefined()
  })

  it('SYNADM_AUDIT_LOG=/dev/full: the write is not sent, exit 3 with the reason; the device is left as it was', async () => {
    const mode = statSync('/dev/full').mode
    get('@a:synapse.test')
    const write = post('@a:synapse.test')
    const result = await run(['--batch', 'bt', 'ban', 'a'], '/dev/full')
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toMatch(/^synadm: cannot write the audit log \/dev\/full: ENOSPC: no space left on device, write; POST \/v1\/users\/%40a%3Asynapse\.test\/shadow_ban was not sent\nhint: /)
    expect(write.isDone()).toBe(false)
    expect(statSync('/dev/full').mode).toBe(mode)
  })

  it('a bulk run on /dev/full stops at the first write, sends none, and its journal lets a resume send them all', async () => {
    const journal = join(dir, 'j')
    const list = targets('@a:synapse.test', '@b:synapse.test', '@c:synapse.test')
    get('@a:synapse.test')
    const writes = ['@a:synapse.test', '@b:synapse.test', '@c:synapse.test'].map(post)
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', list, '--journal', journal], '/dev/full')
    expect(result.code).toBe(EXIT.config)
    expect(lines(result.stdout)).toEqual([expect.objectContaining({ target: '@a:synapse.test', ok: false, exit_code: EXIT.config })])
    expect(result.stderr).toContain('2 not started')
    expect(writes.some((w) => w.isDone())).toBe(false)
    for (const user of ['@a:synapse.test', '@b:synapse.test', '@c:synapse.test']) get(user)
    const again = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', list, '--journal', journal])
    expect(again.code, again.stderr).toBe(0)
    expect(writes.every((w) => w.isDone())).toBe(true)
  })
})

describe('an outcome the log cannot take', () => {
  it('a bulk run: the applied write is reported done, nothing more is sent, exit 3; the resume does not resend it', async () => {
    const journal = join(dir, 'j')
    const list = targets('@a:synapse.test', '@b:synapse.test', '@c:synapse.test')
    const args = ['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', list, '--journal', journal]
    get('@a:synapse.test')
    post('@a:synapse.test')
    get('@b:synapse.test')
    const notSent = post('@b:synapse.test')
    full.when = /"status":200/
    const result = await run(args)
    expect(result.code).toBe(EXIT.config)
    const report = lines(result.stdout)
    expect(report[0]).toEqual({ target: '@a:synapse.test', ok: true, result: {} })
    expect(report[1]).toMatchObject({ target: '@b:synapse.test', ok: false, exit_code: EXIT.config })
    expect(report[1].error).toContain(`the audit log ${log} could not record the outcome of POST /v1/users/%40a%3Asynapse.test/shadow_ban (sent, status 200)`)
    expect(report).toHaveLength(2)
    expect(notSent.isDone()).toBe(false)
    expect(result.stderr).toContain('1 done, 1 failed, 0 skipped, 1 not started')

    full.when = undefined
    nock.cleanAll()
    for (const user of ['@b:synapse.test', '@c:synapse.test']) {
      get(user)
      post(user)
    }
    const again = await run(args)
    expect(again.code, again.stderr).toBe(0)
    expect(lines(again.stdout).map((l) => l.target)).toEqual(['@b:synapse.test', '@c:synapse.test'])
    expect(nock.isDone()).toBe(true)
  })

  it('one command: its write stands, but it does not report success', async () => {
    get('@a:synapse.test')
    post('@a:synapse.test')
    full.when = /"status":200/
    const result = await run(['--batch', 'bt', 'ban', 'a'])
    expect(nock.isDone()).toBe(true)
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toMatch(/^synadm: the audit log .* could not record the outcome of POST \/v1\/users\/%40a%3Asynapse\.test\/shadow_ban \(sent, status 200\): ENOSPC/)
  })
})

describe('synadm audit', () => {
  it('shows an intent and its outcome as one entry, an intent without outcome as not known', async () => {
    get('@a:synapse.test')
    post('@a:synapse.test')
    expect((await run(['--batch', 'bt', 'ban', 'a'])).code).toBe(0)
    const [intent] = lines(readFileSync(log, 'utf8'))
    writeFileSync(log, readFileSync(log, 'utf8') + JSON.stringify({ ...intent, id: 'killed', path: '/v1/x' }) + '\n')
    const entries = json(await run(['-o', 'json', 'audit']))
    expect(entries).toHaveLength(2)
    expect(entries[0]).toMatchObject({ method: 'POST', status: 200, path: '/v1/users/%40a%3Asynapse.test/shadow_ban' })
    expect(entries[0]).not.toHaveProperty('id')
    expect(entries[0]).not.toHaveProperty('pending')
    expect(entries[1]).toMatchObject({ path: '/v1/x', status: null, error: NO_OUTCOME })
    expect(json(await run(['-o', 'json', 'audit', '--failed'])).map((e: { path: string }) => e.path)).toEqual(['/v1/x'])
  })
})
