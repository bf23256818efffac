/** Output formats: synadm's yaml, json, minified, human and pprint, plus jsonl and csv for lists. */
import { bars, largest, type Chart } from './chart.js'
import { csvRow } from './csv.js'
import { usageError } from '../kernel/errors.js'
import { escapeControl } from '../kernel/log.js'

/** The formats of one document: what the Python synadm offers, and what the config's `format` may name. */
export const DOCUMENT_FORMATS = ['yaml', 'json', 'minified', 'human', 'pprint'] as const
/** Every format `-o` takes: the document formats, and for lists one item a line (jsonl), a table (csv), all columns (wide). */
export const FORMATS = [...DOCUMENT_FORMATS, 'jsonl', 'csv', 'wide'] as const
export type Format = (typeof FORMATS)[number]

/**
 * synadm's prefix rule: `y` → yaml, `p` → pprint, `j` → json; full names always win. The only prefixes two
 * formats share are json's, and FORMATS lists json before jsonl.
 */
export function resolveFormat(name: string): Format {
  const exact = FORMATS.find((f) => f === name)
  if (exact) return exact
  const hit = name ? FORMATS.find((f) => f.startsWith(name)) : undefined
  if (!hit) throw usageError(`Invalid value for '-o' / '--output': '${name}' is not one of ${FORMATS.join(', ')}.`)
  return hit
}

/** JSON as Python's json.dumps writes it: non-ASCII escaped. */
export function asciiJson(data: unknown, indent?: number): string {
  return (JSON.stringify(data, null, indent) ?? 'null').replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

/** YAML as PyYAML dumps it (sorted keys); js-yaml loads only when YAML is printed. */
async function yamlDump(data: unknown): Promise<string> {
  const { default: yaml } = await import('js-yaml')
  return yaml.dump(data, { sortKeys: true, lineWidth: -1, noRefs: true })
}

/** Python's repr of JSON data, as pprint shows it (sorted keys, wrapped at 80 columns). */
export function pythonRepr(data: unknown, indent = 0, width = 80): string {
  const flat = reprFlat(data)
  if (flat.length + indent <= width || data === null || typeof data !== 'object') return flat
  const pad = ' '.repeat(indent + 1)
  if (Array.isArray(data)) return '[' + data.map((v, i) => (i ? pad : '') + pythonRepr(v, indent + 1, width)).join(',\n') + ']'
  const entries = Object.keys(data).sort().map((k) => [k, (data as Record<string, unknown>)[k]] as const)
  return '{' + entries.map(([k, v], i) => { const key = reprFlat(k) + ': '; return (i ? pad : '') + key + pythonRepr(v, indent + 1 + key.length, width) }).join(',\n') + '}'
}

function reprFlat(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'string') return pythonString(v)
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) return `[${v.map(reprFlat).join(', ')}]`
  return `{${Object.keys(v as object).sort().map((k) => `${reprFlat(k)}: ${reprFlat((v as Record<string, unknown>)[k])}`).join(', ')}}`
}

/** Python's repr of a str: the quote it picks, backslashes and control characters escaped (`\n`, `\x1b`). */
function pythonString(v: string): string {
  const quote = v.includes("'") && !v.includes('"') ? '"' : "'"
  const body = v.replace(/\\/g, '\\\\')
  return quote + escapeControl(quote === "'" ? body.replace(/'/g, "\\'") : body) + quote
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A value as a table cell or line shows it; text from the server with its control characters escaped. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'object') return reprFlat(v)
  return escapeControl(String(v))
}

/** tabulate's "simple" look: header, dashed rule, two spaces between columns. */
async function table(rows: string[][], header: boolean): Promise<string> {
  if (rows.length === 0) return ''
  const mod = await import('table')
  // CommonJS package: named export under plain node, `default` once bundled.
  const render = mod.table ?? (mod as unknown as { default: typeof mod }).default.table
  return render(rows, {
    border: { topBody: '', topJoin: '', topLeft: '', topRight: '', bottomBody: '', bottomJoin: '', bottomLeft: '', bottomRight: '', bodyLeft: '', bodyRight: '', bodyJoin: '  ', joinBody: '-', joinLeft: '', joinRight: '', joinJoin: '  ', headerJoin: '' },
    drawHorizontalLine: (i) => header && i === 1,
    columnDefault: { paddingLeft: 0, paddingRight: 0 },
  }).replace(/ +$/gm, '')
}

function columnsOf(items: Record<string, unknown>[]): string[] {
  const columns: string[] = []
  for (const item of items) for (const key of Object.keys(item)) if (!columns.includes(key)) columns.push(key)
  return columns
}

/**
 * How tables are laid out. Without a terminal width (piped, redirected, -o wide) every column is shown in full,
 * as the Python synadm does; in a terminal, human tables fit its width.
 */
export interface TableOptions {
  /** the terminal's width; undefined when the output is not a terminal */
  width?: number
  /** --columns: exactly these, in this order (human, wide and csv) */
  columns?: readonly string[]
  /** the columns that matter most (the command's declaration): shown first when not all fit */
  preferred?: readonly string[]
  /** told once, on stderr, which columns were hidden */
  note?: (message: string) => void
  /** bars beside a numeric column (the command's declaration); drawn only with a terminal width */
  chart?: Chart
}

const GAP = 2
const ELLIPSIS = '…'
/** while choosing columns, a column other than the first counts at most this wide (longer cells are cut) */
const CHOICE_WIDTH = 20
/** the first column (usually the ID) is not cut narrower than this */
const MIN_WIDTH = 8
/** bars get at least this many characters (the table is fitted into what is left) and at most BAR_MAX */
const BAR_MIN = 10
const BAR_MAX = 40

const textWidth = (text: string) => [...text].length
const cut = (text: string, width: number) => (textWidth(text) <= width ? text : [...text].slice(0, Math.max(0, width - 1)).join('') + ELLIPSIS)

/** The columns of one list: chosen on its first table, kept for the next (the pages of --all). */
interface Choice {
  /** every column of the first table */
  all: string[]
  shown: string[]
  priority: string[]
  /** the charted column and the value a full bar stands for (the first table's largest: pages share one scale) */
  bars?: { column: string; max: number }
}

/**
 * One layout for every table of a command (--all prints a table per page): the column set is chosen on the first
 * table, and the note about hidden columns is written once. A table that has none of the chosen columns is of
 * another list (a command that prints several, like `status`): it gets a choice of its own.
 */
export class TableLayout {
  private chosen?: Choice
  constructor(readonly options: TableOptions = {}) {}

  /** The column that gets bars in a table of these columns: the chart's first that the table has, on a terminal. */
  private chartColumn(columns: string[]): string | undefined {
    const { chart, width } = this.options
    if (!chart || width === undefined || width < BAR_MIN * 4) return undefined
    return chart.columns.find((c) => columns.includes(c))
  }

  /** The columns to show (in the list's order) and their priority: --columns, else what fits the terminal. */
  private pick(columns: string[], natural: Map<string, number>, width: number | undefined, charted?: string): { shown: string[]; priority: string[] } {
    const { preferred: declared = [], note } = this.options
    // The charted column is among those that matter: its bars are shown beside it.
    const preferred = charted && !declared.includes(charted) ? [...declared, charted] : declared
    if (this.options.columns) {
      const unknown = this.options.columns.filter((c) => !columns.includes(c))
      if (unknown.length) throw usageError(`no column ${unknown.map((c) => `'${c}'`).join(', ')} in this list`, `columns: ${columns.join(',')}`)
      return { shown: [...this.options.columns], priority: [...this.options.columns] }
    }
    const priority = [...preferred.filter((c) => columns.includes(c)), ...columns.filter((c) => !preferred.includes(c))]
    if (width === undefined) return { shown: columns, priority }
    let used = -GAP
    const shown = new Set<string>()
    for (const [i, c] of priority.entries()) {
      const needed = GAP + (i === 0 ? natural.get(c)! : Math.min(natural.get(c)!, CHOICE_WIDTH))
      if (i === 0 || used + needed <= width) {
        shown.add(c)
        used += needed
      }
    }
    const hidden = columns.filter((c) => !shown.has(c))
    if (hidden.length && note) {
      const picked = priority.filter((c) => shown.has(c))
      note(`${hidden.length} of ${columns.length} columns hidden to fit the terminal: -o wide shows all, --columns ${picked.join(',')},… picks (hidden: ${hidden.join(', ')})`)
    }
    return { shown: columns.filter((c) => shown.has(c)), priority: priority.filter((c) => shown.has(c)) }
  }

  /** How wide each shown column may be: the first as wide as it is, the others up to CHOICE_WIDTH, plus what is left. */
  private widths(priority: string[], natural: Map<string, number>, width: number): Map<string, number> {
    const widths = new Map(priority.map((c, i) => [c, i === 0 ? natural.get(c)! : Math.min(natural.get(c)!, CHOICE_WIDTH)]))
    let left = width - GAP * (priority.length - 1) - [...widths.values()].reduce((a, b) => a + b, 0)
    if (left < 0 && priority.length === 1) widths.set(priority[0], Math.max(MIN_WIDTH, width))
    // Columns that lack little are made whole first (an alias missing two characters reads worse than a long
    // name cut a bit shorter), then the rest goes to the most important.
    const short = (c: string) => natural.get(c)! - widths.get(c)!
    for (const c of [...priority].filter((c) => short(c) > 0).sort((a, b) => short(a) - short(b))) {
      if (short(c) > left) break
      left -= short(c)
      widths.set(c, natural.get(c)!)
    }
    for (const c of priority) {
      if (left <= 0) break
      const more = Math.min(left, short(c))
      widths.set(c, widths.get(c)! + more)
      left -= more
    }
    return widths
  }

  /** header and rows of the items; in a terminal, cut to fit its width, with bars where the command charts */
  rows(items: Record<string, unknown>[]): string[][] {
    const all = columnsOf(items)
    const natural = new Map(all.map((c) => [c, Math.max(textWidth(cell(c)), ...items.map((item) => textWidth(cell(item[c]))))]))
    if (!this.chosen || !all.some((c) => this.chosen!.all.includes(c))) this.chosen = this.choose(items, all, natural)
    const { shown, priority, bars: charted } = this.chosen
    const rows = [shown.map(cell), ...items.map((item) => shown.map((c) => cell(item[c])))]
    const { width } = this.options
    if (width === undefined) return rows
    for (const c of shown) if (!natural.has(c)) natural.set(c, textWidth(cell(c)))
    const widths = this.widths(priority, natural, charted ? width - BAR_MIN - GAP : width)
    const fitted = rows.map((row) => row.map((text, i) => cut(text, widths.get(shown[i])!)))
    if (!charted) return fitted
    const used = shown.reduce((sum, c) => sum + widths.get(c)!, GAP * (shown.length - 1))
    const drawn = bars(items.map((item) => item[charted.column]), Math.min(BAR_MAX, width - used - GAP), { ascii: this.options.chart!.ascii, max: charted.max })
    const at = shown.indexOf(charted.column) + 1
    return fitted.map((row, i) => [...row.slice(0, at), i === 0 ? '' : drawn[i - 1], ...row.slice(at)])
  }

  /** The choice for a list, made on its first table: its columns, and the column charted beside its numbers. */
  private choose(items: Record<string, unknown>[], all: string[], natural: Map<string, number>): Choice {
    const { width } = this.options
    const column = this.chartColumn(all)
    const room = column === undefined || width === undefined ? width : width - BAR_MIN - GAP
    const { shown, priority } = this.pick(all, natural, room, column)
    const max = column !== undefined && shown.includes(column) ? largest(items.map((item) => item[column])) : 0
    return { all, shown, priority, bars: max > 0 ? { column: column!, max } : undefined }
  }

  /** key/value lines, values cut to the terminal's width */
  pairs(entries: [string, unknown][]): string[][] {
    const { width } = this.options
    const keyWidth = Math.max(...entries.map(([k]) => textWidth(cell(k))))
    return entries.map(([k, v]) => [cell(k), width === undefined ? cell(v) : cut(cell(v), Math.max(MIN_WIDTH, width - keyWidth - GAP))])
  }
}

async function humanTable(items: Record<string, unknown>[], layout = new TableLayout()): Promise<string> {
  return table(layout.rows(items), true)
}

/** The main list of a page or result: the one property holding an array of objects. */
export function listKey(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined
  const keys = Object.keys(data).filter((k) => Array.isArray(data[k]) && (data[k] as unknown[]).every(isRecord))
  return keys.length === 1 ? keys[0] : undefined
}

export async function human(data: unknown, layout = new TableLayout()): Promise<string> {
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(isRecord)) return humanTable(data, layout)
    return data.map(cell).join('\n') + '\n'
  }
  if (isRecord(data)) {
    const key = listKey(data)
    const scalars = Object.entries(data).filter(([k]) => k !== key)
    const pairs = scalars.length ? await table(layout.pairs(scalars), false) : ''
    if (!key) return pairs
    const items = data[key] as Record<string, unknown>[]
    return (items.length ? await humanTable(items, layout) : `(no ${key})\n`) + pairs
  }
  return cell(data) + '\n'
}

const itemsOf = (data: unknown): unknown[] => (Array.isArray(data) ? data : listKey(data) ? ((data as Record<string, unknown>)[listKey(data)!] as unknown[]) : [data])

/** The columns of a csv: --columns, else those of all items. */
function csvColumns(items: Record<string, unknown>[], options: TableOptions): string[] {
  const all = columnsOf(items)
  const unknown = options.columns?.filter((c) => !all.includes(c)) ?? []
  if (unknown.length && items.length) throw usageError(`no column ${unknown.map((c) => `'${c}'`).join(', ')} in this list`, `columns: ${all.join(',')}`)
  return options.columns ? [...options.columns] : all
}

/**
 * One whole document in the given format. `layout` (human, wide, csv) says how tables fit a terminal and which
 * columns they show; without it, tables are as the Python synadm prints them.
 */
export async function format(fmt: Format, data: unknown, layout = new TableLayout()): Promise<string> {
  switch (fmt) {
    case 'yaml': return (await yamlDump(data)) + '\n'
    case 'json': return asciiJson(data, 4) + '\n'
    case 'minified': return asciiJson(data) + '\n'
    case 'pprint': return pythonRepr(data) + '\n'
    case 'human': return human(data, layout)
    case 'wide': return human(data, new TableLayout({ columns: layout.options.columns }))
    case 'jsonl': return itemsOf(data).map((i) => asciiJson(i) + '\n').join('')
    case 'csv': {
      const items = itemsOf(data).map((i) => (isRecord(i) ? i : { value: i }))
      const columns = csvColumns(items, layout.options)
      return csvRow(columns) + items.map((i) => csvRow(columns.map((c) => i[c]))).join('')
    }
  }
}

/**
 * Prints pages of items as they arrive (for --all), memory flat: json becomes one array, yaml one list,
 * jsonl/csv lines, human one table per page (one column set for all of them).
 */
export function itemStream(fmt: Format, write: (text: string) => void, layout = new TableLayout()) {
  let count = 0
  let columns: string[] | undefined
  const tables = fmt === 'wide' ? new TableLayout({ columns: layout.options.columns }) : layout
  return {
    async page(items: unknown[]) {
      // One write per page: a write per item costs more than formatting it on big lists.
      const out: string[] = []
      for (const item of items) {
        switch (fmt) {
          case 'json': out.push((count ? ',\n' : '[\n') + asciiJson(item, 4).replace(/^/gm, '    ')); break
          case 'minified': out.push((count ? ',' : '[') + asciiJson(item)); break
          case 'yaml': out.push(await yamlDump([item])); break
          case 'pprint': out.push(pythonRepr(item) + '\n'); break
          case 'jsonl': out.push(asciiJson(item) + '\n'); break
          case 'csv': {
            const record = isRecord(item) ? item : { value: item }
            if (!columns) out.push(csvRow((columns = csvColumns([record], layout.options))))
            out.push(csvRow(columns.map((c) => record[c])))
            break
          }
          case 'human': case 'wide': break
        }
        count++
      }
      if ((fmt === 'human' || fmt === 'wide') && items.length) out.push(await human(items, tables))
      if (out.length) write(out.join(''))
    },
    end() {
      if (fmt === 'json') write(count ? '\n]\n' : '[]\n')
      if (fmt === 'minified') write(count ? ']\n' : '[]\n')
      if (fmt === 'yaml' && !count) write('[]\n')
      return count
    },
  }
}

/** `%Y-%m-%d %H:%M:%S` in local time, like synadm's --datetime display. */
export function localDateTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

/** Rewrites the named ms-timestamp fields, in the object and in the items of its lists. */
export function withDateTimes<T>(data: T, fields: readonly string[]): T {
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit)
    if (!isRecord(v)) return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fields.includes(k) && typeof x === 'number' ? localDateTime(x) : visit(x)]))
  }
  return visit(data) as T
}
