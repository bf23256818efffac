/**
 * The one grammar of dates on the command line: date options (`--before`, `--since` …) and `--where` comparisons
 * read a local date and time the same way.
 */

/** synadm's DATETIME (`%Y-%m-%d`, `%Y-%m-%dT%H:%M:%S`, `%Y-%m-%d %H:%M:%S`), and the same without seconds. */
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/

const DAY_MS = 86_400_000

export const DATE_FORMS = "use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or 'YYYY-MM-DD HH:MM[:SS]' (local time)"

/** Epoch ms N days from now (negative: ago), whole 24-hour days as synadm's --before-days and --expire-days count. */
export function daysFromNow(days: number): number {
  return Date.now() + days * DAY_MS
}

/**
 * Epoch ms of a local date/time, or undefined when it is not one. Date would roll 2021-02-30 over into March,
 * year 0021 into 1921, and 02:30 in a daylight-saving gap into 03:30: a value that does not read back as typed is
 * refused, never silently moved.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_RE.exec(text)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0))
  const date = new Date(y, mo - 1, d, h, mi, s)
  const readBack = [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()]
  return readBack.every((v, i) => v === [y, mo, d, h, mi, s][i]) ? date.getTime() : undefined
}

/** What is wrong with a date as typed (click's wording after the value), or undefined when it is one. */
export function dateProblem(text: string): string | undefined {
  if (parseDateTime(text) !== undefined) return undefined
  return DATE_RE.test(text) ? `is not a date and time that exists; ${DATE_FORMS}` : `is not a date; ${DATE_FORMS}`
}
