import type { RunContext } from '../../core/index.js'
import type { ReportQuery, ReportsApi } from './api.js'

const reports = (ctx: RunContext) => ctx.use<ReportsApi>('reports')

/** Paging and the reporter filter, shared by both report lists. */
async function commonQuery(ctx: RunContext): Promise<ReportQuery> {
  const o = ctx.options as { from?: unknown; limit: number; reverse?: boolean; userId?: string }
  return {
    from: o.from,
    limit: o.limit,
    dir: o.reverse ? 'f' : undefined,
    user_id: o.userId === undefined ? undefined : await ctx.userId(o.userId),
  }
}

const optionalUser = (ctx: RunContext, value: unknown) => (value === undefined ? undefined : ctx.userId(value as string))

export async function eventReports(ctx: RunContext) {
  return (await reports(ctx)).eventReports({
    ...(await commonQuery(ctx)),
    room_id: ctx.options.roomId as string | undefined,
    event_sender_user_id: await optionalUser(ctx, ctx.options.sender),
  })
}

export async function eventReport(ctx: RunContext) {
  return (await reports(ctx)).eventReport(ctx.args.report_id as string)
}

export async function deleteEventReport(ctx: RunContext) {
  const id = ctx.args.report_id as string
  const api = await reports(ctx)
  const preview = await api.eventReport(id)
  await ctx.confirm(`Delete event report ${id}? The reported event stays; only the report goes.`, preview)
  return api.deleteEventReport(id)
}

export async function userReports(ctx: RunContext) {
  return (await reports(ctx)).userReports({
    ...(await commonQuery(ctx)),
    target_user_id: await optionalUser(ctx, ctx.options.target),
  })
}

export async function userReport(ctx: RunContext) {
  return (await reports(ctx)).userReport(ctx.args.report_id as string)
}

export async function deleteUserReport(ctx: RunContext) {
  const id = ctx.args.report_id as string
  const api = await reports(ctx)
  const preview = await api.userReport(id)
  await ctx.confirm(`Delete user report ${id}? The reported account is not affected.`, preview)
  return api.deleteUserReport(id)
}
