/** The plugin's API: one method per request. synadm builds it with the session's HTTP clients. */
import type { ApiServices } from 'synadm'

export function createHelloApi({ matrix }: ApiServices) {
  return {
    /** client API: whom the access token belongs to */
    whoami: () => matrix.get<{ user_id: string; device_id?: string; is_guest?: boolean }>('client/v3/account/whoami'),
  }
}

export type HelloApi = ReturnType<typeof createHelloApi>
