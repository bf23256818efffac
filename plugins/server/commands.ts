import { usageError, type RunContext } from '../../core/index.js'
import { BACKGROUND_JOBS, type BackgroundJob } from './api.js'
import type * as spec from './index.js'

const server = (ctx: RunContext) => ctx.use('server')

export async function version(ctx: RunContext<typeof spec.version>) {
  return (await server(ctx)).version()
}

export async function backgroundUpdatesStatus(ctx: RunContext<typeof spec.backgroundUpdatesStatus>) {
  return (await server(ctx)).backgroundUpdatesStatus()
}

/** Shows whether background updates run; --enable/--disable changes it first. */
export async function backgroundUpdatesEnabled(ctx: RunContext<typeof spec.backgroundUpdatesEnabled>) {
  const api = await server(ctx)
  const enable = ctx.options.enable
  return enable === undefined ? api.backgroundUpdatesEnabled() : api.setBackgroundUpdatesEnabled(enable)
}

export async function startBackgroundJob(ctx: RunContext<typeof spec.startBackgroundJob>) {
  // find, not includes: the name found has the type of a job name, without a cast
  const jobName = BACKGROUND_JOBS.find((job) => job === ctx.args.job_name)
  const o = ctx.options
  if (jobName === undefined) throw usageError(`'${ctx.args.job_name}' is not one of ${BACKGROUND_JOBS.join(', ')}`)
  const beforeTs = o.before ?? o.beforeTs
  if (jobName !== 'event_resign' && (o.oldKey !== undefined || beforeTs !== undefined)) {
    throw usageError('--old-key, --before and --before-ts apply to the event_resign job only')
  }
  const job: BackgroundJob = { job_name: jobName }
  if (o.oldKey !== undefined) job.old_key = o.oldKey
  if (beforeTs !== undefined) job.before_ts = beforeTs
  const reply = await (await server(ctx)).startBackgroundJob(job)
  ctx.note(`Queued ${jobName}; follow it with: synadm background-updates status`)
  return reply
}

export async function scheduledTasks(ctx: RunContext<typeof spec.scheduledTasks>) {
  const o = ctx.options
  return (await server(ctx)).scheduledTasks({
    action_name: o.action,
    resource_id: o.resourceId,
    status: o.status,
    max_timestamp: o.before ?? o.beforeTs,
  })
}

export async function userMediaStatistics(ctx: RunContext<typeof spec.userMediaStatistics>) {
  const o = ctx.options
  return (await server(ctx)).userMediaStatistics({
    from: o.from,
    limit: o.limit,
    order_by: o.sort,
    dir: o.reverse ? 'b' : undefined,
    from_ts: o.since ?? o.sinceTs,
    until_ts: o.until ?? o.untilTs,
    search_term: o.search,
  })
}

export async function largestRooms(ctx: RunContext<typeof spec.largestRooms>) {
  return (await server(ctx)).largestRooms()
}
