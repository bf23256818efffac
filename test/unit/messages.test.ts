// Messages that say which way (issue 25): look-alikes for typos, confirmations and dry runs that name the action,
// hints and Tab that follow the grammar, short aliases, server checks that check the token.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runSynadm } from '../../testing.js'
import { editDistance, lookAlikes } from '../../core/cli/suggest.js'

const run = (argv: string[], options: Parameters<typeof runSynadm>[2] = {}) => runSynadm([], argv, { builtins: true, ...options })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())

describe('typos get look-alikes, closest first', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('detials', 'details')).toBe(1)
    expect(editDistance('lst', 'list')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(lookAlikes('delet', ['details', 'delete-status', 'delete'])).toEqual(['delete', 'delete-status'])
  })

  it.each([
    [['user', 'lst'], "No such command 'user lst'.", 'hint: did you mean user list?'],
    [['user', 'detials', 'alice'], "No such command 'user detials'.", 'hint: did you mean user details?'],
    // `use` is a word of the shell, hidden: never offered; the words after the typo go on to the command
    [['usr', 'list'], "No such command 'usr'.", 'hint: did you mean user list?'],
    [['user', 'list', '--limt', '3'], 'No such option: --limt', 'hint: did you mean --limit?'],
    [['--outptu', 'json', 'version'], 'No such option: --outptu', 'hint: did you mean --output?'],
  ])('%j', async (argv, message, hint) => {
    const result = await run(argv)
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(`synadm: ${message}\n${hint}\n`)
  })
})

describe('hints and Tab follow the grammar', async () => {
  const { Registry } = await import('../../core/cli/registry.js')
  const { loadBuiltins } = await import('../../core/plugin-host/loader.js')
  const { builtins } = await import('../../plugins/builtins.js')
  const { complete, hint } = await import('../../core/shell/completion.js')
  const registry = new Registry()
  await loadBuiltins(registry, builtins)
  const values = (line: string) => complete(registry, line).candidates.map((c) => c.value)

  it('after the target argument --targets is no longer offered, and after --targets not the argument', () => {
    expect(hint(registry, 'user shadow-ban ')).toMatch(/^USER_ID .*\[--targets TARGETS\]/)
    expect(hint(registry, 'user shadow-ban @a:x ')).not.toContain('--targets')
    expect(values('user shadow-ban @a:x --')).not.toContain('--targets')
    expect(hint(registry, 'user shadow-ban --targets t.txt ')).not.toMatch(/USER_ID/)
    expect(hint(registry, 'user deactivate --targets t.txt ')).toBe('[-e] [--concurrency CONCURRENCY] [--journal JOURNAL] [--dry-run]')
    expect(values('user deactivate --targets t.txt ')).toEqual([])
  })

  it('an option of an exclusive group is no longer offered once another of it is given', () => {
    expect(values('user list -n bob --')).not.toContain('--user-id')
    expect(hint(registry, 'user list -n bob ')).not.toContain('USER_ID')
    expect(values('user list --')).toContain('--user-id')
  })

  it('Tab after an option offers the values help lists: declared choices and suggestions', () => {
    expect(values('user list --sort-by ')).toEqual(['name', 'is_guest', 'admin', 'user_type', 'deactivated', 'shadow_banned', 'displayname', 'avatar_url', 'creation_ts', 'last_seen_ts'])
    expect(values('user list --sort-by la')).toEqual(['last_seen_ts'])
    expect(values('user media alice --sort ')).toContain('media_length')
    // a global option after the command words completes like before them
    expect(values('user list -o js')).toEqual(['json', 'jsonl'])
    expect(values('-o js')).toEqual(['json', 'jsonl'])
  })

  it('help lists the same values', async () => {
    const result = await run(['user', 'list', '-h'])
    expect(result.stdout).toMatch(/--sort-by <field>\s+sort by this field \(name, is_guest, admin, user_type, deactivated, shadow_banned, displayname, avatar_url, creation_ts, last_seen_ts\)/)
  })
})
