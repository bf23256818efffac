/**
 * The synadm> shell. Lines go through the same executor as one-shot commands. In a terminal: Tab completion,
 * persistent history, Ctrl-C cancels the running request, errors leave the session alive. From a pipe or a
 * file: one command per line in one process, no prompt, and a non-zero exit if any command failed.
 */
import { appendFile, mkdir, readFile, chmod } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import * as readline from 'node:readline'
import { Capture } from './capture.js'
import { complete, CompletionCache } from './completion.js'
import { SynadmError } from './errors.js'
import { execute } from './executor.js'
import { commandHelp, rootHelp, groupHelp } from './help.js'
import { scanLine } from './parse.js'
import type { Session, ShellMode } from './session.js'
import { VERSION } from './version.js'

export const PROMPT = 'synadm> '
const HISTORY_SIZE = 1000
/** live completion values older than this are refreshed in the background */
const STALE_MS = 5 * 60_000

export const historyFile = (env: NodeJS.ProcessEnv) => join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'synadm', 'history')

export interface ShellOptions {
  /** global options given when the shell started (`synadm -o json shell`), applied to every line */
  globals: string[]
  cache?: CompletionCache
  /** a terminal (prompt, completion, history) or a stream of lines */
  interactive?: boolean
}

export class Shell {
  private readonly cache: CompletionCache
  private readonly refreshing = new Set<string>()
  failures = 0
  commands = 0

  constructor(private readonly session: Session, private readonly options: ShellOptions) {
    this.cache = options.cache ?? new CompletionCache()
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
    this.commands++
    let stdin: string[] | undefined
    let code = 0
    for (const [i, words] of segments.entries()) {
      const last = i === segments.length - 1
      const capture = last ? undefined : new Capture()
      code = await this.session.withStdout(capture, () => execute(this.session, [...this.options.globals, ...words], { signal, stdin, inShell: true }))
      if (code !== 0) break
      stdin = capture?.records
    }
    if (code !== 0) this.failures++
    return code
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
    return mode ? `synadm ${mode.delimiter.trim()} ` : PROMPT
  }

  private fail(message: string): number {
    this.session.io.stderr.write(message + '\n')
    this.failures++
    return 2
  }

  private help(words: string[]): number {
    const { registry, io } = this.session
    if (words.length === 0) {
      io.stdout.write(rootHelp(registry, VERSION, 'shell'))
      return 0
    }
    const match = registry.match(words)
    if (match.command && match.rest.length === 0) io.stdout.write(commandHelp(match.command.spec, 'shell'))
    else if (match.group && match.rest.length === 0) io.stdout.write(groupHelp(registry, match.group))
    else return this.fail(`synadm: no such command: ${words.join(' ')}`)
    return 0
  }

  /** Completion for readline: [candidates, the word they replace]. Uses cached live values only. */
  completer(line: string): [string[], string] {
    const { word, candidates } = complete(this.session.registry, line, (source) => {
      if (this.cache.age(source) > STALE_MS) void this.refresh(source)
      return this.cache.values(source)
    })
    const values = candidates.map((c) => c.value)
    // A unique match is finished with a space, unless it is a directory to go on in.
    return [values.length === 1 && !values[0].endsWith('/') ? [values[0] + ' '] : values, word]
  }

  /** Fetches a completion source in the background; failures are silent (completion is best effort). */
  async refresh(source: string): Promise<void> {
    const entry = this.session.registry.completionSources.get(source)
    if (!entry || this.refreshing.has(source)) return
    this.refreshing.add(source)
    try {
      const fetcher = await entry.fetch()
      const clients = await this.session.http()
      const services = { ...clients, serverName: () => this.session.serverName() }
      const values = await fetcher(<T>(ns: string) => this.session.api<T>(ns, services))
      await this.cache.store(source, values)
    } catch (error) {
      this.session.log.debug(`completion source ${source} not refreshed: ${(error as Error).message}`)
    } finally {
      this.refreshing.delete(source)
    }
  }

  /** Reads commands from a non-terminal stream until it ends. */
  async runStream(): Promise<number> {
    const rl = readline.createInterface({ input: this.session.io.stdin, terminal: false, crlfDelay: Infinity })
    for await (const line of rl) await this.runLine(line)
    if (this.failures > 0) throw new SynadmError('partial', `${this.failures} of ${this.commands} commands failed`)
    return 0
  }

  /** The interactive prompt; resolves when the user leaves (exit, quit, Ctrl-D). */
  async runInteractive(): Promise<number> {
    const { io, env } = { io: this.session.io, env: this.session.io.env }
    const file = historyFile(env)
    let history = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE)
    await this.cache.load()
    for (const source of this.session.registry.completionSources.keys()) void this.refresh(source)
    io.stderr.write(`synadm ${VERSION} shell. Type help for commands, exit or Ctrl-D to leave.\n`)

    return new Promise<number>((resolve) => {
      let rl: readline.Interface
      let handingOver = false
      const open = () => {
        rl = readline.createInterface({
          input: io.stdin,
          output: io.stdout,
          terminal: true,
          prompt: this.prompt(),
          history,
          historySize: HISTORY_SIZE,
          removeHistoryDuplicates: true,
          completer: (line: string) => this.completer(line),
        })
        rl.on('SIGINT', () => {
          if (rl.line) rl.write(null, { ctrl: true, name: 'u' })
          else io.stdout.write('\n(type exit or press Ctrl-D to leave)\n')
          rl.prompt()
        })
        rl.on('close', () => {
          if (!handingOver) {
            io.stdout.write('\n')
            resolve(0)
          }
        })
        rl.on('line', (line) => void onLine(line))
        rl.prompt()
      }
      const onLine = async (line: string) => {
        if (!this.session.mode && ['exit', 'quit'].includes(line.trim())) return rl.close()
        // Prompts inside a command need stdin to themselves: close the line editor, reopen it afterwards.
        history = [...(rl as unknown as { history: string[] }).history]
        handingOver = true
        rl.close()
        handingOver = false
        if (line.trim()) {
          await mkdir(dirname(file), { recursive: true })
          await appendFile(file, line.replace(/\n/g, ' ') + '\n', { mode: 0o600 }).then(() => chmod(file, 0o600)).catch(() => undefined)
        }
        const controller = new AbortController()
        const onSigint = () => controller.abort()
        process.on('SIGINT', onSigint)
        try {
          await this.runLine(line, controller.signal)
        } finally {
          process.off('SIGINT', onSigint)
          open()
        }
      }
      open()
    })
  }
}
