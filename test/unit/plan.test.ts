import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import { definePlugin, PLUGIN_API_VERSION, type SynadmPlugin } from '../../core/contract/plugin.js'
import type { StepSpec } from '../../core/contract/plan.js'
import { path } from '../../core/http/client.js'
import { countRequests } from './count-requests.js'

/**
 * A demo plan over users: `demo takedown`. Each step posts to `v1/demo/<step>/<user>`; the survey of `lock` reads
 * `v1/demo/state/<user>` (what it finds decides nothingToDo and refusals), `purge` counts from its survey's facts.
 */
const log: string[] = []
const step = (name: string, extra: Partial<StepSpec> = {}): StepSpec => ({
  name,
  does: `${name} {target}`,
  load: async () => ({
    async survey(ctx, target) {
      if (name !== 'lock') return name === 'purge' ? { affects: 3, facts: { rooms: ['!a', '!b', '!c'] } } : undefined
      const admin = await ctx.admin()
      const state = await admin.get<{ locked?: boolean; admin?: boolean }>(path`v1/demo/state/${target.id}`)
      log.push(`survey ${target.id}`)
      return { nothingToDo: state.locked, affects: 'account', ...(state.admin ? { refuse: 'is a server admin' } : {}) }
    },
    async run(ctx, target) {
      log.push(`${name} ${target.id}`)
      const admin = await ctx.admin()
      const reply = await admin.post<Record<string, unknown>>(path`v1/demo/${name}/${target.id}`, { facts: target.facts[name] ?? null })
      return name === 'purge' ? { purged: (target.facts.purge as { rooms: string[] }).rooms.length } : reply
    },
  }),
  ...extra,
})

const demo = (steps: StepSpec[] = [step('lock', { idempotent: true }), step('purge'), step('notify', { default: false }), step('suspend', { default: false, excludes: ['lock'] })]): SynadmPlugin =>
  definePlugin({
    name: 'demo',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.plan({
        path: 'demo takedown',
        description: 'take users down',
        args: '<user_id>',
        argInfo: { user_id: { id: 'user' } },
        plan: {
          steps,
          evidence: async () => async (_ctx, target) => ({ details: { name: target, access_token: 'syt_secret' } }),
          refuses: async () => async (_ctx, target) => (target.id.endsWith(':synapse.test') ? undefined : 'is on another server'),
        },
      })
    },
  })

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const enc = (id: string) => encodeURIComponent(id)
const dir = mkdtempSync(join(tmpdir(), 'synadm-plan-'))
let n = 0
const fresh = (name: string) => join(dir, `${++n}-${name}`)
const file = (text: string) => {
  const f = fresh('targets.txt')
  writeFileSync(f, text)
  return f
}
const stateHome = () => fresh('state')
const run = (argv: string[], o: { plugins?: SynadmPlugin[]; env?: Record<string, string>; interactive?: boolean; input?: string } = {}) =>
  runSynadm(o.plugins ?? [demo()], argv, { env: { XDG_STATE_HOME: stateHome(), ...o.env }, interactive: o.interactive, input: o.input })
const state = (user: string, reply: object = {}) => api().get(`/_synapse/admin/v1/demo/state/${enc(user)}`).reply(200, reply)
const write = (name: string, user: string, status = 200) => api().post(`/_synapse/admin/v1/demo/${name}/${enc(user)}`).reply(status, status === 200 ? {} : { errcode: 'M_UNKNOWN', error: 'boom' })

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  nock.cleanAll()
  log.length = 0
})

describe('a plan', () => {
  it('surveys every target before the first write, then runs each target\'s steps in order', async () => {
    for (const u of ['@a:synapse.test', '@b:synapse.test']) {
      state(u)
      write('lock', u)
      write('purge', u)
    }
    const result = await run(['-o', 'json', 'demo', 'takedown', '--targets', file('a\nb\n'), '--concurrency', '1', '--batch'])
    expect(result.stderr).toContain('2 targets: 2 done')
    expect(result.code).toBe(0)
    expect(log).toEqual(['survey @a:synapse.test', 'survey @b:synapse.test', 'lock @a:synapse.test', 'purge @a:synapse.test', 'lock @b:synapse.test', 'purge @b:synapse.test'])
    const report = JSON.parse(result.stdout)
    expect(report[0]).toMatchObject({ target: '@a:synapse.test', ok: true, result: { lock: 'done', purge: { purged: 3 } } })
    expect(nock.isDone()).toBe(true)
  })

  it('refuses the whole run, naming each refused target, before anything is sent', async () => {
    state('@a:synapse.test')
    state('@root:synapse.test', { admin: true })
    const lock = write('lock', '@a:synapse.test')
    const result = await run(['demo', 'takedown', '--targets', file('a\nroot\n@x:elsewhere.org\n'), '--batch'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('2 target(s) must not be taken down; nothing was sent')
    expect(result.stderr).toContain('@root:synapse.test: lock: is a server admin')
    expect(result.stderr).toContain('@x:elsewhere.org: is on another server')
    expect(lock.isDone()).toBe(false)
  })

  it('--dry-run prints the preview (what each step affects) and sends no write', async () => {
    state('@a:synapse.test')
    state('@b:synapse.test', { locked: true })
    const lock = write('lock', '@a:synapse.test')
    const result = await run(['-o', 'json', 'demo', 'takedown', '--targets', file('a\nb\n'), '--dry-run'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([
      { target: '@a:synapse.test', lock: 'account', purge: 3 },
      { target: '@b:synapse.test', lock: '—', purge: 3 },
    ])
    expect(lock.isDone()).toBe(false)
  })

  it('asks once, showing the preview, and sends nothing when declined', async () => {
    state('@a:synapse.test')
    const lock = write('lock', '@a:synapse.test')
    const result = await run(['demo', 'takedown', 'a'], { interactive: true, input: 'n\n' })
    expect(result.stderr).toContain('Take down @a:synapse.test (lock, purge)?')
    expect(result.stderr).toMatch(/target\s+lock\s+purge/)
    expect(result.code).toBe(11)
    expect(lock.isDone()).toBe(false)
  })

  it('-o human reports a column per step (what a reply holds is "done"; -o json has it whole)', async () => {
    for (const u of ['@a:synapse.test', '@b:synapse.test']) state(u, u.startsWith('@b') ? { locked: true } : {})
    write('lock', '@a:synapse.test')
    write('purge', '@a:synapse.test')
    write('purge', '@b:synapse.test', 500)
    const result = await run(['-o', 'human', 'demo', 'takedown', '--targets', file('a\nb\n'), '--concurrency', '1', '--batch'])
    expect(result.code).toBe(9)
    const [header, , first, second] = result.stdout.split('\n')
    expect(header.split(/\s{2,}/)).toEqual(['target', 'ok', 'lock', 'purge', 'exit_code', 'error'])
    expect(first.split(/\s{2,}/)).toEqual(['@a:synapse.test', 'True', 'done', 'done'])
    expect(second).toMatch(/^@b:synapse\.test\s+False\s+5\s+step 'purge' failed/)
  })

  it('skips a step whose survey found nothing to do', async () => {
    state('@a:synapse.test', { locked: true })
    write('purge', '@a:synapse.test')
    const result = await run(['-o', 'json', 'demo', 'takedown', 'a', '--batch'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)[0].result).toEqual({ lock: 'nothing to do', purge: { purged: 3 } })
  })

  it('chooses steps: --no-NAME, --NAME for an optional one, --steps, and refuses what cannot be', async () => {
    write('purge', '@a:synapse.test')
    write('notify', '@a:synapse.test')
    let result = await run(['-o', 'json', 'demo', 'takedown', 'a', '--no-lock', '--notify', '--batch'])
    expect(result.code).toBe(0)
    expect(log).toEqual(['purge @a:synapse.test', 'notify @a:synapse.test'])
    nock.cleanAll()
    // each refusal below comes before any request
    const sent = countRequests()
    result = await run(['demo', 'takedown', 'a', '--steps', 'lock,nope', '--batch'])
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining("no step 'nope'")])
    result = await run(['demo', 'takedown', 'a', '--steps', 'purge', '--no-lock', '--batch'])
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('--steps names the steps itself: leave out --no-lock')])
    result = await run(['demo', 'takedown', 'a', '--suspend', '--batch'])
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining("the steps 'suspend' and 'lock' cannot run together")])
    result = await run(['demo', 'takedown', 'a', '--no-lock', '--no-purge', '--batch'])
    expect([result.code, result.stderr]).toEqual([2, expect.stringContaining('no step')])
    expect(sent).toEqual([])
  })

  it('a failed step stops that target\'s later steps, the others go on; exit 9, the step named', async () => {
    for (const u of ['@a:synapse.test', '@b:synapse.test']) state(u)
    write('lock', '@a:synapse.test', 500)
    const purgeA = write('purge', '@a:synapse.test')
    write('lock', '@b:synapse.test')
    write('purge', '@b:synapse.test')
    const result = await run(['-o', 'json', 'demo', 'takedown', '--targets', file('a\nb\n'), '--batch'])
    expect(result.code).toBe(9)
    const [a, b] = JSON.parse(result.stdout)
    expect(a).toMatchObject({ target: '@a:synapse.test', ok: false })
    expect(a.error).toContain("step 'lock' failed")
    expect(a.error).toContain('not run: purge')
    expect(b).toMatchObject({ ok: true })
    expect(purgeA.isDone()).toBe(false)
  })

  it('journals each step: a resume goes on inside a target, and re-runs a killed step only when idempotent', async () => {
    const journal = fresh('journal.jsonl')
    const server = { server: 'default', base_url: TEST_BASE_URL }
    const header = { synadm_journal: 2, command: 'demo takedown', with: { args: {}, options: {} } }
    const entry = (target: string, stepName: string | undefined, st: string) => ({ ...server, target, ...(stepName ? { step: stepName } : {}), state: st, at: 1 })
    const lines = [
      header,
      entry('@a:synapse.test', undefined, 'start'),
      entry('@a:synapse.test', 'lock', 'start'),
      entry('@a:synapse.test', 'lock', 'done'),
      entry('@a:synapse.test', 'purge', 'start'),
      entry('@b:synapse.test', undefined, 'start'),
      entry('@b:synapse.test', 'lock', 'start'),
    ]
    writeFileSync(journal, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    for (const u of ['@a:synapse.test', '@b:synapse.test']) state(u)
    const purgeA = write('purge', '@a:synapse.test')
    write('lock', '@b:synapse.test')
    write('purge', '@b:synapse.test')
    const result = await run(['-o', 'json', 'demo', 'takedown', '--targets', file('a\nb\n'), '--journal', journal, '--batch'])
    const [a, b] = JSON.parse(result.stdout)
    // a: lock done before, purge killed in flight and not idempotent: left for a person
    expect(a.ok).toBe(false)
    expect(a.error).toContain("step 'purge' was in flight when an earlier run was killed")
    expect(purgeA.isDone()).toBe(false)
    // b: lock killed in flight, idempotent: run again, then purge
    expect(b).toMatchObject({ ok: true, result: { lock: 'done', purge: { purged: 3 } } })
    expect(result.code).toBe(9)
    const written = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(written.filter((l) => l.target === '@b:synapse.test' && l.step === 'purge').map((l) => l.state)).toEqual(['start', 'done'])
  })

  it('keeps a journal of its own without --journal and names it in the resume hint', async () => {
    const home = stateHome()
    state('@a:synapse.test')
    write('lock', '@a:synapse.test', 500)
    const result = await runSynadm([demo()], ['demo', 'takedown', 'a', '--batch'], { env: { XDG_STATE_HOME: home } })
    expect(result.code).toBe(9)
    const files = readdirSync(join(home, 'synadm', 'plans'))
    expect(files).toHaveLength(1)
    expect(result.stderr).toContain(`hint: fix the cause, then go on with: synadm demo takedown a --batch --journal ${join(home, 'synadm', 'plans', files[0])}`)
    expect(statSync(join(home, 'synadm', 'plans')).mode & 0o777).toBe(0o700)
  })

  it('--evidence writes each target\'s documents first, 0700/0600 and redacted', async () => {
    const evidence = fresh('evidence')
    state('@a:synapse.test')
    write('lock', '@a:synapse.test')
    write('purge', '@a:synapse.test')
    const audit = fresh('audit.log')
    const result = await run(['-o', 'json', 'demo', 'takedown', 'a', '--evidence', evidence, '--batch'], { env: { SYNADM_AUDIT_LOG: audit } })
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)[0].result.evidence).toBe('1 files')
    // every write of the run names the evidence folder and the run
    const writes = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => !l.pending)
    expect(writes.map((l) => [l.path, l.evidence])).toEqual([
      [`/v1/demo/lock/${enc('@a:synapse.test')}`, evidence],
      [`/v1/demo/purge/${enc('@a:synapse.test')}`, evidence],
    ])
    expect(new Set(writes.map((l) => l.run_id)).size).toBe(1)
    expect(writes[0].run_id).toMatch(/^bulk-/)
    const details = join(evidence, '@a_synapse.test', 'details.json')
    expect(JSON.parse(readFileSync(details, 'utf8'))).toEqual({ name: '@a:synapse.test', access_token: 'REDACTED' })
    expect(statSync(details).mode & 0o777).toBe(0o600)
    expect(statSync(join(evidence, '@a_synapse.test')).mode & 0o777).toBe(0o700)
    expect(statSync(evidence).mode & 0o777).toBe(0o700)
  })

  it('refuses evidence it cannot write (a folder others can write) before anything is sent', async () => {
    const open = fresh('open')
    mkdirSync(open)
    chmodSync(open, 0o777)
    const survey = state('@a:synapse.test')
    const result = await run(['demo', 'takedown', 'a', '--evidence', open, '--batch'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`cannot write evidence into ${open}`)
    expect(result.stderr).toContain('writable by other users')
    expect(survey.isDone()).toBe(false)
  })

  it('takes a step a third-party plugin adds (after the one it names), and takes it back when its setup fails', async () => {
    const extra = (fail: boolean) =>
      definePlugin({
        name: 'extra',
        apiVersion: PLUGIN_API_VERSION,
        setup(ctx) {
          ctx.step('demo takedown', step('audit', { after: 'lock' }))
          if (fail) throw new Error('broken')
        },
      })
    state('@a:synapse.test')
    for (const s of ['lock', 'audit', 'purge']) write(s, '@a:synapse.test')
    const result = await run(['-o', 'json', 'demo', 'takedown', 'a', '--batch'], { plugins: [demo(), extra(false)] })
    expect(result.code).toBe(0)
    expect(log).toEqual(['survey @a:synapse.test', 'lock @a:synapse.test', 'audit @a:synapse.test', 'purge @a:synapse.test'])
    log.length = 0
    const help = await run(['demo', 'takedown', '--help'], { plugins: [demo(), extra(true)] })
    expect(help.stdout).not.toContain('--audit')
    expect(help.stdout).toContain('--no-lock')
  })
})

describe('a plan stopped by Ctrl-C', () => {
  it('finishes the target in flight, exits 130 naming its journal, and that command goes on with the rest', async () => {
    const home = stateHome()
    const targets = file('a\nb\n')
    const controller = new AbortController()
    for (const u of ['@a:synapse.test', '@b:synapse.test']) state(u)
    api().post(`/_synapse/admin/v1/demo/lock/${enc('@a:synapse.test')}`).reply(200, () => (controller.abort(), {}))
    write('purge', '@a:synapse.test')
    const lockB = write('lock', '@b:synapse.test')
    const first = await runSynadm([demo()], ['demo', 'takedown', '--targets', targets, '--concurrency', '1', '--batch'], { env: { XDG_STATE_HOME: home }, signal: controller.signal })
    expect(first.code).toBe(130)
    expect(first.stderr).toContain('stopped by Ctrl-C; 1 target(s) not started')
    expect(lockB.isDone()).toBe(false)
    const hint = /hint: go on with: synadm (.+)\n/.exec(first.stderr)![1]
    expect(hint).toMatch(new RegExp(`^demo takedown --targets ${targets} --concurrency 1 --batch --journal \\S+$`))
    const journal = hint.split(' --journal ')[1]
    state('@b:synapse.test')
    write('purge', '@b:synapse.test')
    log.length = 0
    const resumed = await runSynadm([demo()], ['-o', 'json', 'demo', 'takedown', '--targets', targets, '--concurrency', '1', '--batch', '--journal', journal], { env: { XDG_STATE_HOME: home } })
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.anything()])
    expect(resumed.stderr).toContain('1 target(s) done in an earlier run are skipped')
    expect(log.filter((l) => !l.startsWith('survey'))).toEqual(['lock @b:synapse.test', 'purge @b:synapse.test'])
  })

  it('a Ctrl-C after the last target started stops nothing: the run is whole (exit 0)', async () => {
    const controller = new AbortController()
    state('@a:synapse.test')
    api().post(`/_synapse/admin/v1/demo/lock/${enc('@a:synapse.test')}`).reply(200, () => (controller.abort(), {}))
    write('purge', '@a:synapse.test')
    const result = await runSynadm([demo()], ['demo', 'takedown', 'a', '--batch'], { env: { XDG_STATE_HOME: stateHome() }, signal: controller.signal })
    expect([result.code, result.stderr]).toEqual([0, expect.stringContaining('1 target: 1 done')])
  })
})

describe('a plan\'s journal folder', () => {
  it('is not created by a dry run', async () => {
    const home = stateHome()
    state('@a:synapse.test')
    await runSynadm([demo()], ['demo', 'takedown', 'a', '--dry-run'], { env: { XDG_STATE_HOME: home } })
    expect(existsSync(join(home, 'synadm', 'plans'))).toBe(false)
  })
})
