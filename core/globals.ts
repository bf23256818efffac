/**
 * Global options, as in Python synadm: they stand before the command words (`synadm -o json user list`).
 * cac parses them; a fresh instance per parse, because a reused cac instance keeps the last match.
 */
import { cac } from 'cac'
import { usageError } from './errors.js'
import type { OptionSpec } from './spec.js'

export interface Globals {
  verbose: number
  batch: boolean
  output?: string
  configFile?: string
  help: boolean
  version: boolean
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '-v, --verbose', type: 'count', description: 'log requests (-v), bodies (-vv), stack traces (-vv)' },
  {
    flags: '--batch, --no-confirm, --yes, --non-interactive, --scripting',
    description: 'no interactive prompts; confirmations are taken as yes',
  },
  { flags: '-o, --output <format>', description: 'output format: yaml json minified human pprint jsonl csv (or y j m h p)' },
  { flags: '-c, --config-file <path>', description: 'configuration file (default ~/.config/synadm.yaml)' },
  { flags: '--version', description: 'show the version and exit' },
  { flags: '-h, --help', description: 'show this message and exit' },
]

const VALUE_SWITCHES = new Set(['-o', '--output', '-c', '--config-file'])
const KNOWN = new Set(['v', 'verbose', 'batch', 'confirm', 'yes', 'nonInteractive', 'scripting', 'o', 'output', 'c', 'configFile', 'version', 'h', 'help', '--'])

/** Splits leading global options off the words; the rest starts with the command path. */
export function parseGlobals(words: string[]): { globals: Globals; rest: string[] } {
  let i = 0
  while (i < words.length && words[i].startsWith('-') && words[i] !== '--') {
    i += VALUE_SWITCHES.has(words[i]) ? 2 : 1
  }
  if (i === 0) return { globals: { verbose: 0, batch: false, help: false, version: false }, rest: words }
  const cli = cac('synadm')
  cli.option('-v, --verbose', '')
  cli.option('--batch', '')
  cli.option('--no-confirm', '')
  cli.option('--yes', '')
  cli.option('--non-interactive', '')
  cli.option('--scripting', '')
  cli.option('-o, --output <format>', '')
  cli.option('-c, --config-file <path>', '')
  cli.option('--version', '')
  cli.option('-h, --help', '')
  const { options } = cli.parse(['node', 'synadm', ...words.slice(0, i)], { run: false })
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw usageError(`No such option: ${key.length === 1 ? '-' : '--'}${key}`)
  }
  const count = (v: unknown) => (Array.isArray(v) ? v.length : v ? 1 : 0)
  const value = (v: unknown, name: string) => {
    if (v === undefined) return undefined
    if (Array.isArray(v)) v = v[v.length - 1] // the last of repeated values wins
    if (typeof v === 'number') v = String(v)
    if (typeof v !== 'string' || v === '') throw usageError(`Option '${name}' requires an argument.`)
    return v
  }
  return {
    globals: {
      verbose: count(options.verbose),
      batch: Boolean(options.batch || options.confirm === false || options.yes || options.nonInteractive || options.scripting),
      output: value(options.output, '--output'),
      configFile: value(options.configFile, '--config-file'),
      help: Boolean(options.help),
      version: Boolean(options.version),
    },
    rest: words.slice(i),
  }
}

/** Global options that may also follow the command words; -c names the config, so it only stands before them. */
const TRAILING = new Set(['-v', '--verbose', '--batch', '--no-confirm', '--yes', '--non-interactive', '--scripting', '-o', '--output'])

/**
 * Takes the global options out of the words after a command path (`synadm user list --all -o jsonl`), leaving
 * the command's own: a switch the command defines itself stays the command's, and so do the values of its options.
 */
export function liftGlobals(words: string[], commandSwitches: Map<string, number>): { globals: string[]; rest: string[] } {
  const globals: string[] = []
  const rest: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '--') {
      rest.push(...words.slice(i))
      break
    }
    const name = word.startsWith('--') ? word.split('=')[0] : word
    const own = commandSwitches.get(name)
    if (own !== undefined) {
      rest.push(...words.slice(i, i + 1 + (word.includes('=') ? 0 : own)))
      i += word.includes('=') ? 0 : own
    } else if (TRAILING.has(name) || /^-v+$/.test(word)) {
      globals.push(word)
      if (VALUE_SWITCHES.has(name) && !word.includes('=') && i + 1 < words.length) globals.push(words[++i])
    } else rest.push(word)
  }
  return { globals, rest }
}
