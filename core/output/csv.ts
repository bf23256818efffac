/** CSV as spreadsheets write it: what `-o csv` prints, and what synadm reads from files (`user import`, `--targets`). */
import { usageError } from '../kernel/errors.js'

/** RFC 4180 CSV: quoted fields with "" and line breaks, CRLF or LF. Returns rows of cells with their line numbers. */
export function parseCsv(text: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = []
  let cells: string[] = []
  let cell = ''
  let quoted = false
  let line = 1
  let rowLine = 1
  let any = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') quoted = false
      else {
        if (ch === '\n') line++
        cell += ch
      }
    } else if (ch === '"') (quoted = true), (any = true)
    else if (ch === ',') (cells.push(cell), (cell = ''), (any = true))
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      if (any || cell !== '') rows.push({ cells: [...cells, cell], line: rowLine })
      cells = []
      cell = ''
      any = false
      rowLine = ++line
    } else (cell += ch), (any = true)
  }
  if (quoted) throw usageError(`CSV: a quoted field starting on line ${rowLine} never ends`)
  if (any || cell !== '') rows.push({ cells: [...cells, cell], line: rowLine })
  return rows
}

/** One CSV row, line end included: objects as JSON, null and undefined as empty cells, quoted where needed. */
export function csvRow(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\n'
}

function csvCell(value: unknown): string {
  const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : value === null || value === undefined ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
