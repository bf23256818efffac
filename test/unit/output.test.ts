// Local dates in these tables are UTC, as the fixtures were printed.
process.env.TZ = 'UTC'
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format, itemStream, pythonRepr, resolveFormat, TableLayout } from '../../core/output/formats.js'

const page = { users: [{ name: '@ä:x', admin: true, avatar_url: null, n: 3 }, { name: '@b:x', admin: false, extra: [1] }], total: 2 }

describe('formats', () => {
  it('accept synadm names and prefixes', () => {
    expect(['y', 'j', 'm', 'h', 'p', 'json', 'jsonl', 'csv'].map(resolveFormat)).toEqual(['yaml', 'json', 'minified', 'human', 'pprint', 'json', 'jsonl', 'csv'])
    expect(() => resolveFormat('xml')).toThrow("'xml' is not one of")
  })

  it('json is indented by 4 with non-ASCII escaped; minified is compact', async () => {
    expect(await format('json', { a: 'ä' })).toBe('{\n    "a": "\\u00e4"\n}\n')
    expect(await format('minified', { a: [1, 2] })).toBe('{"a":[1,2]}\n')
  })

  it('yaml sorts keys and ends with an empty line', async () => {
    expect(await format('yaml', { b: 1, a: '@x:y' })).toBe("a: '@x:y'\nb: 1\n\n")
  })

  it('pprint looks like Python', () => {
    expect(pythonRepr({ b: null, a: true, c: "it's" })).toBe(`{'a': True, 'b': None, 'c': "it's"}`)
  })

  it('human shows lists as tabulate-like tables', async () => {
    const text = await format('human', page)
    expect(text.split('\n').slice(0, 4)).toEqual(['name  admin  avatar_url  n  extra', '----  -----  ----------  -  -----', '@ä:x  True               3', '@b:x  False                 1'])
    expect(text).toContain('total  2')
  })

  it('jsonl and csv list the items of a page', async () => {
    expect(await format('jsonl', page)).toBe('{"name":"@\\u00e4:x","admin":true,"avatar_url":null,"n":3}\n{"name":"@b:x","admin":false,"extra":[1]}\n')
    expect(await format('csv', { users: [{ a: 'x,y', b: 1 }] })).toBe('a,b\n"x,y",1\n')
  })

  it('stream pages as one valid document', async () => {
    for (const fmt of ['json', 'minified'] as const) {
      let out = ''
      const stream = itemStream(fmt, (t) => (out += t))
      await stream.page([{ a: 1 }])
      await stream.page([{ a: 2 }, { a: 3 }])
      expect(stream.end()).toBe(3)
      expect(JSON.parse(out)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
    }
  })
})

describe('tables that fit', () => {
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tables')
  // Pages recorded from a real Synapse; *.txt and *.csv were printed by the formatter before tables learnt to fit
  // (users.human.txt again since -o human shows points in time as local dates).
  const pages = JSON.parse(readFileSync(join(fixtures, 'pages.json'), 'utf8')) as Record<'rooms' | 'users', { [key: string]: unknown }>
  const before = (file: string) => readFileSync(join(fixtures, file), 'utf8')
  const ROOM_COLUMNS = ['room_id', 'name', 'canonical_alias', 'joined_members', 'joined_local_members']
  const USER_COLUMNS = ['name', 'displayname', 'admin', 'deactivated', 'last_seen_ts']
  const lines = (text: string) => text.trimEnd().split('\n')
  const header = (text: string) => lines(text)[0].split(/\s{2,}/)

  it('piped (no terminal width), human, wide and csv are byte-equal to before; --all pages make one table', async () => {
    for (const name of ['rooms', 'users'] as const) {
      expect(await format('human', pages[name])).toBe(before(`${name}.human.txt`))
      const layout = new TableLayout({ preferred: ROOM_COLUMNS, note: () => expect.fail('no note in pipes') })
      expect(await format('human', pages[name], layout)).toBe(before(`${name}.human.txt`))
      layout.tell()
      expect(await format('wide', pages[name], new TableLayout({ width: 80 }))).toBe(before(`${name}.human.txt`))
      expect(await format('csv', pages[name], new TableLayout({ width: 80 }))).toBe(before(`${name}.csv`))
      let out = ''
      const stream = itemStream('human', (t) => (out += t))
      const list = pages[name][name] as Record<string, unknown>[]
      await stream.page(list.slice(0, 3))
      await stream.page(list.slice(3))
      stream.end()
      // The first page holds the widest cells here: the pages print as the whole list does, as one table.
      expect(out).toBe(await format('human', list))
    }
  })

  it.each([80, 120, 200])('in a terminal %i wide, every line fits, the main columns come first, one note names the rest', async (width) => {
    for (const [name, preferred] of [['rooms', ROOM_COLUMNS], ['users', USER_COLUMNS]] as const) {
      const notes: string[] = []
      const layout = new TableLayout({ width, preferred, note: (m) => notes.push(m) })
      const text = await format('human', pages[name], layout)
      // Notes wait until the table is printed.
      expect(notes).toEqual([])
      layout.tell()
      for (const line of lines(text)) expect([...line].length).toBeLessThanOrEqual(width)
      const shown = header(text)
      // The first declared column is always there; every declared column that is shown comes before any other.
      expect(shown[0]).toBe(preferred[0])
      const all = Object.keys((pages[name][name] as Record<string, unknown>[])[0])
      const hidden = all.filter((c) => !shown.includes(c))
      if (hidden.length) {
        expect(notes).toHaveLength(1)
        expect(notes[0]).toMatch(new RegExp(`^${hidden.length} of ${all.length} columns hidden \\(-o wide shows all\\): ${hidden.join(', ')}$`))
        expect(notes[0]).toContain('-o wide')
        // Nothing hidden that matters more than something shown.
        const lastPreferredShown = Math.max(...preferred.map((c) => (shown.includes(c) ? preferred.indexOf(c) : -1)))
        for (const c of preferred.slice(0, lastPreferredShown)) expect(shown).toContain(c)
      } else expect(notes).toEqual([])
    }
  })

  it('shows more at 120 than at 80, and cuts long cells with an ellipsis only in a terminal', async () => {
    const at = async (width: number) => format('human', pages.rooms, new TableLayout({ width, preferred: ROOM_COLUMNS, note: () => undefined }))
    const [narrow, medium, widest] = [await at(80), await at(120), await at(200)]
    expect(header(narrow)).toEqual(['room_id', 'name', 'canonical_alias'])
    expect(header(medium)).toEqual(ROOM_COLUMNS)
    expect(header(widest).length).toBeGreaterThan(ROOM_COLUMNS.length)
    // Room IDs whole; the long room name cut with an ellipsis.
    expect(narrow).toContain('!loifDzPRgiGzXUBIiI:synadm.test')
    expect(narrow).toMatch(/Room 10: a long[^\n]*…/)
    expect(await format('human', pages.rooms)).toContain('no terminal column should have to hold in full, ever')
  })

  it('--columns picks and orders columns in human and csv; an unknown column is a usage error', async () => {
    const columns = ['canonical_alias', 'room_id']
    const human = await format('human', pages.rooms, new TableLayout({ columns }))
    expect(header(human)).toEqual(columns)
    expect(lines(human)[2]).toBe('#room00000:synadm.test  !HXIbpOSAnWzMVMxQmW:synadm.test')
    expect((await format('csv', pages.rooms, new TableLayout({ columns }))).split('\n')[1]).toBe('#room00000:synadm.test,!HXIbpOSAnWzMVMxQmW:synadm.test')
    await expect(format('csv', pages.rooms, new TableLayout({ columns: ['nope'] }))).rejects.toThrow("no column 'nope'")
    let out = ''
    const stream = itemStream('csv', (t) => (out += t), new TableLayout({ columns: ['name'] }))
    await stream.page(pages.users.users as unknown[])
    expect(out.split('\n').slice(0, 2)).toEqual(['name', '@admin:synadm.test'])
  })

  it('--all in a terminal: one table, its widths fixed by the first page, one note after it', async () => {
    const notes: string[] = []
    let out = ''
    const layout = new TableLayout({ width: 80, preferred: ROOM_COLUMNS, note: (m) => notes.push(m) })
    const stream = itemStream('human', (t) => (out += t), layout)
    const list = pages.rooms.rooms as Record<string, unknown>[]
    // The long room name comes on the second page: cut to the width the first page gave its column.
    const [first, second] = [list.filter((r) => !String(r.name).includes('long')), list.filter((r) => String(r.name).includes('long'))]
    await stream.page(first)
    await stream.page(second)
    stream.end()
    layout.tell()
    expect(notes).toHaveLength(1)
    const shown = lines(out)
    expect(shown.filter((l) => l.startsWith('room_id'))).toHaveLength(1)
    expect(shown.filter((l) => l.startsWith('---'))).toHaveLength(1)
    expect(shown).toHaveLength(2 + list.length)
    // Every column starts where the header's does, on every row of every page.
    const starts = (line: string) => [...line.matchAll(/(?<=  )\S/g)].map((m) => m.index)
    const header = starts(shown[0])
    for (const row of shown.slice(2)) for (const at of starts(row)) expect(header).toContain(at)
    expect(shown.at(-1)).toMatch(/^!loifDzPRgiGzXUBIiI:synadm\.test  Room 10:?…  /)
  })
})
