// Secrets in URLs (query parameters, path segments, user info) never reach a log line or an error message,
// at -v or -vv, whatever the command. Bodies are covered in http.test.ts.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redactText } from '../../core/kernel/log.js'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import matrixPlugin from '../../plugins/matrix/index.js'
import rawPlugin from '../../plugins/raw/index.js'
import regtokPlugin from '../../plugins/regtok/index.js'

const SECRET = 'syt_c2VjcmV0_DONOTSHOW'
const run = (argv: string[]) => runSynadm([rawPlugin, matrixPlugin, regtokPlugin], argv)

beforeAll(() => nock.disableNetConnect())
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
