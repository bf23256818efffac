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

  /**
   * What every question gets: the streams, and a signal of its own that the run's signal aborts. clack listens
   * to a prompt's signal and never lets go, so on the run's signal itself a long configurator would pile up
   * listeners until Node warned in the middle of the questions; this one is dropped with its question.
   */
  private async asking<T>(ask: (common: { input: Readable; output: Writable; signal: AbortSignal }) => Promise<T>): Promise<T> {
    this.beforeAsking?.()
    const own = new AbortController()
    const cancel = () => own.abort()
    if (this.signal?.aborted) own.abort()
    this.signal?.addEventListener('abort', cancel, { once: true })
    try {
      return await ask({ input: this.streams.input, output: this.streams.output, signal: own.signal })
    } finally {
      this.signal?.removeEventListener('abort', cancel)
    }
  }

  async confirm(message: string, initialValue = false): Promise<boolean> {
    const { confirm, isCancel } = await clack()
    return answer(await this.asking((common) => confirm({ ...common, message, initialValue })), isCancel)
  }

  /** `initial` is typed in already; `defaultValue` is what Enter on an empty line gives. */
  async text(
    message: string,
    options: { initial?: string; placeholder?: string; defaultValue?: string; validate?: (v: string) => string | undefined } = {},
  ): Promise<string> {
    const { text, isCancel } = await clack()
    const validate = options.validate && ((v: string | undefined) => options.validate!(v || options.defaultValue || ''))
    const value = await this.asking((common) => text({ ...common, message, initialValue: options.initial, placeholder: options.placeholder, defaultValue: options.defaultValue, validate }))
    return answer(value, isCancel) ?? ''
  }

  /** Masked input; with `repeat`, asked twice and must match. */
  async password(message: string, options: { repeat?: boolean; allowEmpty?: boolean } = {}): Promise<string> {
    const { password, isCancel } = await clack()
    for (;;) {
      const first = answer(await this.asking((common) => password({ ...common, message, validate: (v) => (!v && !options.allowEmpty ? 'a value is required' : undefined) })), isCancel) ?? ''
      if (!options.repeat) return first
      const again = answer(await this.asking((common) => password({ ...common, message: 'Repeat for confirmation' })), isCancel)
      if (again === first) return first
      this.streams.output.write('The two entries do not match; try again.\n')
    }
  }

  async multiselect<V extends string>(message: string, choices: { value: V; label?: string; hint?: string }[], initial?: V[]): Promise<V[]> {
    const { multiselect, isCancel } = await clack()
    return answer(await this.asking((common) => multiselect({ ...common, message, options: choices as never, initialValues: initial, required: false })), isCancel) as V[]
  }

  async select<V extends string>(message: string, choices: { value: V; label?: string; hint?: string }[], initial?: V): Promise<V> {
    const { select, isCancel } = await clack()
    return answer(await this.asking((common) => select({ ...common, message, options: choices as never, initialValue: initial })), isCancel) as V
  }
}
