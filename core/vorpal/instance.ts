/**
 * `this` inside a vorpal action: `log` (one record per call, to stdout or the next command of a pipe), `prompt`
 * (inquirer questions asked through synadm's prompts), `delimiter`, `cancel`, `help`.
 */
import { format } from 'node:util'
import { isThenable } from '../kernel/async.js'
import { writeRecord } from '../output/capture.js'
import { SynadmError } from '../kernel/errors.js'
import { commandHelp } from '../cli/help.js'
import type { Prompts } from '../run/prompts.js'
import type { Session } from '../run/session.js'
import type { ActionFn, Callback, VorpalArgs, VorpalCommand } from './command.js'
import { PROMPT } from '../shell/shell.js'

/** What an instance runs with: one command invocation, or one line of a mode. */
export interface Runtime {
  session: Session
  signal: AbortSignal
  prompts: Prompts
  /** a person can answer prompts */
  interactive: boolean
  /** vorpal's inline input prompt, when the extension draws its own screen; else undefined */
  inputPrompt?: (question: Question) => Promise<string> | undefined
}

/** An inquirer (0.x) question, as vorpal's `this.prompt` takes it. */
export interface Question {
  type?: 'input' | 'password' | 'confirm' | 'list' | 'rawlist' | 'expand' | 'checkbox' | string
  name: string
  message?: string
  default?: unknown
  choices?: Choice[] | ((answers: Record<string, unknown>) => Choice[])
  validate?: (value: unknown, answers: Record<string, unknown>) => unknown
  filter?: (value: unknown) => unknown
  when?: boolean | ((answers: Record<string, unknown>) => unknown)
}
type Choice = string | { name?: string; value?: unknown; checked?: boolean; type?: string; disabled?: unknown }


/**
 * vorpal's delimiter: the prompt text. Setting it changes the prompt of the mode the shell is in; outside a mode
 * synadm keeps its own.
 */
export function delimiter(session: Session | undefined, text?: string): string {
  const mode = session?.mode
  if (mode && text !== undefined) mode.delimiter = text
  return mode ? mode.delimiter : PROMPT.trim()
}

function abortError(): Error {
  const error = new Error('cancelled')
  error.name = 'AbortError'
  return error
}

/** inquirer's validate verdict as a clack message: true or undefined is fine, a string is the complaint */
function verdict(result: unknown): string | undefined {
  if (result === true || result === undefined || isThenable(result)) return undefined
  return typeof result === 'string' ? result : 'Please enter a valid value'
}

export class CommandInstance {
  readonly downstream = undefined
  /** reject the running calls of the action (a failure met outside them, such as a prompt with no terminal) */
  private readonly pending = new Set<(error: unknown) => void>()

  constructor(
    readonly commandObject: VorpalCommand,
    /** the command as typed */
    readonly command: string,
    public args: VorpalArgs | string,
    readonly parent: unknown,
    readonly runtime: Runtime,
    private readonly onCancel: (instance: CommandInstance) => void,
  ) {}

  log = (...args: unknown[]): void => {
    writeRecord(this.runtime.session.io.stdout, format(...args))
  }

  /** Runs fn(input, callback) to its end: the callback, a returned promise, or the return of a function that takes no callback. */
  call(fn: ActionFn, input: unknown): Promise<unknown> {
    const { signal } = this.runtime
    return new Promise((resolve, reject) => {
      let settled = false
      const fail = (error: unknown) => settle(error ?? new Error('failed'))
      const settle: Callback = (error, data) => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        this.pending.delete(fail)
        if (error !== undefined && error !== null && error !== false) reject(error)
        else resolve(data)
      }
      const onAbort = () => {
        this.cancel()
        settle(abortError())
      }
      if (signal.aborted) return settle(abortError())
      signal.addEventListener('abort', onAbort, { once: true })
      this.pending.add(fail)
      try {
        const result = (fn as (this: CommandInstance, input: unknown, cb: Callback) => unknown).call(this, input, settle)
        if (isThenable(result)) result.then((value) => settle(undefined, value), (error) => settle(error ?? new Error('failed')))
        else if (fn.length < 2) settle(undefined, result)
      } catch (error) {
        settle(error)
      }
    })
  }

  cancel = (): void => {
    this.commandObject._cancel?.call(this)
    this.onCancel(this)
  }

  prompt = (questions: Question | Question[], callback?: (answers: Record<string, unknown>) => void): Promise<Record<string, unknown>> => {
    const answers = this.ask(Array.isArray(questions) ? questions : [questions])
    if (!callback) return answers
    // With a callback the extension does not look at the promise: a failure ends the running action instead.
    answers.then(callback, (error) => {
      for (const fail of [...this.pending]) fail(error)
    })
    return answers.catch(() => ({}))
  }

  delimiter = (text?: string): string | this => {
    const current = delimiter(this.runtime.session, text)
    return text === undefined ? current : this
  }

  help = (name?: string): void => {
    const found = this.runtime.session.registry.find(name ?? this.commandObject._name)
    if (found) this.runtime.session.io.stdout.write(commandHelp(found.spec))
  }

  private async ask(questions: Question[]): Promise<Record<string, unknown>> {
    const { interactive } = this.runtime
    if (!interactive) throw new SynadmError('usage', `${this.commandObject._name} asks questions: run it in a terminal, without --batch`)
    const answers: Record<string, unknown> = {}
    for (const question of questions) {
      const when = typeof question.when === 'function' ? await question.when(answers) : question.when
      if (when === false) continue
      let value = await askOne(this.runtime, question, answers)
      if (question.filter) value = await question.filter(value)
      answers[question.name] = value
    }
    return answers
  }
}

async function askOne(runtime: Runtime, question: Question, answers: Record<string, unknown>): Promise<unknown> {
  const { prompts } = runtime
  const message = question.message ?? question.name
  const choices = (typeof question.choices === 'function' ? question.choices(answers) : (question.choices ?? []))
    .filter((c) => typeof c === 'string' || c.type !== 'separator')
    .map((c) => (typeof c === 'string' ? { name: c, value: c as unknown, checked: false } : { name: c.name ?? String(c.value), value: 'value' in c ? c.value : c.name, checked: Boolean(c.checked) }))
  const options = choices.map((c, i) => ({ value: String(i), label: c.name }))
  switch (question.type ?? 'input') {
    case 'password':
      return prompts.password(message, { allowEmpty: true })
    case 'confirm':
      return prompts.confirm(message, question.default === undefined ? true : Boolean(question.default))
    case 'list':
    case 'rawlist':
    case 'expand': {
      const initial = typeof question.default === 'number' ? question.default : choices.findIndex((c) => c.value === question.default)
      const picked = await prompts.select(message, options, initial >= 0 ? String(initial) : undefined)
      return choices[Number(picked)].value
    }
    case 'checkbox': {
      const picked = await prompts.multiselect(message, options, options.filter((_, i) => choices[i].checked).map((o) => o.value))
      return picked.map((i) => choices[Number(i)].value)
    }
    default: {
      const inline = runtime.inputPrompt?.(question)
      if (inline) return inline
      const validate = question.validate
      const initial = question.default === undefined ? undefined : String(question.default)
      return prompts.text(message, { initial, validate: validate ? (value) => verdict(validate(value, answers)) : undefined })
    }
  }
}
