// The synadm> shell in a real terminal (tmux): prompt, Tab completion, errors and Ctrl-C keep the session.
import { execFileSync, spawnSync } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { synapse } from './synapse-info.js'

const hasTmux = spawnSync('tmux', ['-V']).status === 0
// One tmux server per session: a server whose last session ended exits, and a new session on its socket could
// race that exit.
const socket = (session: string) => `synadm-test-${process.pid}-${session}`
const tmuxOn = (session: string, ...args: string[]) => execFileSync('tmux', ['-L', socket(session), ...args], { encoding: 'utf8' })
const sessions = ['main', 'slow']
const screen = (session: string) => tmuxOn(session, 'capture-pane', '-p', '-t', session)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Two Tabs with a pause between, as a person presses them (readline lists the choices on the second). */
async function doubleTab(session: string) {
  keys(session, 'Tab')
  await sleep(200)
  keys(session, 'Tab')
}

const keys = (session: string, ...args: string[]) => tmuxOn(session, 'send-keys', '-t', session, ...args)

async function until(session: string, expected: RegExp, timeoutMs = 8000): Promise<string> {
  const started = Date.now()
  for (;;) {
    const text = screen(session)
    if (expected.test(text)) return text
    if (Date.now() - started > timeoutMs) throw new Error(`screen never showed ${expected}:\n${text}`)
    await sleep(50)
  }
}

function openShell(session: string, env: Record<string, string> = {}) {
  const info = synapse()
  const vars = Object.entries({ HOME: info.cliHome, XDG_DATA_HOME: join(info.cliHome, 'data'), ...env }).map(([k, v]) => `${k}=${v}`)
  tmuxOn(session, 'new-session', '-d', '-s', session, '-x', '160', '-y', '40', 'env', ...vars, process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', info.configFile)
}

describe.skipIf(!inject('synapse').available || !hasTmux)('the synadm> shell in a terminal', () => {
  let blackHole: Server
  const sockets: Socket[] = []
  beforeAll(async () => {
    // A server that accepts connections and never answers: a request that only Ctrl-C ends.
    blackHole = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r))
  })
  afterAll(() => {
    for (const session of sessions) spawnSync('tmux', ['-L', socket(session), 'kill-server'])
    for (const s of sockets) s.destroy()
    blackHole?.close()
  })

  it('completes commands and options, survives a failing command', async () => {
    openShell('main')
    await until('main', /synadm>\s*$/m)
    keys('main', 'us', 'Tab')
    await until('main', /synadm> user\s*$/m)
    // `user l` is ambiguous in synadm itself (list, login): a second Tab shows the choices
    keys('main', 'l')
    await doubleTab('main')
    const choices = await until('main', /login/)
    expect(choices).toMatch(/\blist\b/)
    keys('main', 'i', 'Tab')
    await until('main', /synadm> user list\s*$/m)
    keys('main', ' --')
    await doubleTab('main')
    const options = await until('main', /--limit/)
    expect(options).toMatch(/--deactivated/)
    expect(options).toMatch(/--all/)
    keys('main', 'C-u', `user details @nobody:${synapse().serverName}`, 'Enter')
    await until('main', /^synadm: .*(does not exist|M_NOT_FOUND)/m)
    keys('main', '-l', '--', '-o minified version')
    keys('main', 'Enter')
    await until('main', /\{"server_version":"\d/)
    keys('main', 'exit', 'Enter')
  })

  it('Ctrl-C during a slow request returns to the prompt', async () => {
    const port = (blackHole.address() as { port: number }).port
    openShell('slow', { SYNADM_BASE_URL: `http://127.0.0.1:${port}` })
    await until('slow', /synadm>\s*$/m)
    keys('slow', 'version', 'Enter')
    await sleep(400)
    keys('slow', 'C-c')
    const text = await until('slow', /synadm: cancelled\nsynadm>\s*$/m)
    expect(text).not.toMatch(/^\s+at /m)
    keys('slow', 'exit', 'Enter')
  })
})
