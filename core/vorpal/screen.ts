/**
 * vorpal's UI for extensions that draw their own screen (vorpal-less): `ui.redraw` paints a block that is
 * repainted in place, and an inline input prompt sits under it, as inquirer's did. Keys typed at that prompt
 * go to the extension's `keypress` listeners after the prompt has taken them; Enter asks the question's
 * `validate`, which may keep the prompt open (vorpal-less reads Enter as "one line down" that way).
 */
import { emitKeypressEvents } from 'node:readline'
import { releaseOutput } from '../output/pager.js'
import { visibleLength } from '../output/pager.js'

type Tty = NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
type TtyIn = NodeJS.ReadStream

export interface KeyEvent {
  key?: string
  value?: string
  e: { key: { name?: string; ctrl?: boolean; meta?: boolean; shift?: boolean; sequence?: string }; value?: string }
}

interface InlinePrompt {
  message: string
  input: string
  validate?: (value: string) => unknown
  resolve(value: string): void
  reject(error: Error): void
}

export class Screen {
  /** rows of the redrawn block on screen, above the prompt line */
  private drawn = 0
  prompt?: InlinePrompt
  private readonly onKey = (value: string | undefined, key: KeyEvent['e']['key'] | undefined) => this.key(value, key ?? { sequence: value })

  constructor(
    private readonly output: () => Tty,
    private readonly input: () => TtyIn,
    /** hands a key to the extension's listeners */
    private readonly forward: (event: KeyEvent) => void,
  ) {}

  private write(text: string) {
    const out = this.output()
    releaseOutput(out)
    out.write(text)
  }

  private rowsOf(text: string): number {
    const width = Math.max(1, this.output().columns ?? 80)
    return text.split('\n').reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleLength(line) / width)), 0)
  }

  /** Back to the top of the block (and the prompt under it), erasing it. Only a terminal can go back. */
  private erase(): string {
    if (!this.output().isTTY) return ''
    return '\r' + (this.drawn ? `\u001b[${this.drawn}A` : '') + '\u001b[J'
  }

  private promptLine(): string {
    return this.prompt ? this.prompt.message + this.prompt.input : ''
  }

  redraw(text: string): void {
    this.write(this.erase() + text + '\n' + this.promptLine())
    this.drawn = this.rowsOf(text)
  }

  clear(): void {
    this.write(this.erase() + this.promptLine())
    this.drawn = 0
  }

  /** The block stays on screen as it is; the next redraw starts below it. */
  done(): void {
    this.drawn = 0
  }

  private repaintPrompt() {
    if (this.prompt) this.write('\r\u001b[2K' + this.promptLine())
  }

  setMessage(message: string): void {
    if (!this.prompt) return
    this.prompt.message = message
    this.repaintPrompt()
  }

  setInput(input: string): void {
    if (!this.prompt) return
    this.prompt.input = input
    this.repaintPrompt()
  }

  /** Asks for a line at an inline prompt under the block; resolves once `validate` lets it through. */
  ask(message: string, validate?: (value: string) => unknown): Promise<string> {
    this.prompt?.reject(new Error('another question was asked'))
    return new Promise<string>((resolve, reject) => {
      this.prompt = { message, input: '', validate, resolve, reject }
      const stdin = this.input()
      emitKeypressEvents(stdin)
      stdin.on('keypress', this.onKey)
      stdin.setRawMode?.(true)
      stdin.resume()
      this.repaintPrompt()
    }).finally(() => this.close())
  }

  /** Enter, or an extension's `ui.submit()`: the answer goes out if `validate` passes it. */
  submit(): void {
    const prompt = this.prompt
    if (!prompt) return
    const verdict = prompt.validate?.(prompt.input)
    if (verdict !== undefined && verdict !== true) return this.repaintPrompt()
    this.write('\r\u001b[2K')
    this.prompt = undefined
    prompt.resolve(prompt.input)
  }

  /** Gives up the prompt (the command ended or was cancelled). */
  cancel(error: Error): void {
    const prompt = this.prompt
    if (!prompt) return
    this.write('\r\u001b[2K')
    this.prompt = undefined
    prompt.reject(error)
  }

  private close() {
    const stdin = this.input()
    stdin.removeListener('keypress', this.onKey)
    stdin.setRawMode?.(false)
    stdin.pause()
  }

  private key(value: string | undefined, key: KeyEvent['e']['key']) {
    const prompt = this.prompt
    if (!prompt) return
    if (key.ctrl && key.name === 'c') {
      const error = new Error('cancelled')
      error.name = 'AbortError'
      return this.cancel(error)
    }
    if (key.name === 'return' || key.name === 'enter') return this.submit()
    if (key.name === 'backspace') prompt.input = prompt.input.slice(0, -1)
    else if (value && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(value)) prompt.input += value
    this.repaintPrompt()
    this.forward({ key: key.name, value, e: { key, value } })
  }
}
