// Output made for the person reading it (issue 25): exports that never stop silently, a piped shell that names its
// failed lines, and -o human that is human — local dates, nested values as rows, one table for every page, bulk
// reports and the audit log as tables, notes after the table in one line that fits.
process.env.TZ = 'UTC'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runSynadm, TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import { createSession } from '../../core/app/start.js'
import { execute } from '../../core/execute/executor.js'
import { EXIT } from '../../core/kernel/errors.js'
import { definePlugin, localDateTime, PLUGIN_API_VERSION, type RunContext, type SynadmPlugin } from '../../core/index.js'
import { demoPlugin } from './fixtures/demo-plugin.js'
import { bulkPlugin } from './fixtures/bulk-plugin.js'

const api = (base = TEST_BASE_URL) => nock(base).matchHeader('authorization', /^Bearer /)
const USERS = '/_synapse/admin/v2/users'
const dir = mkdtempSync(join(tmpdir(), 'synadm-people-'))

/** Three pages of users, as `demo list` asks for them (from 0, 2, 4), `times` times over. */
function threePages(base = TEST_BASE_URL, times = 1) {
  const page = (from: number, next?: string) => ({ users: [{ name: `@u${from}:x` }, { name: `@u${from + 1}:x` }], ...(next ? { next_token: next } : {}), total: 6 })
  api(base).get(USERS).query((q) => q.from === '0').times(times).reply(200, page(0, '2'))
  api(base).get(USERS).query((q) => q.from === '2').times(times).reply(200, page(2, '4'))
  api(base).get(USERS).query((q) => q.from === '4').times(times).reply(200, page(4))
}

/** synadm with stdout and stderr on a terminal of these widths; `order` has every write, `out:` or `err:` first. */
async function inTerminal(plugins: SynadmPlugin[], argv: string[], o: { columns?: number; errColumns?: number; env?: Record<string, string | undefined> } = {}) {
  const io = testIO({ env: { SYNADM_PAGER: '', ...o.env } })
  const order: string[] = []
  for (const [name, stream, columns] of [['out', io.stdout, o.columns ?? 80], ['err', io.stderr, o.errColumns ?? o.columns ?? 80]] as const) {
    Object.assign(stream, { isTTY: true, columns })
    const write = stream._write.bind(stream)
    stream._write = (chunk, encoding, done) => {
      order.push(`${name}:${chunk.toString()}`)
      write(chunk, encoding, done)
    }
  }
  const code = await execute(await createSession(plugins, io), argv)
  return { code, stdout: io.stdout.text, stderr: io.stderr.text, order }
}

const names = (csv: string) => csv.trim().split('\n').slice(1)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('exports never stop silently', () => {
  it('-o csv and -o jsonl print every page, as --all does, and say nothing more', async () => {
    threePages()
    const csv = await runSynadm([demoPlugin], ['-o', 'csv', 'demo', 'list'])
    expect(csv.code).toBe(0)
    expect(csv.stdout.split('\n')[0]).toBe('name')
    expect(names(csv.stdout)).toEqual(['@u0:x', '@u1:x', '@u2:x', '@u3:x', '@u4:x', '@u5:x'])
    expect(csv.stderr).toBe('')
    threePages()
    const jsonl = await runSynadm([demoPlugin], ['-o', 'jsonl', 'demo', 'list'])
    expect(jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l).name)).toEqual(['@u0:x', '@u1:x', '@u2:x', '@u3:x', '@u4:x', '@u5:x'])
    expect(jsonl.stderr).toBe('')
  })

  it('with a page option given (-l, -f) an export is one page, and stderr says there is more', async () => {
    threePages()
    const limited = await runSynadm([demoPlugin], ['-o', 'csv', 'demo', 'list', '-l', '2'])
    expect(names(limited.stdout)).toEqual(['@u0:x', '@u1:x'])
    expect(limited.stderr).toBe('More users than shown (6 in all): next page --from 2, every page --all\n')
    const from = await runSynadm([demoPlugin], ['-o', 'jsonl', 'demo', 'list', '-f', '2'])
    expect(from.stdout.trim().split('\n')).toHaveLength(2)
    expect(from.stderr).toContain('next page --from 4')
  })

  it('the document formats print one page, as the Python synadm does, and say so on stderr', async () => {
    threePages()
    const yaml = await runSynadm([demoPlugin], ['-o', 'yaml', 'demo', 'list'])
    expect(yaml.stdout).toContain("name: '@u1:x'")
    expect(yaml.stdout).not.toContain('@u2:x')
    expect(yaml.stderr).toBe('More users than shown (6 in all): next page --from 2, every page --all\n')
  })

  it('a fleet export pages through every server', async () => {
    const home = mkdtempSync(join(dir, 'fleet-'))
    const servers = join(home, 'synadm', 'servers')
    mkdirSync(servers, { recursive: true })
    for (const name of ['a', 'b']) writeFileSync(join(servers, `${name}.yaml`), `user: '@admin:x'\ntoken: t-${name}\nbase_url: http://${name}.test\nhomeserver: x\n`, { mode: 0o600 })
    threePages('http://a.test')
    threePages('http://b.test')
    const env = { XDG_CONFIG_HOME: home, SYNADM_BASE_URL: undefined, SYNADM_TOKEN: undefined, SYNADM_USER: undefined, SYNADM_HOMESERVER: undefined }
    const result = await runSynadm([demoPlugin], ['-S', 'a,b', '-o', 'csv', 'demo', 'list'], { env })
    expect(result.code).toBe(0)
    expect(names(result.stdout)).toHaveLength(12)
    expect(result.stderr).toBe('')
  })
})

describe('a piped shell names the lines that failed', () => {
  const secretPlugin = definePlugin({
    name: 'secrettest',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.command({
        path: 'pw set',
        description: 'set a password',
        args: '<user_id>',
        options: [{ flags: '--password <password>', description: 'the new password' }],
        load: async () => async (ctx: RunContext) => (await ctx.admin()).post(`v1/reset_password/${encodeURIComponent(String(ctx.args.user_id))}`, { new_password: ctx.options.password }),
      })
    },
  })

  it('by number and text, secrets masked', async () => {
    api().get(`${USERS}/%40a%3Asynapse.test`).reply(200, { name: '@a:synapse.test' })
    api().get(`${USERS}/%40b%3Asynapse.test`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    api().post('/_synapse/admin/v1/reset_password/%40c%3Asynapse.test').reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const input = ['demo show @a:synapse.test', '', '# a comment', 'demo show @b:synapse.test', 'pw set @c:synapse.test --password hunter22', ''].join('\n')
    const result = await runSynadm([demoPlugin, secretPlugin], ['shell'], { input })
    expect(result.code, result.stderr).toBe(EXIT.partial)
    expect(result.stderr.trim().split('\n').at(-1)).toBe('synadm: 2 of 3 commands failed: line 4 (demo show @b:synapse.test), line 5 (pw set @c:synapse.test --password ***)')
    expect(result.stderr).not.toContain('hunter22')
  })
})

describe('-o human shows points in time as local dates, with the field name kept', () => {
  const CREATED = 1796032449000
  const SEEN = 1796609903270

  it('fields known by name (…_ts, expiry_time, last_seen); json and yaml stay raw', async () => {
    const reply = { name: '@a:synapse.test', creation_ts: CREATED, last_seen_ts: SEEN, expiry_time: null, deactivated: false }
    api().get(`${USERS}/%40a%3Asynapse.test`).times(3).reply(200, reply)
    const human = await runSynadm([demoPlugin], ['-o', 'human', 'demo', 'show', '@a:synapse.test'])
    expect(human.stdout).toMatch(new RegExp(`^creation_ts\\s+${localDateTime(CREATED)}$`, 'm'))
    expect(human.stdout).toMatch(new RegExp(`^last_seen_ts\\s+${localDateTime(SEEN)}$`, 'm'))
    expect(human.stdout).toContain('2026-11-30 09:54:09')
    expect(JSON.parse((await runSynadm([demoPlugin], ['-o', 'json', 'demo', 'show', '@a:synapse.test'])).stdout).creation_ts).toBe(CREATED)
    expect((await runSynadm([demoPlugin], ['-o', 'yaml', 'demo', 'show', '@a:synapse.test'])).stdout).toContain(`creation_ts: ${CREATED}`)
  })

  it('fields a command declares (times), ms or ISO 8601; undeclared ones stay numbers', async () => {
    const plugin = (times?: string[]) =>
      definePlugin({
        name: 'timetest',
        apiVersion: PLUGIN_API_VERSION,
        setup(ctx) {
          ctx.command({ path: 'when', description: 'a time', times, load: async () => () => ({ started: SEEN, finished: '2026-11-30T10:00:00Z', count: 3 }) })
        },
      })
    const declared = await runSynadm([plugin(['started', 'finished'])], ['-o', 'human', 'when'])
    expect(declared.stdout).toBe(`started   ${localDateTime(SEEN)}\nfinished  2026-11-30 10:00:00\ncount     3\n`)
    const plain = await runSynadm([plugin()], ['-o', 'human', 'when'])
    expect(plain.stdout).toBe(`started   ${SEEN}\nfinished  2026-11-30T10:00:00Z\ncount     3\n`)
  })
})

describe('-o human shows nested values as rows or short text, never a Python repr', () => {
  const plugin = (reply: unknown) =>
    definePlugin({ name: 'nesttest', apiVersion: PLUGIN_API_VERSION, setup: (ctx) => ctx.command({ path: 'nested', description: 'a reply', load: async () => () => reply }) })
  const human = async (reply: unknown) => (await runSynadm([plugin(reply)], ['-o', 'human', 'nested'])).stdout

  it("whois: devices and their sessions as indented rows, the connections a table with local dates", async () => {
    const whois = { user_id: '@a:x', devices: { '': { sessions: [{ connections: [{ ip: '10.0.0.1', last_seen: 1796609903270, user_agent: 'curl/8' }] }] } } }
    expect(await human(whois)).toBe(
      ['user_id  @a:x', 'devices:', '  "":', '    sessions:', '      - ip        last_seen            user_agent', '        --------  -------------------  ----------', `        10.0.0.1  ${localDateTime(1796609903270)}  curl/8`, ''].join('\n'),
    )
  })

  it('a list of names one a line under its key; a short list and nested objects in a cell as short text', async () => {
    expect(await human({ members: ['@a:x', '@b:x'], total: 2 })).toBe('total  2\nmembers:\n  @a:x\n  @b:x\n')
    const text = await human([{ target: '@a:x', ok: true, result: { dry_run: true, request: 'POST /x', ids: ['1', '2'] } }])
    expect(text.split('\n')[2]).toBe('@a:x    True  dry_run: True, request: POST /x, ids: [1, 2]')
    expect(text).not.toMatch(/[{[]'|True\}/)
  })

  it('an object of objects alike (settings and their sources) is a table keyed by key', async () => {
    expect(await human({ user: { value: '@admin:x', source: 'file' }, timeout: { value: 30, source: 'default' } })).toBe(
      'key      value     source\n-------  --------  -------\nuser     @admin:x  file\ntimeout  30        default\n',
    )
  })
})

describe('config --show', () => {
  const configFile = (text: string) => {
    const file = join(mkdtempSync(join(dir, 'config-')), 'synadm.yaml')
    writeFileSync(file, text, { mode: 0o600 })
    return file
  }
  const env = (file: string) => ({ SYNADM_CONFIG: file, SYNADM_TOKEN: undefined, SYNADM_USER: undefined, SYNADM_BASE_URL: undefined })

  it('names the source of token_file and token_command: default when nothing set them, not the file that set the token', async () => {
    const file = configFile("user: '@admin:x'\ntoken: abc\nbase_url: http://x.test\n")
    const shown = JSON.parse((await runSynadm([], ['-o', 'json', 'config', '--show'], { env: env(file) })).stdout)
    expect(shown.token).toEqual({ value: 'REDACTED', source: 'file' })
    expect(shown.token_file).toEqual({ value: '', source: 'default' })
    expect(shown.token_command).toEqual({ value: '', source: 'default' })
    // A token source that overrides one set below it: the one it clears is its doing.
    const overridden = JSON.parse((await runSynadm([], ['-o', 'json', 'config', '--show'], { env: { ...env(file), SYNADM_TOKEN_COMMAND: 'echo t' } })).stdout)
    expect(overridden.token_command).toEqual({ value: 'echo t', source: 'env' })
    expect(overridden.token).toEqual({ value: '', source: 'env' })
    expect(overridden.token_file).toEqual({ value: '', source: 'default' })
  })

  it('-o human shows the sources as a column', async () => {
    const file = configFile("user: '@admin:x'\ntoken: abc\nbase_url: http://x.test\n")
    const lines = (await runSynadm([], ['-o', 'human', 'config', '--show'], { env: env(file) })).stdout.split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['key', 'value', 'source'])
    expect(lines).toContainEqual(expect.stringMatching(/^format\s+human\s+flag$/))
    expect(lines).toContainEqual(expect.stringMatching(/^token_file\s+default$/))
  })
})

describe('--all -o human is one table', () => {
  it('one header, one rule, every row in the columns of the first page; in a terminal too', async () => {
    for (const terminal of [false, true]) {
      api().get(USERS).query((q) => q.from === '0').reply(200, { users: [{ name: '@a:x', displayname: 'A' }], next_token: '1' })
      api().get(USERS).query((q) => q.from === '1').reply(200, { users: [{ name: '@b:x', displayname: 'A much longer name' }] })
      const argv = ['-o', 'human', 'demo', 'list', '--all']
      const { stdout } = terminal ? await inTerminal([demoPlugin], argv, { columns: 80 }) : await runSynadm([demoPlugin], argv)
      const lines = stdout.trimEnd().split('\n')
      expect(lines).toHaveLength(4)
      expect(lines[0]).toBe('name  displayname')
      expect(lines[1]).toBe('----  -----------')
      expect(lines[3]).toBe(terminal ? '@b:x  A much lon…' : '@b:x  A much longer name')
    }
  })
})

describe('notes that belong to a table', () => {
  const wide = definePlugin({
    name: 'widetest',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      const row = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`column_number_${i}`, `value ${i}`]))
      ctx.command({
        path: 'wide list',
        description: 'a wide list',
        options: [{ flags: '-f, --from <n>', type: 'int', description: 'offset' }],
        paged: { items: 'rows', from: 'from' },
        mainColumns: ['column_number_0'],
        load: async () => () => ({ rows: [row, row], next_token: '2' }),
      })
    },
  })

  it('come after it on a terminal, each one line that fits', async () => {
    const { code, order } = await inTerminal([wide], ['-o', 'human', 'wide', 'list'], { columns: 80, errColumns: 70 })
    expect(code).toBe(0)
    const [table, ...notes] = order
    expect(table).toMatch(/^out:column_number_0/)
    expect(notes.map((n) => n.slice(0, 4))).toEqual(['err:', 'err:'])
    expect(notes[0]).toMatch(/^err:\d+ of 12 columns hidden \(-o wide shows all\): column_number_\d+, /)
    expect(notes[0]).toMatch(/, …\n$/)
    expect(notes[1]).toMatch(/^err:More rows than shown: next page --from 2/)
    for (const note of notes) {
      expect(note.endsWith('\n')).toBe(true)
      expect(note.slice(4, -1)).not.toContain('\n')
      expect([...note.slice(4, -1)].length).toBeLessThanOrEqual(70)
    }
  })
})

describe('bulk reports in -o human', () => {
  it('one row per target in the order of the list, its columns what a person scans: target, ok, exit code, error', async () => {
    const targets = join(dir, 'targets.txt')
    writeFileSync(targets, '@a:synapse.test\n@b:synapse.test\n@c:synapse.test\n')
    // @a answers last, @b fails: the report still reads a, b, c.
    for (const [user, delay, status] of [['@a:synapse.test', 60, 200], ['@b:synapse.test', 30, 500], ['@c:synapse.test', 0, 200]] as const) {
      api().get(`${USERS}/${encodeURIComponent(user)}`).delay(delay).reply(200, { name: user })
      api().post(`/_synapse/admin/v1/users/${encodeURIComponent(user)}/shadow_ban`).reply(status, status === 200 ? {} : { errcode: 'M_UNKNOWN', error: 'boom' })
    }
    const result = await runSynadm([bulkPlugin], ['--batch', '-o', 'human', 'bt', 'ban', '--targets', targets])
    expect(result.code).toBe(EXIT.partial)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['target', 'ok', 'exit_code', 'error'])
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([['@a:synapse.test', 'True'], ['@b:synapse.test', 'False', '5'], ['@c:synapse.test', 'True']])
    expect(lines[3]).toMatch(/^@b:synapse\.test\s+False\s+5\s+500 M_UNKNOWN: boom/)
  })
})

describe('synadm audit -o human', () => {
  const entry = (i: number, profile: string, status: number) => ({
    time: `2026-11-30T10:0${i}:00.000Z`,
    profile,
    base_url: 'http://synapse.test',
    user: '@admin:synapse.test',
    command: `synadm user shadow-ban @u${i}:synapse.test`,
    method: 'POST',
    path: `/_synapse/admin/v1/users/%40u${i}%3Asynapse.test/shadow_ban`,
    status,
    duration_ms: 10 + i,
    run_id: null,
    dry_run: false,
  })
  const log = () => {
    const file = join(mkdtempSync(join(dir, 'audit-')), 'audit.log')
    writeFileSync(file, [entry(1, 'default', 200), entry(2, 'prod', 200), entry(3, 'prod', 500)].map((e) => JSON.stringify(e)).join('\n') + '\n', { mode: 0o600 })
    return file
  }

  it('shows time, server, command line, target and status first, local times, no constant columns; -o wide keeps all', async () => {
    const env = { SYNADM_AUDIT_LOG: log() }
    const human = await inTerminal([], ['-o', 'human', 'audit'], { columns: 160, env })
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['time', 'profile', 'command', 'path', 'status', 'duration_ms'])
    // the path as `synadm raw` takes it, its IDs decoded
    expect(lines[2]).toMatch(/^2026-11-30 10:01:00\s+default\s+synadm user shadow-ban @u1:synapse\.test\s+v1\/users\/@u1:synapse\.test\/shadow_ban\s+200\s+11$/)
    expect(human.stderr).toBe('not shown, the same in every row: base_url http://synapse.test, user @admin:synapse.test, method POST, run_id (empty), dry_run False\n')
    const wide = await runSynadm([], ['-o', 'wide', 'audit'], { env })
    expect(wide.stdout.split('\n')[0].split(/\s+/)).toEqual(['time', 'profile', 'base_url', 'user', 'command', 'method', 'path', 'status', 'duration_ms', 'run_id', 'dry_run'])
    const json = JSON.parse((await runSynadm([], ['-o', 'json', 'audit'], { env })).stdout)
    expect(json[0]).toEqual(entry(1, 'default', 200))
    // In a narrow terminal the main columns come first; one that matters less is not shown at their expense.
    const narrow = await inTerminal([], ['-o', 'human', 'audit'], { columns: 100, env })
    expect(narrow.stdout.split('\n')[0].split(/\s+/)).toEqual(['time', 'profile', 'command', 'path', 'status'])
    expect(narrow.stderr).toContain('1 of 11 columns hidden (-o wide shows all): duration_ms')
  })
})
