import { withDateTimes, type RunContext } from '../../core/index.js'
import type { RegtokApi, TokenUpdate } from './api.js'

const regtok = (ctx: RunContext) => ctx.use<RegtokApi>('regtok')
const readable = <T>(ctx: RunContext, data: T): T => (ctx.options.datetime ? withDateTimes(data, ['expiry_time']) : data)

export async function list(ctx: RunContext) {
  return readable(ctx, await (await regtok(ctx)).list(ctx.options.valid as boolean | undefined))
}

export async function details(ctx: RunContext) {
  return readable(ctx, await (await regtok(ctx)).details(ctx.args.token as string))
}

export async function create(ctx: RunContext) {
  const o = ctx.options as { token?: string; length: number; usesAllowed?: number; expiryTs?: number; expireAt?: number }
  return (await regtok(ctx)).create({
    length: o.length,
    uses_allowed: o.usesAllowed ?? null,
    // -t wins over -e, as in synadm; 0 is a timestamp like any other.
    expiry_time: o.expiryTs ?? o.expireAt ?? null,
    ...(o.token === undefined ? {} : { token: o.token }),
  })
}

export async function update(ctx: RunContext) {
  const o = ctx.options as { usesAllowed?: number; expiryTs?: number; expireAt?: number }
  const changes: TokenUpdate = {}
  // -1 lifts the limit (null); fields not given stay as they are.
  if (o.usesAllowed !== undefined) changes.uses_allowed = o.usesAllowed === -1 ? null : o.usesAllowed
  const expiry = o.expiryTs ?? o.expireAt
  if (expiry !== undefined) changes.expiry_time = expiry === -1 ? null : expiry
  return (await regtok(ctx)).update(ctx.args.token as string, changes)
}

export async function remove(ctx: RunContext) {
  const token = ctx.args.token as string
  const api = await regtok(ctx)
  const preview = await api.details(token)
  await ctx.confirm(`Delete registration token ${token}?`, preview)
  const reply = await api.delete(token)
  ctx.note(`Registration token ${token} deleted.`)
  return reply
}
