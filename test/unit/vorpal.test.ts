// Vorpal extensions run unmodified: vorpal-grep, vorpal-repl (with vorpal-autocomplete-fs inside grep) from npm,
// the example extension, and small fixtures for the details of vorpal's contract.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { complete } from '../../core/shell/completion.js'
import { Shell } from '../../core/shell/shell.js'
import { TEST_BASE_URL } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'
import { createChalk } from '../../core/vorpal/chalk.js'
import { extensionName } from '../../core/vorpal/index.js'
import { configured, examples } from './configured.js'

const versionPath = '/_synapse/admin/v1/server_version'
const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

// Prints what the action got, so tests can read vorpal's args as an extension sees them.
const ECHO_ARGS = `module.exports = function (vorpal) {
  vorpal.command('show <first> [rest...]', 'print args')
    .option('-l, --line-count <n>', 'a number')
    .option('-q, --quiet', 'a switch')
    .option('-s, --no-messages', 'negated, with a short flag')
    .option('--no-color', 'negated')
    .option('-m, --max [num]', 'optional value')
    .types({ string: ['first'] })
    .action(function (args, cb) { this.log(JSON.stringify(args)); cb() })
  vorpal.command('loose', 'unknown options allowed').allowUnknownOptions()
    .action(function (args, cb) { this.log(JSON.stringify(args.options)); cb() })
}
`

const CONTRACT = `module.exports = function (vorpal) {
  const seen = (vorpal.api.seen = [])
  vorpal.on('command_registered', (e) => seen.push('registered ' + e.name))
  vorpal.on('client_command_executed', (e) => seen.push('executed ' + e.command))
  vorpal.on('client_command_error', (e) => seen.push('error ' + e.command))
  vorpal.on('mode_exit', () => seen.push('mode_exit'))
  vorpal.command('count', 'one line per call').action(function (args, cb) { this.log(JSON.stringify(args.stdin)); cb() })
  vorpal.command('quiet', 'prints nothing').action(function (args, cb) { cb() })
  vorpal.command('lines', 'one record of two lines').action(function (args, cb) { this.log('a\\nb'); cb() })
  vorpal.command('fails', 'calls back an error').action(function (args, cb) { cb(new Error('it broke')) })
  vorpal.command('rejects', 'rejects').action(() => Promise.reject(new Error('no luck')))
  vorpal.command('sync', 'no callback, no promise').action(function () { this.log('done') })
  vorpal.command('checked <n>', 'validated').validate((args) => (args.n > 5 ? true : 'n must be more than 5')).action(function (args, cb) { this.log('ok ' + args.n); cb() })
  let cancelled = false
  vorpal.command('wait', 'runs until cancelled').cancel(function () { cancelled = true }).action(function () { return new Promise(() => {}) })
  vorpal.command('cancelled', 'was wait cancelled?').action(function (args, cb) { this.log(String(cancelled)); cb() })
  vorpal.command('found', 'vorpal.find').action(function (args, cb) { this.log(vorpal.find('count')._description); cb() })
  vorpal.command('drawn', 'ui').action(function (args, cb) {
    vorpal.ui.redraw('frame 1'); vorpal.ui.redraw('frame 2'); vorpal.ui.redraw.done()
    this.log(String(vorpal.ui._activePrompt) + ' ' + vorpal.ui.input() + '|' + this.delimiter())
    cb()
  })
  vorpal.command('seen', 'events so far').action(function (args, cb) { this.log(seen.join(', ')); cb() })
  vorpal.mode('shout', 'upper-cases lines').delimiter('shout:').action(function (line, cb) {
    if (line === 'bad') return cb(new Error('bad line'))
    this.delimiter('SHOUT:')
    this.log(line.toUpperCase()); cb()
  })
  setTimeout(() => vorpal.command('late', 'registered after load').action(function (args, cb) { this.log('late'); cb() }), 0)
}
`

describe('vorpal extensions from npm, unmodified', () => {
  it('vorpal-grep: searches files, with its options keyed as vorpal does', async () => {
    const s = await configured(['vorpal-grep'], { files: { 'notes.txt': 'alpha\nBeta\ngamma beta\n' } })
    expect(s.io.stderr.text).toBe('')
    const file = join(s.dir, 'notes.txt')
    expect(await s.run(['grep', 'beta', file])).toMatchObject({ code: 0, stdout: 'gamma beta\n' })
    expect((await s.run(['grep', '-i', '-n', 'beta', file])).stdout).toBe('2:Beta\n3:gamma beta\n')
    // grep's own quirk: the empty string after the last newline is a line too
    expect((await s.run(['grep', '-v', 'beta', file])).stdout).toBe('alpha\nBeta\n\n')
    // -h is grep's --no-filename, so help is --help only
    const help = await s.run(['grep', '--help'])
    expect(help.stdout).toContain('-h, --no-filename')
    expect(help.stdout).toMatch(/^ {2}--help +show this message/m)
    const missing = await s.run(['grep'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("Missing argument 'PATTERN'")
  })

  it('vorpal-grep filters what a synadm command prints, line by line, in the shell', async () => {
    const s = await configured(['vorpal-grep'], { builtins: [server] })
    api().get(versionPath).times(2).reply(200, { server_version: '1.160.0', python_version: '3.13.1' })
    const result = await s.shell('-o json version | grep server')
    expect(result).toMatchObject({ codes: [0], stdout: '    "server_version": "1.160.0",\n', stderr: '' })
    expect((await s.shell('-o yaml version | grep -v server')).stdout).toBe('python_version: 3.13.1\n')
  })

  it('vorpal-repl: repl evaluates lines until exit; the prompt shows the mode', async () => {
    const s = await configured(['vorpal-repl'])
    const shell = new Shell(s.session, { globals: [] })
    expect(await shell.runLine('repl')).toBe(0)
    expect(shell.prompt()).toBe('synadm repl: ')
    expect(await shell.runLine('1+1')).toBe(0)
    expect(await shell.runLine('[1, 2].map((n) => n * 3).join(" ")')).toBe(0)
    expect(await shell.runLine('exit')).toBe(0)
    expect(shell.prompt()).toBe('synadm> ')
    expect(s.io.stdout.text).toBe("Entering REPL Mode. To exit, type 'exit'\n2\n3 6\n")
    expect(await shell.runLine('plugins list | repl')).toBe(0)
    expect(await shell.runLine('exit')).toBe(0)
  })

  it('vorpal-autocomplete-fs completes grep file arguments through the completion engine and the shell', async () => {
    const s = await configured(['vorpal-grep'])
    mkdirSync(join(s.dir, 'logs'))
    writeFileSync(join(s.dir, 'logs', 'alpha.txt'), '')
    writeFileSync(join(s.dir, 'logs', 'beta.log'), '')
    const cwd = process.cwd()
    process.chdir(s.dir)
    try {
      const { registry } = s.session
      expect(complete(registry, 'grep foo logs/').candidates.map((c) => c.value)).toEqual(['logs/alpha.txt', 'logs/beta.log'])
      expect(complete(registry, 'grep foo logs/b').candidates.map((c) => c.value)).toEqual(['logs/beta.log'])
      expect(complete(registry, 'grep foo lo').candidates.map((c) => c.value)).toEqual(['logs/'])
      const shell = new Shell(s.session, { globals: [] })
      expect(await shell.completer('version | grep x logs/al')).toEqual([['logs/alpha.txt '], 'logs/al'])
      // a folder is completed without a space, to go on in it
      expect(await shell.completer('grep x lo')).toEqual([['logs/'], 'lo'])
      expect(await shell.completer('grep --ig')).toEqual([['--ignore-case '], '--ig'])
    } finally {
      process.chdir(cwd)
    }
  })
})

describe('the vorpal contract', () => {
  it('Command.help(fn) runs fn on --help, as vorpal does; after(fn) is accepted and, as in vorpal, never called', async () => {
    const HELPED = `module.exports = function (vorpal) {
      vorpal.command('helped <name>', 'has its own help')
        .help(function (args, cb) { this.log('custom help for helped'); cb() })
        .after(function () { throw new Error('vorpal never calls after()') })
        .action(function (args, cb) { this.log('hello ' + args.name); cb() })
    }
    `
    const s = await configured(['./helped.cjs'], { files: { 'helped.cjs': HELPED } })
    expect(await s.run(['helped', '--help'])).toMatchObject({ code: 0, stdout: 'custom help for helped\n' })
    expect(await s.run(['helped', 'you'])).toMatchObject({ code: 0, stdout: 'hello you\n' })
  })

  it('maps args as vorpal: kebab long names, negated switches, numbers, variadics, types, unknown options', async () => {
    const s = await configured(['./show.cjs'], { files: { 'show.cjs': ECHO_ARGS } })
    const args = async (...argv: string[]) => JSON.parse((await s.run(argv)).stdout)
    expect(await args('show', '007', 'x', '12', '--line-count', '10', '-q')).toEqual({ options: { 'line-count': 10, quiet: true }, first: '007', rest: ['x', 12] })
    // --no-x given is false; absent it is left out (vorpal gives no default)
    expect(await args('show', 'a', '-s', '--no-color')).toEqual({ options: { messages: false, color: false }, first: 'a' })
    expect(await args('show', 'a', '-m')).toEqual({ options: { max: true }, first: 'a' })
    expect(await args('show', 'a', '--max', '3')).toEqual({ options: { max: 3 }, first: 'a' })
    expect(await args('loose', '--colour=red', '--dry-run')).toEqual({ colour: 'red', 'dry-run': true })
    expect((await s.run(['show', 'a', '--nope'])).code).toBe(2)
  })

  it('pipes: the next command runs once per record; a log call is one record, a synadm line is one', async () => {
    const s = await configured(['./contract.cjs', [join(examples, 'vorpal-hello', 'index.js'), { greeting: 'Hi' }]], { builtins: [server], files: { 'contract.cjs': CONTRACT } })
    expect((await s.shell('say -r 3 hey | count')).stdout).toBe('["hey"]\n["hey"]\n["hey"]\n')
    expect((await s.shell('lines | count')).stdout).toBe('["a\\nb"]\n')
    api().get(versionPath).reply(200, { server_version: '1.160.0', python_version: '3.13.1' })
    expect((await s.shell('-o yaml version | count')).stdout).toBe('["python_version: 3.13.1"]\n["server_version: 1.160.0"]\n')
    expect((await s.shell('say -r 2 abc | reverse | count')).stdout).toBe('["cba"]\n["cba"]\n')
    // nothing printed upstream: the next command does not run
    expect(await s.shell('quiet | count')).toMatchObject({ codes: [0], stdout: '' })
    expect((await s.shell('seen')).stdout).toMatch(/executed count/)
  })

  it('callbacks, promises, validation and cancelling give synadm exit codes and one stderr line', async () => {
    const s = await configured(['./contract.cjs'], { files: { 'contract.cjs': CONTRACT } })
    expect(await s.run(['fails'])).toEqual({ code: 1, stdout: '', stderr: 'synadm: it broke\n' })
    expect(await s.run(['rejects'])).toEqual({ code: 1, stdout: '', stderr: 'synadm: no luck\n' })
    expect(await s.run(['sync'])).toEqual({ code: 0, stdout: 'done\n', stderr: '' })
    expect(await s.run(['checked', '3'])).toEqual({ code: 2, stdout: '', stderr: 'synadm: n must be more than 5\n' })
    expect((await s.run(['checked', '9'])).stdout).toBe('ok 9\n')
    const controller = new AbortController()
    const shell = new Shell(s.session, { globals: [] })
    const waiting = shell.runLine('wait', controller.signal)
    setTimeout(() => controller.abort(), 20)
    expect(await waiting).toBe(130)
    expect((await s.shell('cancelled')).stdout).toBe('true\n')
    expect((await s.shell('seen')).stdout).toMatch(/^registered count, registered quiet, registered lines, .*error fails, error rejects, .*executed sync/)
  })

  it('modes take raw lines until exit; errors in a mode leave it on', async () => {
    const s = await configured(['./contract.cjs'], { files: { 'contract.cjs': CONTRACT } })
    const shell = new Shell(s.session, { globals: [] })
    await shell.runLine('shout')
    expect(shell.prompt()).toBe('synadm shout: ')
    expect(await shell.runLine('hello | there')).toBe(0)
    expect(shell.prompt()).toBe('synadm SHOUT: ')
    expect(await shell.runLine('bad')).toBe(1)
    expect(s.session.mode).toBeDefined()
    await shell.runLine('exit')
    expect(s.session.mode).toBeUndefined()
    expect(s.io.stdout.text).toBe('HELLO | THERE\n')
    expect(s.io.stderr.text).toBe('synadm: bad line\n')
    expect((await s.shell('seen')).stdout).toContain('mode_exit')
  })

  it('offers find, ui, commands declared after load, and the shell prompt as delimiter', async () => {
    const s = await configured(['./contract.cjs'], { files: { 'contract.cjs': CONTRACT } })
    expect((await s.run(['found'])).stdout).toBe('one line per call\n')
    expect((await s.run(['drawn'])).stdout).toBe('frame 1\nframe 2\nundefined |synadm>\n')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect((await s.run(['late'])).stdout).toBe('late\n')
  })

  it('exec runs synadm lines; localStorage persists under the data folder', async () => {
    const s = await configured([join(examples, 'vorpal-hello', 'index.js')], { builtins: [server] })
    api().get(versionPath).times(2).reply(200, { server_version: '1.160.0' })
    // the lines run as typed in the shell: the session's format (json here), their own options after `--`
    expect((await s.run(['twice', 'version'])).stdout).toBe('{\n    "server_version": "1.160.0"\n}\n'.repeat(2))
    api().get(versionPath).times(2).reply(200, { server_version: '1.160.0' })
    expect((await s.run(['twice', '--', '-o', 'minified', 'version'])).stdout).toBe('{"server_version":"1.160.0"}\n'.repeat(2))
    expect((await s.run(['counter'])).stdout).toBe('run 1\n')
    expect((await s.run(['counter'])).stdout).toBe('run 2\n')
    expect(JSON.parse(readFileSync(join(s.dir, 'data', 'synadm', 'vorpal', 'vorpal-hello.json'), 'utf8'))).toEqual({ runs: '2' })
  })

  it('this.prompt asks through synadm prompts, and refuses without a terminal', async () => {
    const batch = await configured([join(examples, 'vorpal-hello', 'index.js')])
    expect(await batch.run(['greet'])).toEqual({ code: 2, stdout: '', stderr: 'synadm: greet asks questions: run it in a terminal, without --batch\n' })

    const s = await configured([[join(examples, 'vorpal-hello', 'index.js'), { greeting: 'Hi' }]], { interactive: true })
    const answered = s.run(['greet'])
    const type = (keys: string) => new Promise<void>((resolve) => setTimeout(() => resolve(void s.io.stdin.write(keys)), 50))
    await type('\r') // empty: the validate message, then a name
    await type('Ada\r')
    await type('y')
    await type('\r')
    const result = await answered
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('HI, ADA!\n')
    expect(result.stderr).toContain('a name, please')
  })
})

const QUESTIONS = `module.exports = function (vorpal) {
  vorpal.command('pick', 'every kind of question').action(function (args, cb) {
    this.prompt([
      { type: 'list', name: 'size', message: 'Size?', choices: ['small', { name: 'Large', value: 'L' }, { type: 'separator' }], default: 'small' },
      { type: 'checkbox', name: 'toppings', message: 'Toppings?', choices: [{ name: 'cheese', checked: true }, 'olives', 'basil'] },
      { type: 'password', name: 'secret', message: 'Secret?' },
      { type: 'input', name: 'note', message: 'Note?', when: (answers) => answers.size === 'small', filter: (v) => v.toUpperCase() },
    ], (answers) => { this.log(JSON.stringify(answers)); cb() })
  })
}
`

describe('this.prompt question types', () => {
  it('maps list, checkbox, password, when and filter onto synadm prompts', async () => {
    const s = await configured(['./questions.cjs'], { interactive: true, files: { 'questions.cjs': QUESTIONS } })
    const answered = s.run(['pick'])
    const down = '\u001b[B'
    for (const keys of [down + '\r', down + ' ' + down + ' \r', 's3cret\r']) await new Promise((resolve) => setTimeout(() => resolve(s.io.stdin.write(keys)), 60))
    const result = await answered
    expect(result.code).toBe(0)
    // Large was picked, so `when` skipped the note
    expect(JSON.parse(result.stdout)).toEqual({ size: 'L', toppings: ['cheese', 'olives', 'basil'], secret: 's3cret' })
  })
})

describe('vorpal.chalk', () => {
  it('colours like chalk 1, nested and chained, or not at all when disabled', () => {
    const chalk = createChalk(true)
    expect(chalk.red('x')).toBe('\u001b[31mx\u001b[39m')
    expect(chalk.bold.red('x', 'y')).toBe('\u001b[1m\u001b[31mx y\u001b[39m\u001b[22m')
    expect(chalk.red(`a ${chalk.blue('b')} c`)).toBe('\u001b[31ma \u001b[34mb\u001b[39m\u001b[31m c\u001b[39m')
    expect(chalk.stripColor(chalk.green.inverse('ok'))).toBe('ok')
    chalk.enabled = false
    expect(chalk.magenta('plain')).toBe('plain')
    expect(createChalk(false).cyan(3)).toBe('3')
  })
})

describe('plugin names of extensions', () => {
  it('takes a package name as given, a file by its name, an index file by its folder', () => {
    expect(extensionName('vorpal-grep')).toBe('vorpal-grep')
    expect(extensionName('./examples/vorpal-hello/index.js')).toBe('vorpal-hello')
    expect(extensionName('/opt/tools/shout.cjs')).toBe('shout')
  })
})
