import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runSynadm, TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import { execute } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { EXIT } from '../../core/kernel/errors.js'
import { parseTargetLines } from '../../core/campaigns/bulk.js'
import { bulkPlugin } from './fixtures/bulk-plugin.js'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([bulkPlugin], argv, options)
const dir = mkdtempSync(join(tmpdir(), 'synadm-bulk-'))
let n = 0
const file = (text: string) => {
  const path = join(dir, `targets-${++n}.txt`)
  writeFileSync(path, text)
  return path
}
const enc = (id: string) => encodeURIComponent(id)
const lines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
/** GET then POST of `bt ban` for each user */
const expectBans = (users: string[], status = 200) => {
  for (const user of users) {
    api().get(`/_synapse/admin/v2/users/${enc(user)}`).reply(200, { name: user })
    api().post(`/_synapse/admin/v1/users/${enc(user)}/shadow_ban`).reply(status, status === 200 ? {} : { errcode: 'M_UNKNOWN', error: 'boom' })
  }
}

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('target lists', () => {
  it('skips blanks and comments, reads JSON lines by field, numbers bad lines', () => {
    const { targets, errors } = parseTargetLines('# spam wave\n\n@a:x\n{"name":"@b:x","admin":false}\n{"x":1}\nnot json {\n{oops\ntwo words\n', ['user_id', 'name'])
    expect(targets).toEqual([{ value: '@a:x', line: 3 }, { value: '@b:x', line: 4 }])
    expect(errors).toEqual([
      "line 5: a JSON line needs the field 'user_id' or 'name'",
      "line 6: 'not json {' is more than one word; one target a line",
      'line 7: not valid JSON',
      "line 8: 'two words' is more than one word; one target a line",
    ])
  })

  it('reads CSV whose header names the field, from that column; quoted cells, empty cells numbered', () => {
    const csv = '# exported from the old server\nuser_type,name,displayname\n,@a:x,Alice\n,"@b:x","Bob, the builder"\n,,Nobody\n'
    expect(parseTargetLines(csv, ['user_id', 'name'], 'user')).toEqual({
      targets: [{ value: '@a:x', line: 3 }, { value: '@b:x', line: 4 }],
      errors: ["line 5: no value in the column 'name'"],
      column: 'name',
    })
    // a lone header line is a header, never the localpart 'name'
    expect(parseTargetLines('name\n@a:x\n', ['user_id', 'name'], 'user').targets).toEqual([{ value: '@a:x', line: 2 }])
    // a word that is no field: a plain list
    expect(parseTargetLines('alice\nbob\n', ['user_id', 'name'], 'user')).toEqual({ targets: [{ value: 'alice', line: 1 }, { value: 'bob', line: 2 }], errors: [] })
  })

  it('in a list of rooms a room alias is a target, not a comment; comments still are', () => {
    const text = '# rooms of the spam wave\n#spam:x\n!abc:x\n#not an alias\n'
    expect(parseTargetLines(text, ['room_id', 'alias'], 'room_or_alias').targets).toEqual([{ value: '#spam:x', line: 2 }, { value: '!abc:x', line: 3 }])
    expect(parseTargetLines(text, ['user_id', 'name'], 'user').targets).toEqual([{ value: '!abc:x', line: 3 }])
  })

  it('runs the command once per distinct target, localparts expanded, one JSON line each', async () => {
    expectBans(['@a:synapse.test', '@b:synapse.test', '@c:synapse.test'])
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--targets', file('a\n@b:synapse.test\n{"name":"@c:synapse.test"}\n@a:synapse.test\n')])
    expect(result.stderr).toContain('synadm: 3 targets: 3 done, 0 failed, 0 skipped')
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((l) => [l.target, l.ok]).sort()).toEqual([['@a:synapse.test', true], ['@b:synapse.test', true], ['@c:synapse.test', true]])
    expect(nock.isDone()).toBe(true)
  })

  it('reads targets from stdin with -', async () => {
    expectBans(['@a:synapse.test'])
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--targets', '-'], { input: '{"name":"@a:synapse.test"}\n' })
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
  })

  it('in the shell, - is what the command before the pipe printed, never the shell\'s own input', async () => {
    const io = testIO({ input: 'user details alice\n' })
    const session = await createSession([bulkPlugin], io)
    expect(await execute(session, ['--batch', 'bt', 'ban', '--targets', '-'], { inShell: true })).toBe(EXIT.usage)
    expect(io.stderr.text).toContain("in the shell, '--targets -' takes what the command before a pipe printed")
    expectBans(['@a:synapse.test'])
    expect(await execute(session, ['--batch', '-o', 'jsonl', 'bt', 'ban', '--targets', '-'], { inShell: true, stdin: ['{"name":"@a:synapse.test"}'] })).toBe(0)
    expect(lines(io.stdout.text)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
  })

  it('refuses a list with bad lines before any request', async () => {
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('@a:synapse.test\nbad user!\n{"room_id":"!r:x"}\n')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('2 bad line(s); nothing was run')
    expect(result.stderr).toContain('line 2:')
    expect(result.stderr).toContain("line 3: a JSON line needs the field 'user_id' or 'name'")
  })

  it('refuses a CSV list with a bad or empty cell in its column before any request', async () => {
    expectBans(['@a:synapse.test'])
    const result = await run(['--batch', 'bt', 'ban', '--targets', file('name,displayname\n@a:synapse.test,A\nbad user!,B\n,C\n')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('2 bad line(s); nothing was run')
    expect(result.stderr).toContain("line 4: no value in the column 'name'")
    // the account of the good row was neither read nor written
    expect(nock.pendingMocks()).toHaveLength(2)
  })

  it('takes the argument or --targets, not both', async () => {
    const result = await run(['--batch', 'bt', 'ban', '@a:synapse.test', '--targets', file('@b:synapse.test\n')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('Give USER_ID or --targets, not both.')
  })

  it('reports failed targets and exits 9; the others still run', async () => {
    expectBans(['@a:synapse.test'])
    expectBans(['@b:synapse.test'], 500)
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', file('@a:synapse.test\n@b:synapse.test\n')])
    expect(result.code).toBe(EXIT.partial)
    expect(lines(result.stdout)[1]).toMatchObject({ target: '@b:synapse.test', ok: false, exit_code: EXIT.api })
    expect(result.stderr).toContain('synadm: 1 of 2 target(s) failed')
  })

  it('prints the report in the normal format without -o jsonl', async () => {
    expectBans(['@a:synapse.test'])
    const result = await run(['--batch', '-o', 'json', 'bt', 'ban', '--targets', file('@a:synapse.test\n')])
    expect(JSON.parse(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
  })

  it('reads work in bulk too, without a confirmation', async () => {
    api().get(`/_synapse/admin/v2/users/${enc('@a:synapse.test')}`).reply(200, { name: '@a:synapse.test', admin: true })
    const result = await run(['-o', 'jsonl', 'bt', 'show', '--targets', file('a\n')])
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: { name: '@a:synapse.test', admin: true } }])
  })
})

describe('one confirmation for the set', () => {
  it('without a terminal and without --batch: exit 2, nothing written', async () => {
    const result = await run(['bt', 'ban', '--targets', file('@a:synapse.test\n')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("refusing to go on without confirmation: Run 'bt ban' on this target?")
  })

  it('asks once in a terminal, showing the count and the first targets; destructive targets do not ask again', async () => {
    for (const room of ['!r1:x', '!r2:x']) api().delete(`/_synapse/admin/v2/rooms/${enc(room)}`).reply(200, { delete_id: room })
    const result = await run(['-o', 'jsonl', 'bt', 'wipe', '--targets', file('!r1:x\n!r2:x\n')], { interactive: true, input: 'y\n' })
    expect(result.code).toBe(0)
    expect(result.stderr.match(/\? Run 'bt wipe' on these 2 targets\?|Run 'bt wipe' on these 2 targets\?/g)?.length).toBeGreaterThanOrEqual(1)
    expect(result.stderr).toContain('!r2:x')
    expect(result.stderr).not.toContain('Delete !r1:x?')
    expect(lines(result.stdout).length).toBe(2)
  })
})

describe('--dry-run', () => {
  it('single target: the reads happen, the write is not sent, what would happen is printed', async () => {
    api().get(`/_synapse/admin/v2/users/${enc('@a:synapse.test')}`).reply(200, { name: '@a:synapse.test' })
    const result = await run(['-o', 'json', 'bt', 'ban', 'a', '--dry-run'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ dry_run: true, request: 'POST v1/users/%40a%3Asynapse.test/shadow_ban' })
    expect(nock.isDone()).toBe(true)
  })

  it('a destructive command shows its confirmation preview and asks nothing', async () => {
    const result = await run(['-o', 'json', 'bt', 'wipe', '!r:x', '--dry-run'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ dry_run: true, would: 'Delete !r:x?', preview: { room: '!r:x' } })
  })

  it('bulk: no confirmation, no write, a result per target', async () => {
    for (const user of ['@a:synapse.test', '@b:synapse.test']) api().get(`/_synapse/admin/v2/users/${enc(user)}`).reply(200, { name: user })
    const result = await run(['-o', 'jsonl', 'bt', 'ban', '--dry-run', '--targets', file('a\nb\n')])
    expect(result.code).toBe(0)
    expect(lines(result.stdout).map((l) => l.result.dry_run)).toEqual([true, true])
    expect(result.stderr).toContain('2 checked (dry run, nothing written)')
  })

  it('is offered only to commands that write', async () => {
    const result = await run(['bt', 'show', 'a', '--dry-run'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('No such option: --dry-run')
  })
})

describe('--journal', () => {
  it('skips what an earlier run did, re-runs failures, and refuses the journal of another run', async () => {
    const journal = join(dir, 'journal-1.jsonl')
    const targets = file('@a:synapse.test\n@b:synapse.test\n')
    expectBans(['@a:synapse.test'])
    expectBans(['@b:synapse.test'], 500)
    expect((await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--journal', journal, '--targets', targets])).code).toBe(EXIT.partial)
    expectBans(['@b:synapse.test'])
    const again = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--journal', journal, '--targets', targets])
    expect(again.code).toBe(0)
    expect(lines(again.stdout).map((l) => l.target)).toEqual(['@b:synapse.test'])
    expect(again.stderr).toContain('1 done, 0 failed, 1 skipped')
    expect(nock.isDone()).toBe(true)
    const other = await run(['--batch', 'bt', 'show', '--journal', journal, '--targets', targets])
    expect(other.code).toBe(EXIT.usage)
    expect(other.stderr).toContain('is the journal of another run')
  })

  it('a target in flight when a run was killed: re-run when the command is idempotent, else reported for a person', async () => {
    const journal = join(dir, 'journal-2.jsonl')
    const header = (command: string) => JSON.stringify({ synadm_journal: 2, command, with: { args: {}, options: {} } })
    const started = (target: string) => JSON.stringify({ server: 'default', base_url: TEST_BASE_URL, target, state: 'start', at: 1 })
    writeFileSync(journal, [header('bt ban'), started('@a:synapse.test'), '{"target":"@b:syn'].join('\n'))
    expectBans(['@a:synapse.test'])
    const ban = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--journal', journal, '--targets', file('@a:synapse.test\n')])
    expect(ban.code).toBe(0)
    const wipeJournal = join(dir, 'journal-3.jsonl')
    writeFileSync(wipeJournal, [header('bt wipe'), started('!r:x')].join('\n') + '\n')
    const wipe = await run(['--batch', '-o', 'jsonl', 'bt', 'wipe', '--journal', wipeJournal, '--targets', file('!r:x\n')])
    expect(wipe.code).toBe(EXIT.partial)
    expect(lines(wipe.stdout)[0]).toMatchObject({ target: '!r:x', ok: false })
    expect(lines(wipe.stdout)[0].error).toContain('in flight when an earlier run was killed')
  })

  it('records start and finish of every target, 0600', async () => {
    const journal = join(dir, 'journal-4.jsonl')
    expectBans(['@a:synapse.test'])
    await run(['--batch', 'bt', 'ban', '--journal', journal, '--targets', file('@a:synapse.test\n')])
    const states = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(states.map((s) => s.state ?? s.command)).toEqual(['bt ban', 'start', 'done'])
  })
})

describe('Ctrl-C and faults that stop the run', () => {
  it('Ctrl-C stops starting targets, finishes the running one, exits 130', async () => {
    const controller = new AbortController()
    api().get(`/_synapse/admin/v2/users/${enc('@a:synapse.test')}`).reply(200, () => (controller.abort(), { name: 'a' }))
    api().post(`/_synapse/admin/v1/users/${enc('@a:synapse.test')}/shadow_ban`).reply(200, {})
    const journal = join(dir, 'journal-5.jsonl')
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--journal', journal, '--targets', file('a\nb\nc\n')], { signal: controller.signal })
    expect(result.code).toBe(EXIT.cancelled)
    expect(lines(result.stdout)).toEqual([{ target: '@a:synapse.test', ok: true, result: {} }])
    expect(result.stderr).toContain('2 not started')
    expect(result.stderr).toContain(`--journal ${journal} to go on`)
  })

  it('an authentication failure stops the run instead of failing every target', async () => {
    api().get(`/_synapse/admin/v2/users/${enc('@a:synapse.test')}`).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid token' })
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '1', '--targets', file('a\nb\nc\n')])
    expect(result.code).toBe(EXIT.auth)
    expect(result.stderr).toContain('2 target(s) not started')
  })
})

describe('429s', () => {
  it('a rate limit pauses every request of the run, then they go one at a time; nothing is lost', async () => {
    const users = ['@a:synapse.test', '@b:synapse.test', '@c:synapse.test', '@d:synapse.test']
    for (const user of users) api().get(`/_synapse/admin/v2/users/${enc(user)}`).reply(200, { name: user })
    api().post(`/_synapse/admin/v1/users/${enc(users[0])}/shadow_ban`).reply(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 30 })
    for (const user of users) api().post(`/_synapse/admin/v1/users/${enc(user)}/shadow_ban`).reply(200, {})
    const result = await run(['--batch', '-o', 'jsonl', 'bt', 'ban', '--concurrency', '4', '--targets', file(users.join('\n'))])
    expect(result.code).toBe(0)
    expect(lines(result.stdout).every((l) => l.ok)).toBe(true)
    expect(nock.isDone()).toBe(true)
  })
})
