import { usageError, type RunContext } from '../../core/index.js'
import { BACKGROUND_JOBS, type BackgroundJob, type ServerApi } from './api.js'

const server = (ctx: RunContext) => ctx.use<ServerApi>('server')

export async function version(ctx: RunContext) {
  return (await server(ctx)).version()
}

export async function backgroundUpdatesStatus(ctx: RunContext) {
  return (await server(ctx)).backgroundUpdatesStatus()
}

/** Shows whether background updates run; --enable/--disable changes it first. */
export async function backgroundUpdatesEnabled(ctx: RunContext) {
  const api = await server(ctx)
  const enable = ctx.options.enable as boolean | undefined
  return enable === undefined ? api.backgroundUpdatesEnabled() : api.setBackgroundUpdatesEnabled(enable)
}

export async function startBackgroundJob(ctx: RunContext) {
  const jobName = ctx.args.job_name as BackgroundJob['job_name']
  const o = ctx.options as { oldKey?: string; before?: number; beforeTs?: number }
  if (!BACKGROUND_JOBS.includes(jobName)) throw usageError(`'${jobName}' is not one of ${BACKGROUND_JOBS.join(', ')}`)
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

export async function scheduledTasks(ctx: RunContext) {
  const o = ctx.options as { action?: string[]; resourceId?: string; status?: string[]; before?: number; beforeTs?: number }
  return (await server(ctx)).scheduledTasks({
    action_name: o.action,
    resource_id: o.resourceId,
    status: o.status,
    max_timestamp: o.before ?? o.beforeTs,
  })
}

export async function userMediaStatistics(ctx: RunContext) {
  const o = ctx.options as {
    from?: unknown
    limit: number
    sort?: 'user_id' | 'displayname' | 'media_length' | 'media_count'
    reverse?: boolean
    since?: number
    sinceTs?: number
    until?: number
    untilTs?: number
    search?: string
  }
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

export async function largestRooms(ctx: RunContext) {
  return (await server(ctx)).largestRooms()
}
