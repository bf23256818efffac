/**
 * The synadm> shell. Lines go through the same executor as one-shot commands. In a terminal: a line editor
 * (Tab completion, Ctrl-R, hints, suggestions from history), persistent history without secrets, a pager for
 * long output, Ctrl-C cancels the running request, errors leave the session alive. From a pipe or a file: one
 * command per line in one process, no prompt, and a non-zero exit if any command failed.
 */
import * as readline from 'node:readline'
import { sleep } from '../kernel/async.js'
import { Capture } from '../output/capture.js'
import { CompletionCache, completionCacheFile, hint, LiveCompletion } from './completion.js'
import { LineEditor } from './editor.js'
import { SynadmError } from '../kernel/errors.js'
import { execute, executeLine, writeForPeople } from '../execute/executor.js'
import { commandHelp, groupHelp, shellHelp } from '../cli/help.js'
import { appendHistory, historyFile, loadHistory, redactSecrets } from './shell-history.js'
import { scanLine } from '../cli/parse.js'
import { localDateTime } from '../output/formats.js'
import { DEFAULT_PROFILE, namedProfiles } from '../config/profiles.js'
import type { Session, ShellMode } from '../run/session.js'
import { TerminalEditor } from './terminal.js'
import { VERSION } from '../kernel/version.js'

export const PROMPT = 'synadm> '
/** live completion values older than this are refreshed in the background */
const STALE_MS = 5 * 60_000
/** what `watch` waits between runs unless -n says otherwise */
const WATCH_SECONDS = 2
const CLEAR_SCREEN = '\u001b[H\u001b[2J\u001b[3J'
/** failed lines a piped shell names at its end */
const FAILED_LINES_SHOWN = 5

/** The shell's own words: they act on the shell, so they run here and not through the executor. */
export const SHELL_COMMANDS = ['watch', 'clear', 'timing', 'history'] as const

export interface ShellOptions {
  /** global options given when the shell started (`synadm -o json shell`), applied to every line */
  globals: string[]
  cache?: CompletionCache
  /** a terminal (prompt, completion, history) or a stream of lines */
  interactive?: boolean
}

/** watch's interval option (`-n 2`, `-n2`, `--interval 2`, `--interval=2`), before its value */
const INTERVAL_SWITCH = String.raw`(?:-n\s*|--interval(?:\s+|=))`
const WATCH_LINE = new RegExp(String.raw`^\s*watch(?:\s+${INTERVAL_SWITCH}(\S+))?\s+(.*\S)\s*$`)
const WATCH_START = new RegExp(String.raw`^\s*watch\s+(?:${INTERVAL_SWITCH}\S+\s+)?`)

/** `watch [-n SECONDS] COMMAND…` split into its interval and the command line it reruns. */
export function parseWatch(line: string): { seconds: number; command: string } | undefined {
  const match = WATCH_LINE.exec(line)
  if (!match) return undefined
  const seconds = match[1] === undefined ? WATCH_SECONDS : Number(match[1])
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 86400) throw new SynadmError('usage', `watch: -n takes seconds between 0.1 and 86400, not '${match[1]}'`)
  return { seconds, command: match[2] }
}

/** The command part of a line that starts with `watch [-n N] `, for completion and hints; else the line. */
function watched(line: string): string {
  const match = WATCH_START.exec(line)
  return match && line.length > match[0].length ? line.slice(match[0].length) : match ? '' : line
}

export class Shell {
  /** live completion values of the session's server (`use NAME` switches to that server's) */
  completion: LiveCompletion
  /** called when the server's search brought values for a Tab within its deadline (the terminal Tabs again) */
  lateCompletion?: (before: string) => void
  failures = 0
  commands = 0
  /** `timing on`: each command's duration on stderr, as psql's \\timing */
  timing = false
  /** the line editor of an interactive shell (its history is what `history` lists) */
  editor?: LineEditor

  /** the profile whose live values the cache holds (`use NAME` switches it) */
  private cacheProfile: string

  constructor(private readonly session: Session, private readonly options: ShellOptions) {
    this.cacheProfile = session.defaults.profile ?? DEFAULT_PROFILE
    this.completion = this.liveCompletion(options.cache ?? new CompletionCache(completionCacheFile(process.env, this.cacheProfile)))
  }

  private liveCompletion(cache: CompletionCache): LiveCompletion {
    return LiveCompletion.of(this.session, cache, (message) => this.session.log.debug(message))
  }

  /** After `use NAME`: completion values of that server, from its own cache, refreshed in the background. */
  private followProfile(): void {
    const profile = this.session.defaults.profile ?? DEFAULT_PROFILE
    if (profile === this.cacheProfile) return
    this.cacheProfile = profile
    this.completion = this.liveCompletion(new CompletionCache(completionCacheFile(process.env, profile)))
    void this.completion.warm()
  }

  /** Runs one line (maybe a pipe of commands); returns its exit code. Never throws. */
  async runLine(line: string, signal?: AbortSignal): Promise<number> {
    if (this.session.mode) return this.runInMode(this.session.mode, line, signal)
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) return 0
    const { segments } = scanLine(trimmed)
    if (segments.some((s) => s.length === 0)) return this.fail('synadm: empty command in a pipe')
    const [first] = segments[0]
    if (segments.length === 1 && (first === 'help' || first === '?')) return this.help(segments[0].slice(1))
    if (segments.length === 1 && ['shell', 'exit', 'quit'].includes(first)) return 0
    if (segments.length === 1 && this.isShellCommand(segments[0])) return this.shellCommand(trimmed, segments[0], signal)
    this.commands++
    const started = performance.now()
    const code = await this.runPipe(segments, signal)
    if (this.timing) this.session.io.stderr.write(`Time: ${(performance.now() - started).toFixed(1)} ms\n`)
    if (code !== 0) this.failures++
    return code
  }

  /** The shell's own command, unless the words name a plugin's command (`history purge` is the history plugin's). */
  private isShellCommand(words: string[]): boolean {
    return (SHELL_COMMANDS as readonly string[]).includes(words[0]) && !this.session.registry.match(words).command
  }

  /** A line's commands, planned and checked together first: none runs unless all can. */
  private async runPipe(segments: string[][], signal?: AbortSignal, pager?: boolean): Promise<number> {
    const code = await executeLine(this.session, segments.map((words) => [...this.options.globals, ...words]), { signal, inShell: true, pager })
    this.followProfile()
    return code
  }

  private async shellCommand(line: string, words: string[], signal?: AbortSignal): Promise<number> {
    const { io } = this.session
    const [name, ...rest] = words
    switch (name) {
      case 'clear':
        if ((io.stdout as { isTTY?: boolean }).isTTY) io.stdout.write(CLEAR_SCREEN)
        return 0
      case 'timing':
        if (rest.length > 1 || (rest[0] && !['on', 'off'].includes(rest[0]))) return this.fail('synadm: usage: timing [on|off]')
        this.timing = rest[0] ? rest[0] === 'on' : !this.timing
        io.stderr.write(`Timing is ${this.timing ? 'on' : 'off'}.\n`)
        return 0
      case 'history': {
        const count = rest[0] === undefined ? 25 : Number(rest[0])
        if (!Number.isInteger(count) || count < 1 || rest.length > 1) return this.fail('synadm: usage: history [COUNT]')
        const lines = this.editor?.history ?? (await loadHistory(historyFile(io.env)))
        // Oldest first, numbered from the start of history, as bash lists it.
        const shown = lines.slice(0, count).reverse()
        const first = lines.length - shown.length + 1
        io.stdout.write(shown.map((l, i) => `${String(first + i).padStart(5)}  ${l}\n`).join(''))
        return 0
      }
      default:
        return this.watch(line, signal)
    }
  }

  /** Reruns a command, redrawing its output under a timestamp, until Ctrl-C (which ends the watch only). */
  private async watch(line: string, signal?: AbortSignal): Promise<number> {
    const { io } = this.session
    let parsed
    try {
      parsed = parseWatch(line)
    } catch (error) {
      return this.fail(`synadm: ${(error as Error).message}`)
    }
    if (!parsed) return this.fail('synadm: usage: watch [-n SECONDS] COMMAND…')
    // Only Ctrl-C ends a watch: lines from a pipe or a file would wait for ever.
    if (!signal) return this.fail('synadm: watch runs in the shell at a terminal (Ctrl-C ends it)')
    const { segments } = scanLine(parsed.command)
    if (segments.some((s) => s.length === 0)) return this.fail('synadm: empty command in a pipe')
    const redraw = (io.stdout as { isTTY?: boolean }).isTTY
    while (!signal.aborted) {
      const header = `Every ${parsed.seconds}s: ${parsed.command}`
      const stamp = localDateTime(Date.now())
      io.stdout.write((redraw ? CLEAR_SCREEN : '') + `${header}${' '.repeat(Math.max(2, ((io.stdout as { columns?: number }).columns ?? 80) - header.length - stamp.length))}${stamp}\n\n`)
      await this.runPipe(segments, signal, false)
      await sleep(parsed.seconds * 1000, signal)
    }
    return 0
  }

  /** In a mode, a line goes to the mode as typed, until `exit`. */
  private async runInMode(mode: ShellMode, line: string, signal?: AbortSignal): Promise<number> {
    if (!line.trim()) return 0
    if (line.trim() === 'exit') {
      this.session.mode = undefined
      await mode.exit()
      return 0
    }
    this.commands++
    const code = await mode.run(line, signal)
    if (code !== 0) this.failures++
    return code
  }

  /** synadm's prompt, or the mode's while one is on */
  prompt(): string {
    const mode = this.session.mode
    if (mode) return `synadm ${mode.delimiter.trim()} `
    // The server in use: a named profile (`synadm@prod> `), or `default` once there are others to tell it from.
    const { profile, fleet } = this.session.defaults
    const shown = profile ?? fleet ?? (namedProfiles(this.session.io.env).length ? DEFAULT_PROFILE : undefined)
    return shown ? `synadm@${shown}> ` : PROMPT
  }

  private fail(message: string): number {
    this.session.io.stderr.write(message + '\n')
    this.failures++
    return 2
  }

  /** `help [COMMAND]`: wrapped to the terminal and paged, as long output is. */
  private async help(words: string[]): Promise<number> {
    const { registry } = this.session
    const match = registry.match(words)
    const text =
      words.length === 0
        ? shellHelp(registry, this.session.plugins)
        : match.command && match.rest.length === 0
          ? commandHelp(match.command.spec, 'shell')
          : match.group && match.rest.length === 0
            ? groupHelp(registry, match.group)
            : undefined
    if (text === undefined) return this.fail(`synadm: no such command: ${words.join(' ')}`)
    await writeForPeople(this.session, text)
    return 0
  }

  /** What the command on the line takes next, for the editor's dim hint. */
  hint(line: string): string | undefined {
    const command = watched(line)
    return command.trim() ? hint(this.session.registry, command) : undefined
  }

  /**
   * Completion for the line editor: [candidates, the word they replace], from cached values at once, so no key
   * ever waits. Where the cache is partial and matches too little, the server's search runs meanwhile; if it
   * brings values within the engine's deadline and the line is unchanged, the terminal Tabs again.
   */
  completer(line: string): [string[], string] {
    const { now, later } = this.completion.answer(watched(line))
    const { word, candidates, live } = now
    if (live && this.completion.cache.age(live.source) > STALE_MS) void this.completion.refresh(live.source)
    if (later) void later.then((fresh) => fresh && this.lateCompletion?.(line))
    const values = candidates.map((c) => c.value)
    // The shell's own words complete where a command starts.
    if (/^\s*[\w-]*$/.test(line)) values.push(...[...SHELL_COMMANDS, 'help', 'exit'].filter((w) => w.startsWith(word) && !values.includes(w)))
    values.sort()
    // A unique match is finished with a space, unless it is a directory to go on in.
    return [values.length === 1 && !values[0].endsWith('/') ? [values[0] + ' '] : values, word]
  }

  /** Reads commands from a non-terminal stream until it ends; the failed lines are named, by number and text. */
  async runStream(): Promise<number> {
    const rl = readline.createInterface({ input: this.session.io.stdin, terminal: false, crlfDelay: Infinity })
    const failed: { number: number; line: string }[] = []
    let number = 0
    for await (const line of rl) {
      number++
      if ((await this.runLine(line)) !== 0) failed.push({ number, line })
    }
    if (this.failures > 0) throw new SynadmError('partial', `${this.failures} of ${this.commands} commands failed: ${this.failedLines(failed)}`)
    return 0
  }

  /** `line 2 (user details bob), line 5 (…)`: the first few, their secrets masked as in the history. */
  private failedLines(failed: { number: number; line: string }[]): string {
    const shown = failed.slice(0, FAILED_LINES_SHOWN).map(({ number, line }) => `line ${number} (${redactSecrets(this.session.registry, line.trim())})`)
    const more = failed.length - FAILED_LINES_SHOWN
    return shown.join(', ') + (more > 0 ? ` and ${more} more` : '')
  }

  /** The interactive prompt; resolves when the user leaves (exit, quit, Ctrl-D). */
  async runInteractive(): Promise<number> {
    const { io } = this.session
    const file = historyFile(io.env)
    const ghosts = io.env.TERM !== 'dumb' && io.env.NO_COLOR === undefined
    this.editor = new LineEditor({ complete: (before) => this.completer(before), hint: (line) => this.hint(line) }, { history: await loadHistory(file), ghosts })
    await this.completion.warm()
    io.stderr.write(`synadm ${VERSION} shell. Type help for commands, exit or Ctrl-D to leave.\n`)
    const terminal = new TerminalEditor(this.editor, io.stdin as never, io.stdout, { interrupt: '(type exit or press Ctrl-D to leave)' })
    this.lateCompletion = (before) => terminal.tabAgain(before)
    for (;;) {
      const { line } = await terminal.read(this.prompt())
      if (line === undefined) return 0
      if (!this.session.mode && ['exit', 'quit'].includes(line.trim())) return 0
      if (line.trim()) {
        const kept = redactSecrets(this.session.registry, line)
        this.editor.remember(kept)
        await appendHistory(file, kept)
      }
      const controller = new AbortController()
      const onSigint = () => controller.abort()
      process.on('SIGINT', onSigint)
      try {
        await this.runLine(line, controller.signal)
      } finally {
        process.off('SIGINT', onSigint)
      }
    }
  }
}
