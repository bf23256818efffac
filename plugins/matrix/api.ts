/** Client-Server API requests, available to other plugins as `ctx.use('matrix')`. */
import { path, SynadmError, type ApiServices } from '../../core/index.js'

export interface LoginReply {
  user_id: string
  access_token: string
  device_id: string
  home_server?: string
  well_known?: unknown
  [key: string]: unknown
}

const ADMIN_CLIENT_CONFIG = 'io.element.synapse.admin_client_config'

/** What Synapse shows an admin's own clients beyond what users see (Synapse 1.130+). */
export interface AdminClientConfig {
  return_soft_failed_events?: boolean
  return_policy_server_spammy_events?: boolean
}

export function createMatrixApi({ matrix }: ApiServices) {
  return {
    /** password login; sends no admin token, so the new token belongs to the user alone */
    login: (userId: string, password: string, deviceName = 'synadm matrix login command') =>
      matrix.post<LoginReply>(
        'client/v3/login',
        { type: 'm.login.password', identifier: { type: 'm.id.user', user: userId }, password, initial_device_display_name: deviceName },
        { token: null },
      ),
    /** Synapse's per-admin client settings (account data io.element.synapse.admin_client_config); {} when never set */
    adminClientConfig: (adminId: string) =>
      matrix.get<AdminClientConfig>(path`client/v3/user/${adminId}/account_data/${ADMIN_CLIENT_CONFIG}`).catch((error) => {
        if (SynadmError.is(error) && error.kind === 'notFound') return {} as AdminClientConfig
        throw error
      }),
    setAdminClientConfig: (adminId: string, config: AdminClientConfig) =>
      matrix.put(path`client/v3/user/${adminId}/account_data/${ADMIN_CLIENT_CONFIG}`, config),
    /** whose token this is (the admin's unless another token is given) */
    whoami: (token?: string) => matrix.get<{ user_id: string; device_id?: string; is_guest?: boolean }>('client/v3/account/whoami', { token }),
  }
}

export type MatrixApi = ReturnType<typeof createMatrixApi>
