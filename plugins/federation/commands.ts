import type { RunContext } from '../../core/index.js'
import type * as spec from './index.js'

const federation = (ctx: RunContext) => ctx.use('federation')

export async function list(ctx: RunContext<typeof spec.list>) {
  const o = ctx.options
  return (await federation(ctx)).destinations({
    from: o.from,
    limit: o.limit,
    order_by: o.sort,
    dir: o.reverse ? 'b' : undefined,
    destination: o.destination,
  })
}

export async function details(ctx: RunContext<typeof spec.details>) {
  return (await federation(ctx)).destination(ctx.args.destination)
}

export async function rooms(ctx: RunContext<typeof spec.rooms>) {
  const o = ctx.options
  return (await federation(ctx)).destinationRooms(ctx.args.destination, { from: o.from, limit: o.limit, dir: o.reverse ? 'b' : undefined })
}

export async function resetConnection(ctx: RunContext<typeof spec.resetConnection>) {
  return (await federation(ctx)).resetConnection(ctx.args.destination)
}
