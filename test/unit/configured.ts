/**
 * synadm sessions with plugins listed in a config file, as a user configures them: packages resolve from the
 * config file's folder (whose node_modules has the vorpal extensions and, compiled, the example plugin), paths
 * relative to it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import yaml from 'js-yaml'
import { execute } from '../../core/execute/executor.js'
import { createSession } from '../../core/app/start.js'
import type { SynadmPlugin } from '../../core/contract/plugin.js'
import type { Session } from '../../core/run/session.js'
import { Shell } from '../../core/shell/shell.js'
import { testIO, type TestIO } from '../../core/app/in-process.js'

export const repoRoot = resolve(import.meta.dirname, '..', '..')
export const examples = join(repoRoot, 'examples')
const VORPAL_PACKAGES = ['vorpal-grep', 'vorpal-repl', 'vorpal-autocomplete-fs', 'vorpal-less']

/** A folder with node_modules holding the npm vorpal extensions (linked) and synadm-plugin-hello, built from its TypeScript. */
export async function pluginFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-plugins-'))
  const modules = join(dir, 'node_modules')
  mkdirSync(modules)
  for (const name of VORPAL_PACKAGES) symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name))
  const source = join(examples, 'synadm-plugin-hello')
  const target = join(modules, 'synadm-plugin-hello')
  // What `npm run build` of the package produces (tsc), made here by esbuild: JavaScript next to the package.json.
  await build({
    entryPoints: readdirSync(join(source, 'src')).map((file) => join(source, 'src', file)),
    outdir: join(target, 'dist'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  })
  copyFileSync(join(source, 'package.json'), join(target, 'package.json'))
  return dir
}

export interface Configured {
  dir: string
  io: TestIO
  session: Session
  /** one-shot: `synadm ARGV` in this session */
  run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>
  /** shell lines, through the same Shell as `synadm shell` */
  shell(...lines: string[]): Promise<{ codes: number[]; stdout: string; stderr: string }>
}

/** Output since the last call, so each step of a test sees its own. */
function taker(io: TestIO) {
  let out = 0
  let err = 0
  return () => {
    const taken = { stdout: io.stdout.text.slice(out), stderr: io.stderr.text.slice(err) }
    out = io.stdout.text.length
    err = io.stderr.text.length
    return taken
  }
}

export async function configured(
  entries: unknown[],
  options: { builtins?: SynadmPlugin[]; env?: Record<string, string>; interactive?: boolean; files?: Record<string, string> } = {},
): Promise<Configured> {
  const dir = await pluginFolder()
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text)
  const config = join(dir, 'synadm.yaml')
  writeFileSync(config, yaml.dump({ plugins: entries }))
  const io = testIO({
    env: { SYNADM_CONFIG: config, XDG_DATA_HOME: join(dir, 'data'), XDG_CACHE_HOME: join(dir, 'cache'), ...options.env },
    interactive: options.interactive,
  })
  io.cwd = dir
  const session = await createSession(options.builtins ?? [], io)
  const take = taker(io)
  take()
  const shell = new Shell(session, { globals: [] })
  return {
    dir,
    io,
    session,
    async run(argv) {
      const code = await execute(session, argv)
      return { code, ...take() }
    },
    async shell(...lines) {
      const codes: number[] = []
      for (const line of lines) codes.push(await shell.runLine(line))
      return { codes, ...take() }
    },
  }
}
