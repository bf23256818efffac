// Each shell line has its own verbosity on top of the session's; lines piped in run in order.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execute } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import server from '../../plugins/server/index.js'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

async function shell(argv: string[], input: string) {
  const io = testIO({ input })
  const session = await createSession([server], io)
  nock(TEST_BASE_URL).persist().get('/_synapse/admin/v1/server_version').reply(200, { server_version: '1.0.0' })
  const code = await execute(session, [...argv, 'shell'])
  return { code, stderr: io.stderr.text, stdout: io.stdout.text }
}

const info = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('INFO ')).length
const debug = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('DEBUG ')).length

describe('shell verbosity is per line, on top of the session', () => {
  it('synadm -v shell logs each line at -v, not -vv', async () => {
    const result = await shell(['-v'], 'version\nversion\n')
    expect({ code: result.code, info: info(result.stderr), debug: debug(result.stderr) }).toEqual({ code: 0, info: 2, debug: 0 })
  })

  it('-v on one line logs that line only', async () => {
    const result = await shell([], 'version\nversion -v\nversion\n')
    expect({ code: result.code, info: info(result.stderr), debug: debug(result.stderr) }).toEqual({ code: 0, info: 1, debug: 0 })
  })
})
