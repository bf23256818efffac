/**
 * The built-in plugins' APIs as other plugins see them (`ctx.use('user')`), and the completion sources they offer
 * (`complete: 'user_id'`). Exported by the package `synadm`; they are part of the plugin API, so a breaking change
 * to any of them raises PLUGIN_API_VERSION. docs/plugins.md lists them (scripts/plugin-reference.mjs).
 */
import type { UserApi } from './user/api.js'
import type { RoomApi } from './room/api.js'
import type { HistoryApi } from './history/api.js'
import type { GroupApi } from './group/api.js'
import type { MediaApi } from './media/api.js'
import type { MatrixApi } from './matrix/api.js'
import type { RegtokApi } from './regtok/api.js'
import type { NoticeApi } from './notice/api.js'
import type { ServerApi } from './server/api.js'
import type { ReportsApi } from './reports/api.js'
import type { FederationApi } from './federation/api.js'
import type { MasApi } from './mas/api.js'
import type { StatusApi } from './status/api.js'

export type { ThreePid, ExternalId, UserDetails, UserListItem, UserPage, UserListQuery, MediaQuery, MediaItem, MediaPage, Device, RedactRequest, RedactStatus, Ratelimit, SharedSecretRegistration, UserApi } from './user/api.js'
export type { RoomRecord, RoomListPage, RoomListQuery, DeleteRoomBody, DeleteStatus, RoomApi } from './room/api.js'
export type { PurgeHistoryBody, PurgeStatus, HistoryApi } from './history/api.js'
export type { GroupApi } from './group/api.js'
export type { DeleteOldMediaQuery, MediaInfo, MediaApi } from './media/api.js'
export type { LoginReply, AdminClientConfig, MatrixApi } from './matrix/api.js'
export type { RegistrationToken, NewTokenBody, TokenUpdate, RegtokApi } from './regtok/api.js'
export type { NoticeBody, NoticeApi } from './notice/api.js'
export type { BackgroundJob, ScheduledTaskQuery, UserMediaStatisticsQuery, UserMediaStatistics, ServerApi } from './server/api.js'
export type { ReportQuery, EventReportQuery, UserReportQuery, ReportsApi } from './reports/api.js'
export type { Destination, DestinationQuery, FederationApi } from './federation/api.js'
export type { Delegation, MasUser, MasSession, MasPersonalSession, MasEmail, MasRegistrationToken, MasRecord, MasPage, MasFilter, PageQuery, SessionKind, MasApi } from './mas/api.js'
export type { AuthMetadata, StatusApi } from './status/api.js'

/** `ctx.use(name)` of each built-in API, typed. */
export interface BuiltinApis {
  user: UserApi
  room: RoomApi
  history: HistoryApi
  group: GroupApi
  media: MediaApi
  matrix: MatrixApi
  regtok: RegtokApi
  notice: NoticeApi
  server: ServerApi
  reports: ReportsApi
  federation: FederationApi
  status: StatusApi
  mas: MasApi
}

/** Names of the completion sources the built-in plugins offer, for `complete:` of arguments and options. */
export const BUILTIN_COMPLETION_SOURCES = ['user_id', 'room_id', 'room_alias', 'media_id', 'regtok', 'event_report_id', 'user_report_id', 'mas_user', 'mas_session', 'mas_personal_session', 'mas_email', 'mas_link', 'mas_provider', 'mas_client', 'mas_token'] as const
export type BuiltinCompletionSource = (typeof BUILTIN_COMPLETION_SOURCES)[number]

declare module '../core/contract/run-context.js' {
  interface Apis extends BuiltinApis {}
}
declare module '../core/contract/spec.js' {
  interface CompletionSources extends Record<BuiltinCompletionSource, true> {}
}
