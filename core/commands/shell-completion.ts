/**
 * Shell completion: @pnpm/tabtab's scripts and their installation, and the completion server the scripts call
 * on every Tab. The server answers from the same engine as the synadm> shell's Tab (core/shell/completion.ts):
 * commands, options, choices and cached live values, never a command implementation; the server's search only
 * where the cache is partial, within the engine's deadline.
 */
import { basename } from 'node:path'
import { CompletionCache, completionCacheFile, LiveCompletion, type Candidate } from '../shell/completion.js'
import { importModule } from '../kernel/modules.js'
import { isFleet } from '../config/profiles.js'
import type { CoreContext } from '../run/context.js'
import type * as spec from './index.js'
import { SynadmError } from '../kernel/errors.js'
import { SHELLS, type Shell } from './shells.js'

const PROGRAM = { name: 'synadm', completer: 'synadm' }

// tabtab reads its script templates from its own folder, so the build keeps it external (scripts/build.mjs).
async function tabtab(): Promise<typeof import('@pnpm/tabtab')> {
  const mod = await importModule('@pnpm/tabtab')
  return mod.default ?? mod
}

/** `synadm completion bash` … prints the script to source. */
export async function script(ctx: CoreContext<(typeof spec.completionScripts)[number]>) {
  const shell = ctx.command.path.split(' ')[1] as Shell
  ctx.session.io.stdout.write(await (await tabtab()).getCompletionScript({ ...PROGRAM, shell }))
}

/** --shell, else the login shell ($SHELL) */
function chosenShell(ctx: CoreContext): Shell {
  const given = ctx.options.shell as Shell | undefined
  if (given) return given
  const login = basename(ctx.session.io.env.SHELL ?? '')
  if ((SHELLS as readonly string[]).includes(login)) return login as Shell
  throw new SynadmError('usage', `cannot tell your shell from SHELL='${ctx.session.io.env.SHELL ?? ''}'`, { hint: `give --shell ${SHELLS.join('|')}` })
}

export async function install(ctx: CoreContext<typeof spec.completionInstall>) {
  const shell = chosenShell(ctx)
  await (await tabtab()).install({ ...PROGRAM, shell })
  ctx.note(`Completion for ${shell} installed (under ~/.config/tabtab, sourced from your ${shell} startup file): open a new shell to use it.`)
}

export async function uninstall(ctx: CoreContext<typeof spec.completionUninstall>) {
  const shell = chosenShell(ctx)
  await (await tabtab()).uninstall({ name: PROGRAM.name, shell })
  ctx.note(`Completion for ${shell} removed.`)
}

/**
 * The request as tabtab's scripts send it: COMP_LINE, COMP_POINT, COMP_CWORD and SHELL; the text before the
 * cursor (@pnpm/tabtab's parseEnv `partial`), or nothing outside a completion request.
 */
export function completionRequest(env: NodeJS.ProcessEnv): { beforeCursor: string; shell: Shell } | undefined {
  if (!env.COMP_CWORD || !env.COMP_POINT || !env.COMP_LINE) return undefined
  const point = Number(env.COMP_POINT)
  const shell = basename(env.SHELL ?? '')
  return {
    beforeCursor: env.COMP_LINE.slice(0, Number.isNaN(point) ? 0 : point),
    shell: (SHELLS as readonly string[]).includes(shell) ? (shell as Shell) : 'bash',
  }
}

/** One line per candidate, as tabtab's `log` writes them: zsh `value:description` (colons escaped), fish and pwsh tab-separated. */
export function answerLines(candidates: Candidate[], shell: Shell): string[] {
  return candidates.map(({ value, description }) => {
    if (shell === 'zsh') return [value, description].filter(Boolean).map((part) => part!.replaceAll(':', '\\:')).join(':')
    if ((shell === 'fish' || shell === 'pwsh') && description) return `${value}\t${description}`
    return value
  })
}

/**
 * Called by the scripts on every Tab; prints one candidate per line. tabtab's side of the protocol is done here
 * (a test holds it equal to tabtab's parseEnv and log): loading @pnpm/tabtab would cost ~40 ms a Tab.
 */
export async function server(ctx: CoreContext<typeof spec.completionServer>) {
  const { io } = ctx.session
  const request = completionRequest(io.env)
  if (!request) return
  // The text before the cursor, without the program's own name.
  const line = request.beforeCursor.replace(/^\s*\S+\s*/, '')
  // Values of the server the line names (-S NAME), else of SYNADM_SERVER's, else of the default profile.
  const server = /(?:^|\s)(?:-S|--server)[ =]?(\S+)\s/.exec(line)?.[1] ?? io.env.SYNADM_SERVER
  const cache = new CompletionCache(completionCacheFile(io.env, server && !isFleet(server) ? server : undefined))
  await cache.load()
  const { candidates } = await LiveCompletion.of(ctx.session, cache).complete(line)
  for (const text of answerLines(candidates, request.shell)) io.stdout.write(text + '\n')
}
