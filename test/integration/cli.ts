/**
 * Runs our CLI and the reference Python synadm as child processes against the integration server, and parses
 * their JSON output.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../synapse/server.mjs'
import { synapse } from './synapse-info.js'

export interface RunResult {
  /** Exit code; null when the process was killed by a signal. */
  code: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  /** Fed to stdin; stdin is closed (empty) otherwise. */
  input?: string
  /** Added to the environment. */
  env?: Record<string, string>
  /** Our CLI: config file for -c; default: the one global setup wrote. null: pass no -c. */
  configFile?: string | null
  timeoutMs?: number
}

const synadmBin = join(repoRoot, 'bin', 'synadm.js')

function run(command: string, args: string[], env: NodeJS.ProcessEnv, { input, timeoutMs = 30_000 }: RunOptions) {
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.on('error', () => {}) // the command may exit without reading its input
    child.stdin.end(input ?? '')
  })
}

/** `node bin/synadm.js -c <config> ...args`; args start with global options, like the Python synadm's. */
export function runSynadm(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const info = synapse()
  const configFile = options.configFile === undefined ? info.configFile : options.configFile
  const config = configFile === null ? [] : ['-c', configFile]
  const env = { ...process.env, HOME: info.cliHome, ...options.env }
  return run(process.execPath, [synadmBin, ...config, ...args], env, options)
}

/**
 * The reference synadm 0.49.2 in the chroot, with --batch. It exits 0 even on HTTP errors (the error JSON goes to
 * stdout), and its json output shows some timestamps as local date strings unless --ts is given.
 */
export async function runPythonSynadm(args: string[], options: Omit<RunOptions, 'configFile'> = {}): Promise<RunResult> {
  const info = synapse()
  if (!info.pythonRoot || !info.pythonConfigFile) throw new Error('the Python synadm chroot is not built')
  const inner = ['env', 'HOME=/root', 'synadm', '-c', info.pythonConfigFile, '--batch', ...args]
  return run('chroot', [info.pythonRoot, ...inner], { ...process.env, ...options.env }, options)
}

/** Every JSON document in `text`, in order (the Python synadm prints several for some commands). */
export function parseJsonDocuments(text: string): unknown[] {
  const documents: unknown[] = []
  let index = 0
  while (true) {
    while (index < text.length && /\s/.test(text[index])) index++
    if (index >= text.length) return documents
    const end = endOfValue(text, index)
    try {
      documents.push(JSON.parse(text.slice(index, end)))
    } catch {
      throw new Error(`not JSON at offset ${index}: ${JSON.stringify(text.slice(index, index + 80))}`)
    }
    index = end
  }
}

/** The JSON in `text`: the value itself when there is one document, an array of them when there are several. */
export function parseJson<T = any>(text: string): T {
  const documents = parseJsonDocuments(text)
  if (documents.length === 0) throw new Error('no JSON in output')
  return (documents.length === 1 ? documents[0] : documents) as T
}

// Index just past the JSON value that starts at `start` (objects/arrays by bracket depth, strings by quotes,
// scalars up to the next whitespace); JSON.parse validates the slice.
function endOfValue(text: string, start: number): number {
  const first = text[start]
  if (first !== '{' && first !== '[' && first !== '"') {
    const match = /\s/.exec(text.slice(start))
    return match ? start + match.index : text.length
  }
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      if (char === '\\') i++
      else if (char === '"') inString = false
    } else if (char === '"') {
      inString = true
    } else if (char === '{' || char === '[') {
      depth++
    } else if (char === '}' || char === ']') {
      depth--
    }
    if (depth === 0 && !inString) return i + 1
  }
  return text.length
}
