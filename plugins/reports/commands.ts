import type { RunContext } from '../../core/index.js'
import type { ReportQuery } from './api.js'
import type * as spec from './index.js'

const reports = (ctx: RunContext) => ctx.use('reports')


/** Paging and the reporter filter, shared by both report lists. */
async function commonQuery(ctx: RunContext<typeof spec.eventReports> | RunContext<typeof spec.userReports>): Promise<ReportQuery> {
  const o = ctx.options
  return {
    from: o.from,
    limit: o.limit,
    dir: o.reverse ? 'f' : undefined,
    user_id: await ctx.userId(o.userId),
  }
}

export async function eventReports(ctx: RunContext<typeof spec.eventReports>) {
  return (await reports(ctx)).eventReports({
    ...(await commonQuery(ctx)),
    room_id: ctx.options.roomId,
    event_sender_user_id: await ctx.userId(ctx.options.sender),
  })
}

export async function eventReport(ctx: RunContext<typeof spec.eventReport>) {
  return (await reports(ctx)).eventReport(ctx.args.report_id)
}

export async function deleteEventReport(ctx: RunContext<typeof spec.deleteEventReport>) {
  const id = ctx.args.report_id
  const api = await reports(ctx)
  const preview = await api.eventReport(id)
  await ctx.confirm(`Delete event report ${id}? The reported event stays; only the report goes.`, preview)
  return api.deleteEventReport(id)
}

export async function userReports(ctx: RunContext<typeof spec.userReports>) {
  return (await reports(ctx)).userReports({
    ...(await commonQuery(ctx)),
    target_user_id: await ctx.userId(ctx.options.target),
  })
}

export async function userReport(ctx: RunContext<typeof spec.userReport>) {
  return (await reports(ctx)).userReport(ctx.args.report_id)
}

export async function deleteUserReport(ctx: RunContext<typeof spec.deleteUserReport>) {
  const id = ctx.args.report_id
  const api = await reports(ctx)
  const preview = await api.userReport(id)
  await ctx.confirm(`Delete user report ${id}? The reported account is not affected.`, preview)
  return api.deleteUserReport(id)
}
