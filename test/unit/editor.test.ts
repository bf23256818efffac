// The shell's line editor without a terminal: Ctrl-R, ↑ by prefix, suggestions, hints, Tab; history redaction;
// watch's words; the pager's choice and its hold-back stream.
import { Writable } from 'node:stream'
import nock from 'nock'
import { describe, expect, it } from 'vitest'
import { hint } from '../../core/shell/completion.js'
import { plan } from '../../core/execute/executor.js'
import { LineEditor, type EditorServices, type Key } from '../../core/shell/editor.js'
import { redactSecrets } from '../../core/shell/shell-history.js'
import { createSession } from '../../core/app/start.js'
import { PagedOutput, pagerCommand } from '../../core/output/pager.js'
import { parseWatch, Shell } from '../../core/shell/shell.js'
import { testIO, TEST_BASE_URL } from '../../core/app/in-process.js'
import { shellHelp } from '../../core/cli/help.js'
import { demoPlugin } from './fixtures/demo-plugin.js'

const none: EditorServices = { complete: () => [[], ''], hint: () => undefined }
/** types text, then the named keys ('C-r' = Ctrl-R, 'M-b' = Alt-B) */
function type(editor: LineEditor, text: string, ...keys: string[]) {
  const events = []
  for (const ch of text) events.push(editor.press({ name: /[a-z]/.test(ch) ? ch : undefined, sequence: ch }, ch))
  for (const k of keys) {
    const key: Key = k.startsWith('C-') ? { name: k.slice(2), ctrl: true } : k.startsWith('M-') ? { name: k.slice(2), meta: true } : { name: k }
    events.push(editor.press(key))
  }
  return events.filter(Boolean)
}
const history = ['user list -l 5', 'room list', 'user details @bob:x', 'version', 'user list -l 100']

describe('Ctrl-R reverse search', () => {
  it('narrows as you type, goes older with Ctrl-R, and Enter runs the match', () => {
    const editor = new LineEditor(none, { history })
    type(editor, '', 'C-r')
    type(editor, 'user')
    expect(editor.view()).toMatchObject({ line: 'user list -l 5', search: { query: 'user', failed: false } })
    type(editor, '', 'C-r')
    expect(editor.line).toBe('user details @bob:x')
    type(editor, '', 'C-r')
    expect(editor.line).toBe('user list -l 100')
    type(editor, '', 'C-r')
    expect(editor.view().search?.failed).toBe(true)
    expect(editor.line).toBe('user list -l 100')
    expect(type(editor, '', 'return')).toEqual([{ type: 'submit', line: 'user list -l 100' }])
    expect(editor.line).toBe('')
  })

  it('Esc and Ctrl-G give the typed line back; an unknown query fails', () => {
    for (const giveBack of ['escape', 'C-g']) {
      const editor = new LineEditor(none, { history })
      type(editor, 'room ', 'C-r')
      type(editor, 'details')
      expect(editor.line).toBe('user details @bob:x')
      type(editor, '', giveBack)
      expect(editor.view()).toMatchObject({ line: 'room ', cursor: 5 })
      expect(editor.view().search).toBeUndefined()
    }
    const editor = new LineEditor(none, { history })
    type(editor, '', 'C-r')
    type(editor, 'nothing-like-this')
    expect(editor.view().search).toEqual({ query: 'nothing-like-this', failed: true })
  })

  it('another key ends the search with the match and does its job', () => {
    const editor = new LineEditor(none, { history })
    type(editor, '', 'C-r')
    type(editor, 'room', 'end')
    expect(editor.view()).toMatchObject({ line: 'room list', cursor: 9 })
    expect(editor.view().search).toBeUndefined()
  })
})

describe('↑ and ↓', () => {
  it('walk only the lines that start with what was typed, and ↓ comes back to it', () => {
    const editor = new LineEditor(none, { history })
    type(editor, 'user l', 'up')
    expect(editor.line).toBe('user list -l 5')
    type(editor, '', 'up')
    expect(editor.line).toBe('user list -l 100')
    type(editor, '', 'up')
    expect(editor.line).toBe('user list -l 100')
    type(editor, '', 'down', 'down')
    expect(editor.line).toBe('user l')
  })

  it('walk all lines from an empty line', () => {
    const editor = new LineEditor(none, { history })
    type(editor, '', 'up', 'up')
    expect(editor.line).toBe('room list')
  })
})

describe('suggestions and hints', () => {
  it('suggest the rest of the newest matching history line; → takes it; never part of the line', () => {
    const editor = new LineEditor(none, { history })
    type(editor, 'user li')
    expect(editor.view()).toEqual({ line: 'user li', cursor: 7, ghost: 'st -l 5', ghostKind: 'suggestion' })
    expect(type(editor, '', 'return')).toEqual([{ type: 'submit', line: 'user li' }])
    type(editor, 'user li', 'right')
    expect(editor.line).toBe('user list -l 5')
    expect(editor.view().ghost).toBeUndefined()
  })

  it('show the hint when no history line matches, only at the end of the line', () => {
    const editor = new LineEditor({ ...none, hint: (line) => (line === 'demo list ' ? '[-f FROM] [-l LIMIT]' : undefined) }, { history })
    type(editor, 'demo list ')
    expect(editor.view()).toMatchObject({ ghost: '[-f FROM] [-l LIMIT]', ghostKind: 'hint' })
    type(editor, '', 'left')
    expect(editor.view().ghost).toBeUndefined()
  })

  it('are off for a dumb terminal or NO_COLOR (ghosts: false)', () => {
    const editor = new LineEditor({ ...none, hint: () => 'X' }, { history, ghosts: false })
    type(editor, 'user li', 'right')
    expect(editor.view()).toEqual({ line: 'user li', cursor: 7 })
  })

  it('say what a command takes next, from its declaration', async () => {
    const { registry } = await createSession([demoPlugin], testIO())
    expect(hint(registry, 'demo list ')).toBe('[-f FROM] [-l LIMIT] [-o ORDER] [--all] [--where WHERE]')
    expect(hint(registry, 'demo list -l 5 ')).toBe('[-f FROM] [-o ORDER] [--all] [--where WHERE]')
    expect(hint(registry, 'demo list -l ')).toBe('LIMIT')
    expect(hint(registry, 'demo show ')).toBe('USER_ID')
    expect(hint(registry, 'demo show @a:b ')).toBeUndefined()
    expect(hint(registry, 'demo ')).toBeUndefined()
    expect(hint(registry, 'demo list -l 5')).toBeUndefined()
    expect(hint(registry, 'nope ')).toBeUndefined()
  })
})

describe('editing and Tab', () => {
  it('moves by words, kills, and Ctrl-D leaves only on an empty line', () => {
    const editor = new LineEditor(none)
    type(editor, 'user list -l 5', 'M-b', 'M-b')
    expect(editor.cursor).toBe(10)
    type(editor, '', 'C-k')
    expect(editor.line).toBe('user list ')
    type(editor, '', 'C-w')
    expect(editor.line).toBe('user ')
    expect(type(editor, '', 'C-a', 'C-d')).toEqual([])
    expect(editor.line).toBe('ser ')
    expect(type(editor, '', 'C-a', 'C-k', 'C-d')).toEqual([{ type: 'eof' }])
    expect(type(editor, 'x', 'C-c')).toEqual([{ type: 'interrupt', hadText: true, line: 'x' }])
    expect(type(editor, '', 'C-l', 'C-c')).toEqual([{ type: 'clear-screen' }, { type: 'interrupt', hadText: false, line: '' }])
  })

  it('completes a unique word, a common prefix, and lists choices on the second Tab', () => {
    const words = ['list', 'login', 'details']
    const editor = new LineEditor({
      ...none,
      complete: (before) => {
        const word = before.split(' ').pop()!
        const values = words.filter((w) => w.startsWith(word))
        return [values.length === 1 ? [values[0] + ' '] : values, word]
      },
    })
    type(editor, 'user d', 'tab')
    expect(editor.line).toBe('user details ')
    const other = new LineEditor(editor['services'])
    expect(type(other, 'user l', 'tab')).toEqual([])
    expect(other.line).toBe('user l')
    expect(type(other, '', 'tab')).toEqual([{ type: 'choices', values: ['list', 'login'] }])
  })
})

describe('history without secrets', () => {
  it('redacts the values of password and token options, long, short and with =', async () => {
    const { registry } = await createSession([demoPlugin], testIO())
    expect(redactSecrets(registry, 'user modify @a:b --password hunter2 -d x')).toBe('user modify @a:b --password *** -d x')
    expect(redactSecrets(registry, 'config --token=syt_abc')).toBe('config --token=***')
    expect(redactSecrets(registry, "raw --access-token 'a b' | grep x")).toBe('raw --access-token *** | grep x')
    expect(redactSecrets(registry, 'config --token-file /tmp/t')).toBe('config --token-file /tmp/t')
    expect(redactSecrets(registry, 'demo list -l 5')).toBe('demo list -l 5')
  })

  it("knows a command's short switch for a secret from its declaration", async () => {
    const { registry } = await createSession([demoPlugin, { name: 'login', apiVersion: 1, setup: (ctx) => ctx.command({ path: 'login', description: 'd', options: [{ flags: '-p, --password <pw>', description: 'p' }], load: async () => () => undefined }) }], testIO())
    expect(redactSecrets(registry, 'login -p s3cret')).toBe('login -p ***')
  })
})

describe('watch', () => {
  it('takes -n SECONDS and the command line, and refuses a bad interval', () => {
    expect(parseWatch('watch -n 1 user list -l 5 | grep x')).toEqual({ seconds: 1, command: 'user list -l 5 | grep x' })
    expect(parseWatch('watch room delete-status abc')).toEqual({ seconds: 2, command: 'room delete-status abc' })
    expect(parseWatch('watch -n0.5 version')).toEqual({ seconds: 0.5, command: 'version' })
    expect(parseWatch('watch')).toBeUndefined()
    expect(() => parseWatch('watch -n x version')).toThrow(/-n takes seconds/)
  })

  it('completes and hints the watched command', async () => {
    const session = await createSession([demoPlugin], testIO())
    const shell = new Shell(session, { globals: [] })
    expect(shell.completer('watch -n 1 demo l')).toEqual([['list '], 'l'])
    expect(shell.hint('watch -n 1 demo show ')).toBe('USER_ID')
    expect(shell.completer('wat')).toEqual([['watch '], 'wat'])
  })
})

describe("the shell's own commands and help", () => {
  it('timing prints durations, history lists lines, watch needs a terminal', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40a%3Asynapse.test').reply(200, { name: '@a:synapse.test' })
    const s = await createSession([demoPlugin], testIO({ input: 'timing on\ndemo show a\ntiming off\nhistory 2\nwatch -n 1 demo show a\n' }))
    const shell = new Shell(s, { globals: ['-o', 'minified'] })
    await expect(shell.runStream()).rejects.toMatchObject({ kind: 'partial' })
    const io = s.io as ReturnType<typeof testIO>
    expect(io.stderr.text).toMatch(/^Timing is on\.\nTime: \d+\.\d ms\nTiming is off\.\n/)
    expect(io.stderr.text).toContain('synadm: watch runs in the shell at a terminal (Ctrl-C ends it)')
    expect(io.stdout.text).toBe('{"name":"@a:synapse.test"}\n')
  })

  it("a plugin's command under a shell command's name runs: `history purge` is not the shell's history", async () => {
    const s = await createSession([demoPlugin], testIO({ input: 'history purge now\nhistory 1\n' }))
    s.registry.addCommand({ path: 'history purge', description: 'purge', args: '<when>', load: async () => (ctx) => ({ purged: ctx.args.when }) }, 'history')
    const shell = new Shell(s, { globals: ['-o', 'minified'] })
    await shell.runStream()
    const io = s.io as ReturnType<typeof testIO>
    expect(io.stdout.text).toMatch(/^\{"purged":"now"\}\n/)
    expect(io.stderr.text).not.toContain('usage: history')
  })

  it('help groups commands by plugin, third-party plugins apart', async () => {
    const s = await createSession([demoPlugin], testIO())
    s.registry.addCommand({ path: 'hello greet', description: 'greet', load: async () => () => undefined }, 'hello')
    s.registry.addCommand({ path: 'demo extra', description: 'an extra demo command', load: async () => () => undefined }, 'hello')
    const text = shellHelp(s.registry, [...s.plugins, { name: 'hello', source: 'synadm-plugin-hello', builtin: false }])
    const builtIn = text.slice(text.indexOf('Commands by plugin:'), text.indexOf('\nThird-party plugins:'))
    const third = text.slice(text.indexOf('\nThird-party plugins:'), text.indexOf('\nShell:'))
    expect(builtIn).toMatch(/^ {2}demo:\n {4}demo +commands for core tests$/m)
    expect(builtIn).not.toContain('hello')
    expect(third).toContain('  hello (synadm-plugin-hello):\n')
    expect(third).toMatch(/^ {4}hello greet +greet$/m)
    expect(third).toMatch(/^ {4}demo extra +an extra demo command$/m)
    expect(text).toMatch(/^ {2}watch \[-n SECONDS\] COMMAND… +rerun/m)
  })
})

describe('the pager', () => {
  it('is $SYNADM_PAGER, else the setting, else $PAGER; empty, cat or false turn it off', () => {
    expect(pagerCommand({ SYNADM_PAGER: 'most', PAGER: 'less' }, true)).toBe('most')
    expect(pagerCommand({ PAGER: 'less' }, 'bat -p')).toBe('bat -p')
    expect(pagerCommand({ PAGER: 'more' }, true)).toBe('more')
    expect(pagerCommand({ PAGER: 'more' }, false)).toBeUndefined()
    expect(pagerCommand({ PAGER: '' }, true)).toBeUndefined()
    expect(pagerCommand({ SYNADM_PAGER: 'cat', PAGER: 'less' }, true)).toBeUndefined()
    expect(pagerCommand({ PATH: '' }, true)).toBeUndefined()
  })

  it('--no-pager turns it off, before or after the command words', async () => {
    const s = await createSession([demoPlugin], testIO())
    const globals = (words: string[]) => {
      const planned = plan(s, words)
      return planned.kind === 'run' ? planned.invocation.globals.pager : undefined
    }
    expect(globals(['demo', 'list'])).toBe(true)
    expect(globals(['--no-pager', 'demo', 'list'])).toBe(false)
    expect(globals(['demo', 'list', '-l', '5', '--no-pager'])).toBe(false)
  })

  /** a terminal of 10 rows that records what reaches it */
  function terminal() {
    const screen = Object.assign(
      new Writable({
        write(chunk, _e, done) {
          screen.text += chunk.toString()
          done()
        },
      }),
      { text: '', isTTY: true, rows: 10, columns: 40 },
    )
    return screen
  }

  it('writes short output to the terminal and never starts the pager', async () => {
    const screen = terminal()
    const paged = new PagedOutput(screen, 'exit 3', {})
    paged.write('one\ntwo\n')
    await paged.finish()
    expect(screen.text).toBe('one\ntwo\n')
  })

  it('sends output taller than the screen to the pager, counting wrapped lines', async () => {
    const dir = await import('node:fs').then((fs) => fs.mkdtempSync(`${(process.env.TMPDIR ?? '/tmp').replace(/\/$/, '')}/synadm-pager-`))
    const out = `${dir}/paged`
    const screen = terminal()
    const paged = new PagedOutput(screen, `cat > ${out}`, { PATH: process.env.PATH })
    paged.write('x'.repeat(40 * 5) + '\n')
    paged.write('a\nb\nc\nd\ne\n')
    await paged.finish()
    expect(screen.text).toBe('')
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(out, 'utf8')).toBe('x'.repeat(200) + '\na\nb\nc\nd\ne\n')
  })

  it('says so when the pager is quit before the output ended', async () => {
    const screen = terminal()
    const paged = new PagedOutput(screen, 'exit 0', { PATH: process.env.PATH })
    paged.write('line\n'.repeat(20))
    await new Promise<void>((resolve) => paged.quit.addEventListener('abort', () => resolve()))
    paged.write('more\n')
    await paged.finish()
    expect(paged.quit.aborted).toBe(true)
    expect(screen.text).toBe('')
  })

  it('lets a prompt have the terminal: held output goes out first, the rest passes', async () => {
    const screen = terminal()
    const paged = new PagedOutput(screen, 'exit 3', {})
    paged.write('before\n')
    paged.release()
    expect(screen.text).toBe('before\n')
    paged.write('1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n')
    await paged.finish()
    expect(screen.text.split('\n')).toHaveLength(13)
  })
})
