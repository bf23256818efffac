import { describe, expect, it } from 'vitest'
import { format, itemStream, pythonRepr, resolveFormat } from '../../core/output.js'

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
    expect(text.split('\n').slice(0, 4)).toEqual(['name  admin  avatar_url  n  extra', '----  -----  ----------  -  -----', '@ä:x  True               3', '@b:x  False                 [1]'])
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
