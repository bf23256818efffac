// Configuration faults: a base_url that is not an http(s) URL is a configuration error naming key and file; a
// config file holding a token that others can read gets a one-line warning.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

function configFile(text: string, mode = 0o600): string {
  const file = join(mkdtempSync(join(tmpdir(), 'synadm-config-')), 'synadm.yaml')
  writeFileSync(file, text)
  chmodSync(file, mode)
  return file
}

const withFile = (file: string, extra: Record<string, string | undefined> = {}) => ({ env: { SYNADM_CONFIG: file, SYNADM_BASE_URL: undefined, SYNADM_TOKEN: undefined, ...extra } })

describe('config checks', () => {
  it.each(['localhost:8008', 'ftp://example.org', 'example.org', 'http://'])('base_url %j is exit 3 naming the key and the file', async (url) => {
    const file = configFile(`user: '@admin:synapse.test'\ntoken: t\nbase_url: '${url}'\n`)
    const result = await runSynadm([server], ['version'], withFile(file))
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 3,
      stderr: `synadm: ${file}: base_url must be an http:// or https:// URL, e.g. https://matrix.example.org, not '${url}'\n`,
    })
  })

  it('a token file readable by group or others gets one warning line; 0600 none', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v1/server_version').times(2).reply(200, { server_version: '1.0.0' })
    const open = configFile(`user: '@admin:synapse.test'\ntoken: secret-token\nbase_url: ${TEST_BASE_URL}\n`, 0o644)
    const loose = await runSynadm([server], ['version'], withFile(open))
    expect({ code: loose.code, stderr: loose.stderr }).toEqual({
      code: 0,
      stderr: `synadm: warning: ${open} holds a token and can be read by others (mode 0644); run: chmod 600 ${open}\n`,
    })
    const closed = configFile(`user: '@admin:synapse.test'\ntoken: secret-token\nbase_url: ${TEST_BASE_URL}\n`)
    expect(await runSynadm([server], ['version'], withFile(closed))).toMatchObject({ code: 0, stderr: '' })
  })
})
