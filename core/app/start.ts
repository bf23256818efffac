/**
 * The process entry: loads plugins, then runs one command, or the synadm> shell when there is none
 * (or for `synadm shell`). Returns the exit code; the bin shim exits with it.
 */
import { describeError, toSynadmError } from '../kernel/errors.js'
import { execute } from '../execute/executor.js'
import { parseGlobals } from '../cli/globals.js'
import { corePlugin } from '../commands/index.js'
import { pluginPackageDir } from '../plugin-host/installed.js'
import { checkCompletionSources, loadBuiltins, loadConfigured } from '../plugin-host/loader.js'
import type { SynadmPlugin } from '../contract/plugin.js'
import { Registry } from '../cli/registry.js'
import { processIO, Session, type IO } from '../run/session.js'
import { sessionDefaults, type SessionDefaults } from '../config/profiles.js'
import { Capture } from '../output/capture.js'
// Registers the adapter that turns vorpal extensions into plugins; the facade itself loads only for one.
import '../vorpal/index.js'

export async function createSession(builtins: SynadmPlugin[], io: IO, defaults: SessionDefaults = {}): Promise<Session> {
  const registry = new Registry()
  const session = new Session(registry, io, defaults)
  session.builtins = [corePlugin, ...builtins]
  session.plugins = await loadBuiltins(registry, session.builtins)
  // Configured plugins are listed in the settings; a broken config is reported when a command needs it.
  const resolved = await session.settings().catch(() => undefined)
  if (resolved?.settings.plugins.length) {
    const configured = await loadConfigured(registry, resolved.settings.plugins, (e) => resolved.pluginBases.get(e) ?? io.cwd, pluginPackageDir(io.env))
    checkCompletionSources(registry, configured)
    session.plugins.push(...configured)
  }
  for (const warning of resolved?.warnings ?? []) io.stderr.write(`synadm: warning: ${warning}\n`)
  for (const failed of session.plugins.filter((p) => p.error)) {
    io.stderr.write(`synadm: warning: plugin ${failed.name} (${failed.source}) not loaded: ${failed.error}\n`)
  }
  return session
}

export async function main(argv: string[], builtins: SynadmPlugin[], io: IO = processIO()): Promise<number> {
  let defaults: SessionDefaults
  let rest: string[]
  let wantsHelpOrVersion = false
  try {
    const parsed = parseGlobals(argv)
    defaults = sessionDefaults(parsed.globals, io.env)
    rest = parsed.rest
    wantsHelpOrVersion = parsed.globals.help || parsed.globals.version
  } catch (error) {
    io.stderr.write(describeError(toSynadmError(error)) + '\n')
    return toSynadmError(error).exitCode
  }
  // Shell completion asks on every Tab: no warning may land in the middle of the user's line.
  const completing = rest[0] === 'completion-server'
  const session = await createSession(builtins, completing ? { ...io, stderr: new Capture() } : io, defaults)
  if (rest.length === 0 && !wantsHelpOrVersion && io.interactive) {
    return execute(session, [...argv, 'shell'])
  }
  const controller = new AbortController()
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  let code: number
  try {
    code = await execute(session, argv, { signal: controller.signal })
  } finally {
    process.off('SIGINT', onSigint)
  }
  // A mode entered from the command line (a vorpal extension's `repl`) goes on in the shell.
  if (code === 0 && session.mode) return execute(session, [...argv.slice(0, argv.length - rest.length), 'shell'])
  return code
}
