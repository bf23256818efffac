// Bars beside the numbers of human tables (core/output/chart.ts, drawn by core/output/formats.ts's table layout): where a command
// declares a chart, on a terminal only, in block characters or in # where those may not show.
import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { bars, blocksShown, chartColumns } from '../../core/output/chart.js'
import { execute } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import { format, itemStream, TableLayout } from '../../core/output/formats.js'
import { TEST_BASE_URL, testIO } from '../../core/app/in-process.js'
import room from '../../plugins/room/index.js'
import server from '../../plugins/server/index.js'

const BLOCKS = /[█▏▎▍▌▋▊▉]/

describe('bars', () => {
  it('the largest value fills the width; the others in eighths of a character', () => {
    expect(bars([8, 4, 1, 0], 2)).toEqual(['██', '█', '▎', ''])
    expect(bars([100, 33], 10)).toEqual(['██████████', '███▎'])
  })

  it('in # with ascii: whole characters', () => {
    expect(bars([8, 4, 1], 4, { ascii: true })).toEqual(['####', '##', '#'])
  })

  it('a positive value too small to show gets the smallest bar; no bar for zero, negatives and what is no number', () => {
    expect(bars([1000, 1], 10)).toEqual(['██████████', '▏'])
    expect(bars([1000, 1], 10, { ascii: true })).toEqual(['##########', '#'])
    expect(bars([5, 0, -3, '7', null, undefined, Number.NaN], 5)).toEqual(['█████', '', '', '', '', '', ''])
  })

  it('a given scale: values above it get the full width', () => {
    expect(bars([4, 16], 4, { max: 8 })).toEqual(['██', '████'])
  })
})

describe('which terminal shows block characters', () => {
  it.each([
    [{}, true],
    [{ LANG: 'en_US.UTF-8' }, true],
    [{ LANG: 'de_DE.utf8' }, true],
    [{ LANG: 'C' }, false],
    [{ LANG: 'en_US.ISO-8859-1' }, false],
    [{ LANG: 'C', LC_ALL: 'en_US.UTF-8' }, true],
    [{ LANG: 'en_US.UTF-8', LC_CTYPE: 'POSIX' }, false],
    [{ LANG: 'en_US.UTF-8', TERM: 'dumb' }, false],
  ])('%j: %s', (env, shown) => {
    expect(blocksShown(env)).toBe(shown)
  })
})

describe('the charted column of a command', () => {
  const media = { columns: ['media_length', 'media_count'], orderedBy: 'sort' }
  const rooms = { ...media, columns: ['joined_members'], onlyOrdered: true }
  it('the order option picks one of the columns; onlyOrdered charts nothing for another order', () => {
    expect(chartColumns(undefined, {})).toBeUndefined()
    expect(chartColumns(media, {})).toEqual(['media_length', 'media_count'])
    expect(chartColumns(media, { sort: 'media_count' })).toEqual(['media_count'])
    expect(chartColumns(media, { sort: 'user_id' })).toEqual(['media_length', 'media_count'])
    expect(chartColumns(rooms, { sort: 'joined_members' })).toEqual(['joined_members'])
    expect(chartColumns(rooms, { sort: 'name' })).toBeUndefined()
    expect(chartColumns(rooms, {})).toBeUndefined()
  })
})

describe('tables with bars', () => {
  const users = [
    { user_id: '@big:x', media_count: 2, media_length: 4000 },
    { user_id: '@small:x', media_count: 9, media_length: 1000 },
  ]
  const chart = { columns: ['media_length'], ascii: false }
  const lines = (text: string) => text.trimEnd().split('\n')

  it('in a terminal: a column of bars right after the charted one, the whole line within the width', async () => {
    const text = await format('human', users, new TableLayout({ width: 60, chart }))
    const [header, rule, big, small] = lines(text)
    expect(header).toBe('user_id   media_count  media_length')
    expect(rule).toMatch(/^-+ {2}-+ {2}-+ {2}-{10,}$/)
    const bar = (line: string) => line.slice(line.indexOf('█'))
    expect(big).toMatch(/^@big:x +2 +4000 +█+$/)
    expect([...bar(big)].length).toBe(60 - '@big:x    2            4000          '.length)
    expect(bar(small)).toBe(bars([4000, 1000], [...bar(big)].length)[1])
    for (const line of lines(text)) expect([...line].length).toBeLessThanOrEqual(60)
  })

  it('piped (no width), -o wide, or no declaration: the table as before, without bars', async () => {
    const plain = await format('human', users)
    expect(await format('human', users, new TableLayout({ chart }))).toBe(plain)
    expect(await format('wide', users, new TableLayout({ chart }))).toBe(plain)
    expect(await format('human', users, new TableLayout({ width: 60 }))).toBe(plain)
  })

  it('--columns without the charted column: no bars', async () => {
    const text = await format('human', users, new TableLayout({ width: 60, chart, columns: ['user_id'] }))
    expect(text).not.toMatch(BLOCKS)
  })

  it('the pages of --all share the first page’s scale', async () => {
    let out = ''
    const stream = itemStream('human', (t) => (out += t), new TableLayout({ width: 60, chart }))
    await stream.page(users)
    await stream.page([{ user_id: '@tiny:x', media_count: 1, media_length: 2000 }])
    const bar = (who: string) => out.split('\n').find((l) => l.startsWith(who))!.replace(/^[^█▏▎▍▌▋▊▉]*/, '')
    expect([...bar('@tiny:x')].length).toBe(Math.ceil([...bar('@big:x')].length / 2))
  })

  it('a table of other columns after the first (a command printing several lists) gets its own columns', async () => {
    const layout = new TableLayout({ width: 80, chart: { columns: ['media_length', 'joined_members'], ascii: false } })
    await format('human', [{ check: 'a', state: 'ok' }], layout)
    const rooms = await format('human', [{ room_id: '!r:x', joined_members: 4 }, { room_id: '!s:x', joined_members: 1 }], layout)
    expect(lines(rooms)[0]).toBe('room_id  joined_members')
    expect(lines(rooms)[2]).toMatch(/^!r:x +4 +█{10,}$/)
  })
})

describe('commands that declare charts, on a terminal and piped', () => {
  beforeAll(() => nock.disableNetConnect())
  afterEach(() => nock.cleanAll())
  const A = '/_synapse/admin/v1'

  async function human(argv: string[], o: { columns?: number; env?: Record<string, string> } = {}) {
    const io = testIO({ env: { SYNADM_PAGER: '', ...o.env } })
    if (o.columns) Object.assign(io.stdout, { isTTY: true, columns: o.columns })
    const session = await createSession([server, room], io)
    const code = await execute(session, ['-o', 'human', ...argv])
    return { code, stdout: io.stdout.text }
  }
  const mediaPage = { users: [{ user_id: '@a:x', displayname: 'A', media_count: 1, media_length: 900 }, { user_id: '@b:x', displayname: 'B', media_count: 5, media_length: 300 }], total: 2 }
  const roomsPage = { rooms: [{ room_id: '!a:x', name: 'A', joined_members: 10 }, { room_id: '!b:x', name: 'B', joined_members: 5 }], offset: 0, total_rooms: 2 }

  it('statistics user-media: bars on a terminal, none piped', async () => {
    nock(TEST_BASE_URL).get(`${A}/statistics/users/media`).query(true).times(2).reply(200, mediaPage)
    const shown = await human(['statistics', 'user-media'], { columns: 100 })
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^@a:x +A +1 +900 +█{10,}$/m)
    const piped = await human(['statistics', 'user-media'])
    expect(piped.stdout).not.toMatch(BLOCKS)
    expect(piped.stdout).toMatch(/^@a:x +A +1 +900$/m)
  })

  it('statistics user-media -s media_count: the bars show the counts', async () => {
    nock(TEST_BASE_URL).get(`${A}/statistics/users/media`).query(true).reply(200, mediaPage)
    const { stdout } = await human(['statistics', 'user-media', '-s', 'media_count'], { columns: 100 })
    expect(stdout).toMatch(/^@b:x +B +5 +█{10,} +300$/m)
  })

  it('room list: bars when ordered by a count, none when ordered by name; # on a dumb terminal', async () => {
    nock(TEST_BASE_URL).get(`${A}/rooms`).query(true).times(3).reply(200, roomsPage)
    expect((await human(['room', 'list', '-s', 'joined_members'], { columns: 120 })).stdout).toMatch(/^!a:x +A +10 +█{10,}$/m)
    expect((await human(['room', 'list', '-s', 'name'], { columns: 120 })).stdout).not.toMatch(BLOCKS)
    expect((await human(['room', 'list', '-s', 'joined_members'], { columns: 120, env: { TERM: 'dumb' } })).stdout).toMatch(/^!a:x +A +10 +#{10,}$/m)
  })
})
