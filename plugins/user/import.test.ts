import { chmodSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/index.js'
import { runSynadm, TEST_BASE_URL } from 'synadm/testing'
import { checkRows, readRecords } from './import.js'
import user from './index.js'
import mas from '../mas/index.js'
import { plainSynapse } from '../mas/testing.js'

const A = '/_synapse/admin'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const dir = mkdtempSync(join(tmpdir(), 'synadm-import-'))
let n = 0
const file = (text: string, ext = 'csv') => {
  const path = join(dir, `users-${++n}.${ext}`)
  writeFileSync(path, text)
  return path
}
const run = (argv: string[]) => runSynadm([user, mas], ['-o', 'jsonl', ...argv])
const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
const enc = encodeURIComponent

beforeAll(() => nock.disableNetConnect())
// the servers of these tests delegate no auth: they answer the question of synadm's mas plugin so
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

describe('reading the file', () => {
  it('takes what user list and user details print: CSV, JSON lines, a JSON page', () => {
    const csv = readRecords('name,user_type,is_guest,admin,deactivated,displayname,creation_ts\n@a:old.example,,false,true,false,Alice,1700000000000\n')
    expect(csv.records[0].raw).toEqual({ name: '@a:old.example', is_guest: 'false', admin: 'true', deactivated: 'false', displayname: 'Alice', creation_ts: '1700000000000' })
    const jsonl = readRecords('{"name":"@b:x","threepids":[{"medium":"email","address":"b@x.org","added_at":1}]}\n')
    expect(jsonl.format).toBe('jsonl')
    const page = readRecords('{"users":[{"name":"@c:x"}],"total":1}')
    expect(page.records.map((r) => r.raw.name)).toEqual(['@c:x'])
  })

  it('checks every row: IDs, booleans, 3PIDs, duplicates; other servers import by localpart', () => {
    const { rows, foreign } = checkRows(
      [
        { line: 2, raw: { name: '@a:old.example', admin: 'true', threepids: 'email:a@x.org;msisdn:123' } },
        { line: 3, raw: { localpart: 'B@D' } },
        { line: 4, raw: { user_id: 'c', admin: 'maybe' } },
        { line: 5, raw: { name: 'a' } },
        { line: 6, raw: { displayname: 'nobody' } },
        { line: 7, raw: { name: 'e', avatar_url: 'http://x/y.png' } },
      ],
      'new.example',
    )
    expect(foreign).toBe(1)
    expect(rows[0]).toMatchObject({ userId: '@a:new.example', body: { admin: true, threepids: [{ medium: 'email', address: 'a@x.org' }, { medium: 'msisdn', address: '123' }] } })
    expect(rows.slice(1).map((r) => r.error)).toEqual([
      "'B@D': a localpart holds only a-z, 0-9 and . _ = - / +",
      "admin: 'maybe' is not true/false",
      '@a:new.example is also on line 2',
      'no user ID: give name, user_id or localpart',
      "avatar_url: 'http://x/y.png' is not an mxc:// URI",
    ])
  })
})

describe('synadm user import', () => {
  it('creates new accounts, skips existing ones, never shows a password', async () => {
    api().get(`${A}/v2/users/${enc('@new:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const put = api().put(`${A}/v2/users/${enc('@new:synapse.test')}`, { displayname: 'New One', password: 's3cret-pw', admin: false }).reply(201, { name: '@new:synapse.test' })
    api().get(`${A}/v2/users/${enc('@old:synapse.test')}`).reply(200, { name: '@old:synapse.test' })
    const result = await run(['--batch', 'user', 'import', file('user_id,displayname,password,admin\nnew,New One,s3cret-pw,false\nold,Old,,\n')])
    expect(result.code).toBe(0)
    expect(put.isDone()).toBe(true)
    expect(lines(result.stdout).sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { target: '@new:synapse.test', ok: true, result: { action: 'created' } },
      { target: '@old:synapse.test', ok: true, skipped: 'exists' },
    ])
    expect(result.stderr).toContain('1 done, 0 failed, 1 skipped')
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw')
  })

  it('--on-conflict update changes an existing account; fail counts it as failed', async () => {
    api().get(`${A}/v2/users/${enc('@old:synapse.test')}`).reply(200, { name: '@old:synapse.test' })
    api().put(`${A}/v2/users/${enc('@old:synapse.test')}`, { displayname: 'Renamed' }).reply(200, {})
    expect((await run(['--batch', 'user', 'import', '--on-conflict', 'update', file('name,displayname\nold,Renamed\n')])).code).toBe(0)
    api().get(`${A}/v2/users/${enc('@old:synapse.test')}`).reply(200, { name: '@old:synapse.test' })
    const rejects = join(dir, 'fail-rejects.csv')
    const failed = await run(['--batch', 'user', 'import', '--on-conflict', 'fail', '--rejects', rejects, file('name,displayname,password\nold,Renamed,pw-in-file\n')])
    expect(failed.code).toBe(EXIT.partial)
    expect(readFileSync(rejects, 'utf8')).toBe('name,displayname,password,rejected_because\nold,Renamed,pw-in-file,@old:synapse.test exists (--on-conflict fail)\n')
    expect(statSync(rejects).mode & 0o777).toBe(0o600)
    expect(failed.stdout + failed.stderr).not.toContain('pw-in-file')
  })

  it('rejects invalid rows before any request, imports the valid ones, writes a file to fix', async () => {
    api().get(`${A}/v2/users/${enc('@good:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND' })
    api().put(`${A}/v2/users/${enc('@good:synapse.test')}`).reply(201, {})
    const input = file('{"name":"good"}\n{"name":"Bad Name","password":"hidden-pw"}\nnot json\n', 'jsonl')
    const result = await run(['--batch', 'user', 'import', input])
    expect(result.code).toBe(EXIT.partial)
    expect(result.stderr).toContain("line 2: 'Bad Name': a localpart holds only")
    expect(result.stderr).toContain('line 3: not a JSON object')
    const rejected = readFileSync(input.replace(/\.jsonl$/, '.rejected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(rejected[0]).toEqual({ name: 'Bad Name', password: 'hidden-pw', rejected_because: "line 2: 'Bad Name': a localpart holds only a-z, 0-9 and . _ = - / +" })
    expect(result.stderr).not.toContain('hidden-pw')
  })

  it('refuses unknown columns before anything', async () => {
    const result = await run(['--batch', 'user', 'import', file('name,dispalyname\na,A\n')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('unknown column(s) dispalyname')
  })

  it('--dry-run reads, sends no write, shows the request without the password', async () => {
    api().get(`${A}/v2/users/${enc('@new:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND' })
    const result = await run(['user', 'import', '--dry-run', file('name,password\nnew,dry-pw\n')])
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([{ target: '@new:synapse.test', ok: true, result: { dry_run: true, would: 'create @new:synapse.test', preview: { password: '(set, not shown)' } } }])
    expect(nock.isDone()).toBe(true)
  })
})

describe('the rejects file', () => {
  const oldRejects = 'name,password,rejected_because\nold,old-pw,an earlier run\n'
  /** An input with one row the check rejects (no request needed), and a rejects file from an earlier run, mode 0644. */
  function earlierRun() {
    const input = file('name,password\nBad Name,new-pw\n')
    const rejects = input.replace(/\.csv$/, '.rejected.csv')
    writeFileSync(rejects, oldRejects)
    chmodSync(rejects, 0o644)
    return { input, rejects }
  }

  it('is never replaced without --overwrite-rejects: the import stops before anything is sent', async () => {
    const { input, rejects } = earlierRun()
    api().get(`${A}/v2/users/${enc('@good:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND' })
    const result = await run(['--batch', 'user', 'import', file('name,password\ngood,pw\n'), '--rejects', rejects])
    expect({ code: result.code, stderr: result.stderr.split('\n').slice(0, 2) }).toEqual({
      code: EXIT.usage,
      stderr: [`synadm: ${rejects} exists: the rows this import rejects would replace it`, 'hint: move it away, name another file with --rejects FILE, or give --overwrite-rejects'],
    })
    expect(nock.pendingMocks()).toHaveLength(1) // the lookup of @good was never sent
    expect((await run(['--batch', 'user', 'import', input])).code).toBe(EXIT.usage)
    expect(readFileSync(rejects, 'utf8')).toBe(oldRejects)
  })

  it('with --overwrite-rejects is written anew with mode 0600, whatever the old file had', async () => {
    const { input, rejects } = earlierRun()
    const result = await run(['--batch', 'user', 'import', '--overwrite-rejects', input])
    expect(result.code).toBe(EXIT.partial)
    expect(readFileSync(rejects, 'utf8')).toMatch(/^name,password,rejected_because\nBad Name,new-pw,"line 2: 'Bad Name': a localpart [^\n]+"\n$/)
    expect(statSync(rejects).mode & 0o777).toBe(0o600)
  })

  it('replaces a link in its place, not the file the link points to', async () => {
    const input = file('name,password\nBad Name,new-pw\n')
    const rejects = input.replace(/\.csv$/, '.rejected.csv')
    const elsewhere = join(dir, `elsewhere-${n}.csv`)
    writeFileSync(elsewhere, 'not yours\n')
    symlinkSync(elsewhere, rejects)
    expect((await run(['--batch', 'user', 'import', input])).code).toBe(EXIT.usage)
    expect((await run(['--batch', 'user', 'import', '--overwrite-rejects', input])).code).toBe(EXIT.partial)
    expect(readFileSync(elsewhere, 'utf8')).toBe('not yours\n')
    expect(lstatSync(rejects).isFile()).toBe(true)
    expect(statSync(rejects).mode & 0o777).toBe(0o600)
  })
})
