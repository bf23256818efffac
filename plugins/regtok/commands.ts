import { withDateTimes, type RunContext } from '../../core/index.js'
import type { TokenUpdate } from './api.js'
import type * as spec from './index.js'
import { createOnMas, listOnMas, onMas, removeOnMas, synapseShaped, tokenOnMas, updateOnMas } from './mas.js'

const regtok = (ctx: RunContext) => ctx.use('regtok')
const readable = <T>(ctx: RunContext, data: T): T => (ctx.options.datetime ? withDateTimes(data, ['expiry_time']) : data)

export async function list(ctx: RunContext<typeof spec.list>) {
  if (await onMas(ctx)) return readable(ctx, await listOnMas(ctx, ctx.options.valid))
  return readable(ctx, await (await regtok(ctx)).list(ctx.options.valid))
}

export async function details(ctx: RunContext<typeof spec.details>) {
  if (await onMas(ctx)) return readable(ctx, synapseShaped(await tokenOnMas(ctx, ctx.args.token)))
  return readable(ctx, await (await regtok(ctx)).details(ctx.args.token))
}

export async function create(ctx: RunContext<typeof spec.create>) {
  const o = ctx.options
  const body = {
    length: o.length,
    uses_allowed: o.usesAllowed ?? null,
    // -t wins over -e, as in synadm; 0 is a timestamp like any other.
    expiry_time: o.expiryTs ?? o.expireAt ?? null,
    ...(o.token === undefined ? {} : { token: o.token }),
  }
  if (await onMas(ctx)) return createOnMas(ctx, body, ctx.given.has('length'))
  return (await regtok(ctx)).create(body)
}

export async function update(ctx: RunContext<typeof spec.update>) {
  const o = ctx.options
  const changes: TokenUpdate = {}
  // -1 lifts the limit (null); fields not given stay as they are.
  if (o.usesAllowed !== undefined) changes.uses_allowed = o.usesAllowed === -1 ? null : o.usesAllowed
  const expiry = o.expiryTs ?? o.expireAt
  if (expiry !== undefined) changes.expiry_time = expiry === -1 ? null : expiry
  if (await onMas(ctx)) return updateOnMas(ctx, ctx.args.token, changes)
  return (await regtok(ctx)).update(ctx.args.token, changes)
}

export async function remove(ctx: RunContext<typeof spec.remove>) {
  if (await onMas(ctx)) return removeOnMas(ctx, ctx.args.token)
  const token = ctx.args.token
  const api = await regtok(ctx)
  const preview = await api.details(token)
  await ctx.confirm(`Delete registration token ${token}?`, preview)
  const reply = await api.delete(token)
  ctx.note(`Registration token ${token} deleted.`)
  return reply
}
