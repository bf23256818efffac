// The terminal leg of the fault suite, and typed-ahead lines: the synadm> shell in tmux against the fake server
// of test/faults/server.ts (no Synapse needed). Each fault: one error line on screen, no stack trace, no token,
// and the session goes on. Lines pasted at once, or typed while a command runs, all run, in order.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { type FakeServer, startFakeServer, TOKEN } from '../faults/server.js'
import { hasTmux, tmux } from './tmux.js'

const { on: tmuxOn, screen, keys, until, kill } = tmux('synadm-faults')
const sessions = new Set<string>()
const type = (session: string, text: string) => keys(session, '-l', '--', text)
const prompt = /synadm>\s*$/
let fake: FakeServer

/** The shell in a 200×40 terminal (wide: an error line is one screen line) with a fresh home, talking to the fake server's `mode`. */
function open(session: string, mode: string, timeout = '5') {
  sessions.add(session)
  const dir = mkdtempSync(join(tmpdir(), 'synadm-faults-'))
  const env = {
    HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), TERM: 'xterm-256color',
    SYNADM_USER: 'admin', SYNADM_BASE_URL: `${fake.origin}/${mode}`, SYNADM_TOKEN: TOKEN, SYNADM_TIMEOUT: timeout,
  }
  tmuxOn(session, 'new-session', '-d', '-s', session, '-x', '200', '-y', '40', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    process.execPath, join(repoRoot, 'bin/synadm.js'), 'shell')
}

describe.skipIf(!hasTmux)('the shell in a terminal: typed-ahead lines and faults', () => {
  beforeAll(async () => (fake = await startFakeServer()))
  afterAll(async () => {
    for (const session of sessions) kill(session)
    await fake?.close()
  })

  it('three lines pasted at once all run, in order', async () => {
    open('paste', 'ok')
    await until('paste', prompt, 20_000)
    // one send-keys: the three lines arrive in one read, as a paste does
    type('paste', 'version\nversion -o minified\nuser list -o minified -l 1\n')
    const shown = await until('paste', /\{"users":\[.*\n(.*\n)*synadm>\s*$/, 20_000)
    expect(shown).toMatch(/synadm> version\nserver_version: 1\.0\.0\n(.*\n)*synadm> version -o minified\n\{"server_version":"1\.0\.0"\}\nsynadm> user list -o minified -l 1\n\{"users":/)
  })

  it('lines typed, and pasted (bracketed), while a command runs run after it, in order', async () => {
    open('ahead', 'slow')
    await until('ahead', prompt, 20_000)
    type('ahead', 'version -o minified\n')
    // typed while the first command waits for its (slow) reply
    await until('ahead', /synadm> version -o minified\n/)
    type('ahead', 'user list -o minified -l 1\n')
    const buffer = join(mkdtempSync(join(tmpdir(), 'synadm-paste-')), 'lines')
    writeFileSync(buffer, 'version -o json\nversion\n')
    tmuxOn('ahead', 'load-buffer', buffer)
    tmuxOn('ahead', 'paste-buffer', '-p', '-t', 'ahead')
    const shown = await until('ahead', /server_version: 1\.0\.0\n+synadm>\s*$/, 30_000)
    // each command once, in the order typed, each after its own prompt
    const ran = [...shown.matchAll(/^synadm> (.+)$/gm)].map((m) => m[1])
    expect(ran).toEqual(['version -o minified', 'user list -o minified -l 1', 'version -o json', 'version'])
    expect(shown).toMatch(/synadm> version -o json\n\{\n\s+"server_version": "1\.0\.0"\n\}\nsynadm> version\nserver_version: 1\.0\.0/)
  })

  // hang with a 1 s timeout, reset, 500, garbage JSON, 429 forever
  it.each(['hang', 'reset', '500', 'garbage', '429-forever'])('fault %s: one error line, no stack, no token; the next version works', async (mode) => {
    const session = `fault-${mode}`
    open(session, mode, '1')
    await until(session, prompt, 20_000)
    type(session, 'version\n')
    const failed = await until(session, /synadm> version\n(.*\n)*synadm>\s*$/, 20_000)
    const output = failed.slice(failed.indexOf('synadm> version\n') + 'synadm> version\n'.length).replace(prompt, '').split('\n').filter(Boolean)
    expect(output.filter((line) => line.startsWith('synadm: '))).toHaveLength(1)
    expect(output.every((line) => /^(synadm: |hint: )/.test(line))).toBe(true)
    expect(failed).not.toMatch(/^\s+at /m)
    expect(failed).not.toContain(TOKEN)
    // The session goes on: the server answers well now, and the next line gets that answer.
    fake.healed.add(mode)
    type(session, 'version\n')
    const after = await until(session, /server_version: 1\.0\.0\n+synadm>\s*$/, 20_000)
    expect(after).not.toContain(TOKEN)
    type(session, 'exit\n')
  })
})
