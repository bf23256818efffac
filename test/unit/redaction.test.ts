// Secrets in URLs (query parameters, path segments, user info) never reach a log line or an error message,
// at -v or -vv, whatever the command. Bodies are covered in http.test.ts.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it, beforeEach } from 'vitest'
import { redactText } from '../../core/kernel/log.js'
import { runSynadm, TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import { redactSecrets } from '../../core/shell/shell-history.js'
import { createSession } from '../../core/app/start.js'
import matrixPlugin from '../../plugins/matrix/index.js'
import rawPlugin from '../../plugins/raw/index.js'
import regtokPlugin from '../../plugins/regtok/index.js'
import userPlugin from '../../plugins/user/index.js'
import masPlugin from '../../plugins/mas/index.js'
import { plainSynapse } from '../../plugins/mas/testing.js'

const SECRET = 'syt_c2VjcmV0_DONOTSHOW'
const run = (argv: string[], env: Record<string, string> = {}) => runSynadm([rawPlugin, matrixPlugin, regtokPlugin, masPlugin], argv, { env })

beforeAll(() => nock.disableNetConnect())
// regtok and user commands first ask whether the server delegates auth to MAS: these servers do not
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

describe('redactText', () => {
  it.each([
    [`GET http://hs/_matrix/client/v3/account/whoami?access_token=${SECRET}`, 'GET http://hs/_matrix/client/v3/account/whoami?access_token=REDACTED'],
    [`GET /x?limit=5&access_token=${SECRET}&from=3`, 'GET /x?limit=5&access_token=REDACTED&from=3'],
    [`GET /validity?token=${SECRET}`, 'GET /validity?token=REDACTED'],
    [`POST /submit_token?sid=1&client_secret=${SECRET}&token=${SECRET}`, 'POST /submit_token?sid=1&client_secret=REDACTED&token=REDACTED'],
    [`GET /login?loginToken=${SECRET}`, 'GET /login?loginToken=REDACTED'],
    [`(GET /_synapse/admin/v1/registration_tokens/${SECRET})`, '(GET /_synapse/admin/v1/registration_tokens/REDACTED)'],
    [`PUT /_synapse/admin/v1/registration_tokens/${SECRET}?x=1`, 'PUT /_synapse/admin/v1/registration_tokens/REDACTED?x=1'],
    [`cannot connect to https://admin:${SECRET}@hs.example:8448`, 'cannot connect to https://REDACTED@hs.example:8448'],
  ])('%s', (text, expected) => {
    expect(redactText(text)).toBe(expected)
  })

  it('leaves what is not a secret alone', () => {
    for (const text of [
      'POST http://hs/_synapse/admin/v1/registration_tokens/new',
      'GET http://hs/_synapse/admin/v1/registration_tokens?valid=true',
      'GET http://hs/_synapse/admin/v2/users?from=100&limit=10&name=token',
      'GET /rooms/!r:hs/messages?from=t1-2_3&dir=b',
    ]) {
      expect(redactText(text)).toBe(text)
    }
  })
})

describe('URLs in log lines and errors', () => {
  it('matrix raw with ?access_token=: not in the -v request line, nor in the -vv lines and error', async () => {
    // The token in the query is the one sent: no Authorization header besides it (Synapse refuses both at once).
    nock(TEST_BASE_URL, { badheaders: ['authorization'] }).get('/_matrix/client/v3/account/whoami').query({ access_token: SECRET }).reply(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' })
    const result = await run(['-vv', 'matrix', 'raw', `client/v3/account/whoami?access_token=${SECRET}`])
    expect(result.code).toBe(6)
    expect(result.stderr).toContain('INFO  GET http://synapse.test/_matrix/client/v3/account/whoami?access_token=REDACTED')
    expect(result.stderr).toContain('synadm: 401 M_UNKNOWN_TOKEN')
    expect(result.stderr).not.toContain(SECRET)
  })

  it('a reply that is not JSON: the error names the URL without the token', async () => {
    nock(TEST_BASE_URL).get('/_matrix/client/v3/account/whoami').query(true).reply(200, '<html>login</html>', { 'Content-Type': 'text/html' })
    const result = await run(['-v', 'matrix', 'raw', `client/v3/account/whoami?access_token=${SECRET}`])
    expect(result.stderr).toMatch(/synadm: GET \S+whoami\?access_token=REDACTED answered 200 with a body that is not JSON/)
    expect(result.stderr).not.toContain(SECRET)
  })

  it('a registration token in the path: redacted in the request line, the error and the -vv stack', async () => {
    nock(TEST_BASE_URL).get(`/_synapse/admin/v1/registration_tokens/${SECRET}`).reply(404, { errcode: 'M_NOT_FOUND', error: 'No such registration token' })
    const result = await run(['-vv', 'regtok', 'details', SECRET])
    expect(result.code).toBe(7)
    expect(result.stderr).toContain('INFO  GET http://synapse.test/_synapse/admin/v1/registration_tokens/REDACTED')
    expect(result.stderr).toContain('synadm: 404 M_NOT_FOUND: No such registration token (GET /_synapse/admin/v1/registration_tokens/REDACTED)')
    expect(result.stderr).toMatch(/^\s+at /m) // the -vv stack trace is there, and redacted too
    expect(result.stderr).not.toContain(SECRET)
  })
})

// One redaction for a command line, from the matched command's declaration: the shell history and the audit log.
describe('the shell history keeps no secret', () => {
  const kept = async (line: string) => redactSecrets((await createSession([userPlugin, rawPlugin, matrixPlugin, regtokPlugin], testIO())).registry, line)

  it.each([
    ['a password glued to its short switch', `user password alice -p${SECRET}`, 'user password alice -p***'],
    ['a token glued to its short switch', `matrix raw client/v3/account/whoami -t${SECRET}`, 'matrix raw client/v3/account/whoami -t***'],
    ['the second command of a pipe', `user list | user password alice -p ${SECRET}`, 'user list | user password alice -p ***'],
    ['a JSON body with a password', `raw -m post v1/x -d '{"password": "${SECRET}", "a": 1}'`, `raw -m post v1/x -d '{"password": "***", "a": 1}'`],
    ['a JSON body glued on, and after =', `raw -m post v1/x -d'{"new_password":"${SECRET}"}' --data='{"auth":{"password":"${SECRET}"}}'`, `raw -m post v1/x '-d{"new_password":"***"}' '--data={"auth":{"password":"***"}}'`],
    ['a token in the query of an endpoint', `raw 'v1/x?access_token=${SECRET}&limit=2'`, 'raw v1/x?access_token=***&limit=2'],
    ['a registration token argument', `regtok delete ${SECRET}`, 'regtok delete ***'],
    ['a registration token after global options', `-o json regtok details ${SECRET} -o yaml`, '-o json regtok details *** -o yaml'],
    ['a registration token after a trailing global option', `regtok update -S prod ${SECRET} -u 3`, 'regtok update -S prod *** -u 3'],
    ['the token of regtok new', `regtok new -n${SECRET} -l 5`, 'regtok new -n*** -l 5'],
  ])('%s', async (_, line, expected) => {
    expect(await kept(line)).toBe(expected)
  })

  it('a line without secrets stays as typed', async () => {
    for (const line of ["user list -n 'al ice' | grep x", 'regtok list -o json', `raw -m post v1/x -d '{"a": "token"}'`, 'user password alice --password-file /tmp/pw']) {
      expect(await kept(line)).toBe(line)
    }
  })
})

describe('the audit log keeps no secret', () => {
  let dir: string
  const audited = async (argv: string[], env: Record<string, string> = {}) => {
    const log = join(dir, 'audit.log')
    const result = await runSynadm([userPlugin, rawPlugin, matrixPlugin, regtokPlugin, masPlugin], ['--batch', ...argv], { env: { SYNADM_AUDIT_LOG: log, ...env } })
    const text = readFileSync(log, 'utf8')
    expect(text).not.toContain(SECRET)
    return { result, entry: JSON.parse(text.trim().split('\n').pop()!) }
  }
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'synadm-redaction-'))))

  it('JSON given as --data=… and -d{…}', async () => {
    nock(TEST_BASE_URL).post('/_synapse/admin/v1/x').times(2).reply(200, {})
    expect((await audited(['raw', '-m', 'post', 'v1/x', `--data={"password":"${SECRET}"}`])).entry.command).toBe(`synadm --batch raw -m post v1/x '--data={"password":"REDACTED"}'`)
    expect((await audited(['raw', '-m', 'post', 'v1/x', `-d{"password":"${SECRET}"}`])).entry.command).toBe(`synadm --batch raw -m post v1/x '-d{"password":"REDACTED"}'`)
  })

  it('access_token= and password= in the query of raw, in command and path', async () => {
    nock(TEST_BASE_URL).post('/_synapse/admin/v1/x').query(true).reply(200, {})
    const { entry } = await audited(['raw', '-m', 'post', `v1/x?access_token=${SECRET}&password=${SECRET}&limit=1`])
    expect(entry.command).toBe("synadm --batch raw -m post 'v1/x?access_token=REDACTED&password=REDACTED&limit=1'")
    expect(entry.path).toBe('/v1/x?access_token=REDACTED&password=REDACTED&limit=1')
  })

  it('a password in base_url', async () => {
    nock(TEST_BASE_URL).post('/_synapse/admin/v1/x').reply(200, {})
    const { entry } = await audited(['raw', '-m', 'post', 'v1/x'], { SYNADM_BASE_URL: `http://admin:${SECRET}@synapse.test` })
    expect(entry.base_url).toBe('http://REDACTED@synapse.test')
  })

  it('a registration token: in the command, the path and the error', async () => {
    nock(TEST_BASE_URL).get(`/_synapse/admin/v1/registration_tokens/${SECRET}`).reply(200, { token: SECRET, uses_allowed: null, pending: 0, completed: 0, expiry_time: null })
    nock(TEST_BASE_URL).delete(`/_synapse/admin/v1/registration_tokens/${SECRET}`).reply(404, { errcode: 'M_NOT_FOUND', error: `No such registration token: ${SECRET}` })
    const { result, entry } = await audited(['regtok', 'delete', SECRET])
    expect(entry).toMatchObject({ command: 'synadm --batch regtok delete REDACTED', path: '/v1/registration_tokens/REDACTED', status: 404 })
    expect(entry.error).toContain('No such registration token: REDACTED')
    expect(result.stderr).toContain('synadm: 404 M_NOT_FOUND: No such registration token: REDACTED (DELETE /_synapse/admin/v1/registration_tokens/REDACTED)')
    expect(result.stderr).not.toContain(SECRET)
  })

  it('the password of user password glued to -p', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v2/users/%40alice%3Asynapse.test').reply(200, { name: '@alice:synapse.test' })
    nock(TEST_BASE_URL).post('/_synapse/admin/v1/reset_password/%40alice%3Asynapse.test').reply(200, {})
    expect((await audited(['user', 'password', 'alice', `-p${SECRET}`])).entry.command).toBe('synadm --batch user password alice -pREDACTED')
  })
})

describe('URLs shown on screen', () => {
  const env = { SYNADM_BASE_URL: `https://admin:${SECRET}@synapse.test` }

  it('servers shows base_url without its password', async () => {
    const result = await run(['-o', 'json', 'servers'], env)
    expect(JSON.parse(result.stdout)[0].base_url).toBe('https://REDACTED@synapse.test')
    expect(result.stdout + result.stderr).not.toContain(SECRET)
  })

  it('config --show shows base_url without its password', async () => {
    const result = await run(['-o', 'json', 'config', '--show'], env)
    expect(JSON.parse(result.stdout).base_url).toEqual({ value: 'https://REDACTED@synapse.test', source: 'env' })
    expect(result.stdout + result.stderr).not.toContain(SECRET)
  })
})
