import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { complete, CompletionCache } from '../../core/shell/completion.js'
import { LineEditor } from '../../core/shell/editor.js'
import { definePlugin, PLUGIN_API_VERSION } from '../../core/contract/plugin.js'
import { TerminalEditor } from '../../core/shell/terminal.js'
import { contextsFor, plan } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { scanLine } from '../../core/cli/parse.js'
import { Shell } from '../../core/shell/shell.js'
import { testIO, TEST_BASE_URL } from '../../core/app/in-process.js'
import { demoPlugin } from './fixtures/demo-plugin.js'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

const session = (options?: Parameters<typeof testIO>[0]) => createSession([demoPlugin], testIO(options))

describe('both front ends make the same invocation', () => {
  it.each([
    ['-o json demo list -l 10 --from=20', ['-o', 'json', 'demo', 'list', '-l', '10', '--from=20']],
    [`--batch demo remove '@a b:c'`, ['--batch', 'demo', 'remove', '@a b:c']],
    ['demo show "@x:y"', ['demo', 'show', '@x:y']],
  ])('%s', async (line, argv) => {
    const s = await session()
    const fromShell = plan(s, scanLine(line).segments[0], { inShell: true })
    const fromArgv = plan(s, argv)
    expect(fromShell).toEqual(fromArgv)
    expect(fromShell.kind).toBe('run')
  })
})

describe('global options after the command words', () => {
  it('are taken as global when the command has no switch of that name', async () => {
    const s = await session()
    const after = plan(s, ['demo', 'show', 'x', '--batch', '-vv'])
    const before = plan(s, ['--batch', '-vv', 'demo', 'show', 'x'])
    expect(after).toEqual(before)
    expect(after.kind === 'run' && after.invocation.globals).toMatchObject({ batch: true, verbose: 2 })
  })

  it("stay the command's own when it defines them, with their values", async () => {
    const s = await session()
    const planned = plan(s, ['demo', 'list', '-o', 'name', '-l', '5'])
    expect(planned.kind === 'run' && planned.invocation.options.order).toBe('name')
    expect(planned.kind === 'run' && planned.invocation.globals.output).toBeUndefined()
  })
})

describe('global options after the command words: parsing, help and completion agree', () => {
  it('reads them with the grammar of command options', async () => {
    const s = await session()
    const globalsOf = (words: string[]) => {
      const planned = plan(s, words)
      return planned.kind === 'run' ? planned.invocation.globals : undefined
    }
    expect(globalsOf(['demo', 'show', 'x', '-ojson', '-v', '--verbose'])).toMatchObject({ output: 'json', verbose: 2 })
    expect(globalsOf(['-v', 'demo', 'show', 'x', '--output=csv', '-v'])).toMatchObject({ output: 'csv', verbose: 2 })
    expect(globalsOf(['demo', 'list', '--output', 'json', '-o', 'name'])).toMatchObject({ output: 'json' })
    expect(plan(s, ['demo', 'show', 'x', '--version'])).toEqual({ kind: 'version' })
    expect(plan(s, ['demo', '--version'])).toEqual({ kind: 'version' })
    expect(() => plan(s, ['demo', 'show', 'x', '-c', 'other.yaml'])).toThrow('No such option: -c')
  })

  it('completes the values and switches of global options that follow the command words', async () => {
    const { registry } = await session()
    const values = (line: string, live?: (s: string) => string[]) => complete(registry, line, live).candidates.map((c) => c.value)
    expect(values('demo show x --output j')).toEqual(['json', 'jsonl'])
    expect(values('demo list --output ')).toEqual(['yaml', 'json', 'minified', 'human', 'pprint', 'jsonl', 'csv', 'wide'])
    // after a global option and its value, the command's positional comes next
    const users = (source: string) => (source === 'user_id' ? ['@alice:x'] : [])
    expect(values('demo show -vv --output json @a', users)).toEqual(['@alice:x'])
    expect(values('demo show --batch -o json ', users)).toEqual(['@alice:x'])
    // a global option already given is not offered again; -v counts, so it is
    expect(values('demo list --batch --b')).toEqual([])
    expect(values('demo list -v --verb')).toEqual(['--verbose'])
    // -o is demo list's own: its value is the command's choice, not a format
    expect(values('demo list -o ')).toEqual(['name', 'admin'])
  })

  it("say so in the command's help, on the command line and in the shell", async () => {
    const s = await session()
    const cli = plan(s, ['demo', 'show', '--help'])
    expect(cli.kind === 'help' && cli.text).toContain('Global options (before or after the command words): -v, --batch, -o FORMAT, --columns NAMES, --no-pager, -S NAME, --version; only before them: -c PATH; see synadm --help')
    // demo list has its own -o: after its words, the global is --output
    const own = plan(s, ['demo', 'list', '--help'])
    expect(own.kind === 'help' && own.text).toContain('Global options (before or after the command words): -v, --batch, --output FORMAT, --columns NAMES, --no-pager, -S NAME, --version;')
    const inShell = plan(s, ['demo', 'show', '--help'], { inShell: true })
    expect(inShell.kind === 'help' && inShell.text).toContain('Global options (before or after the command words): -v, --batch, -o FORMAT, --columns NAMES, --no-pager, -S NAME, --version; see help')
  })

  it('the root help and the shell help say where they may stand; the shell leaves out -c', async () => {
    const s = await session({ input: 'help\n' })
    const root = plan(s, ['--help'])
    expect(root.kind === 'help' && root.text).toContain('These may also follow the command words where the command has no option of that name\n  (synadm user list --all -o jsonl); -c only before them.')
    expect(root.kind === 'help' && root.text).toMatch(/^ {2}-c, --config-file <path> /m)
    await new Shell(s, { globals: [] }).runStream()
    const shellHelp = (s.io as ReturnType<typeof testIO>).stdout.text
    expect(shellHelp).toContain('These may also follow the command words where the command has no option of that name\n  (user list --all -o jsonl).')
    expect(shellHelp).toMatch(/^ {2}-o, --output <format> /m)
    expect(shellHelp).not.toContain('--config-file')
    expect(shellHelp).not.toContain('before the command words)')
  })
})

describe('completion engine', () => {
  it('completes command paths, options and choices', async () => {
    const { registry } = await session()
    const values = (line: string, live?: (s: string) => string[]) => complete(registry, line, live).candidates.map((c) => c.value)
    expect(values('de')).toEqual(['demo'])
    expect(values('demo l')).toEqual(['list'])
    // the command's own switches, then the global options that may follow it (-o is the command's: --output is not)
    expect(values('demo list --')).toEqual(['--from', '--limit', '--order', '--all', '--where', '--help', '--verbose', '--batch', '--output', '--columns', '--server', '--version'])
    expect(values('demo list --limit 5 --')).toEqual(['--from', '--order', '--all', '--where', '--help', '--verbose', '--batch', '--output', '--columns', '--server', '--version'])
    expect(values('demo list --order ')).toEqual(['name', 'admin'])
    expect(values('-o j')).toEqual(['json', 'jsonl'])
    expect(values('-o json de')).toEqual(['demo'])
    expect(values('demo show @a', (source) => (source === 'user_id' ? ['@alice:x', '@bob:x', '@anna:x'] : []))).toEqual(['@alice:x', '@anna:x'])
    expect(values('demo show @alice:x ')).toEqual([])
    expect(values('nope ')).toEqual([])
  })
})

describe('the shell', () => {
  it('runs lines from a stream in one process and exits non-zero when any failed', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40a%3Asynapse.test').reply(200, { name: '@a:synapse.test' })
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40b%3Asynapse.test').reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    const s = await session({ input: '# a comment\ndemo show a\n\ndemo show b\nhelp demo list\n' })
    const shell = new Shell(s, { globals: ['-o', 'minified'] })
    await expect(shell.runStream()).rejects.toMatchObject({ kind: 'partial', message: '1 of 2 commands failed: line 4 (demo show b)' })
    const io = s.io as ReturnType<typeof testIO>
    expect(io.stdout.text).toContain('{"name":"@a:synapse.test"}\n')
    expect(io.stdout.text).toContain('Usage: synadm demo list [OPTIONS]')
    expect(io.stderr.text).toContain('synadm: 404 M_NOT_FOUND: User not found')
  })

  it('pipes the output lines of one command into the next', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'a' }, { name: 'b' }] })
    const s = await session()
    let seen: string[] | undefined
    s.registry.addCommand({ path: 'count', description: 'count piped lines', offline: true, load: async () => (ctx) => ((seen = ctx.stdin), { lines: ctx.stdin?.length }) }, 'test')
    const shell = new Shell(s, { globals: [] })
    expect(await shell.runLine('-o jsonl demo list | -o json count')).toBe(0)
    expect(seen).toEqual(['{"name":"a"}', '{"name":"b"}'])
    expect((s.io as ReturnType<typeof testIO>).stdout.text).toBe('{\n    "lines": 2\n}\n')
  })

  it('refuses -c per line', async () => {
    const s = await session()
    expect(await new Shell(s, { globals: [] }).runLine('-c other.yaml demo list')).toBe(2)
    expect((s.io as ReturnType<typeof testIO>).stderr.text).toContain('chosen when the shell starts')
  })

  it('at a terminal: prompt, Tab completion, errors keep the session, Ctrl-C cancels a slow request', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40x%3Asynapse.test').reply(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users').query(true).delay(5000).reply(200, { users: [] })
    const io = testIO({ interactive: true, env: { XDG_DATA_HOME: `/tmp/synadm-shell-test-${process.pid}` } })
    const s = await createSession([demoPlugin], io)
    const shell = new Shell(s, { globals: [] })
    const done = shell.runInteractive()
    // readline redraws the line with cursor codes; what a person sees is the text without them
    const screen = () => io.stdout.text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    const type = async (text: string, wait = 60) => {
      io.stdin.write(text)
      await new Promise((r) => setTimeout(r, wait))
    }
    await type('')
    expect(screen()).toContain('synadm> ')
    await type('de\t')
    expect(screen()).toContain('synadm> demo ')
    await type('sh\t')
    expect(screen()).toContain('synadm> demo show ')
    await type('x\r', 150)
    expect(io.stderr.text).toContain('synadm: 404 M_NOT_FOUND: User not found')
    await type('demo list\r', 100)
    process.emit('SIGINT')
    await type('', 150)
    expect(io.stderr.text).toContain('synadm: cancelled')
    expect(screen().split('synadm> ').length).toBeGreaterThanOrEqual(4)
    await type('exit\r')
    expect(await done).toBe(0)
  })
})

describe('run context', () => {
  it('expands localparts and rejects what is not a user ID before any request', async () => {
    const s = await session()
    const planned = plan(s, ['demo', 'show', 'x'])
    if (planned.kind !== 'run') throw new Error('expected a run')
    const ctx = contextsFor(s, 'json')(planned.invocation, new AbortController().signal, {})
    expect(await ctx.userId('alice')).toBe('@alice:synapse.test')
    expect(await ctx.userId('@bob:other.org')).toBe('@bob:other.org')
    await expect(ctx.userId('not a user')).rejects.toMatchObject({ kind: 'usage' })
  })
})

describe('completion beyond the cache in the terminal', () => {
  it('a Tab answers from the cache at once; the server values that come in time complete the unchanged line', async () => {
    const users = Array.from({ length: 3000 }, (_, i) => `@u${String(i).padStart(4, '0')}:big.test`)
    const big = definePlugin({
      name: 'big',
      apiVersion: PLUGIN_API_VERSION,
      setup(ctx) {
        ctx.completionSource('user_id', async () => ({
          fetch: async () => ({ values: users.slice(0, 1000), partial: true }),
          search: async (_api: unknown, prefix: string) => {
            await new Promise((done) => setTimeout(done, 30))
            return users.filter((u) => u.includes(prefix))
          },
        }))
        ctx.command({ path: 'who', description: 'a user', args: '<user_id>', argInfo: { user_id: { complete: 'user_id', id: 'user' } }, load: async () => () => 'x' })
      },
    })
    const s = await createSession([big], testIO())
    const cache = new CompletionCache(join(mkdtempSync(join(tmpdir(), 'synadm-late-')), 'c.json'))
    const shell = new Shell(s, { globals: [], cache })
    await shell.completion.refresh('user_id')
    const editor = new LineEditor({ complete: (before) => shell.completer(before), hint: () => undefined })
    const input = new PassThrough()
    const output = Object.assign(new PassThrough(), { columns: 120 })
    const terminal = new TerminalEditor(editor, input as never, output as never, { interrupt: '' })
    shell.lateCompletion = (before) => terminal.tabAgain(before)
    void terminal.read('synadm> ')
    input.write('who @u2999')
    await new Promise((done) => setTimeout(done, 10))
    input.write('\t')
    await new Promise((done) => setImmediate(done))
    // Nothing cached matches: the Tab answered at once, leaving the line as typed.
    expect(editor.line).toBe('who @u2999')
    for (let i = 0; i < 100 && editor.line === 'who @u2999'; i++) await new Promise((done) => setTimeout(done, 20))
    expect(editor.line).toBe('who @u2999:big.test ')
    // A line that changed meanwhile is left alone.
    input.write('\x15who @u2998')
    input.write('\t')
    input.write('x')
    await new Promise((done) => setTimeout(done, 300))
    expect(editor.line).toBe('who @u2998x')
  })
})
