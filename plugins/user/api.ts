/**
 * Account Admin API requests, one method per endpoint; other plugins get them with `ctx.use<UserApi>('user')`.
 * Replies are returned as Synapse sends them.
 */
import { createHmac } from 'node:crypto'
import { path, type ApiServices } from '../../core/index.js'

export interface ThreePid {
  medium: string
  address: string
  added_at?: number
  validated_at?: number
}

export interface ExternalId {
  auth_provider: string
  external_id: string
}

export interface UserDetails {
  name: string
  admin: boolean
  deactivated: boolean
  erased?: boolean
  locked?: boolean
  shadow_banned?: boolean
  suspended?: boolean
  displayname: string | null
  avatar_url: string | null
  threepids: ThreePid[]
  external_ids: ExternalId[]
  creation_ts: number
  last_seen_ts: number | null
  user_type: string | null
  is_guest: boolean
  [key: string]: unknown
}

export interface UserListItem {
  name: string
  displayname: string | null
  admin: boolean
  deactivated: boolean
  [key: string]: unknown
}

export interface UserPage {
  users: UserListItem[]
  total: number
  next_token?: string
  [key: string]: unknown
}

/** Query of GET v2/users and v3/users; unset keys are not sent. */
export interface UserListQuery {
  from?: number | string
  limit?: number
  guests?: boolean
  deactivated?: boolean
  admins?: boolean
  name?: string
  user_id?: string
  order_by?: string
  dir?: 'f' | 'b'
  not_user_type?: string[]
  locked?: boolean
}

export interface MediaQuery {
  from?: number | string
  limit?: number
  order_by?: string
  dir?: 'f' | 'b'
}

export interface MediaItem {
  media_id: string
  created_ts: number
  last_access_ts: number | null
  media_length: number
  media_type: string
  upload_name: string | null
  [key: string]: unknown
}

export interface MediaPage {
  media: MediaItem[]
  total: number
  next_token?: number
}

export interface Device {
  device_id: string
  display_name: string | null
  last_seen_ip: string | null
  last_seen_ts: number | null
  last_seen_user_agent?: string | null
  user_id?: string
  [key: string]: unknown
}

export interface RedactRequest {
  /** [] = every room the user is (or was banned) in */
  rooms: string[]
  reason?: string
  limit?: number
  use_admin?: boolean
  before_ts?: number
  after_ts?: number
}

export interface RedactStatus {
  status: string
  failed_redactions?: Record<string, string>
  error?: string
}

export interface Ratelimit {
  messages_per_second?: number
  burst_count?: number
}

export interface SharedSecretRegistration {
  username: string
  password: string
  sharedSecret: string
  admin?: boolean
  displayname?: string
  userType?: string
}

/** Synapse's MAC over the registration fields: HMAC-SHA1 of nonce, username, password, admin flag [, user type]. */
export function registrationMac(nonce: string, r: Omit<SharedSecretRegistration, 'displayname'>): string {
  const fields = [nonce, r.username, r.password, r.admin ? 'admin' : 'notadmin']
  if (r.userType) fields.push(r.userType)
  return createHmac('sha1', r.sharedSecret).update(fields.join('\0')).digest('hex')
}

export function createUserApi({ admin, matrix }: ApiServices) {
  const user = (id: string) => path`${id}`
  const api = {
    /** GET v2/users: one page of accounts (deactivated ones only with `deactivated: true`). */
    list: (query: UserListQuery = {}) => admin.get<UserPage>('v2/users', { query: { ...query } }),
    /** GET v3/users: like list, but `deactivated` filters (true = only deactivated, false = only active, unset = all). */
    listV3: (query: UserListQuery = {}) => admin.get<UserPage>('v3/users', { query: { ...query } }),
    details: (userId: string) => admin.get<UserDetails>(`v2/users/${user(userId)}`),
    /** PUT v2/users/<id>: creates the account when absent, else changes only the fields in `body`. */
    createOrModify: (userId: string, body: Record<string, unknown>) => admin.put<UserDetails>(`v2/users/${user(userId)}`, body),
    whois: (userId: string) => admin.get(`v1/whois/${user(userId)}`),
    deactivate: (userId: string, erase: boolean) =>
      admin.post<{ id_server_unbind_result: string }>(`v1/deactivate/${user(userId)}`, { erase }),
    setSuspended: (userId: string, suspend: boolean) => admin.put<Record<string, boolean>>(`v1/suspend/${user(userId)}`, { suspend }),
    resetPassword: (userId: string, newPassword: string, logoutDevices?: boolean) =>
      admin.post(`v1/reset_password/${user(userId)}`, { new_password: newPassword, ...(logoutDevices === false ? { logout_devices: false } : {}) }),
    isAdmin: (userId: string) => admin.get<{ admin: boolean }>(`v1/users/${user(userId)}/admin`),
    setAdmin: (userId: string, isAdmin: boolean) => admin.put(`v1/users/${user(userId)}/admin`, { admin: isAdmin }),
    /** every room with the user's membership state (join, leave, invite, ban, knock) */
    memberships: (userId: string) => admin.get<{ memberships: Record<string, string> }>(`v1/users/${user(userId)}/memberships`),
    joinedRooms: (userId: string) => admin.get<{ joined_rooms: string[]; total: number }>(`v1/users/${user(userId)}/joined_rooms`),
    /** the local aliases of a room (client API; a server admin may ask for any room) */
    roomAliases: (roomId: string) => matrix.get<{ aliases: string[] }>(`client/v3/rooms/${path`${roomId}`}/aliases`),
    sentInviteCount: (userId: string, fromTs: number) =>
      admin.get<{ invite_count: number }>(`v1/users/${user(userId)}/sent_invite_count`, { query: { from_ts: fromTs } }),
    cumulativeJoinedRoomCount: (userId: string, fromTs: number) =>
      admin.get<{ cumulative_joined_room_count: number }>(`v1/users/${user(userId)}/cumulative_joined_room_count`, { query: { from_ts: fromTs } }),
    accountData: (userId: string) => admin.get(`v1/users/${user(userId)}/accountdata`),
    media: (userId: string, query: MediaQuery = {}) => admin.get<MediaPage>(`v1/users/${user(userId)}/media`, { query: { ...query } }),
    /** deletes the page of local media that `media` with the same query lists */
    deleteMedia: (userId: string, query: MediaQuery = {}) =>
      admin.delete<{ deleted_media: string[]; total: number }>(`v1/users/${user(userId)}/media`, undefined, { query: { ...query } }),
    /** an access token that acts as the user; no device is created. `validUntilMs` unset = never expires. */
    login: (userId: string, validUntilMs?: number) =>
      admin.post<{ access_token: string }>(`v1/users/${user(userId)}/login`, validUntilMs === undefined ? {} : { valid_until_ms: validUntilMs }),
    allowCrossSigningReplacement: (userId: string) =>
      admin.post<{ updatable_without_uia_before_ms: number }>(`v1/users/${user(userId)}/_allow_cross_signing_replacement_without_uia`, {}),
    devices: (userId: string) => admin.get<{ devices: Device[]; total: number }>(`v2/users/${user(userId)}/devices`),
    device: (userId: string, deviceId: string) => admin.get<Device>(`v2/users/${user(userId)}/devices/${path`${deviceId}`}`),
    createDevice: (userId: string, deviceId: string) => admin.post(`v2/users/${user(userId)}/devices`, { device_id: deviceId }),
    renameDevice: (userId: string, deviceId: string, displayName: string) =>
      admin.put(`v2/users/${user(userId)}/devices/${path`${deviceId}`}`, { display_name: displayName }),
    deleteDevice: (userId: string, deviceId: string) => admin.delete(`v2/users/${user(userId)}/devices/${path`${deviceId}`}`),
    deleteDevices: (userId: string, deviceIds: string[]) => admin.post(`v2/users/${user(userId)}/delete_devices`, { devices: deviceIds }),
    pushers: (userId: string) => admin.get<{ pushers: unknown[]; total: number }>(`v1/users/${user(userId)}/pushers`),
    shadowBan: (userId: string) => admin.post(`v1/users/${user(userId)}/shadow_ban`),
    removeShadowBan: (userId: string) => admin.delete(`v1/users/${user(userId)}/shadow_ban`),
    /** `{}` when the user has no override */
    ratelimit: (userId: string) => admin.get<Ratelimit>(`v1/users/${user(userId)}/override_ratelimit`),
    setRatelimit: (userId: string, limit: Required<Ratelimit>) => admin.post<Ratelimit>(`v1/users/${user(userId)}/override_ratelimit`, limit),
    deleteRatelimit: (userId: string) => admin.delete(`v1/users/${user(userId)}/override_ratelimit`),
    /** `{available: true}`; a taken or invalid name is an HTTP 400 (M_USER_IN_USE, M_INVALID_USERNAME, M_EXCLUSIVE) */
    usernameAvailable: (username: string) => admin.get<{ available: boolean }>('v1/username_available', { query: { username } }),
    byAuthProvider: (provider: string, externalId: string) =>
      admin.get<{ user_id: string }>(`v1/auth_providers/${path`${provider}`}/users/${path`${externalId}`}`),
    byThreePid: (medium: string, address: string) => admin.get<{ user_id: string }>(`v1/threepid/${path`${medium}`}/users/${path`${address}`}`),
    redact: (userId: string, body: RedactRequest) => admin.post<{ redact_id: string }>(`v1/user/${user(userId)}/redact`, body),
    redactStatus: (redactId: string) => admin.get<RedactStatus>(`v1/user/redact_status/${path`${redactId}`}`),
    experimentalFeatures: (userId: string) => admin.get<{ features: Record<string, boolean> }>(`v1/experimental_features/${user(userId)}`),
    setExperimentalFeatures: (userId: string, features: Record<string, boolean>) => admin.put(`v1/experimental_features/${user(userId)}`, { features }),
    /** POST v1/account_validity/validity; without `expiration_ts` Synapse adds its configured validity period to now */
    renewAccountValidity: (body: { user_id: string; expiration_ts?: number; enable_renewal_emails?: boolean }) =>
      admin.post<{ expiration_ts: number }>('v1/account_validity/validity', body),
    registrationNonce: () => admin.get<{ nonce: string }>('v1/register'),
    /** shared-secret registration: fetches a nonce, signs the request with the secret, creates the account */
    async register(r: SharedSecretRegistration) {
      const { nonce } = await api.registrationNonce()
      const body: Record<string, unknown> = { nonce, username: r.username, password: r.password, admin: Boolean(r.admin), mac: registrationMac(nonce, r) }
      if (r.displayname !== undefined) body.displayname = r.displayname
      if (r.userType) body.user_type = r.userType
      return admin.post<{ user_id: string; access_token?: string; home_server?: string; device_id?: string }>('v1/register', body)
    },
  }
  return api
}

export type UserApi = ReturnType<typeof createUserApi>
