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

const HISTORY_SIZE = 1000
const REDACTED = '***'

export const historyFile = (env: NodeJS.ProcessEnv) => join(dataDir(env), 'history')

/** a switch whose value is a secret: --password, --token, --access-token, --secret (not --token-file) */
const SECRET_SWITCH = /^--?([\w-]*[-_])?(password|passwd|token|secret)$/i

/** Switches of the line's command that take a secret value (their short forms included), from its declaration. */
function secretSwitches(registry: Registry, words: string[]): Set<string> {
  const switches = new Set<string>()
  for (let n = 0; n < words.length; n++) {
    const match = registry.match(words.slice(n))
    if (!match.command) continue
    for (const def of commandShape(match.command.spec).options) {
      if (def.values.length && def.on.some((s) => SECRET_SWITCH.test(s))) for (const s of def.on) switches.add(s)
    }
    break
  }
  return switches
}

/** The line with the values of secret options replaced by `***`; the line itself when it holds none. */
export function redactSecrets(registry: Registry, line: string): string {
  const { segments } = scanLine(line)
  const secret = secretSwitches(registry, segments.flat())
  const isSecret = (name: string) => secret.has(name) || SECRET_SWITCH.test(name)
  let found = false
  const redacted = segments.map((words) =>
    words.map((word, i) => {
      const eq = word.indexOf('=')
      if (word.startsWith('-') && eq > 0 && isSecret(word.slice(0, eq))) {
        found = true
        return `${word.slice(0, eq)}=${REDACTED}`
      }
      if (i > 0 && words[i - 1].startsWith('-') && !words[i - 1].includes('=') && isSecret(words[i - 1])) {
        found = true
        return REDACTED
      }
      return /[\s'"|\\]/.test(word) || word === '' ? `'${word.replace(/'/g, `'\\''`)}'` : word
    }),
  )
  // Untouched lines stay as typed; a redacted one is written back from its words.
  return found ? redacted.map((words) => words.join(' ')).join(' | ') : line
}

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
