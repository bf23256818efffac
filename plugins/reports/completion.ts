/** Live completion values for report IDs: the newest 1000 of each kind. */
import type { CompletionProvider } from '../../core/index.js'
import type { ReportsApi } from './api.js'

const CACHED = 1000

/** The IDs of the newest event reports (the list is newest first). */
export const eventReportIds: CompletionProvider = {
  async fetch(api) {
    const page = await (await api<ReportsApi>('reports')).eventReports({ limit: CACHED })
    return { values: page.event_reports.map((r) => String(r.id)), partial: page.total > page.event_reports.length }
  },
}

/** The IDs of the newest user reports; none where the server has no user reports (completion is best effort). */
export const userReportIds: CompletionProvider = {
  async fetch(api) {
    const page = await (await api<ReportsApi>('reports')).userReports({ limit: CACHED })
    return { values: page.user_reports.map((r) => String(r.id)), partial: page.total > page.user_reports.length }
  },
}
