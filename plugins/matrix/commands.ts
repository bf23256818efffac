import type { RunContext } from '../../core/index.js'
import type { AdminClientConfig } from './api.js'
import type * as spec from './index.js'

export async function login(ctx: RunContext<typeof spec.login>) {
  const userId = await ctx.userId(ctx.args.user_id)
  const { password, passwordFile } = ctx.options
  const secret = await ctx.secret({ typed: password, file: passwordFile, what: 'password', fileOption: '--password-file' })
  return (await ctx.use('matrix')).login(userId, secret)
}

export async function adminClientConfig(ctx: RunContext<typeof spec.adminClientConfig>) {
  const api = await ctx.use('matrix')
  const { user_id: adminId } = await api.whoami()
  const current = await api.adminClientConfig(adminId)
  const { softFailed, spammy } = ctx.options
  if (softFailed === undefined && spammy === undefined) return current
  const next: AdminClientConfig = {
    ...current,
    ...(softFailed === undefined ? {} : { return_soft_failed_events: softFailed }),
    ...(spammy === undefined ? {} : { return_policy_server_spammy_events: spammy }),
  }
  await api.setAdminClientConfig(adminId, next)
  return api.adminClientConfig(adminId)
}
