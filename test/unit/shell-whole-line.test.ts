// A shell line is checked whole before anything is sent: every command of a pipe is matched, parsed and checked
// (a fleet's refusal, a confirmation that no terminal can give) first, and none runs unless all pass.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { VORPAL_EXTENSION_COMMANDS } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { Shell } from '../../core/shell/shell.js'
import { TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import { builtins } from '../../plugins/builtins.js'
import { configured, repoRoot } from './configured.js'

let auditLog: string
/** every request that reaches the stand-in server, as `METHOD path` */
let sent: string[]

beforeAll(() => nock.disableNetConnect())
beforeEach(() => {
  auditLog = join(mkdtempSync(join(tmpdir(), 'synadm-line-')), 'audit.log')
  sent = []
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    nock(TEST_BASE_URL)
      .persist()
      .intercept(/.*/, method)
      .reply(function (uri) {
        sent.push(`${method} ${uri}`)
        return [200, uri.includes('/directory/room/') ? { room_id: '!abc:synapse.test', servers: [] } : { server_version: '1.0.0' }]
      })
  }
})
afterEach(() => nock.cleanAll())

async function line(text: string, options: { interactive?: boolean } = {}) {
  const io = testIO({ env: { SYNADM_AUDIT_LOG: auditLog }, interactive: options.interactive })
  const shell = new Shell(await createSession(builtins, io), { globals: [] })
  const code = await shell.runLine(text)
  return { code, stdout: io.stdout.text, stderr: io.stderr.text }
}

const audited = () => (existsSync(auditLog) ? readFileSync(auditLog, 'utf8') : '')

describe('a pipe runs none of its commands unless all are valid', () => {
  it('an unknown command after a write: nothing sent, nothing in the audit log', async () => {
    const result = await line(`room block -u '#room:synapse.test' | nosuchcmd`)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^synadm: No such command 'nosuchcmd'\.\nhint: [^\n]+\n$/)
    expect(sent).toEqual([])
    expect(audited()).toBe('')
  })

  it('a bad option or a missing argument in a later command: nothing sent', async () => {
    expect((await line(`room block '!abc:synapse.test' | room block`)).stderr).toContain("Missing argument 'ROOM_ID'")
    expect((await line(`room block '!abc:synapse.test' | version --no-such-option`)).stderr).toContain('No such option: --no-such-option')
    expect((await line(`room block '!abc:synapse.test' | room block 'not a room'`)).code).toBe(2)
    expect(sent).toEqual([])
    expect(audited()).toBe('')
  })

  it('a later command that must ask, with no terminal to ask at and no --batch: nothing sent', async () => {
    const result = await line(`room block '!abc:synapse.test' | room delete '!abc:synapse.test'`)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^synadm: refusing to go on without confirmation: 'room delete'/)
    expect(result.stderr).toContain('add --batch')
    expect(sent).toEqual([])
    expect(audited()).toBe('')
  })

  it('a valid line still runs each command in turn', async () => {
    const result = await line(`room block '!abc:synapse.test' | version`)
    expect(result.code).toBe(0)
    expect(sent).toEqual(['PUT /_synapse/admin/v1/rooms/%21abc%3Asynapse.test/block', 'GET /_synapse/admin/v1/server_version'])
    const entries = audited().trim().split('\n').map((entry) => JSON.parse(entry) as Record<string, unknown>)
    expect(entries.length).toBeGreaterThan(0)
    for (const entry of entries) expect(entry).toMatchObject({ method: 'PUT', command: "synadm room block '!abc:synapse.test'" })
  })
})

describe('a vorpal extension command that is not installed', () => {
  it('names the package that provides it, instead of a look-alike command', async () => {
    const result = await line('version | grep server')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("synadm: No such command 'grep'.")
    expect(result.stderr).toContain('synadm plugins install vorpal-grep')
    expect(result.stderr).not.toContain('group')
    expect(sent).toEqual([])
  })

  it("knows the commands of the vorpal extensions synadm is tested with, read from the packages", async () => {
    const { devDependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    const provided: [string, string][] = []
    for (const name of Object.keys(devDependencies).filter((d) => d.startsWith('vorpal-'))) {
      const { session } = await configured([name])
      for (const command of session.registry.commands()) if (command.plugin === name) provided.push([command.spec.path, name])
    }
    expect(provided.sort()).toEqual([...VORPAL_EXTENSION_COMMANDS].sort())
    for (const [command, name] of VORPAL_EXTENSION_COMMANDS) expect((await line(`version | ${command}`)).stderr).toContain(`synadm plugins install ${name}`)
  })
})
