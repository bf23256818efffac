// The synadm> shell in a real terminal (tmux): prompt, Tab completion, errors and Ctrl-C keep the session.
import { createServer, type Server, type Socket } from 'node:net'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { answerConfigurator } from '../configurator.js'
import { repoRoot } from '../synapse/server.mjs'
import { adminRequest, createRoom, uniqueName } from './fixtures.js'
import { synapse } from './synapse-info.js'
import { hasTmux, sleep, tmux } from './tmux.js'

const { on: tmuxOn, screen, keys, until, kill } = tmux('synadm-test')
const sessions = ['main', 'slow', 'setup', 'pipe']
/** Two Tabs with a pause between, as a person presses them (the editor lists the choices on the second). */
async function doubleTab(session: string) {
  keys(session, 'Tab')
  await sleep(200)
  keys(session, 'Tab')
}

/** synadm in a terminal: the shell, or the given command (its exit code then stays on screen). */
function openShell(session: string, env: Record<string, string> = {}, configFile = synapse().configFile, command: string[] = []) {
  const info = synapse()
  const vars = Object.entries({ HOME: info.cliHome, XDG_DATA_HOME: join(info.cliHome, 'data'), ...env }).map(([k, v]) => `${k}=${v}`)
  const synadm = ['env', ...vars, process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', configFile, ...command]
  const line = command.length ? ['sh', '-c', `"$@"; echo "exit=$?"; sleep 60`, 'sh', ...synadm] : synadm
  tmuxOn(session, 'new-session', '-d', '-s', session, '-x', '160', '-y', '40', ...line)
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
    for (const session of sessions) kill(session)
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
    // the completed command, and its dim hint after it
    await until('main', /synadm> user list( \[-f FROM\].*)?\s*$/m)
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

  it('a line with an unknown command runs none of its commands: the write before the pipe is not sent', async () => {
    const info = synapse()
    const alias = uniqueName('pipe')
    const roomId = await createRoom(info.adminToken, { alias })
    const blockPath = `/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/block`
    await adminRequest('PUT', blockPath, { body: { block: true } })
    const dir = mkdtempSync(join(tmpdir(), 'synadm-pipe-'))
    const auditLog = join(dir, 'audit.log')
    // a config home of its own: no plugins.yaml, so vorpal-grep is not installed
    openShell('pipe', { SYNADM_AUDIT_LOG: auditLog, XDG_CONFIG_HOME: join(dir, 'config') })
    await until('pipe', /synadm>\s*$/m)
    keys('pipe', '-l', '--', `room block -u '#${alias}:${info.serverName}' | nosuchcmd`)
    keys('pipe', 'Enter')
    const text = await until('pipe', /^synadm: No such command 'nosuchcmd'/m)
    expect(text).not.toContain(`is room ${roomId}`)
    expect(await adminRequest('GET', blockPath)).toMatchObject({ block: true })
    expect(existsSync(auditLog) ? readFileSync(auditLog, 'utf8') : '').toBe('')
    // a vorpal extension's command, not installed: the package that provides it, not a look-alike command
    keys('pipe', '-l', '--', 'version | grep server')
    keys('pipe', 'Enter')
    expect(await until('pipe', /hint: .*synadm plugins install vorpal-grep/)).not.toMatch(/did you mean group/)
    keys('pipe', 'exit', 'Enter')
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

  it('a missing config starts the configurator (token masked), then the command runs', async () => {
    const info = synapse()
    const configFile = join(mkdtempSync(join(tmpdir(), 'synadm-setup-')), 'synadm.yaml')
    openShell('setup', {}, configFile, ['-o', 'minified', 'version'])
    const answer = async (prompt: RegExp, typed?: string) => {
      await until('setup', prompt)
      if (typed) keys('setup', '-l', '--', typed)
      keys('setup', 'Enter')
    }
    await until('setup', /synadm is not configured: user, token missing/)
    await answerConfigurator(answer, { user: info.adminUserId, token: info.adminToken, baseUrl: info.url, homeserver: info.serverName })
    const text = await until('setup', /exit=\d+/)
    expect(text).toContain(`{"server_version":"${info.version}"}`)
    expect(text).toContain('exit=0')
    expect(text).not.toContain(info.adminToken)
    expect(statSync(configFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(configFile, 'utf8')).toContain(`token: ${info.adminToken}`)
    expect(readFileSync(configFile, 'utf8')).toContain('server_discovery: well-known')
    // a server that delegates nothing to MAS: the MAS questions answered empty leave no keys
    expect(readFileSync(configFile, 'utf8')).not.toContain('mas_')
  })
})
