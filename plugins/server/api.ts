/** Server-wide Admin API requests, available to other plugins as `ctx.use('server')`. */
import type { ApiServices } from '../../core/index.js'

/** the jobs Synapse can be asked to (re)run */
export const BACKGROUND_JOBS = ['populate_stats_process_rooms', 'regenerate_directory', 'event_resign'] as const

export interface BackgroundJob {
  job_name: (typeof BACKGROUND_JOBS)[number]
  /** event_resign only: the key ID to re-sign events of */
  old_key?: string
  /** event_resign only: re-sign events before this ms timestamp */
  before_ts?: number
}

export interface ScheduledTaskQuery {
  action_name?: string[]
  resource_id?: string
  status?: string[]
  max_timestamp?: number
}

export interface UserMediaStatisticsQuery {
  from?: unknown
  limit?: number
  order_by?: 'user_id' | 'displayname' | 'media_length' | 'media_count'
  dir?: 'f' | 'b'
  from_ts?: number
  until_ts?: number
  search_term?: string
}

export type UserMediaStatistics = {
  users: { user_id: string; displayname: string | null; media_count: number; media_length: number }[]
  total: number
  next_token?: number
}

export function createServerApi({ admin }: ApiServices) {
  return {
    version: () => admin.get<{ server_version: string; python_version?: string }>('v1/server_version'),
    backgroundUpdatesStatus: () =>
      admin.get<{ enabled: boolean; current_updates: Record<string, Record<string, unknown>> }>('v1/background_updates/status'),
    backgroundUpdatesEnabled: () => admin.get<{ enabled: boolean }>('v1/background_updates/enabled'),
    /** pauses (false) or resumes (true) background updates until the next restart */
    setBackgroundUpdatesEnabled: (enabled: boolean) => admin.post<{ enabled: boolean }>('v1/background_updates/enabled', { enabled }),
    startBackgroundJob: (job: BackgroundJob) => admin.post<Record<string, never>>('v1/background_updates/start_job', job),
    scheduledTasks: (query: ScheduledTaskQuery = {}) =>
      admin.get<{ scheduled_tasks: Record<string, unknown>[] }>('v1/scheduled_tasks', { query: { ...query } }),
    /** one page of local users with the number and total size of the media they uploaded */
    userMediaStatistics: (query: UserMediaStatisticsQuery = {}) =>
      admin.get<UserMediaStatistics>('v1/statistics/users/media', { query: { ...query } }),
    /** the rooms taking the most database space (PostgreSQL only) */
    largestRooms: () => admin.get<{ rooms: { room_id: string; estimated_size: number }[] }>('v1/statistics/database/rooms'),
  }
}

export type ServerApi = ReturnType<typeof createServerApi>
