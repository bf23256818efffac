/**
 * The journal of a bulk run (--journal FILE): JSON lines, 0600. Line 1 names the run (command, arguments, options);
 * then a target's `start` before it runs and `done`/`failed` after, each written before the next step, each naming
 * its server (profile and base_url): one journal serves every server of a fleet run, and a resume re-runs on each
 * server what is not done there. A plan (core/campaigns/plan.ts) also records each step of a target the same way
 * (lines with `step`), so its resume goes on inside a target.
 *
 * One run at a time: FILE.lock, created with O_EXCL, holds the pid, host and start of the run that has the journal;
 * a lock left by a process of this host that is gone is taken over. The servers of one fleet run share the open
 * journal in this process. The file is read line by line with a bound on a line, so a device or a huge file cannot
 * exhaust memory. Every problem with the file is a SynadmError: 'config' (exit 3), or 'usage' (exit 2) for the
 * journal of another run. No secret is written: secret option values are REDACTED in the header (a resume matches
 * on the option being given), secret targets (registration tokens) are named by their SHA-256, errors are redacted.
 */
import { createHash } from 'node:crypto'
import { closeSync, fchmodSync, fstatSync, ftruncateSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { SynadmError, usageError } from '../kernel/errors.js'
import { redactText } from '../kernel/log.js'
import { asciiJson, isRecord } from '../output/formats.js'

export interface JournalHeader {
  synadm_journal: typeof VERSION
  command: string
  /** the arguments and options the run was started with (no targets, journal, concurrency): a resume must match */
  with: Record<string, unknown>
}

/** Which server a line is about: the profile, and where it pointed (user info left out). */
export interface JournalServer {
  server: string
  base_url: string
}

type State = 'start' | 'done' | 'failed'
interface JournalEntry extends JournalServer {
  target: string
  /** a step of the target's plan; absent on the target's own lines */
  step?: string
  state: State
  at: number
  error?: string
}

/** 2: entries name their server (version 1 entries did not, so they cannot say where a target was done) */
const VERSION = 2
const STATES = new Set<unknown>(['start', 'done', 'failed'])
/** longer than any line synadm writes (an error is cut to MAX_ERROR): anything longer is not a journal */
const MAX_LINE = 64 * 1024
const MAX_ERROR = 1000
const CHUNK = 64 * 1024

const unusable = (file: string, why: string, hint?: string) => new SynadmError('config', `cannot use the journal ${file}: ${why}`, { hint })

/** An fs error as the reason a journal cannot be used. */
function fsProblem(file: string, error: unknown): SynadmError {
  const { code, message } = error as NodeJS.ErrnoException
  if (code === 'ENOENT') return unusable(file, `its folder ${dirname(file)} does not exist`, 'create the folder, or give a journal path in an existing one')
  if (code === 'EISDIR') return unusable(file, 'it is a folder', 'give a file path')
  if (code === 'EACCES' || code === 'EPERM') return unusable(file, 'permission denied', 'give a journal path you can write')
  return unusable(file, message)
}

// --- what a journal says, by server ------------------------------------------------------------------------------

/** The targets of one server, as the journal left them. */
class ServerRecord {
  readonly done = new Set<string>()
  readonly failed = new Set<string>()
  /** started and not finished yet */
  readonly started = new Set<string>()
  readonly baseUrls = new Set<string>()

  /** steps of plans, by `target` NUL `step` */
  readonly stepsDone = new Set<string>()
  readonly stepsStarted = new Set<string>()

  add(entry: JournalEntry) {
    this.baseUrls.add(entry.base_url)
    if (entry.step !== undefined) return this.addStep(stepKey(entry.target, entry.step), entry.state)
    if (entry.state === 'start') return void this.started.add(entry.target)
    this.started.delete(entry.target)
    if (entry.state === 'done') {
      this.done.add(entry.target)
      this.failed.delete(entry.target)
    } else this.failed.add(entry.target)
  }

  private addStep(key: string, state: State) {
    if (state === 'start') return void this.stepsStarted.add(key)
    this.stepsStarted.delete(key)
    if (state === 'done') this.stepsDone.add(key)
    else this.stepsDone.delete(key)
  }
}

const stepKey = (target: string, step: string) => `${target}\u0000${step}`

/** The lines of an open file from the start, read in chunks; `complete` is false for a last line with no line break. */
function* linesOf(fd: number, file: string): Generator<{ text: string; n: number; offset: number; complete: boolean }> {
  const chunk = Buffer.alloc(CHUNK)
  let parts: Buffer[] = []
  let length = 0
  let n = 0
  let position = 0
  for (let read: number; (read = readSync(fd, chunk, 0, CHUNK, position)) > 0; position += read) {
    let from = 0
    for (let nl = chunk.indexOf(10, from); nl !== -1 && nl < read; nl = chunk.indexOf(10, from)) {
      parts.push(Buffer.from(chunk.subarray(from, nl)))
      yield { text: Buffer.concat(parts).toString('utf8'), n: ++n, offset: position + from - length, complete: true }
      ;[parts, length, from] = [[], 0, nl + 1]
    }
    parts.push(Buffer.from(chunk.subarray(from, read)))
    length += read - from
    if (length > MAX_LINE) throw unusable(file, `line ${n + 1} is longer than any journal line`, 'give the journal of a synadm bulk run')
  }
  if (length) yield { text: Buffer.concat(parts).toString('utf8'), n: n + 1, offset: position - length, complete: false }
}

const entryOf = (value: unknown): JournalEntry | undefined =>
  isRecord(value) && typeof value.server === 'string' && typeof value.base_url === 'string' && typeof value.target === 'string' && STATES.has(value.state) && (value.step === undefined || typeof value.step === 'string')
    ? (value as unknown as JournalEntry)
    : undefined

/** Checks the first line against the run's header. */
function checkHeader(file: string, n: number, line: unknown, header: JournalHeader) {
  if (!isRecord(line) || !('synadm_journal' in line)) throw unusable(file, `line ${n} is not a journal header: it is not the journal of a synadm bulk run`, 'give another journal file (an empty or new one starts a journal)')
  if (line.synadm_journal !== VERSION) throw unusable(file, `it is a journal of format ${asciiJson(line.synadm_journal)}, written by another synadm version (this one writes format ${VERSION}, whose lines name their server)`, 'finish that run with the synadm that started it, or start a new journal')
  if (line.command !== header.command || asciiJson(line.with) !== asciiJson(header.with)) {
    throw usageError(`${file} is the journal of another run: '${String(line.command)}' with ${asciiJson(line.with)}`, 'give the same command, arguments and options to resume, or another journal file')
  }
}

interface JournalContents {
  servers: Map<string, ServerRecord>
  /** no line at all: the header is still to be written */
  empty: boolean
  /** the last line has no line break: one goes first */
  unterminated: boolean
  /** where a last line a kill cut short begins: it is dropped before anything is added */
  cutAt?: number
}

/** Reads an open journal: its header checked, its entries by server. */
function readRecords(fd: number, file: string, header: JournalHeader): JournalContents {
  const contents: JournalContents = { servers: new Map(), empty: true, unterminated: false }
  for (const { text, n, offset, complete } of linesOf(fd, file)) {
    contents.unterminated = !complete
    if (!text.trim()) continue
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      // Only the last line may be cut short, by a kill while it was written; it is not an entry.
      if (!complete && !contents.empty) return { ...contents, cutAt: offset }
      throw unusable(file, `line ${n} is not JSON`, 'give the journal of a synadm bulk run')
    }
    if (contents.empty) {
      checkHeader(file, n, value, header)
      contents.empty = false
      continue
    }
    const entry = entryOf(value)
    if (!entry) throw unusable(file, `line ${n} is not a journal entry`, 'give the journal of a synadm bulk run')
    if (!contents.servers.has(entry.server)) contents.servers.set(entry.server, new ServerRecord())
    contents.servers.get(entry.server)!.add(entry)
  }
  return contents
}

// --- the lock ----------------------------------------------------------------------------------------------------

interface LockHolder {
  pid: number
  host: string
  started: string
}

/** The start of a small file (a lock), never more than `max` bytes whatever the file is. */
function readHead(file: string, max = 4096): string | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const buffer = Buffer.alloc(max)
    return buffer.subarray(0, readSync(fd, buffer, 0, max, 0)).toString('utf8')
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

function holderOf(lock: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readHead(lock) ?? '')
    return isRecord(value) && Number.isInteger(value.pid) && (value.pid as number) > 0 && typeof value.host === 'string' ? (value as unknown as LockHolder) : undefined
  } catch {
    return undefined
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A lock of this host whose process is gone (or is this process, which holds no journal of that name). */
const stale = (holder: LockHolder) => holder.host === hostname() && (holder.pid === process.pid || !alive(holder.pid))
const sameHolder = (a?: LockHolder, b?: LockHolder) => a !== undefined && b !== undefined && asciiJson(a) === asciiJson(b)

/** Moves a stale lock out of the way; false when another run replaced it in the meantime (its lock is put back). */
function takeOver(lock: string, holder: LockHolder): boolean {
  const aside = `${lock}.${process.pid}.stale`
  try {
    renameSync(lock, aside)
  } catch {
    return false
  }
  const moved = holderOf(aside)
  if (!sameHolder(moved, holder)) {
    try {
      linkSync(aside, lock)
    } catch {
      // a third run holds it now; the one we moved was not stale either way
    }
  }
  unlinkSync(aside)
  return sameHolder(moved, holder)
}

function inUse(file: string, lock: string, holder?: LockHolder): SynadmError {
  const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : `a run whose lock ${lock} cannot be read`
  return new SynadmError('config', `the journal ${file} is in use by another run: ${who}`, { hint: `wait for that run to end, or give another journal; if it is surely gone, remove ${lock}` })
}

/** Creates FILE.lock with O_EXCL, taking over a stale one; returns its path. */
function acquireLock(file: string, note: (message: string) => void): string {
  const lock = `${file}.lock`
  const mine: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number
    try {
      fd = openSync(lock, 'wx', 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fsProblem(file, error)
      const holder = holderOf(lock)
      if (!holder || !stale(holder) || !takeOver(lock, holder)) throw inUse(file, lock, holder)
      note(`synadm: ${file}: taking over the journal from process ${holder.pid} (started ${holder.started}), which is gone`)
      continue
    }
    try {
      writeSync(fd, JSON.stringify(mine) + '\n')
    } catch (error) {
      unlinkSync(lock)
      throw fsProblem(file, error)
    } finally {
      closeSync(fd)
    }
    return lock
  }
  throw inUse(file, lock, holderOf(lock))
}

// --- the open file -----------------------------------------------------------------------------------------------

/** One journal file open for a run in this process: its lock, its descriptor, what it said when opened. */
class JournalFile {
  /** the servers with an open Journal on it (a fleet run's) */
  readonly users = new Set<string>()
  /** the first write that failed: nothing more is written (a later line after a cut one would spoil the file) */
  private broken?: SynadmError

  constructor(
    readonly file: string,
    readonly header: JournalHeader,
    readonly contents: JournalContents,
    private readonly fd: number,
    readonly lock: string,
  ) {}

  /** One line, one write. */
  append(line: object) {
    if (this.broken) throw this.broken
    try {
      writeSync(this.fd, JSON.stringify(line) + '\n')
    } catch (error) {
      throw (this.broken = unusable(this.file, `${(error as Error).message}; no more targets are started`, 'make room (or fix the file), then run the same command again to go on'))
    }
  }

  close() {
    closeSync(this.fd)
    if (holderOf(this.lock)?.pid === process.pid) unlinkSync(this.lock)
  }
}

/** Journals open in this process, by absolute path. */
const openFiles = new Map<string, JournalFile>()
let exitHook = false

/** A device, a pipe or a folder is no journal: /dev/full would be read without end. */
function regularFile(fd: number, file: string) {
  const stat = fstatSync(fd)
  if (!stat.isFile()) throw unusable(file, 'it is not a regular file', 'give a file path')
  return stat
}

/** Opens (creating it, with its header) and locks a journal for a run. */
function openForRun(file: string, header: JournalHeader, note: (message: string) => void): JournalFile {
  const lock = acquireLock(file, note)
  let fd: number | undefined
  try {
    fd = openSync(file, 'a+', 0o600)
    const { mode } = regularFile(fd, file)
    const contents = readRecords(fd, file, header)
    // A journal made beforehand (mktemp, by hand) becomes private like a new one.
    if (mode & 0o077) fchmodSync(fd, 0o600)
    if (contents.cutAt !== undefined) ftruncateSync(fd, contents.cutAt)
    else if (contents.unterminated) writeSync(fd, '\n')
    if (contents.empty) writeSync(fd, JSON.stringify(header) + '\n')
    return new JournalFile(file, header, contents, fd, lock)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    unlinkSync(lock)
    throw SynadmError.is(error) ? error : fsProblem(file, error)
  }
}

/** What a dry run needs: the journal read, nothing created, locked or written. */
function readOnly(file: string, header: JournalHeader): JournalContents {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { servers: new Map(), empty: true, unterminated: false }
    throw fsProblem(file, error)
  }
  try {
    regularFile(fd, file)
    return readRecords(fd, file, header)
  } finally {
    closeSync(fd)
  }
}

/** The journal of one server of a run: what is done, failed and unfinished there, and the lines it adds. */
export class Journal {
  private readonly done: Set<string>
  /** started and never finished: the run was killed while they were in flight */
  private readonly unfinished = new Set<string>()
  private readonly stepsDone: Set<string>
  private readonly stepsUnfinished: Set<string>

  constructor(
    readonly file: string,
    private readonly server: JournalServer,
    record: ServerRecord | undefined,
    private readonly shared?: JournalFile,
    private readonly secretTargets = false,
  ) {
    this.done = record?.done ?? new Set()
    for (const target of record?.started ?? []) if (!this.done.has(target)) this.unfinished.add(target)
    this.stepsDone = record?.stepsDone ?? new Set()
    this.stepsUnfinished = new Set(record?.stepsStarted ?? [])
  }

  /** How a step of a target's plan ended in earlier runs: done, in flight when a run was killed, or neither. */
  stepState(target: string, step: string): 'done' | 'in-flight' | undefined {
    const key = stepKey(this.key(target), step)
    return this.stepsDone.has(key) ? 'done' : this.stepsUnfinished.has(key) ? 'in-flight' : undefined
  }

  startStep(target: string, step: string) {
    this.write({ ...this.server, target: this.key(target), step, state: 'start', at: Date.now() })
  }

  finishStep(target: string, step: string, ok: boolean, error?: string) {
    const failure = error ? { error: redactText(error).slice(0, MAX_ERROR) } : {}
    this.write({ ...this.server, target: this.key(target), step, state: ok ? 'done' : 'failed', at: Date.now(), ...failure })
  }

  /** How a target is named in the file: a secret one (a registration token) by its SHA-256, never as itself. */
  private key(target: string): string {
    return this.secretTargets ? `sha256:${createHash('sha256').update(target).digest('hex')}` : target
  }

  isDone(target: string): boolean {
    return this.done.has(this.key(target))
  }

  /** started by an earlier run that was killed before it said how the target ended */
  wasInFlight(target: string): boolean {
    return this.unfinished.has(this.key(target))
  }

  start(target: string) {
    this.write({ ...this.server, target: this.key(target), state: 'start', at: Date.now() })
  }

  finish(target: string, ok: boolean, error?: string) {
    const failure = error ? { error: redactText(error).slice(0, MAX_ERROR) } : {}
    this.write({ ...this.server, target: this.key(target), state: ok ? 'done' : 'failed', at: Date.now(), ...failure })
  }

  private write(entry: JournalEntry) {
    if (!this.shared) throw new Error('bug: a dry run writes to its journal')
    this.shared.append(entry)
  }

  /** Ends this server's use; the last one closes the file and removes the lock. */
  close() {
    const shared = this.shared
    if (!shared || !shared.users.delete(this.server.server)) return
    if (shared.users.size) return
    openFiles.delete(resolve(shared.file))
    shared.close()
  }
}

/** base_url without user info (a password there stays out of the journal) or trailing slashes */
export function serverUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl)
    url.username = ''
    url.password = ''
    return url.href.replace(/\/+$/, '')
  } catch {
    return baseUrl
  }
}

/**
 * The journal of `server` for a run: locked and opened (created with its header) for a real run, only read for a dry
 * run. The servers of one fleet run share the file; a second run on it, here or in another process, is refused.
 */
export function openJournal(file: string, header: JournalHeader, server: JournalServer, o: { dryRun: boolean; secretTargets: boolean; note: (message: string) => void }): Journal {
  if (o.dryRun) return new Journal(file, server, checkedRecord(file, readOnly(file, header), server), undefined, o.secretTargets)
  const key = resolve(file)
  let shared = openFiles.get(key)
  if (shared) {
    if (shared.users.has(server.server) || asciiJson(shared.header) !== asciiJson(header)) throw inUse(file, shared.lock, holderOf(shared.lock))
  } else {
    shared = openForRun(file, header, o.note)
    openFiles.set(key, shared)
    releaseAtExit()
  }
  const record = checkedRecord(file, shared.contents, server)
  shared.users.add(server.server)
  return new Journal(file, server, record, shared, o.secretTargets)
}

/** The server's record; refused when the journal knew this profile at another address (another server). */
function checkedRecord(file: string, contents: JournalContents, server: JournalServer): ServerRecord | undefined {
  const record = contents.servers.get(server.server)
  const other = [...(record?.baseUrls ?? [])].find((url) => url !== server.base_url)
  if (other) throw usageError(`${file} recorded the server '${server.server}' at ${other}; it is at ${server.base_url} now`, 'a journal is kept per server: give another journal for this one')
  return record
}

/** A process that exits in the middle of a run (a second Ctrl-C) leaves no lock of its own behind. */
function releaseAtExit() {
  if (exitHook) return
  exitHook = true
  process.on('exit', () => {
    for (const shared of openFiles.values()) {
      try {
        if (holderOf(shared.lock)?.pid === process.pid) unlinkSync(shared.lock)
      } catch {
        // nothing more to do on the way out
      }
    }
  })
}
