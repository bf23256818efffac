// Messages that say which way (issue 25): look-alikes for typos, confirmations and dry runs that name the action,
// hints and Tab that follow the grammar, short aliases, server checks that check the token.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { runSynadm, TEST_BASE_URL } from '../../testing.js'
import { plainSynapse } from '../../plugins/mas/testing.js'
import { localDateTime } from '../../core/index.js'
import { editDistance, lookAlikes } from '../../core/cli/suggest.js'
import { answerConfigurator } from '../configurator.js'

const run = (argv: string[], options: Parameters<typeof runSynadm>[2] = {}) => runSynadm([], argv, { builtins: true, ...options })
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const A = '/_synapse/admin'
/** a path segment as core's path builder encodes it (`!` too) */
const enc = (id: string) => encodeURIComponent(id).replace(/!/g, '%21')
const dir = mkdtempSync(join(tmpdir(), 'synadm-messages-'))
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text)
  return join(dir, name)
}
const account = (name: string) => ({ name, admin: false, deactivated: false, erased: false, locked: false, shadow_banned: false, suspended: false, displayname: null, threepids: [], external_ids: [] })

beforeAll(() => nock.disableNetConnect())
// user commands first ask whether the server delegates auth to MAS: this one does not
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

describe('typos get look-alikes, closest first', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('detials', 'details')).toBe(1)
    expect(editDistance('lst', 'list')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(lookAlikes('delet', ['details', 'delete-status', 'delete'])).toEqual(['delete', 'delete-status'])
  })

  it.each([
    [['user', 'lst'], "No such command 'user lst'.", 'hint: did you mean user list?'],
    [['user', 'detials', 'alice'], "No such command 'user detials'.", 'hint: did you mean user details?'],
    // `use` is a word of the shell, hidden: never offered; the words after the typo go on to the command
    [['usr', 'list'], "No such command 'usr'.", 'hint: did you mean user list?'],
    [['user', 'list', '--limt', '3'], 'No such option: --limt', 'hint: did you mean --limit?'],
    [['--outptu', 'json', 'version'], 'No such option: --outptu', 'hint: did you mean --output?'],
  ])('%j', async (argv, message, hint) => {
    const result = await run(argv)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`synadm: ${message}\n${hint}\n`)
  })
})

describe('hints and Tab follow the grammar', async () => {
  const { Registry } = await import('../../core/cli/registry.js')
  const { loadBuiltins } = await import('../../core/plugin-host/loader.js')
  const { builtins } = await import('../../plugins/builtins.js')
  const { complete, hint } = await import('../../core/shell/completion.js')
  const registry = new Registry()
  await loadBuiltins(registry, builtins)
  const values = (line: string) => complete(registry, line).candidates.map((c) => c.value)

  it('after the target argument --targets is no longer offered, and after --targets not the argument', () => {
    expect(hint(registry, 'user shadow-ban ')).toMatch(/^USER_ID .*\[--targets TARGETS\]/)
    expect(hint(registry, 'user shadow-ban @a:x ')).not.toContain('--targets')
    expect(values('user shadow-ban @a:x --')).not.toContain('--targets')
    expect(hint(registry, 'user shadow-ban --targets t.txt ')).not.toMatch(/USER_ID/)
    expect(hint(registry, 'user deactivate --targets t.txt ')).toBe('[-e] [--concurrency CONCURRENCY] [--journal JOURNAL] [--dry-run]')
    expect(values('user deactivate --targets t.txt ')).toEqual([])
  })

  it('an option of an exclusive group is no longer offered once another of it is given', () => {
    expect(values('user list -n bob --')).not.toContain('--user-id')
    expect(hint(registry, 'user list -n bob ')).not.toContain('USER_ID')
    expect(values('user list --')).toContain('--user-id')
  })

  it('Tab after an option offers the values help lists: declared choices and suggestions', () => {
    expect(values('user list --sort-by ')).toEqual(['name', 'is_guest', 'admin', 'user_type', 'deactivated', 'shadow_banned', 'displayname', 'avatar_url', 'creation_ts', 'last_seen_ts'])
    expect(values('user list --sort-by la')).toEqual(['last_seen_ts'])
    expect(values('user media alice --sort ')).toContain('media_length')
    // a global option after the command words completes like before them
    expect(values('user list -o js')).toEqual(['json', 'jsonl'])
    expect(values('-o js')).toEqual(['json', 'jsonl'])
  })

  it('shell completion (bash, zsh, fish) asks the same engine', async () => {
    const line = 'synadm user list --sort-by la'
    const env = { COMP_LINE: line, COMP_POINT: String(line.length), COMP_CWORD: '4', SHELL: '/bin/bash', XDG_CACHE_HOME: dir }
    const result = await run(['completion-server', '--', ...line.split(' ')], { env })
    expect(result.stdout.trim().split('\n')).toEqual(['last_seen_ts'])
  })

  it('help lists the same values', async () => {
    const result = await run(['user', 'list', '-h'])
    expect(result.stdout).toMatch(/--sort-by <field>\s+sort by this field \(name, is_guest, admin, user_type, deactivated, shadow_banned, displayname, avatar_url, creation_ts, last_seen_ts\)/)
  })
})

describe('confirmations and dry runs name the action about to happen (the declared effect)', () => {
  const users = file('users.txt', 'a\nb\nc\n')

  it('a --targets run asks about what it does to how many, as the options say', async () => {
    const ban = await run(['user', 'shadow-ban', '--targets', users])
    expect(ban.code).toBe(2)
    expect(ban.stderr).toContain('synadm: refusing to go on without confirmation: Shadow-ban 3 users?')
    const unban = await run(['user', 'shadow-ban', '-u', '--targets', users])
    expect(unban.stderr).toContain('confirmation: Lift the shadow-ban of 3 users?')
    const erase = await run(['user', 'deactivate', '--gdpr-erase', '--targets', file('one.txt', 'alice\n')])
    expect(erase.stderr).toContain('confirmation: Deactivate and GDPR-erase @alice:synapse.test?')
  })

  it('a dry run says what it would do, the target named as the command acts on it', async () => {
    api().get(`${A}/v2/users/${enc('@alice:synapse.test')}`).reply(200, account('@alice:synapse.test'))
    api().get(`${A}/v1/users/${enc('@alice:synapse.test')}/joined_rooms`).reply(200, { joined_rooms: [], total: 0 })
    const erase = await run(['-o', 'json', 'user', 'deactivate', '-e', 'alice', '--dry-run'])
    expect(erase.code).toBe(0)
    expect(JSON.parse(erase.stdout)).toMatchObject({ dry_run: true, would: 'deactivate and GDPR-erase @alice:synapse.test' })

    // a write without a confirmation: the request it would send, and what it is
    api().get(`${A}/v2/users/${enc('@bob:synapse.test')}`).reply(200, account('@bob:synapse.test'))
    const ban = await run(['-o', 'json', 'user', 'shadow-ban', 'bob', '--dry-run'])
    expect(JSON.parse(ban.stdout)).toEqual({ dry_run: true, would: 'shadow-ban @bob:synapse.test', request: `POST v1/users/${enc('@bob:synapse.test')}/shadow_ban` })
  })

  it('each target of a dry --targets run says what would happen to it', async () => {
    for (const name of ['@a:synapse.test', '@b:synapse.test']) api().get(`${A}/v2/users/${enc(name)}`).reply(200, account(name))
    const result = await run(['-o', 'jsonl', 'user', 'shadow-ban', '-u', '--targets', file('two.txt', 'a\nb\n'), '--dry-run'])
    expect(result.code).toBe(0)
    const wouldOf = Object.fromEntries(result.stdout.trim().split('\n').map((line) => JSON.parse(line)).map((e) => [e.target, e.result.would]))
    expect(wouldOf).toEqual({ '@a:synapse.test': 'lift the shadow-ban of @a:synapse.test', '@b:synapse.test': 'lift the shadow-ban of @b:synapse.test' })
  })

  it('history purge names the room and the cut-off, in the question and in a dry run', async () => {
    const room = '!r:synapse.test'
    const before = '2026-05-01 12:00:00'
    const details = () => api().get(`${A}/v1/rooms/${enc(room)}`).reply(200, { room_id: room, name: 'Lobby', joined_members: 3 })
    details()
    const dry = await run(['-o', 'json', 'history', 'purge', room, '--before', before, '--dry-run'])
    const cutOff = localDateTime(new Date(before.replace(' ', 'T')).getTime())
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, would: `purge history of ${room} before ${cutOff}` })
    details()
    api().get(`${A}/v1/fetch_event/${enc('$e')}`).reply(200, { event: { room_id: room, origin_server_ts: 0, sender: '@x:y' } })
    const asked = await run(['history', 'purge', room, '--before-event-id', '$e', '--delete-local'])
    expect(asked.stderr).toMatch(/^synadm: refusing to go on without confirmation: Purge history of !r:synapse\.test up to event \$e, local users' events included\?$/m)
  })

  it('room delete and group delete ask about what they do, not whether you are sure', async () => {
    const room = '!r:synapse.test'
    api().get(`${A}/v1/rooms/${enc(room)}`).reply(200, { room_id: room })
    api().get(`${A}/v1/rooms/${enc(room)}/members`).reply(200, { members: [], total: 0 })
    const result = await run(['room', 'delete', room, '--block', '--no-purge'])
    expect(result.stderr).toContain(`confirmation: Shut down ${room}: remove its local members and block it?`)
    api().get(`${A}/v1/server_version`).reply(200, { server_version: '1.50.0' })
    const group = await run(['group', 'delete', '+g:synapse.test'])
    expect(group.stderr).toContain('confirmation: Delete group +g:synapse.test?')
  })
})

describe('servers --check checks the token too', () => {
  it('a server that answers but refuses the token is not reported as fine', async () => {
    const home = mkdtempSync(join(tmpdir(), 'synadm-check-'))
    const servers = join(home, 'synadm', 'servers')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(servers, { recursive: true })
    const profile = (name: string, url: string, token: string) =>
      writeFileSync(join(servers, `${name}.yaml`), `user: '@admin:x.test'\nbase_url: ${url}\ntoken: ${token}\n`, { mode: 0o600 })
    profile('live', 'http://live.test', 'good')
    profile('dead', 'http://dead.test', 'expired')
    for (const url of ['http://live.test', 'http://dead.test']) nock(url).get('/_matrix/client/versions').reply(200, { versions: ['v1.11'] })
    nock('http://live.test').get('/_matrix/client/v3/account/whoami').matchHeader('authorization', 'Bearer good').reply(200, { user_id: '@admin:x.test' })
    nock('http://dead.test').get('/_matrix/client/v3/account/whoami').reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' })
    const env = { XDG_CONFIG_HOME: home, SYNADM_BASE_URL: undefined, SYNADM_USER: undefined, SYNADM_TOKEN: undefined, SYNADM_HOMESERVER: undefined }
    const result = await run(['-o', 'json', 'servers', '--check'], { env })
    expect(result.code).toBe(0)
    const byName = Object.fromEntries(JSON.parse(result.stdout).map((row: Record<string, unknown>) => [row.name, row]))
    expect(byName.live).toMatchObject({ reachable: 'yes', authenticated: 'yes: @admin:x.test' })
    expect(byName.dead).toMatchObject({ reachable: 'yes', authenticated: expect.stringMatching(/^no: .*(401|M_UNKNOWN_TOKEN|Invalid access token)/) })
  })
})

describe('short forms: #alias on this server, user IDs in lower case', () => {
  it('#lobby is completed with the server name, as a localpart is', async () => {
    nock(TEST_BASE_URL).get(`/_matrix/client/v3/directory/room/${enc('#lobby:synapse.test')}`).reply(200, { room_id: '!r:synapse.test', servers: [] })
    api().get(`${A}/v1/rooms/${enc('!r:synapse.test')}`).reply(200, { room_id: '!r:synapse.test', name: 'Lobby' })
    const result = await run(['-o', 'json', 'room', 'details', '#lobby'])
    expect(result.stderr).toBe('#lobby:synapse.test is room !r:synapse.test\n')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ room_id: '!r:synapse.test' })
  })

  it("a plugin's alias argument and option get the whole alias, whatever the plugin does with it", async () => {
    const { definePlugin, PLUGIN_API_VERSION } = await import('../../core/index.js')
    const echo = definePlugin({
      name: 'echo',
      apiVersion: PLUGIN_API_VERSION,
      setup(ctx) {
        ctx.command({
          path: 'echo alias',
          description: 'print the aliases given',
          args: '<alias>',
          argInfo: { alias: { id: 'alias' } },
          options: [{ flags: '--also <room>', id: 'room_or_alias', repeatable: true, description: 'more' }],
          load: async () => (ctx) => ({ alias: ctx.args.alias, also: ctx.options.also }),
        })
      },
    })
    const result = await runSynadm([echo], ['-o', 'json', 'echo', 'alias', '#lobby', '--also', '#ops', '--also', '!r:x.test'])
    expect(JSON.parse(result.stdout)).toEqual({ alias: '#lobby:synapse.test', also: ['#ops:synapse.test', '!r:x.test'] })
  })

  it('in a --targets list #lobby is read from a JSON line and completed; a #-line alone stays a comment', async () => {
    nock(TEST_BASE_URL).get(`/_matrix/client/v3/directory/room/${enc('#lobby:synapse.test')}`).reply(200, { room_id: '!r:synapse.test', servers: [] })
    api().put(`${A}/v1/rooms/${enc('!r:synapse.test')}/block`).reply(200, { block: true })
    const result = await run(['--batch', '-o', 'jsonl', 'room', 'block', '--targets', file('rooms.txt', '#ops\n{"alias":"#lobby"}\n')])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ target: '!r:synapse.test', ok: true })
  })

  it('a user not found that was typed with capitals: the hint says user IDs are lower case', async () => {
    api().get(`${A}/v2/users/${enc('@Alice:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const result = await run(['user', 'details', '@Alice:synapse.test'])
    expect(result.code).toBe(7)
    expect(result.stderr).toMatch(/\nhint: Matrix user IDs are lower case: try @alice:synapse\.test\n$/)
    api().get(`${A}/v2/users/${enc('@bob:synapse.test')}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    expect((await run(['user', 'details', 'bob'])).stderr).not.toContain('lower case')
  })
})

describe('a missing config', () => {
  it('the hint names every missing setting, not only the first', async () => {
    const result = await run(['version'], { env: { SYNADM_USER: '', SYNADM_TOKEN: '' } })
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^synadm: synadm is not configured: user, token missing .*\nhint: run 'synadm config' to set it up, or set SYNADM_USER, SYNADM_TOKEN\n$/)
  })
})

describe('synadm config: questions drawn once, one start message, production for a profile', () => {
  it('the prompts leave no listener on the run signal behind (a long configurator made Node warn mid-question)', async () => {
    const { EventEmitter } = await import('node:events')
    const { PassThrough } = await import('node:stream')
    const { Prompts } = await import('../../core/run/prompts.js')
    const controller = new AbortController()
    const input = new PassThrough()
    const prompts = new Prompts({ input, output: new PassThrough() }, controller.signal)
    for (let i = 0; i < 12; i++) {
      const asked = prompts.text(`question ${i}`)
      setImmediate(() => input.write('a\r'))
      expect(await asked).toBe('a')
    }
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    // and the run's signal still cancels a question
    const asked = prompts.text('last')
    setImmediate(() => controller.abort())
    await expect(asked).rejects.toMatchObject({ kind: 'aborted' })
  })

  it('configuring a profile asks whether it is production, says once that it starts, and Node never warns', async () => {
    const { testIO } = await import('../../testing.js')
    const { createSession } = await import('../../core/app/start.js')
    const { execute } = await import('../../core/execute/executor.js')
    const { builtinPlugins } = await import('../../testing.js')
    const home = mkdtempSync(join(tmpdir(), 'synadm-configurator-'))
    const io = testIO({ interactive: true, env: { XDG_CONFIG_HOME: home, SYNADM_BASE_URL: undefined, SYNADM_USER: undefined, SYNADM_TOKEN: undefined, SYNADM_HOMESERVER: undefined, SYNADM_FORMAT: undefined } })
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    const session = await createSession([...builtinPlugins], io)
    const running = execute(session, ['config', '-S', 'staging'])
    /** waits for the question, then types the answer (Enter alone takes the default) */
    const answer = async (question: RegExp, typed = '') => {
      for (let waited = 0; !question.test(io.stderr.text); waited += 10) {
        if (waited > 5000) throw new Error(`never asked ${question}:\n${io.stderr.text}`)
        await new Promise((r) => setTimeout(r, 10))
      }
      io.stdin.write(typed + '\r')
      await new Promise((r) => setTimeout(r, 20))
    }
    try {
      await answerConfigurator(answer, { user: '@admin:x.test', token: 'tok', baseUrl: 'http://x.test', production: true })
      expect(await running).toBe(0)
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.map((w) => w.name)).toEqual([])
    expect(io.stderr.text.match(/Running configurator/g)).toHaveLength(1)
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(join(home, 'synadm', 'servers', 'staging.yaml'), 'utf8')).toContain('production: true')
  }, 20_000)
})

/** What a terminal shows after `output`: the line editor's sequences (\r, ESC[J, ESC[K, ESC[nA/C) played. */
function onScreen(output: string): string[] {
  const rows: string[] = ['']
  let row = 0
  let col = 0
  const put = (text: string) => {
    rows[row] = rows[row].padEnd(col).slice(0, col) + text + rows[row].slice(col + text.length)
    col += text.length
  }
  for (const [, esc, n, code, char] of output.matchAll(/(\x1b\[(\d*)([A-Za-z]))|([\s\S])/g)) {
    if (esc && code === 'J') rows.splice(row + 1), (rows[row] = rows[row].slice(0, col))
    else if (esc && code === 'K') rows[row] = rows[row].slice(0, col)
    else if (esc && code === 'A') row -= Number(n || 1)
    else if (esc && code === 'C') col += Number(n || 1)
    else if (char === '\r') col = 0
    else if (char === '\n') (rows[++row] ??= ''), (col = 0)
    else if (char) put(char)
  }
  return rows
}

describe('help fits the terminal; Ctrl-C leaves the line on screen', () => {
  it('wraps a long line at spaces, its next lines under where its text starts', async () => {
    const { wrapHelp } = await import('../../core/cli/help.js')
    const row = '  --sort-by <field>   sort by this field (name, is_guest, admin, user_type, deactivated, shadow_banned, displayname)'
    const wrapped = wrapHelp(`${row}\nshort\n`, 60).split('\n')
    expect(wrapped.every((line) => line.length <= 60)).toBe(true)
    expect(wrapped[0]).toBe('  --sort-by <field>   sort by this field (name, is_guest,')
    expect(wrapped[1]).toMatch(/^ {22}admin, /)
    expect(wrapped.join(' ').replace(/\s+/g, ' ')).toBe(`${row} short `.replace(/\s+/g, ' '))
    // pipes and files get it as it is
    expect(wrapHelp(row)).toBe(row)
  })

  it('help, in the shell and on the command line, is wrapped to the terminal and goes through the pager', async () => {
    const { readFileSync } = await import('node:fs')
    const { testIO, builtinPlugins } = await import('../../testing.js')
    const { createSession } = await import('../../core/app/start.js')
    const { execute } = await import('../../core/execute/executor.js')
    const { Shell } = await import('../../core/shell/shell.js')
    const paged = join(dir, 'paged.txt')
    const terminal = () => {
      const io = testIO({ interactive: true, env: { SYNADM_PAGER: `cat > '${paged}'`, TERM: 'xterm' } })
      Object.assign(io.stdout, { isTTY: true, columns: 60, rows: 20 })
      return io
    }
    const io = terminal()
    const shell = new Shell(await createSession([...builtinPlugins], io), { globals: [] })
    expect(await shell.runLine('help')).toBe(0)
    const help = readFileSync(paged, 'utf8')
    expect(help).toContain('Commands by plugin:')
    expect(help.split('\n').filter((line) => line.length > 60)).toEqual([])
    expect(io.stdout.text).toBe('')

    const oneShot = terminal()
    expect(await execute(await createSession([...builtinPlugins], oneShot), ['user', 'list', '--help'])).toBe(0)
    const commandHelp = readFileSync(paged, 'utf8')
    expect(commandHelp).toMatch(/^Usage: synadm user list/)
    expect(commandHelp.split('\n').filter((line) => line.length > 60)).toEqual([])
    // --no-pager: on the terminal, still wrapped
    const plain = terminal()
    expect(await execute(await createSession([...builtinPlugins], plain), ['--no-pager', 'user', 'list', '--help'])).toBe(0)
    expect(plain.stdout.text).toBe(commandHelp)
  })

  it('Ctrl-C keeps what was typed on screen with ^C after it, and starts a new prompt', async () => {
    const { PassThrough } = await import('node:stream')
    const { LineEditor } = await import('../../core/shell/editor.js')
    const { TerminalEditor } = await import('../../core/shell/terminal.js')
    const editor = new LineEditor({ complete: () => [[], ''], hint: () => undefined }, { ghosts: false })
    const input = new PassThrough()
    let screen = ''
    const output = Object.assign(new PassThrough(), { columns: 80 })
    output.on('data', (chunk) => (screen += chunk.toString()))
    const terminal = new TerminalEditor(editor, input as never, output as never, { interrupt: '(type exit to leave)' })
    void terminal.read('synadm> ')
    input.write('user li')
    input.write('\x03')
    input.write('\x03')
    await new Promise((done) => setTimeout(done, 20))
    expect(onScreen(screen)).toEqual(['synadm> user li^C', 'synadm> ^C', '(type exit to leave)', 'synadm> '])
    expect(editor.line).toBe('')
  })
})

describe('install', () => {
  it('a packed manifest has no prepare, and the checkout gets its package.json back byte for byte', async () => {
    const repoRoot = join(import.meta.dirname, '..', '..')
    const folder = mkdtempSync(join(tmpdir(), 'synadm-pack-manifest-'))
    const original = readFileSync(join(repoRoot, 'package.json'), 'utf8')
    writeFileSync(join(folder, 'package.json'), original)
    const script = join(repoRoot, 'scripts', 'pack-manifest.mjs')
    execFileSync(process.execPath, [script, 'strip', folder])
    const packed = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
    expect(packed.scripts.prepare).toBeUndefined()
    expect(packed.scripts.build).toBe(JSON.parse(original).scripts.build)
    execFileSync(process.execPath, [script, 'restore', folder])
    expect(readFileSync(join(folder, 'package.json'), 'utf8')).toBe(original)
    expect(existsSync(join(folder, 'package.json.prepack'))).toBe(false)
  })

  it("package.json's allowScripts approves every locked package with an install script (npm 11 warns about the others)", async () => {
    const root = join(import.meta.dirname, '..', '..')
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
    const scripted = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
      .filter(([path, entry]) => path && entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    expect(scripted.length).toBeGreaterThan(0)
    expect(scripted.filter((name) => manifest.allowScripts?.[name] !== true)).toEqual([])
  })
})
