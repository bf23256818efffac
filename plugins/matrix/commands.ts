import { readInput, usageError, type RunContext } from '../../core/index.js'
import type { AdminClientConfig, MatrixApi } from './api.js'

/** The password from --password-file (`-` = stdin), -p, or a hidden prompt; never required on argv. */
async function password(ctx: RunContext): Promise<string> {
  const { password, passwordFile } = ctx.options as { password?: string; passwordFile?: string }
  if (passwordFile !== undefined) {
    // A file or a pipe usually ends in a newline that is not part of the password.
    const text = (await readInput(passwordFile, ctx.session.io.stdin)).replace(/\r?\n$/, '')
    if (!text) throw usageError(`no password in ${passwordFile === '-' ? 'stdin' : passwordFile}`)
    return text
  }
  if (password !== undefined) return password
  if (!ctx.interactive) throw usageError('no password given', "use --password-file FILE, or --password-file - to read it from stdin (a prompt needs a terminal and no --batch)")
  return ctx.prompts.password('Password')
}

export async function login(ctx: RunContext) {
  const userId = await ctx.userId(ctx.args.user_id as string)
  const secret = await password(ctx)
  return (await ctx.use<MatrixApi>('matrix')).login(userId, secret)
}

export async function adminClientConfig(ctx: RunContext) {
  const api = await ctx.use<MatrixApi>('matrix')
  const { user_id: adminId } = await api.whoami()
  const current = await api.adminClientConfig(adminId)
  const { softFailed, spammy } = ctx.options as { softFailed?: boolean; spammy?: boolean }
  if (softFailed === undefined && spammy === undefined) return current
  const next: AdminClientConfig = {
    ...current,
    ...(softFailed === undefined ? {} : { return_soft_failed_events: softFailed }),
    ...(spammy === undefined ? {} : { return_policy_server_spammy_events: spammy }),
  }
  await api.setAdminClientConfig(adminId, next)
  return api.adminClientConfig(adminId)
}
