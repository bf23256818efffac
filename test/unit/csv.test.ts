import { describe, expect, it } from 'vitest'
import { parseCsv } from '../../core/output/csv.js'

describe('parseCsv', () => {
  it('parses RFC 4180 CSV: quotes, doubled quotes, line breaks in a cell, CRLF', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n')).toEqual([
      { cells: ['a', 'b'], line: 1 },
      { cells: ['x, y', 'say "hi"'], line: 2 },
      { cells: ['two\nlines', 'z'], line: 3 },
    ])
  })

  it('refuses a quoted cell that never ends, naming its line', () => {
    expect(() => parseCsv('a,b\n"open,x\n')).toThrow('CSV: a quoted field starting on line 2 never ends')
  })
})
