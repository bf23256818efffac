/**
 * One path for every command, whatever the front end: words → globals → match → parse → config →
 * action → formatter. A line of commands joined by pipes is planned whole before any of them runs. Errors become
 * one line on stderr and an exit code; nothing here exits the process.
 */
import { createRunContext, settleAudit, terminalWidth, type BulkRunner, type ContextFactory, type CoreContext, type RunMode } from '../run/context.js'
import type { Invocation } from '../contract/run-context.js'
import type { Action } from '../contract/spec.js'
import { describeError, DryRunStop, EXIT, SynadmError, toSynadmError, usageError, screenText } from '../kernel/errors.js'
import { commandSwitches, leadingGlobalsLength, liftGlobals, parseGlobals, refusePerProcess } from '../cli/globals.js'
import { redactText } from '../kernel/log.js'
import { commandHelp, groupHelp, rootHelp, usageLine, wrapHelp } from '../cli/help.js'
import { fitLine, format, itemStream, resolveFormat, type Format } from '../output/formats.js'
import { ALL_CONCURRENCY, everyPage, nextToken, pages, type Page } from '../run/paginate.js'
import { filteredReply, listPages } from '../run/lists.js'
import { canPage, PagedOutput, pagerCommand } from '../output/pager.js'
import { commandShape, displayName, listItems, writes } from '../cli/options.js'
import { isFleet, selectProfiles } from '../config/profiles.js'
import { parseCommandWords } from '../cli/parse.js'
import { lookAlikes } from '../cli/suggest.js'
import { completeAlias, isShortAlias, lowerCaseUser } from '../contract/ids.js'
import type { Session } from '../run/session.js'
import { VERSION } from '../kernel/version.js'
import { Capture } from '../output/capture.js'

export interface ExecuteOptions {
  signal?: AbortSignal
  /** lines piped in from a previous command (REPL pipes) */
  stdin?: string[]
  /** the REPL forbids what only makes sense at process start (-c) */
  inShell?: boolean
  /** false: never page the output (watch redraws it) */
  pager?: boolean
}

/** What a group level defines itself: only help. */
const GROUP_SWITCHES = new Map([['-h', 0], ['--help', 0]])

/**
 * The commands of the vorpal extensions on npm that synadm is tested with, by the package that provides each:
 * typed while the extension is not installed, the error names the package (a unit test reads the packages).
 */
export const VORPAL_EXTENSION_COMMANDS = new Map([
  ['grep', 'vorpal-grep'],
  ['less', 'vorpal-less'],
  ['repl', 'vorpal-repl'],
])

export type Planned =
  | { kind: 'help'; text: string; toStderr: boolean; exitCode: number; pager?: boolean }
  | { kind: 'version' }
  | { kind: 'run'; invocation: Invocation }

/** Everything up to, and not including, running: shared by the executor, completion and tests. */
export function plan(session: Session, words: string[], options: ExecuteOptions = {}): Planned {
  const leadingCount = leadingGlobalsLength(words)
  const leading = words.slice(0, leadingCount)
  const rest = words.slice(leadingCount)
  const where = options.inShell ? 'shell' : 'cli'
  let { globals } = parseGlobals(leading)
  if (options.inShell) refusePerProcess(globals)
  if (globals.version) return { kind: 'version' }
  const match = session.registry.match(rest)
  if (!match.command) {
    // `synadm user --version`: trailing global options are read at every level
    const lifted = liftGlobals(leading, match.rest, GROUP_SWITCHES)
    if (lifted.globals.version) return { kind: 'version' }
    const asked = globals.help || match.rest.includes('-h') || match.rest.includes('--help')
    const unknown = lifted.rest.findIndex((w) => !w.startsWith('-'))
    if (unknown >= 0) throw unknownCommand(session, match.group ?? '', lifted.rest.slice(unknown).filter((w) => !w.startsWith('-')))
    const text = match.group ? groupHelp(session.registry, match.group) : rootHelp(session.registry, VERSION, where)
    // synadm prints a group's help on stderr with exit 2 when no subcommand was given.
    return { kind: 'help', text, toStderr: !asked, exitCode: asked ? EXIT.ok : EXIT.usage, pager: lifted.globals.pager }
  }
  const spec = match.command.spec
  if (globals.help) return { kind: 'help', text: commandHelp(spec, where), toStderr: false, exitCode: EXIT.ok, pager: globals.pager }
  const lifted = liftGlobals(leading, match.rest, commandSwitches(spec))
  globals = lifted.globals
  if (options.inShell) refusePerProcess(globals)
  if (globals.version) return { kind: 'version' }
  let parsed
  try {
    parsed = parseCommandWords(spec, lifted.rest)
  } catch (error) {
    if (SynadmError.is(error) && error.kind === 'usage' && !error.hint) {
      throw usageError(error.message, `${usageLine(spec).replace('Usage: ', '')} — see 'synadm ${spec.path} -h'`)
    }
    throw error
  }
  if (parsed.options.help && !spec.ownsHelp) return { kind: 'help', text: commandHelp(spec, where), toStderr: false, exitCode: EXIT.ok, pager: globals.pager }
  return { kind: 'run', invocation: { command: spec, ...parsed, globals, stdin: options.stdin } }
}

/**
 * The error for a word that names no command at its level: the package of a vorpal extension, or look-alikes,
 * closest first, each followed by the words typed after it where they go on to a command (`usr list` → `user list`).
 */
function unknownCommand(session: Session, level: string, [word, ...after]: string[]) {
  const typed = [level, word].filter(Boolean).join(' ')
  const extension = level ? undefined : VORPAL_EXTENSION_COMMANDS.get(word)
  if (extension) return usageError(`No such command '${typed}'.`, `'${word}' comes from the vorpal extension ${extension}: synadm plugins install ${extension}`)
  const { registry } = session
  // Hidden words (the shell's `use`, completion-server) are never offered.
  const words = registry.children(level).filter((c) => !c.hidden).map((c) => c.word)
  const near = lookAlikes(word, words).map((w) => {
    const path = [level, w].filter(Boolean)
    for (const next of after) {
      const longer = registry.match([...path, next])
      if (!longer.command && !longer.group) break
      if (longer.rest.length) break
      path.push(next)
      if (longer.command) break
    }
    return path.join(' ')
  })
  return usageError(`No such command '${typed}'.`, near.length ? `did you mean ${near.join(', ')}?` : `see 'synadm ${level ? level + ' ' : ''}--help'`)
}

/**
 * Plans every command of a line (one, or several joined by pipes) and checks what can be refused without the
 * network: a fleet run's refusal and, where the line has several commands, a confirmation no terminal can give.
 * Throws the first problem, so a line runs whole or not at all.
 */
export async function planLine(session: Session, segments: string[][], options: ExecuteOptions = {}): Promise<Planned[]> {
  const planned = segments.map((words) => plan(session, words, options))
  for (const step of planned) {
    if (step.kind !== 'run') continue
    const server = step.invocation.globals.server ?? session.defaults.fleet
    if (isFleet(server)) (await import('../campaigns/fleet.js')).refuseFleetRun(step.invocation, selectProfiles(server!, session.io.env))
    // Alone, a command refuses at its own confirmation, before its first write; in a line, others would have run.
    if (planned.length > 1) refuseUnaskable(session, step.invocation)
  }
  return planned
}

/** A command that will ask before it writes, with no terminal to ask at and no --batch to answer for it. */
function refuseUnaskable(session: Session, { command, options, globals }: Invocation) {
  const asks = options.dryRun !== true && (command.destructive || (writes(command) && options.targets !== undefined))
  if (asks && !globals.batch && !session.io.interactive) {
    throw usageError(`refusing to go on without confirmation: '${command.path}' asks before it writes`, 'no terminal to ask at; add --batch to confirm in advance')
  }
}

/** Runs one command: its exit code. */
export function execute(session: Session, words: string[], options: ExecuteOptions = {}): Promise<number> {
  return executeLine(session, [words], options)
}

/** Runs a line of commands joined by pipes, each fed the records the one before printed; none unless all plan. */
export async function executeLine(session: Session, segments: string[][], options: ExecuteOptions = {}): Promise<number> {
  let planned: Planned[]
  try {
    planned = await planLine(session, segments, options)
  } catch (error) {
    return report(session, error, session.logLevel)
  }
  let stdin = options.stdin
  let code: number = EXIT.ok
  for (const [i, step] of planned.entries()) {
    const capture = i < planned.length - 1 ? new Capture() : undefined
    code = await session.withStdout(capture, () => runPlanned(session, step, segments[i], { ...options, stdin }))
    if (code !== EXIT.ok) break
    stdin = capture?.records
  }
  return code
}

/** Runs one planned command (help, the version, or the invocation on one server or a fleet): its exit code. */
async function runPlanned(session: Session, planned: Planned, words: string[], options: ExecuteOptions): Promise<number> {
  const { io } = session
  const baseLevel = session.logLevel
  let verbose = 0
  try {
    if (planned.kind === 'version') {
      io.stdout.write(`synadm, version ${VERSION}\n`)
      return EXIT.ok
    }
    if (planned.kind === 'help') {
      if (planned.toStderr) io.stderr.write(wrapHelp(planned.text, terminalWidth(io.stderr)))
      else await writeForPeople(session, planned.text, { pager: options.pager !== false && planned.pager !== false })
      return planned.exitCode
    }
    const invocation = { ...planned.invocation, words, stdin: options.stdin }
    verbose = invocation.globals.verbose
    session.logLevel = baseLevel + verbose
    return await runPaged(session, invocation, options)
  } catch (error) {
    return report(session, error, baseLevel + verbose)
  } finally {
    session.logLevel = baseLevel
  }
}

/** Runs an invocation with its output through a pager when one is wanted: on its server, or on each of a fleet. */
async function runPaged(session: Session, invocation: Invocation, options: ExecuteOptions): Promise<number> {
  const signal = options.signal ?? new AbortController().signal
  // -S on the line: another server for this command (several: the fleet runner), else the session's own.
  const server = invocation.globals.server ?? session.defaults.fleet
  const paged = options.pager === false || !invocation.globals.pager || invocation.command.ownsTerminal ? undefined : await openPager(session)
  // Quitting the pager early ends the command quietly, as in git: the rest of a long --all is not wanted.
  const until = paged ? AbortSignal.any([signal, paged.quit]) : signal
  let code: number = EXIT.ok
  try {
    await session.withStdout(paged, async () => {
      if (isFleet(server)) code = await (await fleetRunner()).runFleet(session, invocation, selectProfiles(server!, session.io.env), until, runInvocation)
      else await runWithConfigRecovery(server === undefined || server === session.profile ? session : session.profileSession(server), invocation, until, { inShell: options.inShell })
    })
  } catch (error) {
    if (!paged?.quit.aborted || signal.aborted) throw error
  } finally {
    await paged?.finish()
  }
  return code
}

// Loaded when a fleet or bulk run starts: most commands need neither.
const fleetRunner = () => import('../campaigns/fleet.js')
const bulkEngine = () => import('../campaigns/bulk.js')
const planEngine = () => import('../campaigns/plan.js')

/**
 * Text for a person (help) on stdout: wrapped to the terminal, and through the pager when it is taller than the
 * screen, as a command's output is.
 */
export async function writeForPeople(session: Session, text: string, o: { pager?: boolean } = {}): Promise<void> {
  const { stdout } = session.io
  const wrapped = wrapHelp(text, terminalWidth(stdout))
  const paged = o.pager === false ? undefined : await openPager(session)
  if (!paged) return void stdout.write(wrapped)
  paged.write(wrapped)
  await paged.finish()
}

/** A pager for this command's output when stdout is a terminal and one is configured or installed. */
async function openPager(session: Session): Promise<PagedOutput | undefined> {
  const { stdout, env } = session.io
  if (!canPage(stdout, env)) return undefined
  const setting = (await session.settings().catch(() => undefined))?.settings.pager
  const command = pagerCommand(env, setting)
  return command ? new PagedOutput(stdout, command, env) : undefined
}

/** Runs a planned invocation on a session: its exit code, its error reported on the session's stderr. */
async function runInvocation(session: Session, invocation: Invocation, signal: AbortSignal): Promise<number> {
  try {
    await run(session, invocation, signal, {})
    return EXIT.ok
  } catch (error) {
    return report(session, error, session.logLevel)
  }
}

/** A missing config in a terminal offers the configurator, then carries on with the command. */
async function runWithConfigRecovery(session: Session, invocation: Invocation, signal: AbortSignal, mode: RunMode) {
  try {
    await run(session, invocation, signal, mode)
  } catch (error) {
    const configurator = session.registry.find('config')
    if (!SynadmError.is(error) || error.code !== 'not_configured') throw error
    if (!configurator || !session.io.interactive || invocation.globals.batch || invocation.command === configurator.spec) throw error
    // The configurator says it starts: one line of its own here would be a second one.
    session.io.stderr.write(`${error.message}\n`)
    await run(session, { command: configurator.spec, args: {}, options: {}, given: new Set(), globals: invocation.globals }, signal, mode)
    session.reset()
    await run(session, invocation, signal, mode)
  }
}

/**
 * The action in one of its modes: every page (--all), each target of a list (--targets), or once; --where filters a
 * list. A plan command runs its steps instead (campaigns/plan.ts).
 */
async function run(session: Session, typed: Invocation, signal: AbortSignal, mode: RunMode) {
  const { command, options } = typed
  // Offline commands run without a usable config, but follow its format when there is one.
  const settings = command.offline ? await session.settings().catch(() => undefined) : await session.settings()
  const invocation = await withWholeAliases(session, typed)
  const format = resolveFormat(invocation.globals.output ?? settings?.settings.format ?? 'yaml')
  const contextFor = contextsFor(session, format)
  const ctx = contextFor(invocation, signal, mode)
  if (command.plan) return await settled(ctx, async () => (await planEngine()).runPlan(ctx, contextFor))
  const action = await command.load()
  try {
    // A list that only reads, over targets: one list of every target's records (with --all, all their pages).
    if (options.targets !== undefined && listItems(command) !== undefined && !writes(command)) return await settled(ctx, async () => (await bulkEngine()).runTargetLists(ctx, action, contextFor))
    if (command.paged && everyPage(command.paged, invocation, format)) return await settled(ctx, () => runAllPages(ctx, action))
    if (options.targets !== undefined) return await settled(ctx, async () => (await bulkEngine()).runTargets(ctx, action, contextFor))
    return await runOnce(ctx, action)
  } catch (error) {
    throw withLowerCaseHint(error, invocation)
  }
}

/**
 * Room aliases typed short (`#lobby`, an alias on this server) completed with the server name before the action
 * runs, as a localpart is a user of it: every plugin gets whole aliases, whatever it does with them.
 */
async function withWholeAliases(session: Session, inv: Invocation): Promise<Invocation> {
  const { args: argSpecs, options: defs } = commandShape(inv.command)
  const takesAliases = (kind?: string) => kind === 'alias' || kind === 'room_or_alias'
  const short = (value: unknown) => (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && isShortAlias(v))
  const argNames = argSpecs.filter((a) => takesAliases(a.id) && short(inv.args[a.name])).map((a) => a.name)
  const optionKeys = defs.filter((d) => takesAliases(d.spec.id) && short(inv.options[d.key])).map((d) => d.key)
  if (!argNames.length && !optionKeys.length) return inv
  const server = await session.serverName()
  const whole = (value: unknown): unknown => (Array.isArray(value) ? value.map(whole) : typeof value === 'string' ? completeAlias(value, server) : value)
  const replaced = (values: Record<string, unknown>, keys: string[]) => ({ ...values, ...Object.fromEntries(keys.map((k) => [k, whole(values[k])])) })
  return { ...inv, args: replaced(inv.args, argNames), options: replaced(inv.options, optionKeys) }
}

/**
 * Something not found where a user was typed with capitals: Matrix user IDs are lower case, so the hint names the
 * lower-case ID (instead of a plugin's more general one).
 */
function withLowerCaseHint(error: unknown, { command, args, options }: Invocation): unknown {
  if (!SynadmError.is(error) || error.kind !== 'notFound') return error
  const isUser = (kind?: string) => kind === 'user' || kind === 'user_full'
  const { args: argSpecs, options: defs } = commandShape(command)
  const typed = [...argSpecs.filter((a) => isUser(a.id)).map((a) => args[a.name]), ...defs.filter((d) => isUser(d.spec.id)).map((d) => options[d.key])].flat()
  const lowered = typed.map((value) => (typeof value === 'string' ? lowerCaseUser(value) : undefined)).find(Boolean)
  return lowered ? Object.assign(error, { hint: `Matrix user IDs are lower case: try ${lowered}` }) : error
}

/**
 * The contexts of one command on a session: ctx.forEach runs the bulk engine (campaigns/bulk.ts, loaded when a bulk
 * run starts), which makes each target's context here too.
 */
export function contextsFor(session: Session, format: Format): ContextFactory {
  const runBulk: BulkRunner = async (ctx, items, each, effect) => (await bulkEngine()).runBulk({ ctx, items, each, effect, contextFor })
  const contextFor: ContextFactory = (inv, signal, mode) => createRunContext(session, inv, signal, format, mode, runBulk)
  return contextFor
}

/** Runs `fn`, then syncs the audit log of the command's writes to disk: before the command reports how it went. */
async function settled<T>(ctx: CoreContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } finally {
    await settleAudit(ctx)
  }
}

/** --all: every page, printed as it comes (core/run/lists.ts: page size, --where). */
async function runAllPages(ctx: CoreContext, action: Action): Promise<void> {
  const { io } = ctx.session
  const stream = itemStream(ctx.format, (text) => void io.stdout.write(text), ctx.tables)
  // every page: --all, or an export format without a page option (everyPage)
  for await (const page of listPages(ctx, action, true)) await stream.page(page.items)
  stream.end()
  ctx.tables.tell()
}

/** The action once: its result printed after the audit log is on disk. A dry run ends at its first write or confirmation. */
async function runOnce(ctx: CoreContext, action: Action): Promise<void> {
  const { io } = ctx.session
  const write = (text: string) => void io.stdout.write(text)
  let result
  try {
    result = await settled(ctx, async () => action(ctx))
  } catch (error) {
    // What the dry run would have done is its result.
    if (DryRunStop.is(error)) return write(await format(ctx.format, { dry_run: true, ...error.would }))
    // A failed job still shows its final status, then the error decides the exit code.
    const reply = (error as { reply?: unknown })?.reply
    if (reply !== undefined) write(await format(ctx.format, reply, ctx.tables))
    throw error
  }
  if (result !== undefined) write(await format(ctx.format, filteredReply(ctx, result), ctx.tables))
  // What belongs to the table comes after it: the columns it left out, then the way to the next page.
  ctx.tables.tell()
  if (ctx.command.paged) nextPageHint(ctx, result as Page | undefined)
}

/**
 * The one "more pages" hint: one page of a paged command that is not the last says so on stderr, in every format
 * (an export that stops early is never silent), in one line that fits the terminal.
 */
function nextPageHint(ctx: CoreContext, page: Page | undefined) {
  const spec = ctx.command.paged!
  const next = nextToken(page, spec)
  if (next === undefined) return
  const fromKey = spec.from ?? 'from'
  const from = commandShape(ctx.command).options.find((d) => d.key === fromKey)
  const total = typeof page?.total === 'number' ? ` (${page.total} in all)` : ''
  const what = spec.what ?? spec.items.replace(/_/g, ' ')
  const text = `More ${what} than shown${total}: next page ${from ? displayName(from) : '--' + fromKey} ${next}, every page --all`
  ctx.note(fitLine(text, terminalWidth(ctx.session.io.stderr)))
}

function report(session: Session, thrown: unknown, level: number): number {
  const error = toSynadmError(thrown)
  const { io } = session
  io.stderr.write(describeError(error) + '\n')
  if (level >= 2) {
    const stack = (error.cause instanceof Error ? error.cause.stack : undefined) ?? error.stack
    if (stack) io.stderr.write(screenText(stack) + '\n')
  }
  return error.exitCode
}
