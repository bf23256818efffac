// Messages that say which way (issue 25), in a real terminal (tmux; no Synapse needed): help wrapped to the
// terminal and paged, Ctrl-C leaving the typed line on screen, hints and Tab that follow the grammar, and the
// configurator drawing each question once, without a Node warning among them.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { answerConfigurator } from '../configurator.js'
import { repoRoot } from '../synapse/server.mjs'
import { hasTmux, sleep, tmux } from './tmux.js'

const { on: tmuxOn, screen, keys, until, kill } = tmux('synadm-messages')
const sessions = new Set<string>()
const type = (session: string, text: string) => keys(session, '-l', '--', text)
const WIDTH = 72

/** synadm in a WIDTH×24 terminal with a fresh home (a server that is not there: nothing here asks it). */
function open(session: string, args: string[] = ['shell'], extra: Record<string, string> = {}) {
  sessions.add(session)
  const dir = mkdtempSync(join(tmpdir(), 'synadm-messages-'))
  const env = {
    HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), TERM: 'xterm-256color',
    LANG: 'C.UTF-8', PATH: process.env.PATH ?? '/usr/bin:/bin', SYNADM_USER: '@admin:example.org', SYNADM_BASE_URL: 'http://127.0.0.1:9', SYNADM_TOKEN: 'token',
    // Node's warnings go to a file: one printed among the prompts would be erased by their redrawing
    NODE_OPTIONS: `--redirect-warnings=${join(dir, 'warnings.txt')}`,
    ...extra,
  }
  tmuxOn(session, 'new-session', '-d', '-s', session, '-x', String(WIDTH), '-y', '24', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'sh', '-c', `"$@"; echo "exit=$?"; sleep 60`, 'sh', process.execPath, join(repoRoot, 'bin/synadm.js'), ...args)
  return dir
}

/** The screen with the rows a long line wrapped onto joined again: what the program wrote, line by line. */
const joined = (session: string) => tmuxOn(session, 'capture-pane', '-p', '-J', '-t', session)

describe.skipIf(!hasTmux)('messages in a terminal', () => {
  afterAll(() => {
    for (const session of sessions) kill(session)
  })

  it('help is paged and wrapped to the terminal: no line wider than the screen, rows under their column', async () => {
    open('help')
    await until('help', /synadm>\s*$/m, 20_000)
    type('help', 'help\n')
    // less waits at the end of the first screen: the help is taller than the terminal
    await until('help', /^:\s*$/m)
    const page = joined('help')
    expect(page.split('\n').filter((line) => line.length > WIDTH)).toEqual([])
    keys('help', 'q')
    await until('help', /synadm>\s*$/m)
    type('help', 'user list -h\n')
    await until('help', /^:\s*$/m)
    expect(joined('help').split('\n').filter((line) => line.length > WIDTH)).toEqual([])
    // a wrapped description goes on under its own column
    expect(joined('help')).toMatch(/^ {2}--sort-by <field>\s+sort by this field \(name,.*\n {4,}\S/m)
    keys('help', 'q')
    await until('help', /synadm>\s*$/m)
  })

  it('Ctrl-C at the prompt leaves the typed line on screen with ^C, as bash does', async () => {
    open('ctrlc')
    await until('ctrlc', /synadm>\s*$/m, 20_000)
    type('ctrlc', 'user details al')
    keys('ctrlc', 'C-c')
    const shown = await until('ctrlc', /synadm> user details al\^C\nsynadm>\s*$/m)
    expect(shown).not.toMatch(/\(type exit/)
    keys('ctrlc', 'C-c')
    await until('ctrlc', /synadm> \^C\n\(type exit or press Ctrl-D to leave\)\nsynadm>\s*$/m)
    type('ctrlc', 'exit\n')
  })

  it('Tab after --sort-by offers the fields -h lists; after USER_ID the hint offers no --targets', async () => {
    open('tab')
    await until('tab', /synadm>\s*$/m, 20_000)
    type('tab', 'user list --sort-by ')
    keys('tab', 'Tab')
    await sleep(200)
    keys('tab', 'Tab')
    const fields = await until('tab', /last_seen_ts/)
    expect(fields).toMatch(/shadow_banned/)
    keys('tab', 'C-u')
    type('tab', 'user shadow-ban ')
    await until('tab', /synadm> user shadow-ban USER_ID .*--targets/)
    type('tab', '@spam:example.org ')
    const hinted = await until('tab', /synadm> user shadow-ban @spam:example\.org \[-u\]/)
    expect(hinted).not.toMatch(/--targets/)
    keys('tab', 'C-u')
    type('tab', 'exit\n')
  })

  it('the configurator of a profile draws each question once, asks about production, and Node never warns', async () => {
    const dir = open('config', ['config', '-S', 'staging'])
    const answer = async (question: RegExp, typed = '') => {
      await until('config', question, 20_000)
      if (typed) type('config', typed)
      keys('config', 'Enter')
    }
    await answerConfigurator(answer, { user: '@admin:example.org', token: 'secret-token', baseUrl: 'http://127.0.0.1:9', production: true })
    await until('config', /exit=0/)
    const text = tmuxOn('config', 'capture-pane', '-p', '-J', '-S', '-200', '-t', 'config')
    for (const question of ['Verify TLS certificates?', 'Is staging a production server?', 'Running configurator']) {
      expect(text.split(question).length - 1, question).toBe(1)
    }
    expect(text).not.toContain('secret-token')
    let warnings = ''
    try {
      warnings = readFileSync(join(dir, 'warnings.txt'), 'utf8')
    } catch {
      // no file: no warning
    }
    expect(warnings).toBe('')
    expect(readFileSync(join(dir, 'config', 'synadm', 'servers', 'staging.yaml'), 'utf8')).toContain('production: true')
  })
})
