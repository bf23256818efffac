// `synadm status` against the real Synapse (and the one delegating to the stand-in MAS): one-shot and in the shell,
// checks that need attention when the test makes them so (paused background updates, a waiting report, a failed
// scheduled task), `-S all status` over profiles, and the screen in a real terminal (tmux): `watch` with charts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../synapse/server.mjs'
import { parseJson, runSynadm, type RunResult } from './cli.js'
import { adminRequest, createRoom, registerUser, reportEvent, reportUser, sendMessage, uniqueName, uploadMedia, waitFor } from './fixtures.js'
import { ok, synadm } from './run-helpers.js'
import { synapse, synapseMas } from './synapse-info.js'
import { hasTmux, tmux } from './tmux.js'

const ATTENTION = 12

interface Check {
  name: string
  title: string
  state: 'ok' | 'attention' | 'unknown'
  summary: string
  value?: any
}
interface Report {
  status: 'ok' | 'attention'
  attention: string[]
  checks: Check[]
}

/** `synadm -o json status`: its report, checked against its exit code (0 when all is ok, 12 when not). */
async function status(args: string[] = [], options?: Parameters<typeof synadm>[1]): Promise<Report> {
  const result = await synadm([...args, 'status'], options)
  const report = parseJson<Report>(result.stdout)
  expect(result.code, result.stderr).toBe(report.status === 'ok' ? 0 : ATTENTION)
  expect(report.attention).toEqual(report.checks.filter((c) => c.state !== 'ok').map((c) => c.name))
  if (report.status === 'ok') expect(result.stderr).toBe('')
  else expect(result.stderr).toMatch(/^synadm: status: \d+ of \d+ checks need attention: [^\n]+\n$/)
  return report
}
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!

describe.skipIf(!inject('synapse').available)('synadm status against Synapse', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })

  it('one-shot: every built-in check, read; the version and sign-in by Synapse itself', async () => {
    const report = await status()
    expect(report.checks.map((c) => c.name)).toEqual(['synapse', 'background_updates', 'scheduled_tasks', 'event_reports', 'user_reports', 'federation', 'new_accounts', 'top_media_users', 'largest_rooms'])
    expect(report.checks.filter((c) => c.state === 'unknown')).toEqual([])
    expect(check(report, 'synapse')).toMatchObject({ state: 'ok', value: { server_version: synapse().version, delegated_to_mas: false } })
    // the suite's server is SQLite: rooms by members instead of database size
    expect(check(report, 'largest_rooms').value.by).toBe('joined_members')
    expect(check(report, 'federation')).toMatchObject({ state: 'ok', value: { destinations: 0, failing: 0 } })
  })

  it('accounts made now are counted in the last 24 h; media uploaded make a top user', async () => {
    const before = check(await status(), 'new_accounts').value
    const localpart = uniqueName('hoarder')
    const hoarder = await registerUser(localpart)
    await uploadMedia(hoarder.token, new Uint8Array(3 * 1024 * 1024))
    const after = await status()
    // Only the newest 250 are read: once the suite has made more today, the count stays at 250 and says "at least".
    const counted = (n: number) => Math.min(n + 1, 250)
    expect(check(after, 'new_accounts').value).toMatchObject({ last_day: counted(before.last_day), last_week: counted(before.last_week), accounts: before.accounts + 1, at_least: before.last_week + 1 >= 250 })
    expect(check(after, 'top_media_users').value.users[0]).toMatchObject({ user_id: hoarder.userId, media_length: 3 * 1024 * 1024 })
  })

  it('paused background updates need attention (exit 12) until resumed', async () => {
    expect(check(await status(), 'background_updates').state).toBe('ok')
    cleanups.push(() => synadm(['background-updates', 'enabled', '-e']))
    ok(await synadm(['background-updates', 'enabled', '--disable']))
    const paused = await synadm(['status'])
    expect(paused.code).toBe(ATTENTION)
    expect(paused.stderr).toMatch(/^synadm: status: \d+ of 9 checks need attention: [^\n]*background updates/)
    expect(check(parseJson(paused.stdout), 'background_updates')).toMatchObject({ state: 'attention', value: { enabled: false } })
    const screen = await runSynadm(['-o', 'human', 'status'])
    expect(screen.code).toBe(ATTENTION)
    expect(screen.stdout).toMatch(/^! +background updates +paused/m)
    ok(await synadm(['background-updates', 'enabled', '-e']))
    expect(check(await status(), 'background_updates').state).toBe('ok')
  })

  it('a waiting event report (and user report) needs attention, with the count and the oldest; dismissed, it is gone', async () => {
    const reporter = await registerUser(uniqueName('reporter'))
    const roomId = await createRoom(reporter.token, { name: uniqueName('Reported') })
    const eventId = await sendMessage(reporter.token, roomId, 'spam')
    const before = check(await status(), 'event_reports').value.waiting
    await reportEvent(reporter.token, roomId, eventId, 'status test')
    const reported = await status()
    expect(reported.status).toBe('attention')
    expect(check(reported, 'event_reports')).toMatchObject({ state: 'attention', value: { waiting: before + 1 } })
    expect(check(reported, 'event_reports').summary).toMatch(/^\d+ waiting, the oldest from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.+ ago\); see: synadm report event list -r$/)

    const userReports = check(reported, 'user_reports').value.waiting
    if (await reportUser(reporter.token, (await registerUser(uniqueName('rude'))).userId)) {
      expect(check(await status(), 'user_reports')).toMatchObject({ state: 'attention', value: { waiting: userReports + 1 } })
    }

    const { event_reports: mine } = ok(await synadm(['report', 'event', 'list', '-u', reporter.userId]))
    for (const report of mine) ok(await synadm(['report', 'event', 'delete', String(report.id)]))
    expect(check(await status(), 'event_reports').value.waiting).toBe(before)
  })

  it('a scheduled task that failed needs attention', async () => {
    // redacting a user's events in a room the server does not know: the task fails (404 for the room's version)
    const { redact_id: id } = await adminRequest('POST', `/_synapse/admin/v1/user/${encodeURIComponent(synapse().adminUserId)}/redact`, { body: { rooms: [`!nowhere${Date.now()}:${synapse().serverName}`] } })
    const failed = await waitFor(async () => {
      const line = check(await status(), 'scheduled_tasks')
      return line.value.failed_last_day.some((task: { id: string }) => task.id === id) && line
    })
    expect(failed.state).toBe('attention')
    expect(failed.summary).toMatch(/^\d+ failed in the last 24 h \(/)
  })

  it('in the shell: the same report, line by line; a piped shell exits 9 when a line did not exit 0', async () => {
    const result = await runSynadm(['-o', 'minified', 'shell'], { input: 'status\nstatus\n' })
    const lines = result.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    const reports = lines.map((line) => JSON.parse(line) as Report)
    expect(reports[0].checks.map((c) => c.name)).toEqual(reports[1].checks.map((c) => c.name))
    expect(result.code).toBe(reports.every((r) => r.status === 'ok') ? 0 : 9)
  })
})

describe.skipIf(!inject('synapse').available || !inject('synapseMas').available)('synadm status on the Synapse delegating to MAS, and over a fleet', () => {
  let home: string
  afterAll(() => home && rmSync(home, { recursive: true, force: true }))

  it('the MAS-mode server: sign-in by MAS, every check read', async () => {
    const report = await status([], { configFile: synapseMas().configFile, env: { HOME: synapseMas().cliHome } })
    expect(check(report, 'synapse')).toMatchObject({ state: 'ok', value: { server_version: synapseMas().version, delegated_to_mas: true, issuer: synapseMas().mas.url } })
    expect(check(report, 'synapse').summary).toBe(`Synapse ${synapseMas().version}; sign-in by MAS at ${synapseMas().mas.url}`)
    expect(report.checks.filter((c) => c.state === 'unknown')).toEqual([])
  })

  it('-S all status: a row per profile, the checks as columns, the unreachable one first and saying so', async () => {
    home = mkdtempSync(join(tmpdir(), 'synadm-status-fleet-'))
    const servers = join(home, '.config', 'synadm', 'servers')
    mkdirSync(servers, { recursive: true })
    writeFileSync(join(home, '.config', 'synadm.yaml'), readFileSync(synapse().configFile), { mode: 0o600 })
    writeFileSync(join(servers, 'mas.yaml'), readFileSync(synapseMas().configFile), { mode: 0o600 })
    const gone = { ...(yaml.load(readFileSync(synapse().configFile, 'utf8')) as object), base_url: 'http://127.0.0.1:9' }
    writeFileSync(join(servers, 'gone.yaml'), yaml.dump(gone), { mode: 0o600 })
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache') }

    const fleet: RunResult = await runSynadm(['-S', 'all', '-o', 'json', 'status'], { configFile: null, env })
    const rows = parseJson<Record<string, string>[]>(fleet.stdout)
    expect(rows.map((r) => r.server).sort()).toEqual(['default', 'gone', 'mas'])
    expect(rows[0]).toMatchObject({ server: 'gone', status: 'unreachable', error: expect.stringMatching(/^cannot connect to http:\/\/127\.0\.0\.1:9: connection refused/) })
    const [main, mas] = ['default', 'mas'].map((name) => rows.find((r) => r.server === name)!)
    expect(main).toMatchObject({ version: synapse().version, synapse: 'ok' })
    expect(mas).toMatchObject({ version: synapseMas().version, synapse: 'ok' })
    for (const row of [main, mas]) expect(Object.keys(row)).toEqual(expect.arrayContaining(['background_updates', 'scheduled_tasks', 'event_reports', 'largest_rooms']))
    // something is not ok (gone): 12, and one closing line says what
    expect(fleet.code).toBe(ATTENTION)
    expect(fleet.stderr).toMatch(/^\[gone\] synadm: cannot connect to /m)
    expect(fleet.stderr).toMatch(/^synadm: status: (\d+ of 3 servers need attention \([^)]*\); )?1 could not be read \(gone\)$/m)

    const table = await runSynadm(['-S', 'default,mas', '-o', 'human', 'status'], { configFile: null, env })
    const [header, , ...lines] = table.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^server +status +version +synapse +background_updates +scheduled_tasks +event_reports +user_reports +federation +new_accounts +top_media_users +largest_rooms$/)
    expect(lines).toHaveLength(2)
  })
})

describe.skipIf(!inject('synapse').available || !hasTmux)('the status screen in a terminal', () => {
  const { on, keys, until, kill } = tmux('synadm-status')
  afterAll(() => kill('watch'))

  it('watch -n 60 status in the shell: the marked lines, the top lists with bars; Ctrl-C ends the watch', async () => {
    const media = await registerUser(uniqueName('charted'))
    await uploadMedia(media.token, new Uint8Array(200_000))
    const dir = mkdtempSync(join(tmpdir(), 'synadm-status-tty-'))
    const vars = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), TERM: 'xterm-256color', LANG: 'C.UTF-8' }
    const command = [process.execPath, join(repoRoot, 'bin/synadm.js'), '-c', synapse().configFile]
    on('watch', 'new-session', '-d', '-s', 'watch', '-x', '160', '-y', '45', 'env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), ...command)
    await until('watch', /synadm>\s*$/m)
    keys('watch', '-l', '--', 'watch -n 60 -o human status')
    keys('watch', 'Enter')
    const text = await until('watch', /Top media users[\s\S]*█/, 20_000)
    expect(text).toMatch(/^Every 60s: -o human status +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m)
    expect(text).toMatch(/^(ok|!|\?) +server +Synapse /m)
    expect(text).toMatch(/^(ok|!) +background updates /m)
    // the largest uploader's bar is the longest
    expect(text).toMatch(/^@\S+ +\d+ +\d+ +█{10,}/m)
    keys('watch', 'C-c')
    await until('watch', /synadm>\s*$/m)
  })
})
