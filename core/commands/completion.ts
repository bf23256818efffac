/**
 * Shell completion through @pnpm/tabtab: the scripts, their installation, and the completion server the scripts
 * call on every Tab. The server answers from the same engine as the shell's Tab (core/completion.ts): commands,
 * options, choices and cached live values, never the network, never a command implementation.
 */
import { basename } from 'node:path'
import { complete, CompletionCache, completionCacheFile } from '../completion.js'
import type { RunContext } from '../context.js'
import { SynadmError } from '../errors.js'
import { SHELLS } from './index.js'

type Shell = (typeof SHELLS)[number]

const PROGRAM = { name: 'synadm', completer: 'synadm' }

// tabtab reads its script templates from its own folder: it is loaded from node_modules, never bundled
// (a specifier that is not a literal stays out of the bundle).
const TABTAB = '@pnpm/tabtab'

async function tabtab(): Promise<typeof import('@pnpm/tabtab')> {
  const mod = await import(TABTAB)
  return mod.default ?? mod
}

/** `synadm completion bash` … prints the script to source. */
export async function script(ctx: RunContext) {
  const shell = ctx.command.path.split(' ')[1] as Shell
  ctx.session.io.stdout.write(await (await tabtab()).getCompletionScript({ ...PROGRAM, shell }))
}

/** --shell, else the login shell ($SHELL) */
function chosenShell(ctx: RunContext): Shell {
  const given = ctx.options.shell as Shell | undefined
  if (given) return given
  const login = basename(ctx.session.io.env.SHELL ?? '')
  if ((SHELLS as readonly string[]).includes(login)) return login as Shell
  throw new SynadmError('usage', `cannot tell your shell from SHELL='${ctx.session.io.env.SHELL ?? ''}'`, { hint: `give --shell ${SHELLS.join('|')}` })
}

export async function install(ctx: RunContext) {
  const shell = chosenShell(ctx)
  await (await tabtab()).install({ ...PROGRAM, shell })
  ctx.note(`Completion for ${shell} installed (under ~/.config/tabtab, sourced from your ${shell} startup file): open a new shell to use it.`)
}

export async function uninstall(ctx: RunContext) {
  const shell = chosenShell(ctx)
  await (await tabtab()).uninstall({ name: PROGRAM.name, shell })
  ctx.note(`Completion for ${shell} removed.`)
}

/** Called by the scripts with COMP_LINE, COMP_POINT and SHELL set; prints one candidate per line. */
export async function server(ctx: RunContext) {
  const { parseEnv, log, isShellSupported } = await tabtab()
  const { io } = ctx.session
  const env = parseEnv(io.env)
  if (!env.complete) return
  const shell = isShellSupported(basename(io.env.SHELL ?? '')) ? (basename(io.env.SHELL!) as Shell) : 'bash'
  // The text before the cursor, without the program's own name.
  const line = env.partial.replace(/^\s*\S+\s*/, '')
  const cache = new CompletionCache(completionCacheFile(io.env))
  await cache.load()
  const { candidates } = complete(ctx.session.registry, line, (source) => cache.values(source))
  // Objects, so that a value with a colon (@alice:example.org) is not taken for "name:description".
  log(candidates.map((c) => ({ name: c.value, description: c.description ?? '' })), shell, (text) => void io.stdout.write(text + '\n'))
}
