/**
 * `--where FIELD OP VALUE`, the filter core adds to every list command: read (and refused) with the rest of the
 * command line, before anything is sent; compiled to a test of one printed record. Several expressions are ANDed.
 *
 * The value decides how the field is compared: `null`, `true`/`false` (a field of 1/0 counts as a boolean), a date
 * (the grammar of the date options, local time; compared as an instant with ms timestamps and with the dates
 * `--datetime` prints), a number, else text. A field whose name ends in `_ts` is a time: it takes a date or ms.
 * `~` is a regular expression (JavaScript), case-insensitive; `~/RE/FLAGS` takes its own flags. `!=` and `!~` hold
 * where `=` and `~` do not, so a record without the field passes them. On a list field (reporters, reasons), a
 * comparison holds when it holds for one of its elements.
 */
import { DATE_FORMS, dateProblem, parseDateTime } from './dates.js'

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~'

/** A field (dotted for nested records), the operator (longest first), the value. */
const EXPRESSION = /^([A-Za-z_]\w*(?:\.\w+)*)\s*(!=|<=|>=|!~|=|<|>|~)\s*(.*)$/s
const NUMBER = /^[-+]?\d+(?:\.\d+)?$/
const LOOKS_LIKE_DATE = /^\d{4}-\d{2}-\d{2}/
/** `~/RE/FLAGS`: flags that keep a test stateless */
const SLASHED = /^\/(.*)\/([a-z]*)$/s
const REGEX_FLAGS = /^[imsu]*$/

type Operand =
  | { kind: 'regex'; re: RegExp }
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'time'; ms: number }
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'text'; value: string }

interface Condition {
  path: string[]
  op: Operator
  operand: Operand
}

const FORM = 'is not FIELD OP VALUE (OP: = != < <= > >= ~ !~)'

/** What is wrong with an expression (worded to follow the value, as click's messages are), or undefined. */
export function whereProblem(expression: string): string | undefined {
  const read = readCondition(expression)
  return typeof read === 'string' ? read : undefined
}

/** The test of a record that every expression holds for; undefined when there are none. Expressions must be valid. */
export function compileWhere(expressions: readonly string[] | undefined): ((record: unknown) => boolean) | undefined {
  if (!expressions?.length) return undefined
  const conditions = expressions.map((expression) => {
    const read = readCondition(expression)
    if (typeof read === 'string') throw new Error(`--where '${expression}' ${read}`)
    return read
  })
  return (record) => conditions.every((condition) => holds(condition, record))
}

function readCondition(expression: string): Condition | string {
  const match = EXPRESSION.exec(expression.trim())
  if (!match) return FORM
  const [, field, op, raw] = match as unknown as [string, string, Operator, string]
  const operand = readOperand(field, op, raw.trim())
  return typeof operand === 'string' ? operand : { path: field.split('.'), op, operand }
}

const ORDERING = new Set<Operator>(['<', '<=', '>', '>='])

function readOperand(field: string, op: Operator, raw: string): Operand | string {
  if (op === '~' || op === '!~') return readRegex(raw)
  const ordering = ORDERING.has(op)
  if (raw === 'null' || raw === 'true' || raw === 'false') {
    if (ordering) return `compares ${raw} with ${op}: use = or !=`
    return raw === 'null' ? { kind: 'null' } : { kind: 'bool', value: raw === 'true' }
  }
  if (LOOKS_LIKE_DATE.test(raw)) {
    const problem = dateProblem(raw)
    return problem ? `has a value that ${problem}` : { kind: 'time', ms: parseDateTime(raw)! }
  }
  const isTime = field.endsWith('_ts')
  if (NUMBER.test(raw)) return isTime ? { kind: 'time', ms: Number(raw) } : { kind: 'number', value: Number(raw), raw }
  if (isTime) return `compares the time ${field} with '${raw}': give a date (${DATE_FORMS.replace(/^use /, '')}) or ms since 1970`
  if (ordering && raw === '') return `has no value after ${op}`
  return { kind: 'text', value: raw }
}

function readRegex(raw: string): Operand | string {
  const slashed = SLASHED.exec(raw)
  const [source, flags] = slashed ? [slashed[1], slashed[2]] : [raw, 'i']
  if (!REGEX_FLAGS.test(flags)) return `has the regular expression flags '${flags}': only i, m, s and u`
  try {
    return { kind: 'regex', re: new RegExp(source, flags) }
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`
  }
}

/** The field's value in a record: dotted paths go into nested records. */
function lookup(record: unknown, path: string[]): unknown {
  let value = record
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

function holds({ path, op, operand }: Condition, record: unknown): boolean {
  const value = lookup(record, path)
  const some = (test: (v: unknown) => boolean) => (Array.isArray(value) ? value.some(test) : test(value))
  switch (op) {
    case '=': return some((v) => equals(operand, v))
    case '!=': return !some((v) => equals(operand, v))
    case '~': return some((v) => matches(operand, v))
    case '!~': return !some((v) => matches(operand, v))
    default: return some((v) => ordered(op, compare(operand, v)))
  }
}

function ordered(op: Operator, difference: number | undefined): boolean {
  if (difference === undefined || Number.isNaN(difference)) return false
  return op === '<' ? difference < 0 : op === '<=' ? difference <= 0 : op === '>' ? difference > 0 : difference >= 0
}

function equals(operand: Operand, value: unknown): boolean {
  switch (operand.kind) {
    case 'null': return value === null || value === undefined
    // Synapse lists some flags as 1/0 (admin, deactivated in v2/users)
    case 'bool': return value === operand.value || value === (operand.value ? 1 : 0)
    case 'number': return typeof value === 'number' ? value === operand.value : scalarText(value) === operand.raw
    case 'text': return scalarText(value) === operand.value
    case 'time': return compare(operand, value) === 0
    case 'regex': return false
  }
}

function matches(operand: Operand, value: unknown): boolean {
  if (operand.kind !== 'regex' || value === null || value === undefined) return false
  return operand.re.test(typeof value === 'object' ? JSON.stringify(value) : String(value))
}

/** The value minus the operand (its sign is what counts); undefined when they do not compare. */
function compare(operand: Operand, value: unknown): number | undefined {
  switch (operand.kind) {
    case 'time': {
      // a timestamp in ms, or a date as --datetime prints it
      const ms = typeof value === 'number' ? value : typeof value === 'string' ? parseDateTime(value) : undefined
      return ms === undefined ? undefined : ms - operand.ms
    }
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value) ? Number(value) : undefined
      return n === undefined ? undefined : n - operand.value
    }
    case 'text':
      return typeof value === 'string' ? (value < operand.value ? -1 : value > operand.value ? 1 : 0) : undefined
    default:
      return undefined
  }
}

/** A scalar as text (for `=` with text); records and lists are never equal to one. */
const scalarText = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined)
