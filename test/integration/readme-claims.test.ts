// Promises of the README that its examples alone do not prove, each against the real Synapse: config options in a
// terminal, where --show says a setting came from, URL secrets under -v/-vv, global options after the words.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { parseJson, runSynadm } from './cli.js'
import { synapse } from './synapse-info.js'
import { hasTmux, tmux } from './tmux.js'

const terminal = tmux('synadm-readme')

/** Runs synadm in a terminal (tmux) and returns the screen once it has exited. */
async function inTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`)
  const command = ['env', ...vars, process.execPath, join(repoRoot, 'bin', 'synadm.js'), ...args]
  terminal.on('claims', 'new-session', '-d', '-s', 'claims', '-x', '160', '-y', '30', 'sh', '-c', '"$@"; echo "exit=$?"; sleep 60', 'sh', ...command)
  try {
    return await terminal.until('claims', /exit=\d+/, 15_000)
  } finally {
    terminal.kill('claims')
  }
}

/** A copy of the test config that a command may change. */
function configCopy(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'synadm-claims-')), 'synadm.yaml')
  copyFileSync(synapse().configFile, file)
  return file
}

describe.skipIf(!inject('synapse').available)('what the README promises', () => {
  it.skipIf(!hasTmux)('synadm config -w 14 in a terminal changes the timeout only, without asking', async () => {
    const file = configCopy()
    const before = readFileSync(file, 'utf8')
    const screen = await inTerminal(['-c', file, 'config', '-w', '14'], { HOME: synapse().cliHome })
    expect(screen).toContain('exit=0')
    expect(screen).not.toMatch(/Running configurator|user name|\?/)
    expect(readFileSync(file, 'utf8')).toBe(before.replace(/^timeout: .*$/m, 'timeout: 14'))
    const shown = parseJson((await runSynadm(['-o', 'json', 'config', '--show'], { configFile: file })).stdout)
    expect(shown.timeout).toEqual({ value: 14, source: 'file' })
  })

  it('config --show names where each setting came from, -o and the environment included', async () => {
    const human = await runSynadm(['-o', 'h', 'config', '--show'])
    expect(human.code).toBe(0)
    // sources as a column: key, value, source
    expect(human.stdout).toMatch(/^key\s+value\s+source$/m)
    expect(human.stdout).toMatch(/^format\s+human\s+flag$/m)
    const json = parseJson((await runSynadm(['-o', 'json', 'config', '--show'], { env: { SYNADM_TIMEOUT: '7' } })).stdout)
    expect(json.format).toEqual({ value: 'json', source: 'flag' })
    expect(json.timeout).toEqual({ value: 7, source: 'env' })
    expect(json.base_url).toEqual({ value: synapse().url, source: 'file' })
    expect(json.token).toEqual({ value: 'REDACTED', source: 'file' })
    expect(JSON.stringify(json)).not.toContain(synapse().adminToken)
  })

  it('global options may follow the command words: synadm version --version', async () => {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version
    for (const args of [['version', '--version'], ['user', 'list', '--version'], ['--version']]) {
      const result = await runSynadm(args, { configFile: '/nonexistent/synadm.yaml' })
      expect({ args, code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ args, code: 0, stdout: `synadm, version ${version}\n`, stderr: '' })
    }
    const verbose = await runSynadm(['version', '-v'])
    expect(verbose.code).toBe(0)
    expect(verbose.stderr).toMatch(/^INFO {2}GET \S+\/_synapse\/admin\/v1\/server_version$/m)
  })

  it('an access token in a URL is redacted at -v and -vv, in log lines and errors', async () => {
    const { adminToken, adminUserId } = synapse()
    const endpoint = (token: string) => `client/v3/account/whoami?access_token=${token}`
    for (const verbosity of ['-v', '-vv']) {
      const ok = await runSynadm([verbosity, '-o', 'json', 'matrix', 'raw', endpoint(adminToken)])
      expect(ok.code, ok.stderr).toBe(0)
      expect(parseJson(ok.stdout)).toMatchObject({ user_id: adminUserId })
      expect(ok.stderr).toMatch(/INFO {2}GET http:\S+\/_matrix\/client\/v3\/account\/whoami\?access_token=REDACTED/)
      expect(ok.stderr).not.toContain(adminToken)
      const refused = await runSynadm([verbosity, 'matrix', 'raw', endpoint(`${adminToken}x`)])
      expect(refused.code).toBe(6)
      expect(refused.stderr).toContain('synadm: 401 M_UNKNOWN_TOKEN')
      expect(refused.stderr).not.toContain(adminToken)
    }
  })
})
