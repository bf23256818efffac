/** Event and user report Admin API requests, available to other plugins as `ctx.use('reports')`. */
import { path, SynadmError, type ApiServices } from '../../core/index.js'

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

/** A report's ID as the server listed it, checked before it goes into a path: a whole number. */
export function reportId(report: Record<string, unknown>): string {
  const id = report.id
  if ((typeof id === 'number' || typeof id === 'string') && /^\d{1,18}$/.test(String(id))) return String(id)
  throw new SynadmError('api', `the server listed a report whose id is not a number: ${JSON.stringify(id)?.slice(0, 40)}`)
}

export function createReportsApi({ admin }: ApiServices) {
  const api = {
    /** one page of event reports, newest first unless dir=f */
    eventReports: (query: EventReportQuery = {}) => admin.get<ReportPage<'event_reports'>>('v1/event_reports', { query: { ...query } }),
    eventReport: (reportId: string) => admin.get<Record<string, unknown>>(path`v1/event_reports/${reportId}`),
    deleteEventReport: (reportId: string) => admin.delete<Record<string, never>>(path`v1/event_reports/${reportId}`),
    /** one page of user reports (an undocumented Synapse API), newest first unless dir=f */
    userReports: (query: UserReportQuery = {}) => admin.get<ReportPage<'user_reports'>>('v1/user_reports', { query: { ...query } }),
    userReport: (reportId: string) => admin.get<Record<string, unknown>>(path`v1/user_reports/${reportId}`),
    deleteUserReport: (reportId: string) => admin.delete<Record<string, never>>(path`v1/user_reports/${reportId}`),
    reportId,
    /**
     * Resolves (deletes) reports one at a time: a report gone since it was listed (404) is counted, not an error; a
     * failure says how many were resolved before it.
     */
    async resolve(kind: 'event' | 'user', ids: readonly string[]): Promise<{ resolved: number; already_gone: number }> {
      const done = { resolved: 0, already_gone: 0 }
      for (const id of ids) {
        try {
          await (kind === 'event' ? api.deleteEventReport(id) : api.deleteUserReport(id))
          done.resolved++
        } catch (error) {
          if (SynadmError.is(error) && error.status === 404) done.already_gone++
          else if (SynadmError.is(error) && done.resolved) throw new SynadmError(error.kind, `${error.message}; ${done.resolved} report(s) resolved before`, { hint: error.hint, status: error.status, errcode: error.errcode, cause: error })
          else throw error
        }
      }
      return done
    },
  }
  return api
}

export type ReportsApi = ReturnType<typeof createReportsApi>
