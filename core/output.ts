/** Output formats: synadm's yaml, json, minified, human and pprint, plus jsonl and csv for lists. */
import { usageError } from './errors.js'

export const FORMATS = ['yaml', 'json', 'minified', 'human', 'pprint', 'jsonl', 'csv'] as const
export type Format = (typeof FORMATS)[number]

/** synadm's prefix rule: `y` → yaml, `p` → pprint, `j` → json; full names always win. */
export function resolveFormat(name: string): Format {
  const exact = FORMATS.find((f) => f === name)
  if (exact) return exact
  const order: Format[] = ['pprint', 'json', 'minified', 'yaml', 'human', 'jsonl', 'csv']
  const hit = name ? order.find((f) => f.startsWith(name)) : undefined
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
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? JSON.stringify(v) : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
  if (typeof v === 'number') return String(v)
  if (Array.isArray(v)) return `[${v.map(reprFlat).join(', ')}]`
  return `{${Object.keys(v as object).sort().map((k) => `${reprFlat(k)}: ${reprFlat((v as Record<string, unknown>)[k])}`).join(', ')}}`
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function cell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'object') return reprFlat(v)
  return String(v)
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

export async function humanTable(items: Record<string, unknown>[]): Promise<string> {
  const columns = columnsOf(items)
  return table([columns, ...items.map((item) => columns.map((c) => cell(item[c])))], true)
}

/** The main list of a page or result: the one property holding an array of objects. */
export function listKey(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined
  const keys = Object.keys(data).filter((k) => Array.isArray(data[k]) && (data[k] as unknown[]).every(isRecord))
  return keys.length === 1 ? keys[0] : undefined
}

export async function human(data: unknown): Promise<string> {
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(isRecord)) return humanTable(data)
    return data.map(cell).join('\n') + '\n'
  }
  if (isRecord(data)) {
    const key = listKey(data)
    const scalars = Object.entries(data).filter(([k]) => k !== key)
    const pairs = scalars.length ? await table(scalars.map(([k, v]) => [k, cell(v)]), false) : ''
    if (!key) return pairs
    const items = data[key] as Record<string, unknown>[]
    return (items.length ? await humanTable(items) : `(no ${key})\n`) + pairs
  }
  return cell(data) + '\n'
}

function csvRow(values: unknown[]): string {
  return values.map((v) => { const s = typeof v === 'object' && v !== null ? JSON.stringify(v) : v === null || v === undefined ? '' : String(v); return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s }).join(',') + '\n'
}

const itemsOf = (data: unknown): unknown[] => (Array.isArray(data) ? data : listKey(data) ? ((data as Record<string, unknown>)[listKey(data)!] as unknown[]) : [data])

/** One whole document in the given format. */
export async function format(fmt: Format, data: unknown): Promise<string> {
  switch (fmt) {
    case 'yaml': return (await yamlDump(data)) + '\n'
    case 'json': return asciiJson(data, 4) + '\n'
    case 'minified': return asciiJson(data) + '\n'
    case 'pprint': return pythonRepr(data) + '\n'
    case 'human': return human(data)
    case 'jsonl': return itemsOf(data).map((i) => asciiJson(i) + '\n').join('')
    case 'csv': {
      const items = itemsOf(data).map((i) => (isRecord(i) ? i : { value: i }))
      const columns = columnsOf(items)
      return csvRow(columns) + items.map((i) => csvRow(columns.map((c) => i[c]))).join('')
    }
  }
}

/**
 * Prints pages of items as they arrive (for --all), memory flat: json becomes one array, yaml one list,
 * jsonl/csv lines, human one table per page.
 */
export function itemStream(fmt: Format, write: (text: string) => void) {
  let count = 0
  let columns: string[] | undefined
  return {
    async page(items: unknown[]) {
      for (const item of items) {
        switch (fmt) {
          case 'json': write((count ? ',\n' : '[\n') + asciiJson(item, 4).replace(/^/gm, '    ')); break
          case 'minified': write((count ? ',' : '[') + asciiJson(item)); break
          case 'yaml': write(await yamlDump([item])); break
          case 'pprint': write(pythonRepr(item) + '\n'); break
          case 'jsonl': write(asciiJson(item) + '\n'); break
          case 'csv': {
            const record = isRecord(item) ? item : { value: item }
            if (!columns) write(csvRow((columns = Object.keys(record))))
            write(csvRow(columns.map((c) => record[c])))
            break
          }
          case 'human': break
        }
        count++
      }
      if (fmt === 'human' && items.length) write(await human(items))
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
