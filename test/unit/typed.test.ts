// Typed options and arguments, derived from declarations. Checked by the compiler (npm run typecheck); the runtime
// half holds the type-level key rule equal to the parser's.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { defineOption } from '../../core/cli/options.js'
import type { RunContext } from '../../core/contract/run-context.js'
import { defineCommand, defineOptions, type ArgsOf, type OptionKey, type OptionsOf } from '../../core/contract/typed.js'

const shared = defineOptions([{ flags: '-l, --limit <n>', type: 'int', default: 100, description: 'page size' }])
const spec = defineCommand({
  path: 'demo typed',
  description: 'every kind of option',
  args: '<user_id> [reason] [files...]',
  options: [
    ...shared,
    { flags: '-f, --from <token>', type: 'int', description: 'start here' },
    { flags: '-g, --guests / -G, --no-guests', description: 'guests or not' },
    { flags: '--no-color', description: 'plain output' },
    { flags: '-o, --order-by <field>', choices: ['name', 'size'], description: 'sort' },
    { flags: '--exclude <type>', repeatable: true, description: 'leave out' },
    { flags: '--before <when>', type: 'datetime', description: 'before' },
    { flags: '-t, --threepid <medium> <address>', description: 'a 3PID' },
    { flags: '-v, --verbose', type: 'count', description: 'more' },
    { flags: '-p, --batch-size, --paginate <n>', type: 'int', default: 10, description: 'batch' },
    { flags: '--password-file <file>', type: 'file', description: 'a file' },
    { flags: '-x [value]', description: 'vorpal style' },
    { flags: '--txn-id <id> / --no-txn-id', description: 'an ID, or none' },
  ],
  paged: { items: 'users', from: 'from' },
  load: async () => () => undefined,
})

describe('typed options', () => {
  it('derive keys and value types from the declaration', () => {
    type O = OptionsOf<typeof spec>
    expectTypeOf<O['limit']>().toEqualTypeOf<number>()
    // the option that receives next-page tokens also takes the token under --all
    expectTypeOf<O['from']>().toEqualTypeOf<number | string | undefined>()
    expectTypeOf<O['guests']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<O['color']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<O['orderBy']>().toEqualTypeOf<'name' | 'size' | undefined>()
    expectTypeOf<O['exclude']>().toEqualTypeOf<string[] | undefined>()
    expectTypeOf<O['before']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<O['threepid']>().toEqualTypeOf<string[] | undefined>()
    expectTypeOf<O['verbose']>().toEqualTypeOf<number | undefined>()
    expectTypeOf<O['batchSize']>().toEqualTypeOf<number>()
    expectTypeOf<O['passwordFile']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<O['x']>().toEqualTypeOf<string | true | undefined>()
    // the off switch of a pair whose on side takes a value sets false
    expectTypeOf<O['txnId']>().toEqualTypeOf<string | false | undefined>()
    expectTypeOf<O['all']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<RunContext<typeof spec>['options']>().toEqualTypeOf<O>()
  })

  it('derive positional arguments from the usage syntax', () => {
    expectTypeOf<ArgsOf<typeof spec>>().toEqualTypeOf<{ user_id: string; reason: string | undefined; files: string[] }>()
  })

  it('leave a plain RunContext untyped, and accept a typed one where a plain one is asked for', () => {
    expectTypeOf<RunContext['options']>().toEqualTypeOf<Record<string, unknown>>()
    expectTypeOf<RunContext<typeof spec>>().toMatchTypeOf<RunContext>()
  })

  it('name each option as the parser does', () => {
    const keys: Record<string, string> = {
      '-l, --limit <n>': 'limit' satisfies OptionKey<'-l, --limit <n>'>,
      '-g, --guests / -G, --no-guests': 'guests' satisfies OptionKey<'-g, --guests / -G, --no-guests'>,
      '--no-color': 'color' satisfies OptionKey<'--no-color'>,
      '-o, --order-by <field>': 'orderBy' satisfies OptionKey<'-o, --order-by <field>'>,
      '-p, --batch-size, --paginate <n>': 'batchSize' satisfies OptionKey<'-p, --batch-size, --paginate <n>'>,
      '-x [value]': 'x' satisfies OptionKey<'-x [value]'>,
      '--txn-id <id> / --no-txn-id': 'txnId' satisfies OptionKey<'--txn-id <id> / --no-txn-id'>,
      '--since-ts2 <ms>': 'sinceTs2' satisfies OptionKey<'--since-ts2 <ms>'>,
    }
    for (const [flags, key] of Object.entries(keys)) expect(defineOption({ flags, description: '' }).key).toBe(key)
  })
})
