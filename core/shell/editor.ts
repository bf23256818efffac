/**
 * The shell's line editor as a plain object: keys in, state and events out, no terminal. The terminal driver
 * (core/shell/terminal.ts) feeds it Node's keypress events and paints `view()`; tests drive it directly.
 *
 * What it adds to a plain line: bash's Ctrl-R reverse search, ↑/↓ through the lines that start with what is
 * typed, fish's grey suggestion from history (→ takes it) and redis-cli's dim hint of what a command takes next.
 * Neither suggestion nor hint is ever part of `line`.
 */

/** A key as Node's readline keypress event describes it. */
export interface Key {
  name?: string
  ctrl?: boolean
  meta?: boolean
  shift?: boolean
  sequence?: string
}

export interface EditorServices {
  /** completions for the text before the cursor: [values, the word they replace] (the shell's one engine) */
  complete(before: string): [string[], string]
  /** what the command typed so far takes next (`[-f FROM] [-l LIMIT] …`), or nothing */
  hint(line: string): string | undefined
}

export type EditorEvent =
  | { type: 'submit'; line: string }
  /** Ctrl-D on an empty line */
  | { type: 'eof' }
  /** Ctrl-C: the line was given up (`hadText`: it held `line`), or there was nothing on it */
  | { type: 'interrupt'; hadText: boolean; line: string }
  | { type: 'clear-screen' }
  /** a second Tab on an ambiguous word: show the choices */
  | { type: 'choices'; values: string[] }

export interface EditorView {
  line: string
  cursor: number
  /** grey text after the line: the rest of a history line (→ takes it) or the command's hint */
  ghost?: string
  ghostKind?: 'suggestion' | 'hint'
  /** while Ctrl-R searches: what is searched for, and whether nothing matched */
  search?: { query: string; failed: boolean }
}

interface Search {
  query: string
  /** index in history of the line shown, -1 for none */
  index: number
  failed: boolean
  saved: { line: string; cursor: number }
}

const isWordChar = (c: string) => /[^\s]/.test(c)

export class LineEditor {
  line = ''
  cursor = 0
  /** newest first */
  history: string[]
  /** grey suggestions and hints; off for a dumb terminal or NO_COLOR */
  ghosts: boolean
  private search?: Search
  /** ↑/↓ walk: the prefix typed before the first ↑, the line it came from, and where in history we are */
  private walk?: { prefix: string; saved: string; index: number }
  private lastWasTab = false

  constructor(
    private readonly services: EditorServices,
    options: { history?: string[]; ghosts?: boolean } = {},
  ) {
    this.history = options.history ?? []
    this.ghosts = options.ghosts ?? true
  }

  /** Starts a new, empty line (after a submit). */
  reset(line = ''): void {
    this.line = line
    this.cursor = line.length
    this.search = undefined
    this.walk = undefined
    this.lastWasTab = false
  }

  /** Adds a submitted line to the front of history, without repeating it. */
  remember(line: string): void {
    if (!line.trim()) return
    this.history = [line, ...this.history.filter((h) => h !== line)]
  }

  view(): EditorView {
    if (this.search) return { line: this.line, cursor: this.cursor, search: { query: this.search.query, failed: this.search.failed } }
    const view: EditorView = { line: this.line, cursor: this.cursor }
    if (!this.ghosts || this.cursor !== this.line.length) return view
    const suggestion = this.suggestion()
    if (suggestion) return { ...view, ghost: suggestion, ghostKind: 'suggestion' }
    const hint = this.line.trim() ? this.services.hint(this.line) : undefined
    if (hint) return { ...view, ghost: (this.line.endsWith(' ') ? '' : ' ') + hint, ghostKind: 'hint' }
    return view
  }

  /** The rest of the newest history line that starts with the line typed (fish's autosuggestion). */
  suggestion(): string | undefined {
    if (!this.line.trim()) return undefined
    const found = this.history.find((h) => h.length > this.line.length && h.startsWith(this.line))
    return found?.slice(this.line.length)
  }

  /** One key; returns what the driver must do beyond repainting. */
  press(key: Key, text?: string): EditorEvent | undefined {
    const wasTab = this.lastWasTab
    this.lastWasTab = false
    if (this.search) return this.pressInSearch(key, text)
    const name = key.name
    if (key.ctrl && !key.meta) {
      switch (name) {
        case 'c': {
          const line = this.line
          this.reset()
          return { type: 'interrupt', hadText: line !== '', line }
        }
        case 'd':
          if (this.line === '') return { type: 'eof' }
          this.deleteForward()
          return
        case 'r':
          this.startSearch()
          return
        case 'l':
          return { type: 'clear-screen' }
        case 'a':
          this.cursor = 0
          return
        case 'e':
          this.end()
          return
        case 'b':
          this.left()
          return
        case 'f':
          this.right()
          return
        case 'u':
          this.line = this.line.slice(this.cursor)
          this.cursor = 0
          return
        case 'k':
          this.line = this.line.slice(0, this.cursor)
          return
        case 'w':
        case 'backspace':
          this.deleteWordBack()
          return
        case 'h':
          this.backspace()
          return
        case 'p':
          this.older()
          return
        case 'n':
          this.newer()
          return
        case 'left':
          this.cursor = this.wordStart(this.cursor)
          return
        case 'right':
          this.cursor = this.wordEnd(this.cursor)
          return
        default:
          return
      }
    }
    if (key.meta) {
      if (name === 'b' || name === 'left') this.cursor = this.wordStart(this.cursor)
      else if (name === 'f' || name === 'right') this.cursor = this.wordEnd(this.cursor)
      else if (name === 'backspace') this.deleteWordBack()
      else if (name === 'd') this.line = this.line.slice(0, this.cursor) + this.line.slice(this.wordEnd(this.cursor))
      return
    }
    switch (name) {
      case 'return':
      case 'enter': {
        const line = this.line
        this.reset()
        return { type: 'submit', line }
      }
      case 'backspace':
        this.backspace()
        return
      case 'delete':
        this.deleteForward()
        return
      case 'left':
        this.left()
        return
      case 'right':
        this.right()
        return
      case 'home':
        this.cursor = 0
        return
      case 'end':
        this.end()
        return
      case 'up':
        this.older()
        return
      case 'down':
        this.newer()
        return
      case 'tab':
        return this.tab(wasTab)
      case 'escape':
        return
    }
    const typed = text ?? key.sequence
    if (typed && !/[\u0000-\u001f\u007f]/.test(typed)) this.insert(typed)
  }

  insert(text: string): void {
    this.line = this.line.slice(0, this.cursor) + text + this.line.slice(this.cursor)
    this.cursor += text.length
    this.walk = undefined
  }

  private backspace() {
    if (this.cursor === 0) return
    this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor)
    this.cursor--
  }

  private deleteForward() {
    this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1)
  }

  private deleteWordBack() {
    const start = this.wordStart(this.cursor)
    this.line = this.line.slice(0, start) + this.line.slice(this.cursor)
    this.cursor = start
  }

  private left() {
    if (this.cursor > 0) this.cursor--
  }

  /** → moves right, or at the end of the line takes the suggestion */
  private right() {
    if (this.cursor < this.line.length) this.cursor++
    else this.acceptSuggestion()
  }

  private end() {
    if (this.cursor < this.line.length) this.cursor = this.line.length
    else this.acceptSuggestion()
  }

  private acceptSuggestion() {
    const suggestion = this.ghosts ? this.suggestion() : undefined
    if (suggestion) this.insert(suggestion)
  }

  private wordStart(from: number): number {
    let i = from
    while (i > 0 && !isWordChar(this.line[i - 1])) i--
    while (i > 0 && isWordChar(this.line[i - 1])) i--
    return i
  }

  private wordEnd(from: number): number {
    let i = from
    while (i < this.line.length && !isWordChar(this.line[i])) i++
    while (i < this.line.length && isWordChar(this.line[i])) i++
    return i
  }

  /** ↑: the next older history line that starts with what was typed before the first ↑ */
  private older() {
    this.walk ??= { prefix: this.line, saved: this.line, index: -1 }
    const { prefix } = this.walk
    for (let i = this.walk.index + 1; i < this.history.length; i++) {
      const entry = this.history[i]
      if (entry.startsWith(prefix) && entry !== this.line) return this.show(i, entry)
    }
  }

  /** ↓: back towards the line that was being typed */
  private newer() {
    if (!this.walk) return
    const { prefix } = this.walk
    for (let i = this.walk.index - 1; i >= 0; i--) {
      const entry = this.history[i]
      if (entry.startsWith(prefix) && entry !== this.line) return this.show(i, entry)
    }
    const saved = this.walk.saved
    this.walk = undefined
    this.line = saved
    this.cursor = saved.length
  }

  private show(index: number, entry: string) {
    this.walk!.index = index
    this.line = entry
    this.cursor = entry.length
  }

  private tab(wasTab: boolean): EditorEvent | undefined {
    const before = this.line.slice(0, this.cursor)
    const [values, word] = this.services.complete(before)
    this.lastWasTab = true
    if (values.length === 0) return
    if (values.length === 1) {
      this.replaceWord(word, values[0])
      return
    }
    const common = commonPrefix(values)
    if (common.length > word.length) {
      this.replaceWord(word, common)
      return
    }
    if (wasTab) return { type: 'choices', values }
  }

  private replaceWord(word: string, value: string) {
    const start = this.cursor - word.length
    this.line = this.line.slice(0, start) + value + this.line.slice(this.cursor)
    this.cursor = start + value.length
  }

  // Ctrl-R: reverse incremental search, as in bash.

  private startSearch() {
    this.search = { query: '', index: -1, failed: false, saved: { line: this.line, cursor: this.cursor } }
  }

  /** Finds the query in history from `from` on (older), and shows the match. */
  private find(from: number) {
    const search = this.search!
    if (search.query === '') {
      search.failed = false
      return
    }
    for (let i = Math.max(0, from); i < this.history.length; i++) {
      const at = this.history[i].indexOf(search.query)
      if (at >= 0) {
        search.index = i
        search.failed = false
        this.line = this.history[i]
        this.cursor = at
        return
      }
    }
    search.failed = true
  }

  private pressInSearch(key: Key, text?: string): EditorEvent | undefined {
    const search = this.search!
    const name = key.name
    if (key.ctrl && name === 'r') return void this.find(search.index + 1)
    if ((key.ctrl && name === 'g') || name === 'escape' || (key.ctrl && name === 'c')) {
      this.line = search.saved.line
      this.cursor = search.saved.cursor
      this.search = undefined
      return
    }
    if (name === 'return' || name === 'enter') {
      this.search = undefined
      const line = this.line
      this.reset()
      return { type: 'submit', line }
    }
    if (name === 'backspace' || (key.ctrl && name === 'h')) {
      search.query = search.query.slice(0, -1)
      if (search.query === '') {
        this.line = search.saved.line
        this.cursor = search.saved.cursor
        search.index = -1
        search.failed = false
      } else this.find(0)
      return
    }
    const typed = text ?? key.sequence
    if (!key.ctrl && !key.meta && typed && !/[\u0000-\u001f\u007f]/.test(typed)) {
      search.query += typed
      // A longer query still matches the line shown when that line contains it: stay there, as bash does.
      this.find(search.index < 0 ? 0 : search.index)
      return
    }
    // Any other key ends the search with the line found, then does its usual job.
    this.search = undefined
    return this.press(key, text)
  }
}

function commonPrefix(values: string[]): string {
  if (values.length === 0) return ''
  let prefix = values[0]
  for (const value of values) while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}
