import type { RunContext } from '../../core/index.js'
import type { ServerApi } from './api.js'

export async function version(ctx: RunContext) {
  return (await ctx.use<ServerApi>('server')).version()
}
