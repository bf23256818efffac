// Bad input never becomes a request: invalid IDs, dates and numbers are usage errors (exit 2) before anything is
// sent, and no value leaves its path segment.
import nock from 'nock'
import { countRequests } from './count-requests.js'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { path } from '../../core/http/client.js'
import { idProblem } from '../../core/contract/ids.js'
import { commandShape } from '../../core/cli/options.js'
import { runSynadm, TEST_BASE_URL } from '../../core/app/in-process.js'
import type { IdKind } from '../../core/contract/spec.js'
import { builtins } from '../../plugins/builtins.js'

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())


describe('ID grammars (core/contract/ids.ts)', () => {
  const valid: [IdKind, string][] = [
    ['user', '@alice:example.org'],
    ['user', 'alice'],
    ['user', '@alice'],
    ['user', '@alice:'], // synadm's [mxid] rule: a localpart
    ['user', '@Alice!old=style:example.org'], // historical localparts exist; Synapse accepts them
    ['user', '@~\'"!$%:example.org:8448'],
    ['alias', '#ünïcödé room:example.org'],
    ['user', '@a:[::1]:8448'],
    ['user', '@a:127.0.0.1'],
    ['user_full', '@bob:server'],
    ['room', '!abc:example.org'],
    ['room', '!' + 'A'.repeat(43)], // room version 12: no server part
    ['alias', '#room:example.org'],
    ['room_or_alias', '#room:example.org'],
    // an alias on this server, completed with its name as a localpart is
    ['alias', '#room'],
    ['room_or_alias', '#room'],
    ['room_or_alias', '!abc:example.org'],
    ['event', '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg'],
    ['event', '$abc/+def'], // room version 3 event IDs are standard base64
    ['event', '$143273582443PhrSn:example.org'],
    ['server', 'matrix.org'],
    ['server', 'matrix.org:8448'],
    ['server', '[1234:5678::abcd]:443'],
    ['media', 'AbCdEf_12-3'],
    ['mxc', 'mxc://example.org/AbC'],
    ['media_or_mxc', 'mxc://example.org/AbC'],
    ['media_or_mxc', 'AbC'],
    ['device', 'ABCDEFGH'],
    ['device', 'with space'],
    ['regtok', 'abc.DEF_~-9'],
    ['report', '42'],
    ['group', '+grp:example.org'],
    ['job', 'aBcDeF'],
  ]
  const invalid: [IdKind, string][] = [
    ['user', ''],
    ['user', '@'],
    ['user', '@:example.org'],
    ['user', 'alice:example.org'],
    ['user', '@alice:bad_host'],
    ['user', '@alice:exa mple.org'],
    ['user', 'not a user'],
    ['user', '@ünïcödé:example.org'],
    ['user', '@al\u0000ice:example.org'],
    ['user', '@' + 'a'.repeat(250) + ':example.org'],
    ['user_full', 'alice'],
    ['room', ''],
    ['room', '!'],
    ['room', '..'],
    ['room', '#room:example.org'],
    ['room', '!abc:'],
    ['alias', '#'],
    ['alias', '#room:'],
    ['alias', 'room:example.org'],
    ['room_or_alias', '.'],
    ['room_or_alias', '@alice:example.org'],
    ['event', ''],
    ['event', '$'],
    ['event', '..'],
    ['event', 'abc'],
    ['server', ''],
    ['server', '.'],
    ['server', '..'],
    ['server', 'a..b'],
    ['server', 'host/path'],
    ['server', 'host:port'],
    ['server', '[::1'],
    ['media', ''],
    ['media', '.'],
    ['media', '..'],
    ['media', 'a/b'],
    ['mxc', 'mxc://example.org/'],
    ['mxc', 'mxc://../abc'],
    ['mxc', 'http://example.org/abc'],
    ['media_or_mxc', '..'],
    ['device', ''],
    ['regtok', ''],
    ['regtok', 'a/b'],
    ['regtok', '..'],
    ['regtok', 'x'.repeat(65)],
    ['report', ''],
    ['report', '..'],
    ['report', '-1'],
    ['report', '1e3'],
    ['group', 'grp:example.org'],
    ['job', ''],
  ]
  it.each(valid)('%s accepts %j', (kind, text) => expect(idProblem(kind, text)).toBeUndefined())
  it.each(invalid)('%s refuses %j', (kind, text) => expect(idProblem(kind, text)).toMatch(/^is not /))
})

describe('the path builder', () => {
  it('encodes a value into one segment', () => {
    expect(path`v1/x/${'a/b?c#d%2e'}/y`).toBe('v1/x/a%2Fb%3Fc%23d%252e/y')
  })
  it.each(['', '.', '..'])('refuses %j as a usage error', (value) => {
    expect(() => path`v1/registration_tokens/${value}`).toThrow(expect.objectContaining({ kind: 'usage' }))
  })
  it.each([undefined, null])('refuses %s (a missing reply field) before sending', (value) => {
    expect(() => path`v1/rooms/${value}/block`).toThrow(/refusing to send a request/)
  })
})

describe('every built-in ID argument and option declares its kind', () => {
  // Names that hold an identifier; free-text filters ("contains TEXT") and regexes are named otherwise.
  const ID_NAME = /^(user_id|room_id|room_id_or_alias|event_id|media_id|media|device_id|device_ids|report_id|group_id|purge_id|redact_id|delete_id|destination|server|uri)$/
  const FILTERS = new Set(['user list -i', 'user list-v3 -i', 'federation list -d', 'audit --server'])
  it('has an id kind wherever the name says ID', async () => {
    const { session } = await runSynadm(builtins, ['--version'])
    const missing: string[] = []
    for (const { spec } of session.registry.commands()) {
      const shape = commandShape(spec)
      for (const arg of shape.args) if ((ID_NAME.test(arg.name) || (spec.path.startsWith('regtok') && arg.name === 'token')) && !arg.id) missing.push(`${spec.path} <${arg.name}>`)
      for (const def of shape.options) {
        const named = def.values.some((v) => ID_NAME.test(v)) || ID_NAME.test(def.key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()))
        if (named && !def.spec.id && !FILTERS.has(`${spec.path} ${def.on[0]}`) && def.values.length) missing.push(`${spec.path} ${def.on.join(', ')}`)
      }
    }
    expect(missing).toEqual([])
  })
})

describe('invalid IDs are usage errors and send nothing', () => {
  const cases: string[][] = [
    ['regtok', 'details', '.'],
    ['regtok', 'delete', '..', '--batch'],
    ['regtok', 'update', '..', '-u', '3'],
    ['media', 'delete', '-i', '..', '--batch'],
    ['media', 'quarantine', '-s', '..', '-i', '..'],
    ['media', 'protect', '.'],
    ['media', 'details', '..'],
    ['room', 'event', '..'],
    ['room', 'details', ''],
    ['room', 'block', '..'],
    ['room', 'context', '!abc:example.org', '..'],
    ['history', 'purge-status', '..'],
    ['history', 'purge', '..', '-d', '3', '--batch'],
    ['federation', 'details', '..'],
    ['federation', 'rooms', '.'],
    ['federation', 'reset-connection', ''],
    ['user', 'details', ''],
    ['user', 'details', 'alice:example.org'],
    ['user', 'devices', 'delete', '@alice:synapse.test', '..', '--batch'],
    ['user', 'devices', 'show', '@alice:synapse.test', ''],
    ['user', 'redact-status', ''],
    ['report', 'event', 'details', '..'],
    ['report', 'user', 'delete', '1x', '--batch'],
    ['group', 'delete', '..', '--batch'],
    ['room', 'delete-status', '-d', '..'],
  ]
  it.each(cases)('%s %s %s …', async (...argv) => {
    const seen = countRequests()
    const result = await runSynadm(builtins, argv)
    expect({ code: result.code, seen }).toEqual({ code: 2, seen: [] })
    expect(result.stderr).toMatch(/^synadm: Invalid value for '[^']+': '[^']*' is not /)
  })
})

describe('dates that do not exist are usage errors naming the option and the forms', () => {
  const commands: [string[], string][] = [
    [['history', 'purge', '!r:synapse.test', '--batch', '--before'], '--before'],
    [['media', 'delete', '--batch', '-b'], '-b'],
    [['media', 'purge', '-b'], '-b'],
    [['regtok', 'new', '-e'], '-e'],
    [['user', 'sent-invite-count', 'alice', '--since'], '--since'],
  ]
  const dates = ['2021-02-30', '2021-13-45', '2021-02-29', '2021-04-31', '2021-00-10', '0021-06-01', '2021-01-01 24:00:00', '2021-01-01T12:60:00', '2021-01-01 12:00:61', 'yesterday', '2021-1-1']
  const table = commands.flatMap(([argv, option]) => dates.map((date) => [[...argv, date], option, date] as const))
  it.each(table)('%j', async (argv, option, date) => {
    const seen = countRequests()
    const result = await runSynadm(builtins, [...argv])
    expect({ code: result.code, seen }).toEqual({ code: 2, seen: [] })
    expect(result.stderr.split('\n')[0]).toBe(
      `synadm: Invalid value for '${option}': '${date}' is not a date${/^\d{4}-\d\d-\d\d/.test(date) ? ' and time that exists' : ''}; use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or 'YYYY-MM-DD HH:MM[:SS]' (local time).`,
    )
  })
  it('a real leap day and a full time are taken', async () => {
    const { parseDateTime } = await import('../../core/cli/parse.js')
    expect(parseDateTime('2024-02-29')).toBe(new Date(2024, 1, 29).getTime())
    expect(parseDateTime('2021-12-31T23:59:59')).toBe(new Date(2021, 11, 31, 23, 59, 59).getTime())
  })
})

describe('numbers outside their declared range are usage errors and send nothing', () => {
  const cases: [string[], string][] = [
    [['media', 'delete', '--batch', '-d', '-5'], "'-5' is not in the range 0<=x<=36500"],
    [['media', 'purge', '-d', '-1'], "'-1' is not in the range 0<=x<=36500"],
    [['history', 'purge', '!r:synapse.test', '--batch', '-d', '-3'], "'-3' is not in the range 0<=x<=36500"],
    [['user', 'login', 'alice', '-d', '99999'], "'99999' is not in the range 0<=x<=36500"],
    [['user', 'list', '-l', '0'], "'0' is not in the range x>=1"],
    [['user', 'list', '-f', '-1'], "'-1' is not in the range x>=0"],
    [['user', 'list', '-l', '99999999999999999999'], "'99999999999999999999' is not in the range 1<=x<=9007199254740991"],
    [['room', 'list', '-l', '9007199254740993'], "'9007199254740993' is not in the range 1<=x<=9007199254740991"],
    [['regtok', 'new', '-l', '65'], "'65' is not in the range 1<=x<=64"],
    [['regtok', 'update', 'abc', '-u', '-2'], "'-2' is not in the range x>=-1"],
    [['media', 'delete', '--batch', '-t', '-1'], "'-1' is not in the range 0<=x<=8640000000000000"],
    [['user', 'prune-devices', 'alice', '-s', '-1'], "'-1' is not in the range x>=0"],
    [['room', 'purge-empty', '--batch', '-p', '0'], "'0' is not in the range x>=1"],
    [['user', 'list', '-l', '1.5'], "'1.5' is not a valid integer"],
  ]
  it.each(cases)('%j', async (argv, message) => {
    const seen = countRequests()
    const result = await runSynadm(builtins, argv)
    expect({ code: result.code, seen }).toEqual({ code: 2, seen: [] })
    expect(result.stderr).toContain(message)
  })

  it('every built-in int option declares a range that holds its default', async () => {
    const { session } = await runSynadm(builtins, ['--version'])
    const problems: string[] = []
    for (const { spec } of session.registry.commands()) {
      for (const def of commandShape(spec).options) {
        if (def.type !== 'int') continue
        const { min, max, default: dflt } = def.spec
        if (min === undefined && max === undefined) problems.push(`${spec.path} ${def.on[0]}: no range`)
        if (typeof dflt === 'number' && ((min !== undefined && dflt < min) || (max !== undefined && dflt > max))) problems.push(`${spec.path} ${def.on[0]}: default out of range`)
      }
    }
    expect(problems).toEqual([])
  })
})

describe('a reply without a field the command needs is an API error (exit 5), never the text undefined', () => {
  const api = () => nock(TEST_BASE_URL).matchHeader('authorization', 'Bearer test-token')
  const anyUndefined = (seen: string[]) => seen.filter((r) => /undefined|null/.test(r))

  it('room block with an alias the directory answers {} for', async () => {
    api().get('/_matrix/client/v3/directory/room/%23lobby%3Asynapse.test').reply(200, {})
    const seen = countRequests()
    const result = await runSynadm(builtins, ['room', 'block', '#lobby:synapse.test'])
    expect({ code: result.code, seen }).toEqual({ code: 5, seen: [] })
    expect(result.stderr).toBe("synadm: the server's reply to the lookup of #lobby:synapse.test has no room_id\n")
  })

  it('history purge whose reply has no purge_id does not print a check-later command for undefined', async () => {
    const ROOM = '%21r%3Asynapse.test'
    api().get(`/_synapse/admin/v1/rooms/${ROOM}`).reply(200, { room_id: '!r:synapse.test', name: 'R', joined_members: 1 })
    api().post(`/_synapse/admin/v1/purge_history/${ROOM}`).reply(200, { purge: 'started' })
    const seen = countRequests()
    const result = await runSynadm(builtins, ['--batch', 'history', 'purge', '!r:synapse.test', '-d', '30'])
    expect({ code: result.code, undefinedRequests: anyUndefined(seen), stderr: result.stderr }).toEqual({
      code: 5,
      undefinedRequests: [],
      stderr: "synadm: the server's reply to the purge of !r:synapse.test has no purge_id\n",
    })
  })

  it('user devices delete USER DEV1 deletes DEV1 even when the reply names another device', async () => {
    api().get('/_synapse/admin/v2/users/%40alice%3Asynapse.test').reply(200, { name: '@alice:synapse.test' })
    api().get('/_synapse/admin/v2/users/%40alice%3Asynapse.test/devices/DEV1').reply(200, { device_id: 'OTHER', last_seen_ts: null })
    const deleted = api().delete('/_synapse/admin/v2/users/%40alice%3Asynapse.test/devices/DEV1').reply(200, {})
    const result = await runSynadm(builtins, ['--batch', 'user', 'devices', 'delete', '@alice:synapse.test', 'DEV1'])
    expect(result.code).toBe(0)
    expect(deleted.isDone()).toBe(true)
  })

  it.each([
    ['an empty body', ''],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
  ])('a 200 with %s where JSON is expected exits 5', async (_, body) => {
    api().get('/_synapse/admin/v1/server_version').reply(200, body, { 'Content-Type': 'application/json' })
    const result = await runSynadm(builtins, ['version'])
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/^synadm: GET \S+ answered 200 with (an empty body where JSON was expected|a body that is not a JSON object)\n$/)
  })
})

describe('raw and matrix raw refuse a path that leaves their API prefix unless --allow-outside', () => {
  it.each([
    [['raw', '../../_matrix/client/versions']],
    [['raw', '%2e%2e/%2E%2E/_matrix/client/versions']],
    [['raw', 'v1/../../x']],
    [['matrix', 'raw', '../_synapse/admin/v1/server_version']],
  ])('%j', async (argv) => {
    const seen = countRequests()
    const result = await runSynadm(builtins, argv)
    expect({ code: result.code, seen }).toEqual({ code: 2, seen: [] })
    expect(result.stderr).toMatch(/^synadm: ENDPOINT '[^']+' resolves to \S+, outside \/_(synapse\/admin|matrix)\nhint: add --allow-outside to send it anyway\n$/)
  })
  it('sends it with --allow-outside, and paths inside the prefix as before', async () => {
    const seen = countRequests()
    expect((await runSynadm(builtins, ['raw', '../../_matrix/client/versions', '--allow-outside'])).code).toBe(0)
    expect((await runSynadm(builtins, ['raw', 'v1/a/../server_version'])).code).toBe(0)
    expect(seen).toEqual(['GET /_matrix/client/versions', 'GET /_synapse/admin/v1/server_version'])
  })
})
