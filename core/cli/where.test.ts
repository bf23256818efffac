import { describe, expect, it } from 'vitest'
import { compileWhere, whereProblem } from './where.js'

const at = (text: string) => new Date(text.replace(' ', 'T')).getTime()
const user = {
  name: '@casino1:example.org',
  displayname: 'CASINO King',
  admin: 0,
  deactivated: false,
  shadow_banned: true,
  creation_ts: at('2026-12-06 10:30:00'),
  last_seen_ts: null,
  count: 7,
  reasons: ['spam', 'Scam links'],
  event_json: { content: { body: 'buy chips' } },
  created: '2026-12-06 09:00:00',
}
const holds = (...expressions: string[]) => compileWhere(expressions)!(user)

describe('--where expressions', () => {
  it('compares numbers with every operator', () => {
    expect([holds('count=7'), holds('count!=7'), holds('count<8'), holds('count<=7'), holds('count>7'), holds('count>=7')]).toEqual([true, false, true, true, false, true])
    expect([holds('count=8'), holds('count!=8'), holds('count<7'), holds('count<=6'), holds('count>6'), holds('count>=8')]).toEqual([false, true, false, false, true, false])
    expect(holds('count > 6.5')).toBe(true)
  })

  it('compares times with dates as the date options take them, and with ms', () => {
    expect(holds('creation_ts>=2026-12-06 10:00')).toBe(true)
    expect(holds('creation_ts>=2026-12-06 10:31')).toBe(false)
    expect(holds('creation_ts<2026-12-07')).toBe(true)
    expect(holds('creation_ts>2026-12-06T10:30:00')).toBe(false)
    expect(holds('creation_ts=2026-12-06 10:30:00')).toBe(true)
    expect(holds(`creation_ts=${at('2026-12-06 10:30:00')}`)).toBe(true)
    expect(holds(`creation_ts<${at('2026-12-06 10:30:00')}`)).toBe(false)
    // a date as --datetime prints it compares as the same instant
    expect(holds('created<2026-12-06 09:00:01')).toBe(true)
    expect(holds('created>=2026-12-06 09:00:01')).toBe(false)
    // no time: no ordering holds, != does
    expect([holds('last_seen_ts<2030-01-01'), holds('last_seen_ts>=1970-01-01'), holds('last_seen_ts!=2030-01-01')]).toEqual([false, false, true])
  })

  it('compares booleans, also with 1/0 flags, and null', () => {
    expect([holds('shadow_banned=true'), holds('shadow_banned!=true'), holds('deactivated=false'), holds('deactivated=true')]).toEqual([true, false, true, false])
    expect([holds('admin=false'), holds('admin=true'), holds('admin!=false')]).toEqual([true, false, false])
    expect([holds('last_seen_ts=null'), holds('missing=null'), holds('displayname=null'), holds('displayname!=null')]).toEqual([true, true, false, true])
  })

  it('compares text exactly, and orders it', () => {
    expect([holds('displayname=CASINO King'), holds('displayname=casino king'), holds('displayname!=casino king')]).toEqual([true, false, true])
    expect([holds('name>@b'), holds('name<@b')]).toEqual([true, false])
  })

  it('matches regular expressions case-insensitively, or with the flags of ~/RE/', () => {
    expect([holds('displayname~casino'), holds('displayname~^casino k'), holds('displayname!~casino'), holds('displayname~poker')]).toEqual([true, true, false, false])
    expect([holds('displayname~/casino/'), holds('displayname~/CASINO/'), holds('displayname~/casino/i')]).toEqual([false, true, true])
    // a record without the field passes !~ (it is not a casino), never ~
    expect([holds('missing~.'), holds('missing!~casino')]).toEqual([false, true])
    expect(holds('count~^7$')).toBe(true)
  })

  it('reads dotted fields and holds on a list when one element does', () => {
    expect([holds('event_json.content.body~chips'), holds('event_json.content.body=buy chips'), holds('event_json.nope=1')]).toEqual([true, true, false])
    expect([holds('reasons=spam'), holds('reasons~scam'), holds('reasons!~scam'), holds('reasons!=ham')]).toEqual([true, true, false, true])
  })

  it('ANDs several expressions', () => {
    expect(holds('creation_ts>=2026-12-06 10:00', 'displayname~casino')).toBe(true)
    expect(holds('creation_ts>=2026-12-06 10:00', 'displayname~poker')).toBe(false)
    expect(holds('displayname~poker', 'creation_ts>=2026-12-06 10:00')).toBe(false)
    expect(compileWhere([])).toBeUndefined()
  })

  it.each([
    ['displayname', 'is not FIELD OP VALUE'],
    ['=casino', 'is not FIELD OP VALUE'],
    ['display name=x', 'is not FIELD OP VALUE'],
    ['admin>true', 'compares true with >: use = or !='],
    ['x<=null', 'compares null with <=: use = or !='],
    ['displayname~(casino', 'is not a valid regular expression'],
    ['displayname~/casino/g', "flags 'g'"],
    ['creation_ts>=yesterday', 'compares the time creation_ts'],
    ['creation_ts>=2026-02-30', 'is not a date and time that exists'],
    ['seen<2026-1-1x', undefined],
    ['last_seen_ts>2026-12-06 25:00', 'is not a date and time that exists'],
    ['name>', 'has no value after >'],
  ])('%s: %s', (expression, problem) => {
    if (problem === undefined) expect(whereProblem(expression)).toBeUndefined()
    else expect(whereProblem(expression)).toContain(problem)
  })
})
