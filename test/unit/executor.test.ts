import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { json, runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import { EXIT, SynadmError } from '../../core/kernel/errors.js'
import { definePlugin, PLUGIN_API_VERSION, type RunContext } from '../../core/index.js'
import { demoPlugin } from './fixtures/demo-plugin.js'

const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
const run = (argv: string[], options?: Parameters<typeof runSynadm>[2]) => runSynadm([demoPlugin], argv, options)

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('one path for every command', () => {
  it('prints the server data in the chosen format', async () => {
    const scope = api().get('/_synapse/admin/v2/users').query({ from: 0, limit: 5 }).reply(200, { users: [{ name: '@a:synapse.test', admin: true }], total: 1 })
    const result = await run(['-o', 'json', 'demo', 'list', '-l', '5'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ users: [{ name: '@a:synapse.test', admin: true }], total: 1 })
    expect(scope.isDone()).toBe(true)
  })

  it('expands a localpart with the configured server name', async () => {
    const scope = api().get('/_synapse/admin/v2/users/%40alice%3Asynapse.test').reply(200, { name: '@alice:synapse.test' })
    expect(json(await run(['demo', 'show', 'alice']))).toEqual({ name: '@alice:synapse.test' })
    expect(scope.isDone()).toBe(true)
  })

  it('streams every page with --all, in order, without duplicates', async () => {
    api().get('/_synapse/admin/v2/users').query({ from: 0, limit: 2 }).reply(200, { users: [{ name: 'a' }, { name: 'b' }], next_token: '2' })
    api().get('/_synapse/admin/v2/users').query({ from: 2, limit: 2 }).reply(200, { users: [{ name: 'c' }, { name: 'd' }], next_token: '4' })
    api().get('/_synapse/admin/v2/users').query({ from: 4, limit: 2 }).reply(200, { users: [{ name: 'e' }] })
    const result = await run(['-o', 'jsonl', 'demo', 'list', '-l', '2', '--all'])
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l).name)).toEqual(['a', 'b', 'c', 'd', 'e'])
    api().get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'a' }], next_token: '1' })
    api().get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'b' }] })
    expect(json(await run(['-o', 'json', 'demo', 'list', '--all']))).toEqual([{ name: 'a' }, { name: 'b' }])
  })
})

describe('--all on big servers', () => {
  // A third-party plugin's list: core gives it the page size, prefetching and side-by-side pages it declares.
  const bigList = definePlugin({
    name: 'big',
    apiVersion: PLUGIN_API_VERSION,
    setup(ctx) {
      ctx.command({
        path: 'big list',
        description: 'list users',
        options: [
          { flags: '-f, --from <n>', type: 'int', default: 0, description: 'offset' },
          { flags: '-l, --limit <n>', type: 'int', default: 100, description: 'page size' },
        ],
        paged: { items: 'users', next: 'next_token', from: 'from', style: 'offset', total: 'total', pageSize: 3 },
        load: async () => async (ctx: RunContext) => (await ctx.admin()).get('v2/users', { query: { from: ctx.options.from, limit: ctx.options.limit } }),
      })
    },
  })
  const users = (from: number, limit: number, total: number) => ({
    users: Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, i) => ({ name: `u${from + i}` })),
    total,
    ...(from + limit < total ? { next_token: String(from + limit) } : {}),
  })
  const names = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l).name)

  it('without -l pages with the declared size, pages side by side, prints in order', async () => {
    const asked: number[] = []
    api().get('/_synapse/admin/v2/users').query(true).times(4).delay(5).reply((uri) => {
      const query = new URL(uri, TEST_BASE_URL).searchParams
      asked.push(Number(query.get('from')))
      expect(query.get('limit')).toBe('3')
      return [200, users(Number(query.get('from')), 3, 10)]
    })
    const result = await runSynadm([bigList], ['-o', 'jsonl', 'big', 'list', '--all'])
    expect(result.stderr).toBe('')
    expect(names(result.stdout)).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`))
    expect(asked.sort((a, b) => a - b)).toEqual([0, 3, 6, 9])
  })

  it('-l and -f are kept', async () => {
    api().get('/_synapse/admin/v2/users').query({ from: 4, limit: 5 }).reply(200, users(4, 5, 12))
    api().get('/_synapse/admin/v2/users').query({ from: 9, limit: 5 }).reply(200, users(9, 5, 12))
    const result = await runSynadm([bigList], ['-o', 'jsonl', 'big', 'list', '--all', '-l', '5', '-f', '4'])
    expect(names(result.stdout)).toEqual(['u4', 'u5', 'u6', 'u7', 'u8', 'u9', 'u10', 'u11'])
  })

  it('a page that fails ends the command with its error after the pages before it', async () => {
    api().get('/_synapse/admin/v2/users').query({ from: 0, limit: 3 }).reply(200, users(0, 3, 9))
    api().get('/_synapse/admin/v2/users').query({ from: 3, limit: 3 }).reply(200, users(3, 3, 9))
    api().get('/_synapse/admin/v2/users').query({ from: 6, limit: 3 }).reply(500, { errcode: 'M_UNKNOWN', error: 'boom' })
    const result = await runSynadm([bigList], ['-o', 'jsonl', 'big', 'list', '--all'])
    expect(result.code).toBe(EXIT.api)
    expect(names(result.stdout)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5'])
    expect(result.stderr).toContain('boom')
  })
})

describe('the next-page hint of paged commands', () => {
  const firstPage = () => api().get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'a' }], next_token: '40', total: 90 })

  it('is printed once, on stderr, after the page, in every format: a page that is not the last is never silent', async () => {
    for (const format of ['human', 'json', 'yaml', 'csv', 'jsonl']) {
      firstPage()
      const result = await run(['-o', format, 'demo', 'list', '-l', '1'])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe('More users than shown (90 in all): next page --from 40, every page --all\n')
    }
  })

  it('is not printed on the last page, or with --all', async () => {
    api().get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'a' }], total: 1 })
    expect((await run(['-o', 'human', 'demo', 'list'])).stderr).toBe('')
    firstPage()
    api().get('/_synapse/admin/v2/users').query(true).reply(200, { users: [{ name: 'b' }] })
    expect((await run(['-o', 'human', 'demo', 'list', '--all'])).stderr).toBe('')
  })
})

describe('exit codes and error lines', () => {
  it.each([
    [404, { errcode: 'M_NOT_FOUND', error: 'User not found' }, EXIT.notFound, 'synadm: 404 M_NOT_FOUND: User not found (GET /_synapse/admin/v2/users/%40x%3Asynapse.test)'],
    [401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token' }, EXIT.auth, 'synadm: 401 M_UNKNOWN_TOKEN'],
    [403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' }, EXIT.auth, 'hint: the configured user is not a server admin'],
    [500, { errcode: 'M_UNKNOWN', error: 'Internal error' }, EXIT.api, 'synadm: 500 M_UNKNOWN: Internal error'],
  ])('HTTP %i exits non-zero with one line on stderr', async (status, body, code, line) => {
    api().get('/_synapse/admin/v2/users/%40x%3Asynapse.test').reply(status, body)
    const result = await run(['demo', 'show', '@x:synapse.test'])
    expect(result.code).toBe(code)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain(line)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('a refused connection is a network error', async () => {
    nock.enableNetConnect('127.0.0.1')
    const result = await run(['demo', 'show', '@x:y'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    expect(result.code).toBe(EXIT.network)
    expect(result.stderr).toMatch(/^synadm: cannot connect to http:\/\/127\.0\.0\.1:9: connection refused\n/)
    nock.disableNetConnect()
  })

  it('shows the stack trace only with -vv', async () => {
    nock.enableNetConnect('127.0.0.1')
    const quiet = await run(['demo', 'show', '@x:y'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    const loud = await run(['-vv', 'demo', 'show', '@x:y'], { env: { SYNADM_BASE_URL: 'http://127.0.0.1:9' } })
    expect(quiet.stderr).not.toContain('    at ')
    expect(loud.stderr).toContain('    at ')
    nock.disableNetConnect()
  })

  it('usage errors exit 2 with a hint', async () => {
    const result = await run(['demo', 'list', '-l', 'x'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("synadm: Invalid value for '-l': 'x' is not a valid integer.")
    expect(result.stderr).toContain("see 'synadm demo list -h'")
  })

  it('an unknown command suggests near ones', async () => {
    const result = await run(['demo', 'lst'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain("No such command 'demo lst'.")
  })

  it('a missing config is a config error naming what to do', async () => {
    const result = await run(['demo', 'list'], { env: { SYNADM_TOKEN: '', SYNADM_USER: '' } })
    expect(result.code).toBe(EXIT.config)
    expect(result.stderr).toMatch(/synadm is not configured: user, token missing/)
    expect(result.stderr).toContain("run 'synadm config'")
  })

  it('a missing config in a terminal starts the configurator: the error says so by its code, not its wording', async () => {
    const { assertComplete } = await import('../../core/config/settings.js')
    expect(() => assertComplete({ settings: { user: '', token: '', base_url: 'http://x' }, file: 'f' } as never)).toThrow(expect.objectContaining({ kind: 'config', code: 'not_configured' }))
    const failing = (error: SynadmError, controller: AbortController) =>
      definePlugin({
        name: 'failing',
        apiVersion: PLUGIN_API_VERSION,
        setup(ctx) {
          // the configurator's prompts then stop at once: the test only looks at whether it was started
          ctx.command({ path: 'fail', description: 'fail', offline: true, load: async () => () => (controller.abort(), Promise.reject(error)) })
        },
      })
    const attempt = async (error: SynadmError) => {
      const controller = new AbortController()
      return (await runSynadm([failing(error, controller)], ['fail'], { interactive: true, signal: controller.signal })).stderr
    }
    // one start message: the configurator's own
    expect(await attempt(new SynadmError('config', 'synadm is not configured: user missing', { code: 'not_configured' }))).toMatch(/^synadm is not configured: user missing\nRunning configurator…\n/)
    expect(await attempt(new SynadmError('config', 'the proxy is not configured for TLS'))).not.toContain('Running configurator')
  })

  it('a bare group prints its help on stderr and exits 2, like synadm', async () => {
    const result = await run(['demo'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('Usage: synadm demo [OPTIONS] COMMAND')
  })

  it('help needs no config', async () => {
    const result = await run(['demo', 'list', '--help'], { env: { SYNADM_TOKEN: '' } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Usage: synadm demo list [OPTIONS]')
    expect(result.stdout).toContain('-l, --limit <n>')
    expect(result.stdout).toContain('--all')
  })
})

describe('destructive commands', () => {
  it('refuse without a terminal and without --batch, before any request', async () => {
    const result = await run(['demo', 'remove', '@x:synapse.test'])
    expect(result.code).toBe(EXIT.usage)
    expect(result.stderr).toContain('refusing to go on without confirmation')
    expect(result.stderr).toContain('add --batch')
  })

  it('run with --batch', async () => {
    const scope = api().post('/_synapse/admin/v1/deactivate/%40x%3Asynapse.test', { erase: false }).reply(200, { id_server_unbind_result: 'success' })
    const result = await run(['--batch', 'demo', 'remove', '@x:synapse.test'])
    expect(result.code).toBe(0)
    expect(scope.isDone()).toBe(true)
  })

  it('cannot write before confirming, even by mistake', async () => {
    const result = await run(['--batch', 'demo', 'remove', '@x:synapse.test', '--skip-confirm'])
    expect(result.code).toBe(EXIT.failure)
    expect(result.stderr).toContain("bug: destructive command 'demo remove' sent POST")
  })

  it('ask in a terminal; no means nothing is sent', async () => {
    const pending = run(['demo', 'remove', '@x:synapse.test'], { interactive: true, input: 'n\r' })
    const result = await pending
    expect(result.code).toBe(EXIT.aborted)
    expect(result.stderr).toContain('Delete @x:synapse.test?')
    expect(result.stderr).toContain('aborted: nothing was changed')
  })
})

describe('--wait on jobs', () => {
  it('polls until complete', async () => {
    api().post('/_synapse/admin/v1/jobs').reply(200, { id: 'j1' })
    api().get('/_synapse/admin/v1/jobs/j1').reply(200, { status: 'active' })
    api().get('/_synapse/admin/v1/jobs/j1').reply(200, { status: 'some_new_state' })
    api().get('/_synapse/admin/v1/jobs/j1').reply(200, { status: 'complete' })
    const result = await run(['demo', 'job', '--wait'])
    expect(result.code).toBe(0)
    expect(json(result)).toEqual({ status: 'complete' })
    expect(result.stderr).toContain('job j1: some_new_state')
  })

  it('exits with jobFailed when the server reports failure, showing the reply', async () => {
    api().post('/_synapse/admin/v1/jobs').reply(200, { id: 'j2' })
    api().get('/_synapse/admin/v1/jobs/j2').reply(200, { status: 'failed', error: 'disk full' })
    const result = await run(['demo', 'job', '--wait'])
    expect(result.code).toBe(EXIT.jobFailed)
    expect(json(result)).toEqual({ status: 'failed', error: 'disk full' })
    expect(result.stderr).toContain('job j2 failed: disk full')
  })

  it('Ctrl-C stops waiting and says how to check later', async () => {
    const controller = new AbortController()
    api().post('/_synapse/admin/v1/jobs').reply(200, { id: 'j3' })
    // Ctrl-C once waiting has begun (the first status poll), however slow the machine is
    api()
      .get('/_synapse/admin/v1/jobs/j3')
      .times(100)
      .reply(() => {
        setTimeout(() => controller.abort(), 20)
        return [200, { status: 'active' }]
      })
    const result = await run(['demo', 'job', '--wait'], { signal: controller.signal })
    expect(result.code).toBe(EXIT.cancelled)
    expect(result.stderr).toContain('stopped waiting for job j3')
    expect(result.stderr).toContain('check on it with: demo job-status j3')
  })
})
