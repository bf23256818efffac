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
