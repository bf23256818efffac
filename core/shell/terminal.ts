/**
 * Drives a LineEditor from a terminal: raw keys in (Node's keypress events), the prompt line painted out.
 * Between lines the terminal is handed back (raw mode off, stdin paused) so that a command's own prompts,
 * a pager or a vorpal extension's screen have it to themselves, and Ctrl-C is a signal again.
 * Keys that arrive after a submitted line (typed ahead, or pasted several lines at once) wait for the next read.
 */
import { emitKeypressEvents } from 'node:readline'
import type { EditorView, Key, LineEditor } from './editor.js'
import { visibleLength } from '../output/pager.js'


type TtyIn = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown; isPaused(): boolean }
type TtyOut = NodeJS.WritableStream & { columns?: number }

export interface ReadResult {
  /** the submitted line; undefined at Ctrl-D */
  line?: string
}

export class TerminalEditor {
  private readonly queue: { key: Key; text?: string }[] = []
  private active?: { prompt: string; resolve: (result: ReadResult) => void }
  /** the row of the cursor within the painted prompt line (it may wrap) */
  private cursorRow = 0
  private listening = false
  private readonly onKey = (text: string | undefined, key: Key | undefined) => this.key(key ?? { sequence: text }, text)

  constructor(
    readonly editor: LineEditor,
    private readonly input: TtyIn,
    private readonly output: TtyOut,
    private readonly messages: { interrupt: string },
  ) {}

  /** Reads one line. */
  read(prompt: string): Promise<ReadResult> {
    return new Promise((resolve) => {
      this.active = { prompt, resolve }
      this.cursorRow = 0
      this.listen()
      this.paint()
      // Keys typed while the last command ran go first; one of them may end this line already.
      while (this.queue.length && this.active) {
        const { key, text } = this.queue.shift()!
        this.key(key, text)
      }
    })
  }

  private listen() {
    if (!this.listening) {
      emitKeypressEvents(this.input)
      this.input.on('keypress', this.onKey)
      this.listening = true
    }
    this.input.setRawMode?.(true)
    this.input.resume()
  }

  /** Hands the terminal back: after the keys of the current chunk are queued, so none is lost. */
  private release() {
    setImmediate(() => {
      if (this.active) return
      this.input.removeListener('keypress', this.onKey)
      this.listening = false
      this.input.setRawMode?.(false)
      this.input.pause()
    })
  }

  private finish(result: ReadResult) {
    const active = this.active!
    this.active = undefined
    this.release()
    active.resolve(result)
  }

  private key(key: Key, text?: string) {
    if (!this.active) {
      this.queue.push({ key, text })
      return
    }
    const event = this.editor.press(key, text)
    switch (event?.type) {
      case 'submit':
        this.paint({ line: event.line, cursor: event.line.length })
        this.output.write('\r\n')
        return this.finish({ line: event.line })
      case 'eof':
        this.paint({ line: '', cursor: 0 })
        this.output.write('\r\n')
        return this.finish({})
      case 'interrupt':
        // As in bash: the line stays on screen as typed, with ^C after it, and a new prompt starts below; on an
        // empty line it also says how to leave.
        this.paint({ line: event.line, cursor: event.line.length })
        this.output.write(`^C\r\n${event.hadText ? '' : `${this.messages.interrupt}\r\n`}`)
        this.cursorRow = 0
        break
      case 'clear-screen':
        this.output.write('\u001b[H\u001b[2J')
        this.cursorRow = 0
        break
      case 'choices':
        this.paint({ line: this.editor.line, cursor: this.editor.line.length })
        this.output.write('\r\n' + layOut(event.values, this.width()).replace(/\n/g, '\r\n') + '\r\n')
        this.cursorRow = 0
        break
    }
    this.paint()
  }

  /** Values for a Tab came later (from the server): Tab again, if the line still ends where it did. */
  tabAgain(before: string): void {
    if (this.active && this.editor.line.slice(0, this.editor.cursor) === before) this.key({ name: 'tab' })
  }

  private width() {
    return Math.max(10, this.output.columns || 80)
  }

  /**
   * Paints prompt, line and grey ghost text, then puts the cursor in place. A given view paints the line as it
   * stays on screen once left: without ghost text, cursor at its end.
   */
  private paint(view: EditorView = this.editor.view()) {
    const prefix = view.search ? `(${view.search.failed ? 'failed ' : ''}reverse-i-search)\`${view.search.query}': ` : this.active!.prompt
    const width = this.width()
    const before = visibleLength(prefix) + view.line.length
    let text = prefix + view.line
    if (view.ghost) {
      // Ghost text never wraps: it is cut at the end of the row the line ends in.
      const room = width - 1 - (before % width)
      const ghost = view.ghost.length > room ? view.ghost.slice(0, Math.max(0, room - 1)) + '…' : view.ghost
      if (room > 1) text += (view.ghostKind === 'hint' ? '\u001b[2m' : '\u001b[90m') + ghost + '\u001b[0m'
    }
    const total = visibleLength(text)
    let out = '\r' + (this.cursorRow > 0 ? `\u001b[${this.cursorRow}A` : '') + '\u001b[J' + text
    // At the exact end of a row the cursor waits to wrap: make it wrap now, so rows are counted right.
    if (total > 0 && total % width === 0) out += ' \r\u001b[K'
    const endRow = Math.floor(total / width)
    const target = visibleLength(prefix) + view.cursor
    const row = Math.floor(target / width)
    const column = target % width
    if (endRow > row) out += `\u001b[${endRow - row}A`
    out += '\r' + (column > 0 ? `\u001b[${column}C` : '')
    this.cursorRow = row
    this.output.write(out)
  }
}

/** Completion choices in columns, as readline lists them. */
function layOut(values: string[], width: number): string {
  const cell = Math.max(...values.map((v) => v.length)) + 2
  const perRow = Math.max(1, Math.floor(width / cell))
  const rows: string[] = []
  for (let i = 0; i < values.length; i += perRow) rows.push(values.slice(i, i + perRow).map((v) => v.padEnd(cell)).join('').trimEnd())
  return rows.join('\n')
}
