/**
 * Fleet runs: one command on several servers (`-S prod,staging`, `-S all`), concurrently, every result labelled
 * with its server — a `server` field in json/jsonl/csv/yaml, a column in human. Each server runs the command
 * through the normal executor in its own session (its own settings, token and audit entries), printing minified
 * JSON that is labelled and printed in the chosen format once all have answered; their messages go to stderr
 * prefixed with the server. A write across servers is refused unless --batch is given, before any server is
 * asked for a command declared to write; then it is confirmed once for all of them (in a terminal; without one,
 * --batch is the confirmation). A command that declares `fleetTable` makes the rows itself, one per server, from
 * every server's outcome, a server that failed included.
 */
import { Capture } from '../output/capture.js'
import type { Invocation } from '../contract/run-context.js'
import { EXIT, SynadmError, usageError } from '../kernel/errors.js'
import { format, isRecord, listKey, resolveFormat, TableLayout } from '../output/formats.js'
import { Prompts } from '../run/prompts.js'
import type { Session } from '../run/session.js'
import { writes } from '../cli/options.js'
import { terminalWidth } from '../run/context.js'
import { everyPage } from '../run/paginate.js'
import { capitalised, effectOf } from '../cli/effect.js'

/** servers asked at once */
const CONCURRENCY = 8

type RunInvocation = (session: Session, invocation: Invocation, signal: AbortSignal) => Promise<number>

/** sessions already warned that one SYNADM_TOKEN goes to several servers (a shell warns once, not every line) */
const warnedSharedToken = new WeakSet<Session>()

const refusal = (servers: string[]) =>
  usageError(`refusing to write on ${servers.length} servers at once (${servers.join(', ')})`, 'add --batch to write on each of them (asked once, with the list, in a terminal)')

/** Does the command declare that it writes, and is this no dry run? Then it is refused or confirmed before it starts. */
const declaredWrite = ({ command, options }: Invocation) => writes(command) && options.dryRun !== true

/** What refuses a fleet run before any server is asked: a command for one server, a declared write without --batch. */
export function refuseFleetRun(invocation: Invocation, servers: string[]): void {
  const { command, globals } = invocation
  if (command.offline) throw usageError(`'${command.path}' works on one server at a time`, 'give one profile: -S NAME')
  if (declaredWrite(invocation) && !globals.batch) throw refusal(servers)
}

/** `{server, ...item}`; an item's own `server` field is kept as `server_field`. */
function label(server: string, item: unknown): Record<string, unknown> {
  if (!isRecord(item)) return { server, value: item }
  const { server: own, ...rest } = item
  return { server, ...rest, ...(own === undefined ? {} : { server_field: own }) }
}

/** The items of one server's output documents; what a list page says besides its items becomes a note. */
function itemsOf(server: string, text: string, notes: string[]): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    let doc: unknown
    try {
      doc = JSON.parse(line)
    } catch {
      items.push({ server, output: line })
      continue
    }
    const key = listKey(doc)
    if (Array.isArray(doc)) items.push(...doc.map((item) => label(server, item)))
    else if (key) {
      const { [key]: list, ...rest } = doc as Record<string, unknown>
      items.push(...(list as unknown[]).map((item) => label(server, item)))
      const extra = Object.entries(rest).filter(([, v]) => v !== null && v !== undefined)
      if (extra.length) notes.push(`[${server}] ${extra.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')}`)
    } else items.push(label(server, doc))
  }
  return items
}

const lines = (text: string) => text.split('\n').filter(Boolean)

/** The documents a server's run printed (minified JSON, one a line); a line that is not JSON as its text. */
function documentsOf(text: string): unknown[] {
  return lines(text).map((line) => {
    try {
      return JSON.parse(line)
    } catch {
      return line
    }
  })
}

/** One SYNADM_TOKEN overrides every profile's token: said once when it is about to go to several servers. */
async function warnSharedToken(session: Session, sessions: { name: string; session: Session }[]) {
  if (!session.io.env.SYNADM_TOKEN || warnedSharedToken.has(session)) return
  const urls = await Promise.all(sessions.map(async (s) => (await s.session.settings().catch(() => undefined))?.settings.base_url))
  const servers = new Set(urls.filter((url) => url !== undefined))
  if (servers.size < 2) return
  warnedSharedToken.add(session)
  session.io.stderr.write(`synadm: warning: SYNADM_TOKEN overrides every profile's token: the same token goes to ${servers.size} servers (${sessions.map((s) => s.name).join(', ')})\nhint: unset SYNADM_TOKEN to send each profile its own token\n`)
}

export async function runFleet(session: Session, invocation: Invocation, servers: string[], signal: AbortSignal, runInvocation: RunInvocation): Promise<number> {
  const { io } = session
  const { command, globals } = invocation
  refuseFleetRun(invocation, servers)
  const fmt = resolveFormat(globals.output ?? (await session.settings().catch(() => undefined))?.settings.format ?? 'yaml')
  const sessions = servers.map((name) => ({ name, out: new Capture(), err: new Capture(), session: session.forProfile(name) }))

  let consent: Promise<void> | undefined
  const confirmOnce = async () => {
    const production = await Promise.all(sessions.map(async (s) => (await s.session.settings().catch(() => undefined))?.settings.production))
    const list = sessions.map((s, i) => (production[i] ? `${s.name} (PRODUCTION)` : s.name)).join(', ')
    if (!io.interactive) return void io.stderr.write(`synadm: --batch: writing on ${list}\n`)
    const effect = effectOf(command, invocation)
    const question = `${effect ? capitalised(effect) : `'${command.path}' writes`} on ${servers.length} servers: ${list}. Go on?`
    if (!(await new Prompts({ input: io.stdin, output: io.stderr }, signal).confirm(question))) throw new SynadmError('aborted', 'aborted: nothing was changed')
  }
  // A command not declared to write is stopped at its first write without --batch: that ends the run everywhere.
  const stop = new AbortController()
  let refused: SynadmError | undefined
  const guard = () => {
    if (!globals.batch) {
      refused ??= refusal(servers)
      stop.abort()
      throw refused
    }
    consent ??= confirmOnce()
    return consent
  }
  // A declared write (refused above without --batch) is confirmed before any server is asked.
  if (declaredWrite(invocation)) await guard()
  await warnSharedToken(session, sessions)

  // Each server prints minified JSON: an export's every page (-o csv, -o jsonl) is asked for here.
  const options = command.paged && everyPage(command.paged, invocation, fmt) ? { ...invocation.options, all: true } : invocation.options
  const codes: number[] = new Array(sessions.length)
  const until = AbortSignal.any([signal, stop.signal])
  let next = 0
  const worker = async () => {
    for (let i = next++; i < sessions.length && !stop.signal.aborted; i = next++) {
      const s = sessions[i]
      s.session.io = { ...io, stdout: s.out, stderr: s.err, interactive: false }
      s.session.writeGuard = guard
      // A signal of its own per server: the requests of every server on one signal would pass Node's listener limit.
      codes[i] = await runInvocation(s.session, { ...invocation, options, globals: { ...globals, output: 'minified', server: undefined } }, AbortSignal.any([until]))
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sessions.length) }, worker))
  if (refused) throw refused

  for (const s of sessions) for (const line of lines(s.err.text)) io.stderr.write(`[${s.name}] ${line}\n`)
  if (command.fleetTable) {
    const table = (await command.fleetTable())(sessions.map((s, i) => ({ server: s.name, exitCode: codes[i], output: documentsOf(s.out.text), messages: lines(s.err.text) })))
    // The command's own table fits a terminal as any human table does.
    const columns = globals.columns?.split(',').map((c) => c.trim()).filter(Boolean)
    const layout = new TableLayout({ width: terminalWidth(io.stdout), columns, preferred: command.mainColumns, note: (m) => void io.stderr.write(m + '\n') })
    if (table.rows.length) io.stdout.write(await format(fmt, table.rows, layout))
    // what belongs to the table (the columns it hid) comes after it
    layout.tell()
    if (table.message) io.stderr.write(`synadm: ${table.message}\n`)
    return table.exitCode
  }
  const notes: string[] = []
  const items = sessions.flatMap((s) => itemsOf(s.name, s.out.text, notes))
  for (const note of notes) io.stderr.write(note + '\n')
  if (items.length) io.stdout.write(await format(fmt, items))

  const failed = sessions.filter((_, i) => codes[i] !== EXIT.ok)
  if (failed.length === 0) return EXIT.ok
  io.stderr.write(`synadm: failed on ${failed.length} of ${sessions.length} servers: ${failed.map((s) => s.name).join(', ')}\n`)
  return failed.length === sessions.length ? codes[0] : EXIT.partial
}
