// Text from servers and files reaches the terminal with its control characters shown escaped: an error reply
// cannot print several lines, fake a `synadm:` line or retitle the terminal; a logged argument cannot either.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLogger, escapeControl } from '../../core/kernel/log.js'
import { format, pythonRepr } from '../../core/output/formats.js'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import rawPlugin from '../../plugins/raw/index.js'

/** an OSC that retitles the terminal, a CSI that clears the screen, a bell, a line break that fakes a synadm line */
const HOSTILE = 'bad\nsynadm: all good\r\u001b]0;owned\u0007\u001b[2J\u009b31m\ttab'
const ESCAPED = 'bad\\nsynadm: all good\\r\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\ttab'
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('escapeControl', () => {
  it('shows C0, DEL and C1 controls as escapes and leaves other text alone', () => {
    expect(escapeControl(HOSTILE)).toBe(ESCAPED)
    expect(escapeControl('\u0000\u007f é ✓ \\n')).toBe('\\x00\\x7f é ✓ \\n')
  })
})

describe('error lines', () => {
  it("a server's error text with line breaks and escape sequences prints as one line", async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v1/x').reply(500, { errcode: 'M_UNKNOWN', error: HOSTILE })
    const result = await runSynadm([rawPlugin], ['raw', 'v1/x'])
    expect(result.code).toBe(5)
    expect(result.stderr).toBe(`synadm: 500 M_UNKNOWN: ${ESCAPED} (GET /_synapse/admin/v1/x)\n`)
  })

  it("synadm's own lists keep their indented lines", async () => {
    const result = await runSynadm([rawPlugin], ['raw', 'v1/x', '-m', 'post', '-d', '{}', '-f', '-'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^synadm: Mutually exclusive options from 'Data' option group cannot be used at the same time:\n {2}--data\n {2}--data-file\nhint: /)
  })

  it('the -vv stack trace shows them escaped too', async () => {
    nock(TEST_BASE_URL).get('/_synapse/admin/v1/x').reply(200, 'not json', { 'Content-Type': 'text/plain' })
    nock(TEST_BASE_URL).get('/_synapse/admin/v1/y').reply(500, { error: HOSTILE })
    const result = await runSynadm([rawPlugin], ['-vv', 'raw', 'v1/y'])
    expect(result.stderr).toMatch(/^\s+at /m)
    expect(result.stderr).not.toMatch(CONTROL)
    expect(result.stderr.split('\n').filter((line) => line.startsWith('synadm:'))).toHaveLength(1)
  })
})

describe('log lines', () => {
  it('-v and -vv lines and warnings show control characters escaped', () => {
    const lines: string[] = []
    const log = createLogger(2, (line) => lines.push(line))
    log.info(HOSTILE)
    log.debug(HOSTILE)
    log.warn(HOSTILE)
    expect(lines).toEqual([`INFO  ${ESCAPED}\n`, `DEBUG ${ESCAPED}\n`, `WARN  ${ESCAPED}\n`])
  })
})

describe('human and pprint output', () => {
  it('human tables and key/value lines show control characters escaped', async () => {
    const text = await format('human', { rows: [{ name: HOSTILE, [`k${HOSTILE}`]: 1 }], [`note${HOSTILE}`]: HOSTILE })
    expect(text).not.toMatch(CONTROL)
    expect(text).toContain(ESCAPED)
    // one header, one rule, one row, one key/value line
    expect(text.trim().split('\n')).toHaveLength(4)
    expect(await format('human', [HOSTILE, 'b'])).toBe(`${ESCAPED}\nb\n`)
    expect(await format('human', HOSTILE)).toBe(`${ESCAPED}\n`)
  })

  it('pprint escapes them as Python repr does', () => {
    expect(pythonRepr({ a: 'x\u001b[2J\ty\u009b', b: "it's\n" })).toBe(`{'a': 'x\\x1b[2J\\ty\\x9b', 'b': "it's\\n"}`)
  })

  it('audit -o human shows escape sequences of logged arguments escaped', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'synadm-control-')), 'audit.log')
    const entry = { time: '2026-01-01T00:00:00.000Z', profile: 'default', base_url: TEST_BASE_URL, user: '@admin:synapse.test', command: `synadm raw -m post '${HOSTILE}'`, method: 'POST', path: `/${HOSTILE}`, status: 500, duration_ms: 1, run_id: null, dry_run: false, error: HOSTILE }
    writeFileSync(log, JSON.stringify(entry) + '\n', { mode: 0o600 })
    const result = await runSynadm([rawPlugin], ['-o', 'human', 'audit'], { env: { SYNADM_AUDIT_LOG: log } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(ESCAPED)
    expect(result.stdout).not.toMatch(CONTROL)
  })
})
