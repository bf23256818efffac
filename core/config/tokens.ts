/**
 * The access token from somewhere safer than the config file: `token_file` (a file only its owner can read) or
 * `token_command` (a password manager: `pass show matrix/prod`); other secrets kept the same way (a MAS client's
 * secret) through readSecretFile and runSecretCommand. The secret itself is never logged or printed.
 */
import { spawn } from 'node:child_process'
import type { Stats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { Settings } from './settings.js'
import { expandHome } from './settings.js'
import { SynadmError } from '../kernel/errors.js'
import { scanLine } from '../cli/parse.js'

/** a password manager may wait for a passphrase (pinentry) */
const COMMAND_TIMEOUT_MS = 120_000
/** characters that mean the value is written for a shell: pipes, redirections, variables, globs, ~ */
const SHELL_SYNTAX = /[|&;<>()$`\\*?[\]{}~!#\n]/

/** The first line, without surrounding blanks: what `pass show` prints first is the secret. */
const firstLine = (text: string) => text.split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? ''

export const readTokenFile = (file: string) => readSecretFile(file, 'token_file', 'token')

/**
 * A secret kept in a file (`key` names the setting, `what` the secret): the file's first line; the file must be a
 * regular file only its owner can read (0600 or stricter).
 */
export async function readSecretFile(file: string, key: string, what: string): Promise<string> {
  const path = expandHome(file)
  let stats: Stats
  try {
    stats = await stat(path)
  } catch (error) {
    throw new SynadmError('config', `${key} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  // a folder cannot be read; a FIFO or device would be read forever
  if (!stats.isFile()) throw new SynadmError('config', `${key} ${file} is ${stats.isDirectory() ? 'a folder' : 'not a regular file'}: name the file that holds the ${what}`)
  const { mode } = stats
  if (mode & 0o077) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0')
    throw new SynadmError('config', `${key} ${file} is refused: its mode ${octal} lets other users read or change it`, { hint: `chmod 600 ${file}` })
  }
  const secret = firstLine(await readFile(path, 'utf8'))
  if (!secret) throw new SynadmError('config', `${key} ${file} holds no ${what}`)
  return secret
}

/** How a token_command runs: its words without a shell, unless it uses shell syntax. */
export function tokenCommandArgv(command: string, key = 'token_command'): string[] {
  if (SHELL_SYNTAX.test(command)) return ['/bin/sh', '-c', command]
  const [words] = scanLine(command).segments
  if (!words?.length) throw new SynadmError('config', `${key} is empty`)
  return words
}

const runTokenCommand = (command: string, env: NodeJS.ProcessEnv) => runSecretCommand(command, env, 'token_command', 'token')

/**
 * Runs a command that prints a secret (`key` names the setting, `what` the secret): its stdout's first line is the
 * secret, its stderr is shown if it fails, its output is never logged.
 */
export function runSecretCommand(command: string, env: NodeJS.ProcessEnv, key: string, what: string): Promise<string> {
  const [program, ...args] = tokenCommandArgv(command, key)
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: COMMAND_TIMEOUT_MS })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? `'${program}' was not found` : error.message
      reject(new SynadmError('config', `${key} could not run: ${why}`, { hint: `${key} runs without a shell unless it uses shell syntax; give the full path of the program` }))
    })
    child.on('close', (code, signal) => {
      const errorText = Buffer.concat(stderr).toString('utf8').trim().split(/\r?\n/).slice(-5).join(' / ')
      if (code !== 0) {
        const how = signal ? (signal === 'SIGTERM' ? `timed out after ${COMMAND_TIMEOUT_MS / 1000} s` : `killed by ${signal}`) : `exit ${code}`
        return reject(new SynadmError('config', `${key} failed (${how})${errorText ? `: ${errorText}` : ''}`))
      }
      const secret = firstLine(Buffer.concat(stdout).toString('utf8'))
      if (!secret) return reject(new SynadmError('config', `${key} printed no ${what}${errorText ? ` (stderr: ${errorText})` : ''}`))
      resolve(secret)
    })
  })
}

/** The token the settings give: `token`, else token_file's, else token_command's output. */
export async function resolveToken(settings: Settings, env: NodeJS.ProcessEnv): Promise<string> {
  if (settings.token) return settings.token
  if (settings.token_file) return readTokenFile(settings.token_file)
  if (settings.token_command) return runTokenCommand(settings.token_command, env)
  return ''
}
