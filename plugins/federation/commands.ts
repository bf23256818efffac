import type { RunContext } from '../../core/index.js'
import type { DestinationQuery, FederationApi } from './api.js'

const federation = (ctx: RunContext) => ctx.use<FederationApi>('federation')

export async function list(ctx: RunContext) {
  const o = ctx.options as { from?: unknown; limit: number; sort?: DestinationQuery['order_by']; reverse?: boolean; destination?: string }
  return (await federation(ctx)).destinations({
    from: o.from,
    limit: o.limit,
    order_by: o.sort,
    dir: o.reverse ? 'b' : undefined,
    destination: o.destination,
  })
}

export async function details(ctx: RunContext) {
  return (await federation(ctx)).destination(ctx.args.destination as string)
}

export async function rooms(ctx: RunContext) {
  const o = ctx.options as { from?: unknown; limit: number; reverse?: boolean }
  return (await federation(ctx)).destinationRooms(ctx.args.destination as string, { from: o.from, limit: o.limit, dir: o.reverse ? 'b' : undefined })
}

export async function resetConnection(ctx: RunContext) {
  return (await federation(ctx)).resetConnection(ctx.args.destination as string)
}
