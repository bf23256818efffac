// Core's own commands and the whole path of one-shot commands, against the real Synapse.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { parseJson, runPythonSynadm, runSynadm } from './cli.js'
import { synapse } from './synapse-info.js'

describe.skipIf(!inject('synapse').available)('core', () => {
  it('lists the command groups and synadm options without any config', async () => {
    const root = await runSynadm(['--help'], { configFile: null })
    expect(root.code).toBe(0)
    for (const group of ['user', 'room', 'media', 'history', 'group', 'matrix', 'regtok', 'notice', 'raw', 'version', 'config', 'shell']) {
      expect(root.stdout).toMatch(new RegExp(`^  ${group}\\b`, 'm'))
    }
    const list = await runSynadm(['user', 'list', '--help'], { configFile: '/nonexistent/synadm.yaml' })
    expect(list.code).toBe(0)
    for (const option of ['-f, --from', '-l, --limit', '-g, --guests', '-G, --no-guests', '-d, --deactivated', '-a, --admins', '-A, --non-admins', '--sort-by', '--reverse', '--exclude-user-type', '-L, --locked', '-n, --name', '-i, --user-id', '--all']) {
      expect(list.stdout).toContain(option)
    }
  })

  it('prints the server data in every synadm format', async () => {
    const { version } = synapse()
    const json = await runSynadm(['-o', 'json', 'version'])
    expect(json.code).toBe(0)
    expect(parseJson(json.stdout)).toEqual({ server_version: version })
    const expected: Record<string, string> = {
      yaml: `server_version: ${version}\n\n`,
      minified: `{"server_version":"${version}"}\n`,
      pprint: `{'server_version': '${version}'}\n`,
      human: `server_version  ${version}\n`,
    }
    for (const [format, text] of Object.entries(expected)) {
      const result = await runSynadm(['-o', format, 'version'])
      expect({ format, code: result.code, stdout: result.stdout }).toEqual({ format, code: 0, stdout: text })
    }
    const users = await runSynadm(['-o', 'json', 'user', 'list', '-l', '5'])
    expect(users.code).toBe(0)
    const page = parseJson(users.stdout) as { users: unknown[]; total: number }
    expect(page.users.length).toBeGreaterThan(0)
    expect(page.users.length).toBeLessThanOrEqual(5)
  })

  it('takes global options after the command words too: synadm user list --all -o jsonl', async () => {
    const streamed = await runSynadm(['user', 'list', '--all', '-o', 'jsonl', '-l', '3'])
    expect(streamed.code).toBe(0)
    const names = streamed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { name: string }).name)
    const { total } = parseJson((await runSynadm(['-o', 'json', 'user', 'list', '-l', '1'])).stdout) as { total: number }
    expect(names).toHaveLength(total)
    expect(new Set(names).size).toBe(total)
  })

  it('gives a one-line error and a non-zero exit for an unknown user', async () => {
    const result = await runSynadm(['user', 'details', `@nobody:${synapse().serverName}`])
    expect(result.code).toBe(7)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^synadm: /)
    expect(result.stderr).not.toMatch(/^\s+at /m)
  })

  it('reads a config file written by the Python synadm', async () => {
    const info = synapse()
    if (!info.pythonRoot) return
    const inRoot = `/tmp/synadm-python-written-${process.pid}.yaml`
    // A second -c overrides the harness's own config file (click keeps the last value).
    const written = await runPythonSynadm(['-c', inRoot, 'config', '-u', info.adminUserId, '-t', info.adminToken, '-b', info.url, '-p', '/_synapse/admin', '-m', '/_matrix', '-w', '30', '-o', 'json', '-d', 'well-known', '-n', info.serverName, '-i', '--protocol', 'http'])
    expect(written.code).toBe(0)
    const result = await runSynadm(['version'], { configFile: join(info.pythonRoot, inRoot) })
    expect(parseJson(result.stdout)).toEqual({ server_version: info.version })
  })

  it('writes the config without prompts from options, 0600, token redacted when shown', async () => {
    const info = synapse()
    const dir = mkdtempSync(join(tmpdir(), 'synadm-config-'))
    const file = join(dir, 'synadm.yaml')
    const tokenFile = join(dir, 'token')
    writeFileSync(tokenFile, info.adminToken + '\n')
    const saved = await runSynadm(['config', '-u', info.adminUserId, '--token-file', tokenFile, '-b', info.url, '-o', 'json', '-n', info.serverName], { configFile: file })
    expect(saved.code).toBe(0)
    expect(saved.stderr).toContain(`Saved to ${file}`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toContain(`token: ${info.adminToken}`)
    const shown = await runSynadm(['config', '--show'], { configFile: file })
    expect(shown.stdout).not.toContain(info.adminToken)
    expect(parseJson(shown.stdout)).toMatchObject({ token: { value: 'REDACTED', source: 'file' }, base_url: { value: info.url, source: 'file' } })
    expect(parseJson((await runSynadm(['version'], { configFile: file })).stdout)).toEqual({ server_version: info.version })
  })

  it('says what is missing when there is no config', async () => {
    const result = await runSynadm(['version'], { configFile: '/nonexistent/synadm.yaml' })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('synadm is not configured: user, token missing (config file /nonexistent/synadm.yaml)')
  })

  it('lists the loaded plugins', async () => {
    const result = await runSynadm(['-o', 'json', 'plugins', 'list'])
    const plugins = parseJson(result.stdout) as { name: string; status: string }[]
    expect(plugins.map((p) => p.name)).toEqual(expect.arrayContaining(['core', 'user', 'room', 'media', 'server']))
    expect(plugins.every((p) => p.status === 'loaded')).toBe(true)
  })

  it('runs piped lines in one shell process and reports failures in the exit code', async () => {
    const ok = await runSynadm(['-o', 'minified', 'shell'], { input: 'version\nversion\n' })
    expect(ok.code).toBe(0)
    expect(ok.stdout.trim().split('\n')).toEqual(Array(2).fill(`{"server_version":"${synapse().version}"}`))
    const failing = await runSynadm(['-o', 'minified', 'shell'], { input: `version\nuser details @nobody:${synapse().serverName}\nversion\n` })
    expect(failing.code).toBe(9)
    expect(failing.stdout.trim().split('\n')).toHaveLength(2)
    expect(failing.stderr).toContain('1 of 3 commands failed')
  })
})
