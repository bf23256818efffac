// A fleet run (-S a,b) is refused or confirmed before any server is asked, and one SYNADM_TOKEN sent to several
// servers is said once. HTTP goes to stand-ins that record every request they get.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EXIT } from '../../core/kernel/errors.js'
import { createSession } from '../../core/app/start.js'
import { definePlugin, PLUGIN_API_VERSION, type RunContext } from '../../core/index.js'
import { Shell } from '../../core/shell/shell.js'
import { runSynadm, testIO } from '../../core/app/in-process.js'
import raw from '../../plugins/raw/index.js'

const PROD = 'http://prod.test'
const STAGING = 'http://staging.test'
let dir: string
let env: Record<string, string | undefined>
/** every request the stand-in servers got, as `host METHOD path` */
let sent: string[]

/** A command that reads, then writes: declared as writing, destructive, or (as a careless plugin might) neither. */
const touch = (ctx: RunContext) => async () => {
  const admin = await ctx.admin()
  await admin.get('v2/users/a')
  if (ctx.command.destructive) await ctx.confirm('Wipe a?')
  return admin.put('v2/users/a', { displayname: 'x' })
}
const fixture = definePlugin({
  name: 'fx',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    for (const [path, kind] of [['fx touch', { writes: true }], ['fx wipe', { destructive: true }], ['fx sneak', {}]] as const) {
      ctx.command({ path, description: path, ...kind, load: async () => (c: RunContext) => touch(c)() })
    }
    ctx.command({ path: 'fx show', description: 'reads', load: async () => async (c: RunContext) => (await c.admin()).get('v2/users/a') })
  },
})

function profile(name: string, url: string) {
  const folder = join(dir, 'config', 'synadm', 'servers')
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, `${name}.yaml`), `user: '@admin:x.test'\nbase_url: ${url}\nhomeserver: x.test\nformat: json\ntoken: ${name}-token\n`, { mode: 0o600 })
}

beforeAll(() => nock.disableNetConnect())
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'synadm-fleet-'))
  env = {
    SYNADM_BASE_URL: undefined,
    SYNADM_USER: undefined,
    SYNADM_TOKEN: undefined,
    SYNADM_HOMESERVER: undefined,
    SYNADM_CONFIG: join(dir, 'config', 'synadm.yaml'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
  }
  profile('prod', PROD)
  profile('staging', STAGING)
  sent = []
  for (const host of [PROD, STAGING]) {
    for (const method of ['GET', 'PUT']) {
      nock(host)
        .persist()
        .intercept(/.*/, method)
        .reply(function (uri) {
          sent.push(`${host} ${method} ${uri}`)
          return [200, { name: '@a:x.test' }]
        })
    }
  }
})
afterEach(() => nock.cleanAll())

const run = (argv: string[], options: Parameters<typeof runSynadm>[2] = {}) => runSynadm([fixture], argv, { ...options, env: { ...env, ...options.env } })

describe('a write on several servers', () => {
  it('declared: refused without --batch before any server is asked, reads included', async () => {
    const result = await run(['-S', 'prod,staging', 'fx', 'touch'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toBe('synadm: refusing to write on 2 servers at once (prod, staging)\nhint: add --batch to write on each of them (asked once, with the list, in a terminal)\n')
    expect(sent).toEqual([])
  })

  it('declared, in a later command of a shell line: nothing of the line runs', async () => {
    const io = testIO({ env })
    const shell = new Shell(await createSession([fixture], io), { globals: [] })
    expect(await shell.runLine('-S staging fx show | fx touch -S prod,staging')).toBe(EXIT.usage)
    expect(io.stderr.text).toContain('refusing to write on 2 servers at once (prod, staging)')
    expect(sent).toEqual([])
  })

  it('declared, with --batch in a terminal: asked before any server is asked; no means nothing sent', async () => {
    const result = await run(['--batch', '-S', 'prod,staging', 'fx', 'touch'], { interactive: true, input: 'n\n' })
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain("'fx touch' writes on 2 servers: prod, staging")
    expect(sent).toEqual([])
  })

  it('declared, though this call only reads (raw with its default GET): refused; --batch runs it', async () => {
    const refused = await runSynadm([raw], ['-S', 'prod,staging', 'raw', 'v1/server_version'], { env })
    expect(refused.code).toBe(EXIT.usage)
    expect(sent).toEqual([])
    const batch = await runSynadm([raw], ['--batch', '-S', 'prod,staging', 'raw', 'v1/server_version'], { env })
    expect(batch.code).toBe(0)
    expect(sent.sort()).toEqual([`${PROD} GET /_synapse/admin/v1/server_version`, `${STAGING} GET /_synapse/admin/v1/server_version`])
  })

  it('a dry run writes nothing, so it needs no --batch', async () => {
    const result = await run(['-S', 'prod,staging', 'fx', 'wipe', '--dry-run'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([
      { server: 'prod', dry_run: true, would: 'Wipe a?' },
      { server: 'staging', dry_run: true, would: 'Wipe a?' },
    ])
    expect(sent.filter((r) => !r.includes(' GET '))).toEqual([])
  })

  it('not declared: its first write stops the run on every server, refused once, nothing printed', async () => {
    const result = await run(['-S', 'prod,staging', 'fx', 'sneak'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toBe('synadm: refusing to write on 2 servers at once (prod, staging)\nhint: add --batch to write on each of them (asked once, with the list, in a terminal)\n')
    expect(result.stdout).toBe('')
    expect(sent.filter((r) => !r.includes(' GET '))).toEqual([])
  })
})

describe('one SYNADM_TOKEN for several servers', () => {
  const warning = /^synadm: warning: SYNADM_TOKEN overrides every profile's token: the same token goes to 2 servers \(prod, staging\)$/gm

  it('is said once, before it is sent, in a shell too', async () => {
    const io = testIO({ env: { ...env, SYNADM_TOKEN: 'one-token' } })
    const shell = new Shell(await createSession([fixture], io), { globals: [] })
    expect(await shell.runLine('-S prod,staging fx show')).toBe(0)
    expect(await shell.runLine('-S prod,staging fx show')).toBe(0)
    expect(io.stderr.text.match(warning)).toHaveLength(1)
    expect(io.stderr.text).toContain('hint: unset SYNADM_TOKEN')
    expect(sent).toHaveLength(4)
  })

  it('is not said when the profiles keep their own tokens, or SYNADM_BASE_URL sends all to one server', async () => {
    expect((await run(['-S', 'prod,staging', 'fx', 'show'])).stderr).not.toMatch(warning)
    const one = await run(['-S', 'prod,staging', 'fx', 'show'], { env: { SYNADM_TOKEN: 'one-token', SYNADM_BASE_URL: PROD } })
    expect(one.code).toBe(0)
    expect(one.stderr).not.toContain('SYNADM_TOKEN')
  })
})
