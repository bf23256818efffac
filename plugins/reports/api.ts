/** Event and user report Admin API requests, available to other plugins as `ctx.use('reports')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface ReportQuery {
  from?: unknown
  limit?: number
  dir?: 'f' | 'b'
  /** the reporting user */
  user_id?: string
}

export interface EventReportQuery extends ReportQuery {
  room_id?: string
  event_sender_user_id?: string
}

export interface UserReportQuery extends ReportQuery {
  target_user_id?: string
}

type ReportPage<K extends string> = { [key in K]: Record<string, unknown>[] } & { total: number; next_token?: number }

export function createReportsApi({ admin }: ApiServices) {
  return {
    /** one page of event reports, newest first unless dir=f */
    eventReports: (query: EventReportQuery = {}) => admin.get<ReportPage<'event_reports'>>('v1/event_reports', { query: { ...query } }),
    eventReport: (reportId: string) => admin.get<Record<string, unknown>>(path`v1/event_reports/${reportId}`),
    deleteEventReport: (reportId: string) => admin.delete<Record<string, never>>(path`v1/event_reports/${reportId}`),
    /** one page of user reports (an undocumented Synapse API), newest first unless dir=f */
    userReports: (query: UserReportQuery = {}) => admin.get<ReportPage<'user_reports'>>('v1/user_reports', { query: { ...query } }),
    userReport: (reportId: string) => admin.get<Record<string, unknown>>(path`v1/user_reports/${reportId}`),
    deleteUserReport: (reportId: string) => admin.delete<Record<string, never>>(path`v1/user_reports/${reportId}`),
  }
}

export type ReportsApi = ReturnType<typeof createReportsApi>
