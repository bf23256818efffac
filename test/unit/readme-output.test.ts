// README's output section shows a human table, an audit table and a bulk report as synadm prints them in a terminal:
// each ```text block marked `<!-- output: NAME, a terminal N wide -->` is what this test prints for NAME, from the same
// data, in a terminal that wide (stdout and stderr as they appear, the progress line gone, the local time zone UTC).
process.env.TZ = 'UTC'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import { createSession } from '../../core/app/start.js'
import { execute } from '../../core/execute/executor.js'
import { builtins } from '../../plugins/builtins.js'
import { plainSynapse } from '../../plugins/mas/testing.js'
import { readme } from '../integration/readme-examples.js'

const dir = mkdtempSync(join(tmpdir(), 'synadm-readme-output-'))
const SERVER = { SYNADM_HOMESERVER: 'example.org', SYNADM_USER: '@admin:example.org' }

/** What a terminal `columns` wide shows for `synadm ARGV`: stdout and stderr in order, a redrawn line as it ends. */
async function screen(columns: number, argv: string[], env: Record<string, string> = {}): Promise<string> {
  const io = testIO({ env: { SYNADM_PAGER: '', ...SERVER, ...env } })
  let shown = ''
  for (const stream of [io.stdout, io.stderr]) {
    Object.assign(stream, { isTTY: true, columns })
    const write = stream._write.bind(stream)
    stream._write = (chunk, encoding, done) => {
      shown += chunk.toString()
      write(chunk, encoding, done)
    }
  }
  await execute(await createSession([...builtins], io), argv)
  // A line redrawn with \r and erased with ESC [K (the progress line) leaves nothing on the screen.
  return shown.replace(/\r[^\r\n]*\u001b\[K/g, '')
}

/** The README's ```text block marked with `<!-- output: NAME, a terminal N wide -->` right above it, and N. */
function shownInReadme(name: string): { text: string; columns: number } {
  const match = new RegExp(`<!-- output: ${name}, a terminal (\\d+) wide -->\\n\`\`\`text\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme())
  if (!match) throw new Error(`README.md has no \`\`\`text block marked <!-- output: ${name}, a terminal N wide -->`)
  return { columns: Number(match[1]), text: match[2] }
}

const api = () => nock(TEST_BASE_URL)
const user = (name: string, displayname: string, seen: number | null, extra: Record<string, unknown> = {}) => ({
  name: `@${name}:example.org`, user_type: null, is_guest: false, admin: name === 'admin', deactivated: false, shadow_banned: false,
  displayname, avatar_url: null, creation_ts: 1796032449000, approved: true, erased: false, last_seen_ts: seen, locked: false, ...extra,
})

beforeAll(() => nock.disableNetConnect())
// user commands first ask whether the server delegates auth to MAS: this one does not
beforeEach(() => plainSynapse())
afterEach(() => nock.cleanAll())

describe("README's output section shows what synadm prints", () => {
  it('a human table', async () => {
    api().get('/_synapse/admin/v2/users').query(true).reply(200, {
      users: [user('admin', 'Admin', 1796033548772), user('alice', 'Alice', 1795980161000), user('bob', 'Bob', null)],
      next_token: '3',
      total: 3635,
    })
    const { columns, text } = shownInReadme('human-table')
    expect(await screen(columns, ['-o', 'human', 'user', 'list', '-l', '3'])).toBe(text)
  })

  it('an audit table', async () => {
    const entry = (minute: number, profile: string, command: string, method: string, path: string, status: number) =>
      JSON.stringify({ time: `2026-11-30T10:${minute}:00.000Z`, profile, base_url: 'https://matrix.example.org', user: '@admin:example.org', command, method, path, status, duration_ms: 40 + minute, run_id: null, dry_run: false })
    const log = join(dir, 'audit.log')
    writeFileSync(
      log,
      [
        entry(12, 'prod', 'synadm user shadow-ban @spam:example.org', 'POST', '/_synapse/admin/v1/users/%40spam%3Aexample.org/shadow_ban', 200),
        entry(14, 'prod', "synadm room block '#spam:example.org'", 'PUT', '/_synapse/admin/v1/rooms/%21sp%3Aexample.org/block', 200),
        entry(20, 'staging', 'synadm user deactivate @bot:example.org', 'POST', '/_synapse/admin/v1/deactivate/%40bot%3Aexample.org', 404),
      ].join('\n') + '\n',
      { mode: 0o600 },
    )
    const { columns, text } = shownInReadme('audit-table')
    expect(await screen(columns, ['audit', '--since', '2026-11-01', '-o', 'human'], { SYNADM_AUDIT_LOG: log })).toBe(text)
  })

  it('a bulk report', async () => {
    const targets = join(dir, 'spam.txt')
    writeFileSync(targets, '@spam1:example.org\n@nosuch:example.org\n@spam2:example.org\n')
    for (const [name, status] of [['spam1', 200], ['nosuch', 404], ['spam2', 200]] as const) {
      api().post(`/_synapse/admin/v1/users/%40${name}%3Aexample.org/shadow_ban`).reply(status, status === 200 ? {} : { errcode: 'M_NOT_FOUND', error: 'User not found' })
    }
    const { columns, text } = shownInReadme('bulk-report')
    const shown = (await screen(columns, ['--batch', '-o', 'human', 'user', 'shadow-ban', '--targets', targets])).replace(/ in \d+\.\d s$/m, ' in 0.1 s')
    expect(shown).toBe(text)
  })
})
