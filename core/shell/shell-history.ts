/**
 * The shell's history: one file per user (XDG data dir), mode 0600, newest line last. A line that put a
 * password or token on the command line is kept with the value replaced by `***`, in the file and in memory.
 */
import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { dataDir } from '../kernel/dirs.js'
import { commandShape } from '../cli/options.js'
import { scanLine } from '../cli/parse.js'
import type { Registry } from '../cli/registry.js'
import { GLOBAL_DEFS } from '../cli/globals.js'
import { redactCommandLine } from '../cli/secrets.js'
import type { CommandSpec } from '../contract/spec.js'

const HISTORY_SIZE = 1000
const REDACTED = '***'

export const historyFile = (env: NodeJS.ProcessEnv) => join(dataDir(env), 'history')

/** The command a pipe segment runs (after global options, or the shell's own words such as `watch -n 5`). */
function commandOf(registry: Registry, words: string[]): CommandSpec | undefined {
  for (let n = 0; n < words.length; n++) {
    const { command } = registry.match(words.slice(n))
    if (command) return command.spec
  }
  return undefined
}

/** The line with the secrets of each of its commands replaced by `***` (core/kernel/log.ts); the line itself when it holds none. */
export function redactSecrets(registry: Registry, line: string): string {
  const { segments } = scanLine(line)
  const redacted = segments.map((words) => redactCommandLine(words, commandOf(registry, words), GLOBAL_DEFS, REDACTED))
  // Untouched lines stay as typed; a redacted one is written back from its words.
  if (redacted.every((words, s) => words.every((word, i) => word === segments[s][i]))) return line
  return redacted.map((words) => words.map(quote).join(' ')).join(' | ')
}

const quote = (word: string) => (/[\s'"|\\]/.test(word) || word === '' ? `'${word.replace(/'/g, `'\\''`)}'` : word)

/** History lines, newest first. */
export async function loadHistory(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE)
}

/** Appends a line (already redacted); best effort, the shell goes on if the file cannot be written. */
export async function appendHistory(file: string, line: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    await appendFile(file, line.replace(/\n/g, ' ') + '\n', { mode: 0o600 })
    await chmod(file, 0o600)
  } catch {
    // history is a convenience
  }
}
