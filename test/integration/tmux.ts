// Terminal tests drive synadm in tmux. One tmux server per session, on a per-process socket name: a server whose
// last session ended exits, and a new session on its socket could race that exit.
import { execFileSync, spawnSync } from 'node:child_process'

export const hasTmux = spawnSync('tmux', ['-V']).status === 0
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** tmux commands for sessions on sockets named `PREFIX-PID-SESSION`. */
export function tmux(prefix: string) {
  const socket = (session: string) => `${prefix}-${process.pid}-${session}`
  const on = (session: string, ...args: string[]) => execFileSync('tmux', ['-L', socket(session), ...args], { encoding: 'utf8' })
  const screen = (session: string) => on(session, 'capture-pane', '-p', '-t', session)
  const keys = (session: string, ...args: string[]) => on(session, 'send-keys', '-t', session, ...args)
  /** Polls the screen every `pollMs` until it matches; fails with what it showed last. */
  async function until(session: string, expected: RegExp, timeoutMs = 8000, pollMs = 50): Promise<string> {
    const started = Date.now()
    for (;;) {
      const text = screen(session)
      if (expected.test(text)) return text
      if (Date.now() - started > timeoutMs) throw new Error(`screen never showed ${expected}:\n${text}`)
      await sleep(pollMs)
    }
  }
  const kill = (session: string) => spawnSync('tmux', ['-L', socket(session), 'kill-server'])
  return { on, screen, keys, until, kill }
}
