/**
 * `user import FILE`: accounts from CSV or JSON lines, as `user list` / `user details` print them (so an export of one
 * server imports into another), or from a spreadsheet. Every row is checked before anything is sent; the rows run
 * through core's bulk engine (one confirmation, --dry-run, --concurrency, --journal, the report). Rows that fail
 * are written to a file that can be fixed and imported again. Passwords never reach the output.
 */
import { lstatSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { csvRow, parseCsv, SynadmError, usageError, type RunContext } from '../../core/index.js'
import type * as spec from './index.js'
import { noMasEquivalent, onMas } from './mas.js'

/** Columns that set something, with the names other tools use for them. */
const COLUMNS: Record<string, string> = {
  name: 'id',
  user_id: 'id',
  localpart: 'id',
  displayname: 'displayname',
  display_name: 'displayname',
  password: 'password',
  admin: 'admin',
  deactivated: 'deactivated',
  locked: 'locked',
  user_type: 'user_type',
  avatar_url: 'avatar_url',
  threepids: 'threepids',
  external_ids: 'external_ids',
}

/** Read-only fields of `user list` / `user details` output: present in an export, nothing to set. */
const IGNORED = new Set(['is_guest', 'shadow_banned', 'creation_ts', 'last_seen_ts', 'approved', 'erased', 'suspended', 'appservice_id', 'consent_server_notice_sent', 'consent_version', 'consent_ts', 'user_type_source', 'rejected_because'])

export const REJECTED_COLUMN = 'rejected_because'

export interface ImportRow {
  line: number
  /** the row as read, for the file of rejected rows */
  raw: Record<string, unknown>
  userId?: string
  /** the body of PUT v2/users (may hold the password) */
  body: Record<string, unknown>
  error?: string
}

export type ImportFormat = 'csv' | 'jsonl'

/** The records of the file: JSON lines, a JSON array or page (`{"users": [...]}`), or CSV with a header row. */
export function readRecords(text: string): { format: ImportFormat; columns: string[]; records: { line: number; raw: Record<string, unknown> }[] } {
  const trimmed = text.trimStart()
  if (trimmed.startsWith('[') || /^\{\s*"users"\s*:/.test(trimmed)) {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      throw usageError(`not valid JSON: ${(error as Error).message}`)
    }
    const list = Array.isArray(data) ? data : (data as { users?: unknown[] }).users ?? []
    const records = list.map((raw, i) => ({ line: i + 1, raw: (typeof raw === 'object' && raw !== null ? raw : { name: raw }) as Record<string, unknown> }))
    return { format: 'jsonl', columns: columnsOf(records.map((r) => r.raw)), records }
  }
  if (trimmed.startsWith('{')) {
    const records: { line: number; raw: Record<string, unknown> }[] = []
    text.split(/\r?\n/).forEach((lineText, i) => {
      if (!lineText.trim() || lineText.trim().startsWith('#')) return
      let raw: unknown
      try {
        raw = JSON.parse(lineText)
      } catch {
        raw = undefined
      }
      const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      records.push({ line: i + 1, raw: isObject ? (raw as Record<string, unknown>) : { __invalid: lineText } })
    })
    return { format: 'jsonl', columns: columnsOf(records.map((r) => r.raw)), records }
  }
  const rows = parseCsv(text)
  if (rows.length === 0) return { format: 'csv', columns: [], records: [] }
  const columns = rows[0].cells.map((c) => c.trim())
  const records = rows.slice(1).map(({ cells, line }) => {
    const raw: Record<string, unknown> = {}
    columns.forEach((column, i) => {
      if (cells[i] !== undefined && cells[i] !== '') raw[column] = cells[i]
    })
    if (cells.length > columns.length) raw.__extra = cells.slice(columns.length).join(',')
    return { line, raw }
  })
  return { format: 'csv', columns, records }
}

function columnsOf(records: Record<string, unknown>[]): string[] {
  const columns: string[] = []
  for (const r of records) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k)
  return columns
}

const LOCALPART = /^[a-z0-9._=\-/+]+$/

function bool(column: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1
  const text = String(value).trim().toLowerCase()
  if (['true', '1', 'yes', 'y'].includes(text)) return true
  if (['false', '0', 'no', 'n'].includes(text)) return false
  throw new Error(`${column}: '${String(value)}' is not true/false`)
}

/** JSON in a CSV cell (what `-o csv` prints for lists), or the list itself in JSON lines. */
function list(column: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  const text = String(value).trim()
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (Array.isArray(parsed)) return parsed
    } catch {
      // reported below
    }
    throw new Error(`${column}: not a JSON list`)
  }
  return text.split(/[;\s]+/).filter(Boolean)
}

function threepids(value: unknown) {
  return list('threepids', value).map((item) => {
    const pid = typeof item === 'string' ? { medium: item.slice(0, item.indexOf(':')), address: item.slice(item.indexOf(':') + 1) } : (item as { medium?: unknown; address?: unknown })
    if ((pid.medium !== 'email' && pid.medium !== 'msisdn') || typeof pid.address !== 'string' || !pid.address) {
      throw new Error(`threepids: '${typeof item === 'string' ? item : JSON.stringify(item)}' is not email:ADDRESS or msisdn:NUMBER`)
    }
    return { medium: pid.medium, address: pid.address }
  })
}

function externalIds(value: unknown) {
  return list('external_ids', value).map((item) => {
    const e = item as { auth_provider?: unknown; external_id?: unknown }
    if (typeof e?.auth_provider !== 'string' || typeof e.external_id !== 'string') throw new Error(`external_ids: '${JSON.stringify(item)}' needs auth_provider and external_id`)
    return { auth_provider: e.auth_provider, external_id: e.external_id }
  })
}

/** Checks every row and builds its request; an ID of another server is imported by its localpart. */
export function checkRows(records: { line: number; raw: Record<string, unknown> }[], serverName: string): { rows: ImportRow[]; foreign: number } {
  const seen = new Map<string, number>()
  let foreign = 0
  const rows = records.map(({ line, raw }): ImportRow => {
    const row: ImportRow = { line, raw, body: {} }
    try {
      if ('__invalid' in raw) throw new Error('not a JSON object')
      if ('__extra' in raw) throw new Error('more cells than the header has columns')
      let id: string | undefined
      for (const [column, value] of Object.entries(raw)) {
        const field = COLUMNS[column]
        if (value === null || value === undefined || value === '') continue
        if (field === 'id') {
          id ??= String(value).trim()
        } else if (field === 'password') {
          if (typeof value !== 'string' && typeof value !== 'number') throw new Error('password: not text')
          row.body.password = String(value)
        } else if (field === 'admin' || field === 'deactivated' || field === 'locked') {
          row.body[field] = bool(column, value)
        } else if (field === 'avatar_url') {
          if (!String(value).startsWith('mxc://')) throw new Error(`avatar_url: '${String(value)}' is not an mxc:// URI`)
          row.body.avatar_url = String(value)
        } else if (field === 'threepids') row.body.threepids = threepids(value)
        else if (field === 'external_ids') row.body.external_ids = externalIds(value)
        else if (field === 'displayname' || field === 'user_type') row.body[field] = String(value)
      }
      if (!id) throw new Error('no user ID: give name, user_id or localpart')
      const match = /^@([^:]+):(.+)$/.exec(id)
      const localpart = match ? match[1] : id.replace(/^@/, '')
      if (match && match[2] !== serverName) foreign++
      if (!LOCALPART.test(localpart)) throw new Error(`'${id}': a localpart holds only a-z, 0-9 and . _ = - / +`)
      row.userId = `@${localpart}:${serverName}`
      if (row.userId.length > 255) throw new Error(`'${row.userId}' is longer than 255 characters`)
      const earlier = seen.get(row.userId)
      if (earlier !== undefined) throw new Error(`${row.userId} is also on line ${earlier}`)
      seen.set(row.userId, line)
    } catch (error) {
      row.error = (error as Error).message
    }
    return row
  })
  return { rows, foreign }
}

/** Unknown columns are a mistake to stop at (a misspelt 'dispalyname' would otherwise be dropped silently). */
export function unknownColumns(columns: string[]): string[] {
  return columns.filter((c) => !(c in COLUMNS) && !IGNORED.has(c) && !c.startsWith('__'))
}

/** The request without the password, for previews and dry runs. */
const shown = (body: Record<string, unknown>) => ('password' in body ? { ...body, password: '(set, not shown)' } : body)

function rejectsFile(ctx: RunContext<typeof spec.importUsers>, file: string, format: ImportFormat): string {
  if (ctx.options.rejects) return ctx.options.rejects
  const ext = format === 'csv' ? 'csv' : 'jsonl'
  return file === '-' ? `synadm-import.rejected.${ext}` : `${file.replace(/\.(csv|jsonl?|txt)$/i, '')}.rejected.${ext}`
}

const exists = (path: string) => {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

/** Before anything is sent: rejected rows never silently replace a file (an earlier run's rejects, or another file). */
function checkRejectsFile(path: string, overwrite: boolean) {
  if (!overwrite && exists(path)) throw usageError(`${path} exists: the rows this import rejects would replace it`, 'move it away, name another file with --rejects FILE, or give --overwrite-rejects')
}

function writeRejects(path: string, overwrite: boolean, format: ImportFormat, columns: string[], rejected: { raw: Record<string, unknown>; why: string }[]) {
  const kept = columns.filter((c) => c !== REJECTED_COLUMN)
  const text =
    format === 'csv'
      ? [[...kept, REJECTED_COLUMN], ...rejected.map(({ raw, why }) => [...kept.map((c) => raw[c]), why])].map(csvRow).join('')
      : rejected.map(({ raw, why }) => JSON.stringify({ ...raw, [REJECTED_COLUMN]: why })).join('\n') + '\n'
  // It may hold passwords: always a new file, readable by the owner only. A file replaced is removed first, so
  // neither its mode nor a link in its place carries over.
  try {
    if (overwrite) rmSync(path, { force: true })
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    throw new SynadmError('failure', `the rejected rows were not written to ${path}: ${(error as Error).message}`)
  }
}

export async function importUsers(ctx: RunContext<typeof spec.importUsers>) {
  if (await onMas(ctx)) throw noMasEquivalent('accounts are created in MAS, and Synapse takes no passwords', 'synadm mas users add --targets FILE creates MAS accounts from a list of names (then mas users set-password)')
  const file = ctx.args.file
  const onConflict = ctx.options.onConflict
  const { format, columns, records } = readRecords(await ctx.readFile(file))
  const unknown = unknownColumns(columns)
  if (unknown.length) throw usageError(`${file === '-' ? 'stdin' : basename(file)}: unknown column(s) ${unknown.join(', ')}`, `known: ${Object.keys(COLUMNS).join(', ')} (read-only fields of an export are ignored)`)
  if (records.length === 0) throw usageError(`${file === '-' ? 'stdin' : file} holds no rows`)
  const rejectsPath = rejectsFile(ctx, file, format)
  const overwriteRejects = ctx.options.overwriteRejects === true
  checkRejectsFile(rejectsPath, overwriteRejects)
  const serverName = await ctx.serverName()
  const { rows, foreign } = checkRows(records, serverName)
  const invalid = rows.filter((r) => r.error)
  for (const row of invalid.slice(0, 20)) ctx.note(`line ${row.line}: ${row.error}`)
  if (invalid.length > 20) ctx.note(`… and ${invalid.length - 20} more rejected rows`)
  if (foreign) ctx.note(`${foreign} user ID(s) of another server are imported by their localpart as @…:${serverName}`)
  const valid = rows.filter((r) => !r.error)

  const summary = await ctx.forEach(
    valid.map((row) => ({ target: row.userId!, value: row })),
    async (row, rowCtx) => {
      const rowUsers = await rowCtx.use('user')
      let exists = true
      try {
        await rowUsers.details(row.userId!)
      } catch (error) {
        if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
        exists = false
      }
      if (exists && onConflict === 'skip') return rowCtx.skipped('exists')
      if (exists && onConflict === 'fail') throw new SynadmError('failure', `${row.userId} exists (--on-conflict fail)`)
      // In a dry run this ends the row with what would be sent; in a confirmed run it passes.
      await rowCtx.confirm(`${exists ? 'update' : 'create'} ${row.userId}`, shown(row.body))
      await rowUsers.createOrModify(row.userId!, row.body)
      return { action: exists ? 'updated' : 'created' }
    },
    { effect: `create each account (existing ones: ${onConflict})${invalid.length ? `; ${invalid.length} rejected row(s) are not imported` : ''}` },
  )

  const failedRows = new Map(summary.entries.filter((e) => !e.ok).map((e) => [e.target, e.error ?? 'failed']))
  const rejected = [
    ...invalid.map((r) => ({ raw: r.raw, why: `line ${r.line}: ${r.error}` })),
    ...valid.filter((r) => failedRows.has(r.userId!)).map((r) => ({ raw: r.raw, why: failedRows.get(r.userId!)! })),
  ]
  if (rejected.length && !ctx.dryRun) {
    writeRejects(rejectsPath, overwriteRejects, format, columns.filter((c) => !c.startsWith('__')), rejected)
    ctx.note(`${rejected.length} rejected row(s) written to ${rejectsPath}: fix them there and import that file`)
  }
  const failure = ctx.bulkFailure(summary)
  if (failure) throw failure
  if (invalid.length) throw new SynadmError('partial', `${invalid.length} of ${rows.length} row(s) rejected before import`)
  return undefined
}
