/**
 * The one place that asks the user anything, through @clack/prompts with injectable streams.
 * A cancelled prompt (Ctrl-C, Esc) becomes an `aborted` error: nothing further happens.
 */
import type { Readable, Writable } from 'node:stream'
import { SynadmError } from '../kernel/errors.js'

export interface PromptStreams {
  input: Readable
  output: Writable
}

async function clack() {
  return import('@clack/prompts')
}

function answer<T>(value: T | symbol, isCancel: (v: unknown) => boolean): Exclude<T, symbol> {
  if (isCancel(value) || typeof value === 'symbol') throw new SynadmError('aborted', 'aborted: nothing was changed')
  return value as Exclude<T, symbol>
}

export class Prompts {
  constructor(
    private readonly streams: PromptStreams,
    private readonly signal?: AbortSignal,
    /** called before each question: output held back for a pager must be on screen first */
    private readonly beforeAsking?: () => void,
  ) {}

  private get common() {
    this.beforeAsking?.()
    return { input: this.streams.input, output: this.streams.output, signal: this.signal }
  }

  async confirm(message: string, initialValue = false): Promise<boolean> {
    const { confirm, isCancel } = await clack()
    return answer(await confirm({ ...this.common, message, initialValue }), isCancel)
  }

  /** `initial` is typed in already; `defaultValue` is what Enter on an empty line gives. */
  async text(
    message: string,
    options: { initial?: string; placeholder?: string; defaultValue?: string; validate?: (v: string) => string | undefined } = {},
  ): Promise<string> {
    const { text, isCancel } = await clack()
    const validate = options.validate && ((v: string | undefined) => options.validate!(v || options.defaultValue || ''))
    const value = await text({ ...this.common, message, initialValue: options.initial, placeholder: options.placeholder, defaultValue: options.defaultValue, validate })
    return answer(value, isCancel) ?? ''
  }

  /** Masked input; with `repeat`, asked twice and must match. */
  async password(message: string, options: { repeat?: boolean; allowEmpty?: boolean } = {}): Promise<string> {
    const { password, isCancel } = await clack()
    for (;;) {
      const first = answer(await password({ ...this.common, message, validate: (v) => (!v && !options.allowEmpty ? 'a value is required' : undefined) }), isCancel) ?? ''
      if (!options.repeat) return first
      const again = answer(await password({ ...this.common, message: 'Repeat for confirmation' }), isCancel)
      if (again === first) return first
      this.streams.output.write('The two entries do not match; try again.\n')
    }
  }

  async multiselect<V extends string>(message: string, choices: { value: V; label?: string; hint?: string }[], initial?: V[]): Promise<V[]> {
    const { multiselect, isCancel } = await clack()
    return answer(await multiselect({ ...this.common, message, options: choices as never, initialValues: initial, required: false }), isCancel) as V[]
  }

  async select<V extends string>(message: string, choices: { value: V; label?: string; hint?: string }[], initial?: V): Promise<V> {
    const { select, isCancel } = await clack()
    return answer(await select({ ...this.common, message, options: choices as never, initialValue: initial }), isCancel) as V
  }
}
