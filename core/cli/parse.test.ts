import { describe, expect, it } from 'vitest'
import { parseCommandWords, parseDateTime, scanLine } from './parse.js'
import { parseGlobals } from './globals.js'
import type { CommandSpec } from '../contract/spec.js'

const load = async () => () => undefined
const userList: CommandSpec = {
  path: 'user list',
  description: 'list users',
  options: [
    { flags: '-f, --from <from>', type: 'int', default: 0, description: '' },
    { flags: '-l, --limit <n>', type: 'int', default: 100, description: '' },
    { flags: '-g, --guests / -G, --no-guests', description: '' },
    { flags: '-d, --deactivated', description: '' },
    { flags: '--exclude-user-type <t>', repeatable: true, description: '' },
    { flags: '-n, --name <name>', description: '' },
    { flags: '-i, --user-id <id>', description: '' },
    { flags: '-s, --sort <by>', choices: ['name', 'admin'], description: '' },
    { flags: '-t, --threepid <medium> <address>', repeatable: true, description: '' },
    { flags: '-p, --batch-size, --paginate <n>', type: 'int', description: '' },
    { flags: '--before <date>', type: 'datetime', description: '' },
  ],
  groups: [{ kind: 'exclusive', options: ['name', 'userId'] }],
  paged: { items: 'users' },
  load,
}
const details: CommandSpec = { path: 'user details', description: '', args: '<user_id> [more...]', load }

describe('parseCommandWords', () => {
  it('reads click-style options with defaults and types', () => {
    const { options, given } = parseCommandWords(userList, ['-l', '10', '--from=20', '-d'])
    expect(options).toMatchObject({ limit: 10, from: 20, deactivated: true })
    expect([...given].sort()).toEqual(['deactivated', 'from', 'limit'])
  })

  it('keeps an on/off pair unset unless given', () => {
    expect(parseCommandWords(userList, []).options.guests).toBeUndefined()
    expect(parseCommandWords(userList, ['-g']).options.guests).toBe(true)
    expect(parseCommandWords(userList, ['-G']).options.guests).toBe(false)
    expect(parseCommandWords(userList, ['--no-guests']).options.guests).toBe(false)
  })

  it('collects repeatable and two-value options, and aliases', () => {
    const { options } = parseCommandWords(userList, ['-t', 'email', 'a@b.c', '-t', 'msisdn', '123', '--exclude-user-type', '', '--paginate', '5', '-l5'])
    expect(options.threepid).toEqual([['email', 'a@b.c'], ['msisdn', '123']])
    expect(options.excludeUserType).toEqual([''])
    expect(options.batchSize).toBe(5)
    expect(options.limit).toBe(5)
  })

  it('adds --all to paged commands and --help to all', () => {
    expect(parseCommandWords(userList, ['--all']).options.all).toBe(true)
    expect(parseCommandWords(details, ['x', '-h']).options.help).toBe(true)
  })

  it('converts datetimes to epoch ms in local time', () => {
    expect(parseCommandWords(userList, ['--before', '2024-02-03']).options.before).toBe(new Date(2024, 1, 3).getTime())
    expect(parseDateTime('2024-02-03 04:05:06')).toBe(new Date(2024, 1, 3, 4, 5, 6).getTime())
    expect(parseDateTime('yesterday')).toBeUndefined()
  })

  it.each([
    [['-l', 'ten'], "Invalid value for '-l': 'ten' is not a valid integer."],
    [['--bogus'], 'No such option: --bogus'],
    [['-l'], "Option '-l' requires an argument."],
    [['-s', 'size'], "Invalid value for '-s': 'size' is not one of 'name', 'admin'."],
    [['-t', 'email'], "Option '-t' requires 2 arguments."],
    [['stray'], 'Got unexpected extra argument (stray)'],
    [['--before', '3 May'], "Invalid value for '--before': '3 May' is not a date; use YYYY-MM-DD"],
  ])('rejects %j with a usage error', (words, message) => {
    expect(() => parseCommandWords(userList, words)).toThrow(expect.objectContaining({ kind: 'usage', message: expect.stringContaining(message) }))
  })

  it('enforces option groups', () => {
    expect(() => parseCommandWords(userList, ['-n', 'a', '-i', 'b'])).toThrow(/Mutually exclusive options/)
    const one: CommandSpec = { ...userList, groups: [{ kind: 'one', options: ['name', 'userId'] }] }
    expect(() => parseCommandWords(one, [])).toThrow(/Missing one of the required mutually exclusive options/)
    const any: CommandSpec = { ...userList, groups: [{ kind: 'any', options: ['name', 'userId'] }] }
    expect(() => parseCommandWords(any, [])).toThrow(/At least one of the following options/)
  })

  it('fills positional, optional and variadic arguments', () => {
    expect(parseCommandWords(details, ['@a:b', 'x', 'y']).args).toEqual({ user_id: '@a:b', more: ['x', 'y'] })
    expect(() => parseCommandWords(details, [])).toThrow("Missing argument 'USER_ID'.")
    expect(parseCommandWords(details, ['--', '-weird']).args.user_id).toBe('-weird')
  })
})

describe('scanLine', () => {
  it('splits words with quotes and escapes, and pipes outside quotes', () => {
    expect(scanLine(`room delete '!a:b' -m "bye | now" | grep x\\ y`).segments).toEqual([
      ['room', 'delete', '!a:b', '-m', 'bye | now'],
      ['grep', 'x y'],
    ])
    expect(scanLine('user l').endsInSpace).toBe(false)
    expect(scanLine('user ').endsInSpace).toBe(true)
    expect(scanLine(`notice send a ""`).segments[0]).toEqual(['notice', 'send', 'a', ''])
  })
})

describe('parseGlobals', () => {
  it('reads synadm global options before the command words', () => {
    const { globals, rest } = parseGlobals(['-vv', '-o', 'json', '--yes', '-c', 'x.yaml', 'user', 'list', '-l', '5'])
    expect(globals).toMatchObject({ verbose: 2, output: 'json', batch: true, configFile: 'x.yaml' })
    expect(rest).toEqual(['user', 'list', '-l', '5'])
  })

  it.each(['--batch', '--no-confirm', '--yes', '--non-interactive', '--scripting'])('%s means batch', (flag) => {
    expect(parseGlobals([flag, 'version']).globals.batch).toBe(true)
  })

  it('reads them with the grammar of command options: clusters, glued and inline values, repeats', () => {
    expect(parseGlobals(['-vv', '-ojson', 'version']).globals).toMatchObject({ verbose: 2, output: 'json' })
    expect(parseGlobals(['-v', '--verbose', '--output=csv', '-o', 'yaml', 'version']).globals).toMatchObject({ verbose: 2, output: 'yaml' })
    expect(() => parseGlobals(['--confirm', 'version'])).toThrow('No such option: --confirm')
    expect(() => parseGlobals(['-o'])).toThrow("Option '-o' requires an argument.")
    // as click: the word after a value switch is its value, whatever it looks like (README: why not cac)
    expect(parseGlobals(['-o', '--yes', 'version']).globals).toMatchObject({ output: '--yes', batch: false })
    expect(parseGlobals(['--no-pager', 'version']).globals.pager).toBe(false)
    expect(parseGlobals(['version']).globals).toMatchObject({ pager: true, batch: false })
  })

  it('rejects unknown global options', () => {
    expect(() => parseGlobals(['--nope', 'version'])).toThrow('No such option: --nope')
  })
})
