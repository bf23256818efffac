import { asQuestion, SynadmError, type RunContext } from '../../core/index.js'
import type * as spec from './index.js'

const noGroupApi = () =>
  new SynadmError('notFound', 'groups (communities) were removed from Synapse in 1.61; this server has no group API')

/** False for Synapse 1.61 and later; true for older versions and for version strings this does not understand. */
function mayHaveGroups(serverVersion: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(serverVersion)
  if (!match) return true
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return major < 1 || (major === 1 && minor < 61)
}

export async function deleteGroup(ctx: RunContext<typeof spec.deleteGroup>) {
  const groupId = ctx.args.group_id
  // Asking first and failing after would waste the admin's confirmation.
  const { server_version } = await (await ctx.use('server')).version()
  if (!mayHaveGroups(server_version)) throw noGroupApi()
  await ctx.confirm(asQuestion(ctx.effect(groupId)!), { group_id: groupId, server_version })
  try {
    return await (await ctx.use('group')).deleteGroup(groupId)
  } catch (error) {
    if (SynadmError.is(error) && (error.errcode === 'M_UNRECOGNIZED' || (error.status === 404 && !error.errcode))) throw noGroupApi()
    throw error
  }
}
