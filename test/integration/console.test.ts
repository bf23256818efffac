// The synadm> shell as an all-day console, in a real terminal (tmux): Ctrl-R, hints, the pager, watch, clear,
// and vorpal-less paging a list until q.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { pluginFolder } from '../unit/configured.js'
import { synapse } from './synapse-info.js'
import { hasTmux, sleep, tmux } from './tmux.js'

const { on: tmuxOn, screen, keys, until, kill } = tmux('synadm-console')
const sessions = new Set<string>()
const type = (session: string, text: string) => keys(session, '-l', '--', text)
const ROWS = 20

/** A fresh home (history, caches) for one terminal; returns its folder. */
function home(): string {
  return mkdtempSync(join(tmpdir(), 'synadm-console-'))
}

/** synadm in a terminal of 100×20 with the given environment; `shellLine` runs instead, through sh. */
function open(session: string, dir: string, options: { env?: Record<string, string>; configFile?: string; shellLine?: string } = {}) {
  sessions.add(session)
  const vars = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), TERM: 'xterm-256color', ...options.env }
  const synadm = [process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', options.configFile ?? synapse().configFile]
  const command = options.shellLine ? ['sh', '-c', options.shellLine, 'sh', ...synadm] : synadm
  tmuxOn(session, 'new-session', '-d', '-s', session, '-x', '100', '-y', String(ROWS), 'env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), ...command)
}

// tmux drops the space after the prompt
const prompt = /synadm>\s*$/m
const minifiedVersion = () => new RegExp(`\\{"server_version":"${synapse().version.replace(/\./g, '\\.')}"\\}`, 'g')

describe.skipIf(!inject('synapse').available || !hasTmux)('the shell as a console, in a terminal', () => {
  beforeAll(() => {
    // The lists below must be taller than the terminal: the harness server has the admin and fixture users.
    expect(existsSync(synapse().configFile)).toBe(true)
  })
  afterAll(() => {
    for (const session of sessions) kill(session)
  })

  it('Ctrl-R finds an earlier command and Enter runs it; history is 0600', async () => {
    const dir = home()
    open('search', dir)
    await until('search', prompt)
    type('search', '-o minified version')
    keys('search', 'Enter')
    await until('search', minifiedVersion())
    type('search', '-o minified user list -l 1')
    keys('search', 'Enter')
    await until('search', /\{"users":/)
    await until('search', prompt)
    keys('search', 'C-r')
    // The newest match first: `minif` finds the user list, Ctrl-R again the version before it.
    type('search', 'minif')
    await until('search', /\(reverse-i-search\)`minif': -o minified user list -l 1/)
    keys('search', 'C-r')
    await until('search', /\(reverse-i-search\)`minif': -o minified version/)
    keys('search', 'Enter')
    await until('search', /synadm> -o minified version\n\{"server_version"/)
    const file = join(dir, 'data', 'synadm', 'history')
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toEqual(['-o minified version', '-o minified user list -l 1', '-o minified version'])
    expect(statSync(file).mode & 0o777).toBe(0o600)
    type('search', 'exit')
    keys('search', 'Enter')
  })

  it('shows a hint after `user list ` that is not part of the submitted line', async () => {
    const dir = home()
    open('hint', dir)
    await until('hint', prompt)
    type('hint', 'user list ')
    const shown = await until('hint', /synadm> user list \[-f FROM\] \[-l LIMIT\]/)
    expect(shown).toMatch(/synadm> user list \[-f FROM\] \[-l LIMIT\]/)
    type('hint', '-o minified -l 1')
    keys('hint', 'Enter')
    await until('hint', /\{"users":\[\{/)
    const submitted = readFileSync(join(dir, 'data', 'synadm', 'history'), 'utf8')
    expect(submitted).toBe('user list -o minified -l 1\n')
    // A dumb terminal gets no hint.
    open('dumb', home(), { env: { TERM: 'dumb' } })
    await until('dumb', prompt)
    type('dumb', 'user list ')
    await until('dumb', /synadm> user list\s*$/m)
    await sleep(300)
    expect(screen('dumb')).not.toContain('[-f FROM]')
  })

  it('pages a long list through $PAGER, not a short one, and never piped output', async () => {
    const dir = home()
    const recorded = join(dir, 'paged')
    const env = { PAGER: `cat >> ${recorded}; echo PAGER-RAN` }
    open('pager', dir, { env })
    await until('pager', prompt)
    type('pager', '-o minified version')
    keys('pager', 'Enter')
    await until('pager', minifiedVersion())
    expect(existsSync(recorded)).toBe(false)
    type('pager', '-o yaml user list -l 100')
    keys('pager', 'Enter')
    await until('pager', /PAGER-RAN\n(.*\n)*synadm>\s*$/m)
    const paged = readFileSync(recorded, 'utf8')
    expect(paged).toContain(`name: '${synapse().adminUserId}'`)
    expect(paged.split('\n').length).toBeGreaterThan(ROWS)
    expect(screen('pager')).not.toContain(synapse().adminUserId)
    // --no-pager: on screen
    type('pager', '--no-pager -o yaml user list -l 100')
    keys('pager', 'Enter')
    await until('pager', /user_type: null\n(.*\n)*synadm>\s*$/)
    expect(readFileSync(recorded, 'utf8')).toBe(paged)

    // One-shot in a terminal pages too; piped, never.
    const out = join(dir, 'piped')
    open('oneshot', dir, { env, shellLine: `"$@" -o yaml user list -l 100; "$@" -o yaml user list -l 100 | cat > ${out}; echo done=$?; sleep 30` })
    await until('oneshot', /done=0/)
    const admin = `name: '${synapse().adminUserId}'`
    expect(readFileSync(recorded, 'utf8').split(admin)).toHaveLength(3)
    expect(readFileSync(out, 'utf8')).toContain(admin)
  })

  it('watch -n 1 redraws at least twice, Ctrl-C returns to the prompt; clear clears', async () => {
    open('watch', home())
    await until('watch', prompt)
    type('watch', 'watch -n 1 -o minified version')
    keys('watch', 'Enter')
    const stamps = new Set<string>()
    const started = Date.now()
    while (stamps.size < 3 && Date.now() - started < 15_000) {
      const text = screen('watch')
      const header = /^Every 1s: -o minified version +(\S+ \S+)$/m.exec(text)
      // Redrawn: the screen starts with the header again, the command's output under it.
      if (header && text.startsWith('Every 1s') && minifiedVersion().test(text)) stamps.add(header[1])
      await sleep(100)
    }
    expect(stamps.size).toBeGreaterThanOrEqual(3)
    keys('watch', 'C-c')
    await until('watch', prompt)
    type('watch', 'clear')
    keys('watch', 'Enter')
    await until('watch', /^synadm>\s*$/)
    expect(screen('watch').trim()).toBe('synadm>')
  })

  it('with vorpal-less configured, `user list -l 60 | less` pages and q returns to the prompt', async () => {
    const folder = await pluginFolder()
    const config = yaml.load(readFileSync(synapse().configFile, 'utf8')) as Record<string, unknown>
    const configFile = join(folder, 'synadm.yaml')
    writeFileSync(configFile, yaml.dump({ ...config, plugins: ['vorpal-less'] }), { mode: 0o600 })
    open('less', home(), { configFile })
    await until('less', prompt)
    type('less', 'user list -l 60 | less')
    keys('less', 'Enter')
    // less's screen: the list's first lines at the top, its ':' prompt on the last line, no synadm> prompt.
    const paged = await until('less', /^\{\n(.*\n)*:\s*$/)
    expect(paged).not.toMatch(prompt)
    keys('less', 'G')
    await until('less', /^END\s*$/m)
    keys('less', 'q')
    await until('less', prompt)
    expect(screen('less')).not.toMatch(/^(:|END)\s*$/m)
    type('less', '-o minified version')
    keys('less', 'Enter')
    await until('less', minifiedVersion())
  })
})
