/** Client-Server API requests, available to other plugins as `ctx.use('matrix')`. */
import type { ApiServices } from '../../core/index.js'

export interface LoginReply {
  user_id: string
  access_token: string
  device_id: string
  home_server?: string
  well_known?: unknown
  [key: string]: unknown
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
    /** whose token this is (the admin's unless another token is given) */
    whoami: (token?: string) => matrix.get<{ user_id: string; device_id?: string; is_guest?: boolean }>('client/v3/account/whoami', { token }),
  }
}

export type MatrixApi = ReturnType<typeof createMatrixApi>
