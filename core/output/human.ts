/**
 * What `-o human` and `-o wide` print: tables (tabulate's "simple" look) that fit a terminal, one table for every
 * page of a list, points in time as local dates, and nested values as indented rows or short text — never a
 * Python repr. JSON, YAML and CSV stay as the server sent them (core/output/formats.ts).
 */
import { usageError } from '../kernel/errors.js'
import { escapeControl } from '../kernel/log.js'
import { bars, largest, type Chart } from './chart.js'

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The main list of a page or result: the one property holding an array of objects. */
export function listKey(data: unknown): string | undefined {
  if (!isRecord(data)) return undefined
  const keys = Object.keys(data).filter((k) => Array.isArray(data[k]) && (data[k] as unknown[]).every(isRecord))
  return keys.length === 1 ? keys[0] : undefined
}

/** `%Y-%m-%d %H:%M:%S` in local time, like synadm's --datetime display. */
export function localDateTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

// --- points in time ------------------------------------------------------------------------------------------------

/** Matrix names its points in time `…_ts` (`origin_server_ts`, `last_seen_ts`), Synapse's threepids and MAS `…_at`. */
const TIME_SUFFIX = /_(?:ts|at)$/
/** Synapse's millisecond timestamps that do not say so in their name. */
const KNOWN_TIMES = new Set(['expiry_time', 'last_seen', 'valid_until_ms', 'expiration_ts_ms'])
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/
/** the latest instant a JavaScript Date holds */
const MAX_MS = 8_640_000_000_000_000

/**
 * A value of a field that holds a point in time, as a local date: ms since 1970 (0 and negatives mean "never" to
 * Synapse and stay as they are), or an ISO 8601 time. Undefined when it is not one.
 */
function timeText(field: string, value: unknown, declared: readonly string[]): string | undefined {
  if (!(declared.includes(field) || TIME_SUFFIX.test(field) || KNOWN_TIMES.has(field))) return undefined
  if (typeof value === 'number') return value > 0 && value <= MAX_MS && Number.isInteger(value) ? localDateTime(value) : undefined
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : localDateTime(ms)
}

// --- text and its width --------------------------------------------------------------------------------------------

/** Combining marks, zero-width characters and variation selectors take no column of their own. */
const ZERO_WIDTH = /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u200b-\u200f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f]/u
/** East Asian wide and full-width characters, and emoji, take two. */
const DOUBLE_WIDTH =
  /[\u1100-\u115f\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2-\u26f5\u26fa\u26fd\u2705\u270a\u270b\u2728\u274c\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/u

const charWidth = (c: string) => (ZERO_WIDTH.test(c) ? 0 : DOUBLE_WIDTH.test(c) ? 2 : 1)

/** The columns a text takes on a terminal. */
export function textWidth(text: string): number {
  let width = 0
  for (const c of text) width += charWidth(c)
  return width
}

const ELLIPSIS = '…'

/** The text cut to `width` columns, with an ellipsis where it was cut. */
export function cut(text: string, width: number): string {
  if (textWidth(text) <= width) return text
  let out = ''
  let used = 0
  for (const c of text) {
    if (used + charWidth(c) > width - 1) break
    out += c
    used += charWidth(c)
  }
  return out + ELLIPSIS
}

/**
 * One line for stderr that fits a terminal `width` wide (undefined: not a terminal, the line as it is); a list in it
 * (`a, b, c`) is cut after a whole item.
 */
export function fitLine(text: string, width: number | undefined): string {
  if (width === undefined || textWidth(text) <= width) return text
  const short = cut(text, Math.max(10, width))
  const item = short.lastIndexOf(', ')
  return item > short.length / 2 ? short.slice(0, item) + ', ' + ELLIPSIS : short
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - textWidth(text)))

/** A scalar as a cell shows it: booleans as synadm shows them, text from the server with its controls escaped. */
function scalarText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return escapeControl(String(v))
}

const isScalar = (v: unknown) => v === null || typeof v !== 'object'
const keyText = (k: string) => (k === '' ? '""' : escapeControl(k))

// --- tables --------------------------------------------------------------------------------------------------------

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
  /** fields the command declares to hold points in time, besides the ones known by name */
  times?: readonly string[]
  /** columns holding one value in every row are left out, and named in a note (the command's declaration) */
  dropConstant?: boolean
  /** where notes about a table go (which columns were hidden): told by `tell()`, after the table is printed */
  note?: (message: string) => void
  /** bars beside a numeric column (the command's declaration); drawn only with a terminal width */
  chart?: Chart
}

const GAP = 2
/** while choosing columns, a column other than the first counts at most this wide (longer cells are cut) */
const CHOICE_WIDTH = 20
/** the first column (usually the ID) is not cut narrower than this */
const MIN_WIDTH = 8
/** nested rows are indented by this much under their key */
const INDENT = 2
/** bars get at least this many characters (the table is fitted into what is left) and at most BAR_MAX */
const BAR_MIN = 10
const BAR_MAX = 40

type Row = Record<string, unknown>

/** The columns a table shows and how wide each is. */
interface Plan {
  shown: string[]
  widths: number[]
  /** cut cells to their width (in a terminal) */
  fit: boolean
  /** the bars drawn after a charted column, `width` wide, a full bar standing for `max` (the first page's largest) */
  bars?: { column: string; width: number; max: number }
}

function columnsOf(items: Row[]): string[] {
  const columns = new Set<string>()
  for (const item of items) for (const key of Object.keys(item)) columns.add(key)
  return [...columns]
}

/** Notes of a command's tables, kept until its output is printed: they come after the table. */
interface Notes {
  pending: string[]
  /** the hidden-columns note is said once per command, however many tables (pages) it prints */
  toldHidden: boolean
}

/** One command's tables: the columns they show, their widths, the notes about them. */
export class TableLayout {
  private readonly notes: Notes

  constructor(
    readonly options: TableOptions = {},
    notes?: Notes,
    /** a table nested in a document: all its columns, cut to fit, no note */
    private readonly nested = false,
  ) {
    this.notes = notes ?? { pending: [], toldHidden: false }
  }

  /** A layout for another list of the same command (a bulk report): the same terminal, notes and times. */
  with(options: Partial<TableOptions>): TableLayout {
    return new TableLayout({ ...this.options, ...options }, this.notes, this.nested)
  }

  /** `-o wide`: every column whole, whatever the terminal. */
  wide(): TableLayout {
    return new TableLayout({ columns: this.options.columns, times: this.options.times, note: this.options.note }, this.notes)
  }

  /** Hands the notes about the tables printed so far to `note` (the caller prints them after the output). */
  tell(): void {
    const pending = this.notes.pending.splice(0)
    for (const message of pending) this.options.note?.(message)
  }

  /** A value as a table cell or a line of text shows it: a point in time as a local date, nested values short. */
  text(field: string, value: unknown): string {
    const time = timeText(field, value, this.options.times ?? [])
    if (time !== undefined) return time
    if (isScalar(value)) return scalarText(value)
    return this.short(field, value, false)
  }

  /** A nested value in one line: `a, b` for a list, `key: value, …` for an object, braces only further in. */
  private short(field: string, value: unknown, inner: boolean): string {
    if (isScalar(value)) return this.text(field, value)
    if (Array.isArray(value)) {
      const text = value.map((v) => this.short(field, v, true)).join(', ')
      return inner && value.length > 1 ? `[${text}]` : text
    }
    const entries = Object.entries(value as Row)
    if (entries.length === 0) return ''
    const text = entries.map(([k, v]) => `${keyText(k)}: ${this.short(k, v, true)}`).join(', ')
    return inner ? `{${text}}` : text
  }

  /** A whole table of the items: header, rule, rows. */
  table(items: Row[]): string {
    const cells = this.cells(items)
    const plan = this.plan(items, cells)
    return this.render(plan, items, cells, true)
  }

  /**
   * One table over many pages (--all): the first page fixes the columns and their widths and prints the header;
   * the others add rows. Piped, a later cell wider than its column is printed whole (the row goes out of line).
   */
  stream(): (items: Row[]) => string {
    let plan: Plan | undefined
    return (items) => {
      if (items.length === 0) return ''
      const cells = this.cells(items)
      if (plan) return this.render(plan, items, cells, false)
      plan = this.plan(items, cells, false)
      return this.render(plan, items, cells, true)
    }
  }

  /** Each item's cells, by column. */
  private cells(items: Row[]): Map<string, string>[] {
    return items.map((item) => new Map(Object.entries(item).map(([k, v]) => [k, this.text(k, v)])))
  }

  /**
   * The columns a table shows and their widths: --columns; else all but the constant ones (when the command drops
   * them) and, in a terminal, those that fit, the main ones first; the ones left out go to a note.
   */
  private plan(items: Row[], cells: Map<string, string>[], dropConstant = this.options.dropConstant): Plan {
    const all = columnsOf(items)
    const natural = new Map(all.map((c) => [c, Math.max(textWidth(escapeControl(c)), ...cells.map((row) => textWidth(row.get(c) ?? '')))]))
    const { columns } = this.options
    const charted = this.chartColumn(columns && !this.nested ? [...columns] : all)
    // the bars' least room is kept from the terminal's width
    const width = this.options.width === undefined || !charted ? this.options.width : this.options.width - BAR_MIN - GAP
    if (columns && !this.nested) {
      const unknown = columns.filter((c) => !all.includes(c))
      if (unknown.length) throw usageError(`no column ${unknown.map((c) => `'${c}'`).join(', ')} in this list`, `columns: ${all.join(',')}`)
      for (const c of columns) natural.set(c, natural.get(c) ?? textWidth(escapeControl(c)))
      return this.withBars(this.sized([...columns], [...columns], natural, width), items, charted)
    }
    const kept = dropConstant && !this.nested ? this.withoutConstants(all, cells) : all
    // The charted column is among those that matter: its bars are shown beside it.
    const declared = this.options.preferred ?? []
    const preferred = charted && !declared.includes(charted) ? [...declared, charted] : declared
    const priority = this.nested ? kept : [...preferred.filter((c) => kept.includes(c)), ...kept.filter((c) => !preferred.includes(c))]
    if (width === undefined || this.nested) return this.sized(kept, priority, natural, width)
    const main = preferred.filter((c) => kept.includes(c)).length || priority.length
    const shown = this.fitting(priority, main, natural, width)
    const hidden = kept.filter((c) => !shown.has(c))
    if (hidden.length && !this.notes.toldHidden) {
      this.notes.toldHidden = true
      this.notes.pending.push(`${hidden.length} of ${all.length} columns hidden (-o wide shows all): ${hidden.join(', ')}`)
    }
    return this.withBars(this.sized(kept.filter((c) => shown.has(c)), priority.filter((c) => shown.has(c)), natural, width), items, charted)
  }

  /** The column that gets bars in a table of these columns: the chart's first that the table has, on a terminal. */
  private chartColumn(columns: string[]): string | undefined {
    const { chart, width } = this.options
    if (!chart || width === undefined || width < BAR_MIN * 4 || this.nested) return undefined
    return chart.columns.find((c) => columns.includes(c))
  }

  /** The plan with bars after the charted column, in the room the columns leave (when it is shown, with a value). */
  private withBars(plan: Plan, items: Row[], charted: string | undefined): Plan {
    if (!charted || !plan.shown.includes(charted)) return plan
    const max = largest(items.map((item) => item[charted]))
    const used = plan.widths.reduce((sum, w) => sum + w, GAP * (plan.widths.length - 1))
    const width = Math.min(BAR_MAX, this.options.width! - used - GAP)
    return max > 0 && width > 0 ? { ...plan, bars: { column: charted, width, max } } : plan
  }

  /** The columns that differ between rows; the others are named, with their one value, in a note. */
  private withoutConstants(all: string[], cells: Map<string, string>[]): string[] {
    if (cells.length < 2) return all
    const constant = all.filter((c) => cells.every((row) => (row.get(c) ?? '') === (cells[0].get(c) ?? '')))
    if (constant.length === 0 || constant.length === all.length) return all
    const values = constant.map((c) => `${c} ${cells[0].get(c) || '(empty)'}`)
    this.notes.pending.push(`not shown, the same in every row: ${values.join(', ')}`)
    return all.filter((c) => !constant.includes(c))
  }

  /**
   * The columns that fit the width, most important first; the first always. The main ones (the first `main` of
   * `priority`) come first, each counted at most CHOICE_WIDTH wide; the others only in the room the main ones leave
   * when shown whole, so a column that matters less never squeezes one that matters more.
   */
  private fitting(priority: string[], main: number, natural: Map<string, number>, width: number): Set<string> {
    const shown = new Set<string>()
    const take = (columns: string[], room: number, first: boolean) => {
      let used = -GAP
      for (const [i, c] of columns.entries()) {
        const needed = GAP + (first && i === 0 ? natural.get(c)! : Math.min(natural.get(c)!, CHOICE_WIDTH))
        if ((first && i === 0) || used + needed <= room) {
          shown.add(c)
          used += needed
        }
      }
    }
    take(priority.slice(0, main), width, true)
    const whole = [...shown].reduce((sum, c) => sum + natural.get(c)! + GAP, 0)
    take(priority.slice(main), width - whole, false)
    return shown
  }

  private sized(shown: string[], priority: string[], natural: Map<string, number>, width: number | undefined): Plan {
    if (width === undefined) return { shown, widths: shown.map((c) => natural.get(c)!), fit: false }
    const widths = this.widths(priority, natural, width)
    return { shown, widths: shown.map((c) => widths.get(c)!), fit: true }
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

  /** tabulate's "simple" look: header, dashed rule, two spaces between columns, no trailing spaces; bars if planned. */
  private render(plan: Plan, items: Row[], cells: Map<string, string>[], header: boolean): string {
    const at = plan.bars ? plan.shown.indexOf(plan.bars.column) + 1 : -1
    const widths = plan.bars ? [...plan.widths.slice(0, at), plan.bars.width, ...plan.widths.slice(at)] : plan.widths
    const withBar = (texts: string[], bar: string) => (plan.bars ? [...texts.slice(0, at), bar, ...texts.slice(at)] : texts)
    const line = (texts: string[]) => texts.map((t, i) => padEnd(plan.fit ? cut(t, widths[i]) : t, widths[i])).join(' '.repeat(GAP)).trimEnd() + '\n'
    const head = header ? line(withBar(plan.shown.map(escapeControl), '')) + widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)) + '\n' : ''
    const drawn = plan.bars ? bars(items.map((item) => item[plan.bars!.column]), plan.bars.width, { ascii: this.options.chart!.ascii, max: plan.bars.max }) : []
    return head + cells.map((row, i) => line(withBar(plan.shown.map((c) => row.get(c) ?? ''), drawn[i] ?? ''))).join('')
  }

  // --- documents ---------------------------------------------------------------------------------------------------

  /**
   * An object: its main list as a table, then its plain values as key/value lines, then each nested value under
   * its key, indented. An object of objects alike (settings and their sources) is a table with its keys as a column.
   */
  document(data: Row): string {
    const keyed = keyedRows(data)
    if (keyed) return this.table(keyed)
    // The main list is a table first, unless its items hold nested values (then it is nested rows like the rest).
    const list = listKey(data)
    const key = list !== undefined && (data[list] as Row[]).every(isFlat) ? list : undefined
    const parts: string[] = []
    if (key) parts.push((data[key] as Row[]).length ? this.table(data[key] as Row[]) : `(no ${key})\n`)
    const entries = Object.entries(data).filter(([k]) => k !== key)
    const plain = entries.filter(([, v]) => !isNested(v))
    if (plain.length) parts.push(this.pairs(plain))
    for (const [k, v] of entries.filter(([, v]) => isNested(v))) parts.push(`${keyText(k)}:\n` + indent(this.inside().block(k, v), INDENT))
    return parts.join('')
  }

  /** key/value lines, values cut to the terminal's width */
  private pairs(entries: [string, unknown][]): string {
    const { width } = this.options
    const keyWidth = Math.max(...entries.map(([k]) => textWidth(keyText(k))))
    return entries
      .map(([k, v]) => {
        const value = this.text(k, v)
        const shown = width === undefined ? value : cut(value, Math.max(MIN_WIDTH, width - keyWidth - GAP))
        return `${padEnd(keyText(k), keyWidth)}${' '.repeat(GAP)}${shown}`.trimEnd() + '\n'
      })
      .join('')
  }

  /** the layout of what is nested one level further in */
  private inside(): TableLayout {
    const { width, times } = this.options
    return new TableLayout({ width: width === undefined ? undefined : Math.max(MIN_WIDTH * 2, width - INDENT), times }, this.notes, true)
  }

  /** A nested value under its key: an object's rows, a list's table or items. */
  private block(field: string, value: unknown): string {
    if (isRecord(value)) return this.document(value)
    const list = value as unknown[]
    if (!list.every(isRecord)) return list.map((v) => this.text(field, v) + '\n').join('')
    if (list.every(isFlat)) return this.table(list)
    // Items with nested values of their own: one indented block each, marked as a list item.
    return list.map((item) => indent(this.inside().document(item), INDENT).replace(/^ {2}/, '- ')).join('')
  }
}

/** A value shown on lines of its own under its key: a non-empty object, a list of objects, a list of two or more. */
function isNested(v: unknown): boolean {
  if (isRecord(v)) return Object.keys(v).length > 0
  return Array.isArray(v) && v.length > 0 && (v.length > 1 || v.some((x) => !isScalar(x)))
}

/** An object whose values all fit in a cell. */
const isFlat = (item: Row) => Object.values(item).every((v) => !isNested(v))

/** An object of two or more objects with the same plain fields (settings and their sources): rows keyed by `key`. */
function keyedRows(data: Row): Row[] | undefined {
  const values = Object.values(data)
  if (values.length < 2 || !values.every(isRecord)) return undefined
  const fields = Object.keys(values[0] as Row).join('\n')
  const alike = (v: Row) => Object.keys(v).length > 0 && Object.keys(v).join('\n') === fields && !('key' in v) && isFlat(v)
  if (!(values as Row[]).every(alike)) return undefined
  return Object.entries(data).map(([key, v]) => ({ key, ...(v as Row) }))
}

const indent = (text: string, by: number) => text.replace(/^(?=.)/gm, ' '.repeat(by))

/** A document in `-o human`: a list of objects as a table, other lists one item a line, an object as rows. */
export function human(data: unknown, layout = new TableLayout()): string {
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(isRecord)) return layout.table(data)
    return data.map((v) => layout.text('', v)).join('\n') + '\n'
  }
  if (isRecord(data)) return layout.document(data)
  return layout.text('', data) + '\n'
}
