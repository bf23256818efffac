/**
 * Output taller than the screen goes through a pager, as git and psql do: $SYNADM_PAGER, else the `pager`
 * setting, else $PAGER, else `less -FRX` when installed. Only when stdout is a terminal; `--no-pager` or
 * `pager: false` turn it off. Output is held back until it is taller than the screen, so short output is
 * written as usual and long streamed output (`--all`) starts paging as soon as it is long.
 */
import type { ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { Writable } from 'node:stream'
import { requireModule } from '../kernel/modules.js'

type Tty = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number }

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g
/** the columns `text` takes on screen: its length without colour and cursor sequences */
export const visibleLength = (text: string) => text.replace(ANSI, '').length

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, program), constants.X_OK)
      return true
    } catch {
      // not in this directory
    }
  }
  return false
}

/** The pager command line to use, or undefined for none. `setting` is the config's `pager` (false = off). */
export function pagerCommand(env: NodeJS.ProcessEnv, setting: string | boolean | undefined): string | undefined {
  if (setting === false) return undefined
  const chosen = env.SYNADM_PAGER ?? (typeof setting === 'string' ? setting : undefined) ?? env.PAGER
  if (chosen !== undefined) return chosen.trim() === '' || chosen.trim() === 'cat' ? undefined : chosen
  return onPath('less', env) ? 'less -FRX' : undefined
}

/** Whether output to `stdout` may be paged at all: a terminal that is not dumb. */
export function canPage(stdout: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  return Boolean((stdout as Tty).isTTY) && env.TERM !== 'dumb'
}

/**
 * A stdout that holds output back until it is taller than the screen, then sends it all to the pager.
 * `finish()` writes short output to the terminal, or waits for the pager to be quit.
 */
export class PagedOutput extends Writable {
  private held: string[] = []
  private rows = 0
  private pager?: ChildProcess
  private exited?: Promise<void>
  private passThrough = false
  private finishing = false
  private readonly quitter = new AbortController()
  /** aborted when the user quits the pager before the output has ended */
  readonly quit: AbortSignal = this.quitter.signal

  constructor(
    readonly terminal: Tty,
    private readonly command: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    super({ decodeStrings: false })
  }

  get isTTY() {
    return true
  }
  get columns() {
    return this.terminal.columns
  }
  /** the screen's height (the prompt needs a line) */
  private get height() {
    return Math.max(2, (this.terminal.rows ?? 24) - 1)
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    const text = chunk.toString()
    if (this.passThrough) return void this.terminal.write(text, () => done())
    if (this.pager) return this.toPager(text, done)
    this.held.push(text)
    const width = Math.max(1, this.terminal.columns ?? 80)
    for (const line of text.split('\n').slice(0, -1)) this.rows += Math.max(1, Math.ceil(visibleLength(line) / width))
    if (this.rows > this.height) this.start()
    done()
  }

  private toPager(text: string, done: () => void) {
    const stdin = this.pager?.stdin
    if (!stdin || stdin.destroyed) return done() // the pager was quit: the rest is not wanted
    stdin.write(text, () => done())
  }

  private start() {
    // child_process loads only when output is paged: not on every start
    const { spawn }: typeof import('node:child_process') = requireModule('node:child_process')
    const pager = spawn(this.command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', LV: '-c', ...this.env } })
    this.pager = pager
    pager.stdin!.on('error', () => undefined) // EPIPE once the user quits the pager early
    this.exited = new Promise<void>((resolve) => {
      pager.on('error', () => {
        // No such pager: the output goes to the terminal after all.
        this.pager = undefined
        this.passThrough = true
        this.terminal.write(this.held.join(''))
        this.held = []
        resolve()
      })
      pager.on('close', () => {
        if (!this.finishing) this.quitter.abort()
        resolve()
      })
    })
    pager.stdin!.write(this.held.join(''))
    this.held = []
  }

  /** Someone needs the terminal now (a prompt, a full-screen extension): what is held goes out, the rest passes. */
  release(): void {
    if (this.passThrough || this.pager) return
    this.passThrough = true
    if (this.held.length) this.terminal.write(this.held.join(''))
    this.held = []
  }

  /** The command is done: short output goes to the terminal; long output waits for the pager to be quit. */
  async finish(): Promise<void> {
    this.finishing = true
    await new Promise<void>((resolve) => this.end(resolve))
    if (this.pager) {
      this.pager.stdin?.end()
      await this.exited
    } else if (this.held.length) {
      this.terminal.write(this.held.join(''))
      this.held = []
    }
  }
}

/** Lets a prompt have the terminal: output held back for the pager is written first. */
export function releaseOutput(stream: NodeJS.WritableStream): void {
  if (stream instanceof PagedOutput) stream.release()
}
