/**
 * The vorpal-shaped object a vorpal extension gets: `command`, `mode`, `api`, `chalk`, `log`, `exec`, `find`,
 * `localStorage`, `ui`, events. Commands become synadm CommandSpecs, so help, completion, one-shot use, the
 * shell and its pipes treat them like any other command.
 *
 * As in vorpal, all extensions of a process share one state (`api`, events, the UI): each extension gets its own
 * `Vorpal` view of it, so that what it registers is rolled back with it when it fails to load.
 */
import { EventEmitter } from 'node:events'
import { emitKeypressEvents } from 'node:readline'
import { format } from 'node:util'
import { writeRecord } from '../output/capture.js'
import { coreAction, type CoreContext } from '../run/context.js'
import { describeError, SynadmError, toSynadmError, usageError } from '../kernel/errors.js'
import type { PluginContext } from '../contract/plugin.js'
import { Prompts } from '../run/prompts.js'
import type { Session } from '../run/session.js'
import { Shell } from '../shell/shell.js'
import { wordCompleter } from './autocomplete.js'
import { createChalk, type Chalk } from './chalk.js'
import { completionSourceNames, toCommandSpec, vorpalArgs, VorpalCommand, type ActionFn, type Callback, type VorpalArgs } from './command.js'
import type { VorpalExtension } from './index.js'
import { CommandInstance, delimiter, type Question, type Runtime } from './instance.js'
import { Screen } from './screen.js'
import { openStorage, type Storage } from './storage.js'

/** What all extensions of the process share. */
class VorpalHost extends EventEmitter {
  api: Record<string, unknown> = {}
  readonly chalk: Chalk = createChalk()
  readonly commands = new Map<string, VorpalCommand>()
  /** the session of the latest command an extension ran (vorpal.exec runs lines in it) */
  session?: Session
  active?: CommandInstance
  /** what the latest vorpal action called back with (vorpal.exec resolves with it) */
  lastResult?: unknown
  storage?: Storage
  readonly screen: Screen = new Screen(
    () => this.output() as NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    () => process.stdin,
    (event) => this.emit('keypress', event),
  )
  readonly ui: Ui = createUi(this)
  private keys = false

  constructor() {
    super()
    // Keys for those who listen (vorpal-less), from the terminal while something reads it. At an inline prompt
    // the prompt hands them on, after taking them itself.
    this.on('newListener', (event) => {
      if (event !== 'keypress' || this.keys || !process.stdin.isTTY) return
      this.keys = true
      emitKeypressEvents(process.stdin)
      process.stdin.on('keypress', (value: string, key: { name?: string }) => {
        if (!this.screen.prompt) this.emit('keypress', { key: key?.name, value, e: { key, value } })
      })
    })
  }

  /** vorpal's inline input prompt, for an extension that draws its own screen (it listens to keys); else nothing. */
  inputPrompt(question: Question): Promise<string> | undefined {
    if (this.listenerCount('keypress') === 0 || !process.stdin.isTTY) return undefined
    const answer = this.screen.ask(question.message ?? '', question.validate && ((value) => question.validate!(value, {})))
    this.ui._activePrompt = this.screen.prompt
    return answer.finally(() => {
      this.ui._activePrompt = undefined
    })
  }

  output(): NodeJS.WritableStream {
    return this.session?.io.stdout ?? process.stdout
  }

  async exec(line: string): Promise<unknown> {
    const session = this.session
    if (!session) throw new Error('vorpal.exec() runs lines once synadm runs a command')
    this.lastResult = undefined
    const code = await new Shell(session, { globals: [] }).runLine(line, this.active?.runtime.signal)
    if (code !== 0) throw new SynadmError('failure', `'${line}' failed (exit ${code})`)
    return this.lastResult
  }
}

let shared: VorpalHost | undefined

/** an action or init left out: nothing to do */
const nothing: ActionFn = (_args, callback) => callback()

type Redraw = ((text: string) => Ui) & { clear(): Ui; done(): Ui }
interface Ui {
  log(...args: unknown[]): void
  delimiter(text?: string): string | Ui
  input(text?: string): string
  redraw: Redraw
  submit(line?: string): Ui
  /** set while an inline prompt is open (vorpal-less polls it) */
  _activePrompt: unknown
}

function createUi(host: VorpalHost): Ui {
  const { screen } = host
  const redraw = ((text: string) => {
    screen.redraw(text)
    return ui
  }) as Redraw
  redraw.clear = () => {
    screen.clear()
    return ui
  }
  redraw.done = () => {
    screen.done()
    return ui
  }
  const ui: Ui = {
    log: (...args) => writeRecord(host.output(), format(...args)),
    // At an inline prompt the delimiter is the prompt's text; otherwise the shell's prompt.
    delimiter: (text) => {
      if (screen.prompt) {
        if (text === undefined) return screen.prompt.message
        screen.setMessage(text)
        return ui
      }
      const current = delimiter(host.session, text)
      return text === undefined ? current : ui
    },
    input: (text) => {
      if (text !== undefined) screen.setInput(text)
      return screen.prompt?.input ?? ''
    },
    redraw,
    submit: () => {
      screen.submit()
      return ui
    },
    _activePrompt: undefined,
  }
  return ui
}

type LocalStorage = ((id: string) => Vorpal) & Storage

export class Vorpal {
  readonly localStorage: LocalStorage
  /** commands declared while the extension's function runs; registered when it returns */
  private pending: VorpalCommand[] | undefined = []

  constructor(
    private readonly host: VorpalHost,
    private readonly ctx: PluginContext,
  ) {
    const store = () => {
      if (!host.storage) throw new Error('call vorpal.localStorage(id) first')
      return host.storage
    }
    this.localStorage = Object.assign(
      (id: string) => {
        host.storage = openStorage(id, host.session?.io.env)
        return this
      },
      {
        getItem: (key: string) => store().getItem(key),
        setItem: (key: string, value: unknown) => store().setItem(key, value),
        removeItem: (key: string) => store().removeItem(key),
        clear: () => store().clear(),
        key: (index: number) => store().key(index),
      },
    ) as LocalStorage
    Object.defineProperty(this.localStorage, 'length', { get: () => store().length })
  }

  get api() {
    return this.host.api
  }
  set api(value: Record<string, unknown>) {
    this.host.api = value
  }
  get chalk() {
    return this.host.chalk
  }
  get ui() {
    return this.host.ui
  }
  get commands() {
    return [...this.host.commands.values()]
  }
  get activeCommand() {
    return this.host.active
  }

  command(spec: string, description?: string, options: { mode?: boolean; noHelp?: boolean } = {}): VorpalCommand {
    const command = new VorpalCommand(spec, description, this, options)
    this.host.commands.set(command._name, command)
    this.host.emit('command_registered', { command, name: command._name })
    if (this.pending) this.pending.push(command)
    // After load, the chained calls that follow `command()` complete the declaration first.
    else queueMicrotask(() => this.registerLate(command))
    return command
  }

  mode(name: string, description?: string, options: { noHelp?: boolean } = {}): VorpalCommand {
    return this.command(name, description, { ...options, mode: true })
  }

  use(extension: VorpalExtension, options?: unknown): this {
    if (typeof extension !== 'function') throw new TypeError('synadm runs vorpal extensions given as functions')
    void extension.call(this, this, options)
    return this
  }

  find(name: string): VorpalCommand | undefined {
    return this.host.commands.get(name)
  }

  delimiter(text?: string): string | this {
    const current = delimiter(this.host.session, text)
    return text === undefined ? current : this
  }

  /** synadm keeps its own history (~/.local/share/synadm/history) */
  history(_id?: string): this {
    return this
  }

  historyStoragePath(_path?: string): this {
    return this
  }

  log(...args: unknown[]): this {
    writeRecord(this.host.output(), format(...args))
    return this
  }

  /** Runs a line (pipes included) as if typed in the shell; resolves with what a vorpal action called back with. */
  exec(line: string, args?: unknown, callback?: Callback): Promise<unknown> | this {
    const done = typeof args === 'function' ? (args as Callback) : callback
    const result = this.host.exec(line)
    if (!done) return result
    result.then((data) => done(undefined, data), (error) => done(error))
    return this
  }

  prompt(questions: Question | Question[], callback?: (answers: Record<string, unknown>) => void) {
    if (!this.host.active) return Promise.reject(new Error('vorpal.prompt() asks while a command runs'))
    return this.host.active.prompt(questions, callback)
  }

  on(event: string, listener: (...args: any[]) => void): this {
    this.host.on(event, listener)
    return this
  }
  once(event: string, listener: (...args: any[]) => void): this {
    this.host.once(event, listener)
    return this
  }
  removeListener(event: string, listener: (...args: any[]) => void): this {
    this.host.removeListener(event, listener)
    return this
  }
  off(event: string, listener: (...args: any[]) => void): this {
    return this.removeListener(event, listener)
  }
  emit(event: string, ...args: unknown[]): boolean {
    return this.host.emit(event, ...args)
  }

  /** Registers what the extension declared while it loaded. */
  finish(): void {
    for (const command of this.pending ?? []) this.register(command)
    this.pending = undefined
  }

  private registerLate(command: VorpalCommand) {
    try {
      this.register(command)
    } catch (error) {
      ;(this.host.session?.io.stderr ?? process.stderr).write(`synadm: warning: vorpal command '${command._name}' not added: ${(error as Error).message}\n`)
    }
  }

  private register(command: VorpalCommand) {
    this.ctx.command(toCommandSpec(command, coreAction((ctx) => this.run(command, ctx))))
    const sources = completionSourceNames(command)
    if (command._autocomplete) this.ctx.wordCompleter(sources.args, wordCompleter(command._autocomplete))
    for (const option of command.options) if (option.autocomplete) this.ctx.wordCompleter(sources.option(option), wordCompleter(option.autocomplete))
  }

  private instance(command: VorpalCommand, typed: string, args: VorpalArgs | string, runtime: Runtime) {
    return new CommandInstance(command, typed, args, this, runtime, (instance) => this.host.emit('client_command_cancelled', { command: instance.command }))
  }

  /** A vorpal command as a synadm action: once, or once per record piped in (as vorpal calls a downstream command per `log`). */
  private async run(command: VorpalCommand, ctx: CoreContext): Promise<void> {
    const { host } = this
    host.session = ctx.session
    const runtime: Runtime = { session: ctx.session, signal: ctx.signal, prompts: ctx.prompts, interactive: ctx.interactive, inputPrompt: (q) => host.inputPrompt(q) }
    const args = vorpalArgs(command, ctx)
    const typed = [command._name, ...command._args.flatMap((a) => args[a.name] ?? [])].join(' ')
    const instance = this.instance(command, typed, args, runtime)
    const previous = host.active
    host.active = instance
    const listening = new Set(host.listeners('keypress'))
    try {
      if (command._mode) return await this.enterMode(command, instance)
      const inputs = ctx.stdin === undefined ? [args] : ctx.stdin.map((record) => ({ ...args, stdin: [record] }))
      // As in vorpal, the command is called once per record at once, and done when every call called back
      // (vorpal-less keeps its first callback until the user quits, and takes the other records meanwhile).
      // vorpal's Command.help(fn): --help runs fn as the action, instead of the help vorpal would print
      const customHelp = ctx.options.help && command._help
      const calls = inputs.map((input) => {
        instance.args = input
        if (customHelp) return instance.call(command._help!, input)
        validate(command, instance, input)
        return instance.call(command._fn ?? nothing, input)
      })
      const results = await Promise.all(calls)
      host.lastResult = results[results.length - 1]
      command._done?.call(instance)
      host.emit('client_command_executed', { command: typed })
    } catch (error) {
      host.emit('client_command_error', { command: typed, error })
      throw error
    } finally {
      host.active = previous
      // Whatever screen the command had ends with it: its key listeners and an open prompt.
      for (const listener of host.listeners('keypress')) if (!listening.has(listener)) host.removeListener('keypress', listener as never)
      host.screen.cancel(new Error(`${command._name} ended`))
    }
  }

  /** vorpal modes: `init` runs now, then the shell hands every line to the mode's action until `exit`. */
  private async enterMode(command: VorpalCommand, instance: CommandInstance): Promise<void> {
    const { host } = this
    const { session } = instance.runtime
    host.lastResult = await instance.call(command._init ?? nothing, instance.args)
    session.mode = {
      delimiter: command._delimiter ?? `${command._name}:`,
      run: async (line, signal) => {
        const runtime: Runtime = {
          session,
          signal: signal ?? new AbortController().signal,
          prompts: new Prompts({ input: session.io.stdin, output: session.io.stderr }, signal),
          interactive: session.io.interactive,
          inputPrompt: (q) => host.inputPrompt(q),
        }
        const lineInstance = this.instance(command, line, line, runtime)
        const previous = host.active
        host.active = lineInstance
        try {
          host.lastResult = await lineInstance.call(command._fn ?? nothing, line)
          host.emit('client_command_executed', { command: line })
          return 0
        } catch (thrown) {
          host.emit('client_command_error', { command: line, error: thrown })
          const error = toSynadmError(thrown)
          session.io.stderr.write(describeError(error) + '\n')
          return error.exitCode
        } finally {
          host.active = previous
        }
      },
      exit: async () => void host.emit('mode_exit', 'exit'),
    }
  }
}

/** vorpal's validate: true or nothing passes, a string is the complaint, a throw fails the command */
function validate(command: VorpalCommand, instance: CommandInstance, args: VorpalArgs) {
  if (!command._validate) return
  const verdict = command._validate.call(instance, args)
  if (verdict === true || verdict === undefined) return
  throw usageError(typeof verdict === 'string' ? verdict : `invalid arguments for ${command._name}`)
}

/** Runs a vorpal extension against a view of the process's shared vorpal state, registering through `ctx`. */
export async function useExtension(ctx: PluginContext, extension: VorpalExtension, options?: unknown): Promise<void> {
  shared ??= new VorpalHost()
  const vorpal = new Vorpal(shared, ctx)
  await extension.call(vorpal, vorpal, options)
  vorpal.finish()
}
