/**
 * Bars beside the numbers of a human table, for lists that are a distribution (media use per user, database size
 * per room). Pure functions: a column's values and a width give one bar per row, drawn in block characters (in
 * eighths of a character), or in `#` where the terminal may not show them. Which column gets bars is the command's
 * declaration (CommandSpec.chart); the table layout (core/output/human.ts) draws them only on a terminal.
 */
import type { CommandSpec } from '../contract/spec.js'

/** What a table of a command charts: the candidate columns (the first a table has gets bars), and how bars look. */
export interface Chart {
  columns: readonly string[]
  /** `#` instead of block characters */
  ascii: boolean
}

const FULL = '█'
/** partial blocks by eighths: index 1 is ⅛ of a character */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉']

/** The numbers of a column that bars can show: positive and finite; anything else gets no bar. */
const barValue = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0)

/** The largest value of a column, which a full-width bar stands for (0 when none is positive). */
export const largest = (values: readonly unknown[]): number => Math.max(0, ...values.map(barValue))

/**
 * One bar per value, scaled so that `max` (default: the largest value) is `width` characters long; a value above
 * `max` gets a full bar. A positive value too small to show still gets the smallest bar, so it is told from none.
 */
export function bars(values: readonly unknown[], width: number, o: { ascii?: boolean; max?: number } = {}): string[] {
  const max = o.max ?? largest(values)
  const steps = o.ascii ? 1 : EIGHTHS.length
  return values.map((raw) => {
    const value = barValue(raw)
    if (value === 0 || max <= 0 || width <= 0) return ''
    const units = Math.max(1, Math.min(width * steps, Math.round((value / max) * width * steps)))
    if (o.ascii) return '#'.repeat(units)
    return FULL.repeat(Math.floor(units / steps)) + EIGHTHS[units % steps]
  })
}

/**
 * Whether the terminal shows block characters: not on a `dumb` one, nor under a locale whose character set is not
 * UTF-8 (LC_ALL, else LC_CTYPE, else LANG, as the C library reads them). With none of them set, synadm's tables
 * already assume UTF-8 (`…`), and so do the bars.
 */
export function blocksShown(env: NodeJS.ProcessEnv): boolean {
  if (env.TERM === 'dumb') return false
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG
  return !locale || /utf-?8/i.test(locale)
}

/**
 * The columns a command's table charts with these options: a list ordered (`orderedBy`) by one of the chart's
 * columns charts that one; a declaration with `onlyOrdered` charts nothing otherwise.
 */
export function chartColumns(spec: CommandSpec['chart'], options: Record<string, unknown>): readonly string[] | undefined {
  if (!spec) return undefined
  const order = spec.orderedBy === undefined ? undefined : options[spec.orderedBy]
  if (typeof order === 'string' && spec.columns.includes(order)) return [order]
  return spec.onlyOrdered ? undefined : spec.columns
}

/** What the tables of a command run chart, or undefined: its declaration, its options and the terminal. */
export function chartOf(command: CommandSpec, options: Record<string, unknown>, env: NodeJS.ProcessEnv): Chart | undefined {
  const columns = chartColumns(command.chart, options)
  return columns?.length ? { columns, ascii: !blocksShown(env) } : undefined
}
