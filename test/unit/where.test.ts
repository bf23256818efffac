// --where on every list command: core adds it like --all, reads it with the command line (a bad expression sends
// nothing), and filters the records as they stream by, one page or every page.
import nock from 'nock'
import { countRequests } from './count-requests.js'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { json, runSynadm, testIO, TEST_BASE_URL } from '../../core/app/in-process.js'
import { createSession } from '../../core/app/start.js'
import { execute } from '../../core/execute/executor.js'
import { commandShape } from '../../core/cli/options.js'
import { Registry } from '../../core/cli/registry.js'
import { loadBuiltins } from '../../core/plugin-host/loader.js'
import { corePlugin } from '../../core/commands/index.js'
import { builtins } from '../../plugins/builtins.js'
import { plainSynapse } from '../../plugins/mas/testing.js'

beforeAll(() => nock.disableNetConnect())
// user commands first ask whether the server delegates auth to MAS: this one does not
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

const USERS = '/_synapse/admin/v2/users'
const at = (text: string) => new Date(text.replace(' ', 'T')).getTime()
const account = (name: string, displayname: string, created: string, admin = 0) => ({ name: `@${name}:synapse.test`, displayname, admin, deactivated: 0, creation_ts: at(created) })
/** three pages of two accounts: a casino wave from 2026-12-06 10:00 on, and legitimate accounts around it */
const PAGES = [
  [account('old-casino', 'Casino Old', '2026-12-01 08:00:00'), account('c1', 'CASINO one', '2026-12-06 10:05:00')],
  [account('alice', 'Alice', '2026-12-06 11:00:00'), account('c2', 'casino two', '2026-12-06 12:00:00')],
  [account('staff', 'Casino staff', '2026-12-07 09:00:00', 1)],
]
const names = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).name)


describe('--where', () => {
  it('is added to every paged or list command, and to no other', async () => {
    const registry = new Registry()
    await loadBuiltins(registry, [corePlugin, ...builtins])
    for (const { spec } of registry.commands()) {
      const has = commandShape(spec).options.some((d) => d.on.includes('--where'))
      expect(has, spec.path).toBe(Boolean(spec.paged || spec.list))
    }
  })

  it('filters one page and keeps its total and next token', async () => {
    nock(TEST_BASE_URL).get(USERS).query((q) => q.from === '0' && q.limit === '2').reply(200, { users: PAGES[0], total: 5, next_token: '2' })
    const result = await runSynadm(builtins, ['-o', 'json', 'user', 'list', '-l', '2', '--where', 'creation_ts>=2026-12-06 10:00'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ users: [PAGES[0][1]], total: 5, next_token: '2' })
  })

  it('applies while streaming with --all over 3 pages: every --where ANDed, dates as the date options take them', async () => {
    const io = testIO()
    const session = await createSession(builtins, io)
    const printedWhenAsked: Record<number, string[]> = {}
    nock(TEST_BASE_URL)
      .get(USERS)
      .query(true)
      .times(3)
      .reply(function (uri) {
        const from = Number(new URL(uri, TEST_BASE_URL).searchParams.get('from'))
        printedWhenAsked[from] = names(io.stdout.text)
        const page = from / 2
        // no total: pages come one after the other, the next one asked for while this one is printed
        return [200, { users: PAGES[page], ...(page < 2 ? { next_token: String(from + 2) } : {}) }]
      })
    const argv = ['-o', 'jsonl', 'user', 'list', '--all', '-l', '2', '--where', 'creation_ts>=2026-12-06 10:00', '--where', 'displayname~casino', '--where', 'admin=false']
    expect(await execute(session, argv)).toBe(0)
    expect(names(io.stdout.text)).toEqual(['@c1:synapse.test', '@c2:synapse.test'])
    // page 1's match was out before page 3 was asked for: filtered as it streamed, not at the end
    expect(printedWhenAsked[4]).toContain('@c1:synapse.test')
    expect(nock.isDone()).toBe(true)
  })

  it('prints what it keeps in every format', async () => {
    const reply = () => nock(TEST_BASE_URL).get(USERS).query(true).reply(200, { users: PAGES[1], total: 2 })
    reply()
    expect((await runSynadm(builtins, ['-o', 'csv', 'user', 'list', '--all', '--where', 'name~c2'])).stdout.trim().split('\n')).toEqual([
      'name,displayname,admin,deactivated,creation_ts',
      `@c2:synapse.test,casino two,0,0,${at('2026-12-06 12:00:00')}`,
    ])
    reply()
    expect(json(await runSynadm(builtins, ['-o', 'json', 'user', 'list', '--all', '--where', 'name~nobody']))).toEqual([])
  })

  it('what it prints with -o jsonl is the target list of the next command', async () => {
    nock(TEST_BASE_URL).get(USERS).query(true).reply(200, { users: [...PAGES[0], ...PAGES[1]], total: 4 })
    const listed = await runSynadm(builtins, ['-o', 'jsonl', 'user', 'list', '--all', '--where', 'displayname~casino', '--where', 'creation_ts>=2026-12-06 10:00'])
    const banned: string[] = []
    nock(TEST_BASE_URL)
      .post(/\/_synapse\/admin\/v1\/users\/.*\/shadow_ban/)
      .times(2)
      .reply(function () {
        banned.push(decodeURIComponent(this.req.path.split('/')[5]))
        return [200, {}]
      })
    const result = await runSynadm(builtins, ['--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', '-'], { input: listed.stdout })
    expect(result.code).toBe(0)
    expect(banned.sort()).toEqual(['@c1:synapse.test', '@c2:synapse.test'])
  })

  it.each([
    [['user', 'list', '--where', 'displayname'], "'displayname' is not FIELD OP VALUE"],
    [['user', 'list', '--all', '--where', 'creation_ts>=yesterday'], 'compares the time creation_ts'],
    [['user', 'list', '--where', 'creation_ts>=2026-02-30'], 'is not a date and time that exists'],
    [['user', 'list', '--where', 'name~(casino'], 'is not a valid regular expression'],
    [['user', 'list', '--where', 'admin>=true'], 'use = or !='],
    [['room', 'list', '--all', '--where', 'name~ok', '--where', 'joined_members>'], 'has no value after >'],
    [['-S', 'a,b', 'user', 'list', '--where', '=x'], 'is not FIELD OP VALUE'],
  ])('%j is a usage error before anything is sent', async (argv, problem) => {
    const seen = countRequests()
    const result = await runSynadm(builtins, argv)
    expect({ code: result.code, seen }).toEqual({ code: 2, seen: [] })
    expect(result.stderr.split('\n')[0]).toMatch(/^synadm: Invalid value for '--where': '[^']*' /)
    expect(result.stderr).toContain(problem)
  })

  it('in a shell line, a bad expression stops the whole line', async () => {
    const seen = countRequests()
    const result = await runSynadm(builtins, ['shell'], { input: "user list -o jsonl --where 'name~(' | user shadow-ban --targets - --batch\n" })
    expect(seen).toEqual([])
    expect(result.stderr).toContain("Invalid value for '--where'")
  })
})
