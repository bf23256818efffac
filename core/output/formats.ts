/** Output formats: synadm's yaml, json, minified, human and pprint, plus jsonl and csv for lists. */
import { csvRow } from './csv.js'
import { usageError } from '../kernel/errors.js'
import { escapeControl } from '../kernel/log.js'
import { human, isRecord, listKey, localDateTime, TableLayout, type TableOptions } from './human.js'

export { fitLine, human, isRecord, listKey, localDateTime, TableLayout, type TableOptions } from './human.js'

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

const itemsOf = (data: unknown): unknown[] => (Array.isArray(data) ? data : listKey(data) ? ((data as Record<string, unknown>)[listKey(data)!] as unknown[]) : [data])

function columnsOf(items: Record<string, unknown>[]): string[] {
  const columns = new Set<string>()
  for (const item of items) for (const key of Object.keys(item)) columns.add(key)
  return [...columns]
}

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
    case 'wide': return human(data, layout.wide())
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
 * jsonl/csv lines, human one table (its columns and widths fixed by the first page).
 */
export function itemStream(fmt: Format, write: (text: string) => void, layout = new TableLayout()) {
  let count = 0
  let columns: string[] | undefined
  const table = (fmt === 'wide' ? layout.wide() : layout).stream()
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
      if (fmt === 'human' || fmt === 'wide') out.push(table(items.map((i) => (isRecord(i) ? i : { value: i }))))
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

/** Rewrites the named ms-timestamp fields, in the object and in the items of its lists. */
export function withDateTimes<T>(data: T, fields: readonly string[]): T {
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit)
    if (!isRecord(v)) return v
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fields.includes(k) && typeof x === 'number' ? localDateTime(x) : visit(x)]))
  }
  return visit(data) as T
}
