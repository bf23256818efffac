/** Registration token Admin API requests, available to other plugins as `ctx.use('regtok')`. */
import { path, type ApiServices } from '../../core/index.js'

export interface RegistrationToken {
  token: string
  uses_allowed: number | null
  pending: number
  completed: number
  expiry_time: number | null
}

export interface NewTokenBody {
  token?: string
  length?: number
  uses_allowed?: number | null
  expiry_time?: number | null
}

/** Only the fields present are changed; null means unlimited uses / no expiry. */
export interface TokenUpdate {
  uses_allowed?: number | null
  expiry_time?: number | null
}

export function createRegtokApi({ admin }: ApiServices) {
  return {
    /** all tokens, or only the valid (true) or invalid (false) ones */
    list: (valid?: boolean) => admin.get<{ registration_tokens: RegistrationToken[] }>('v1/registration_tokens', { query: { valid } }),
    details: (token: string) => admin.get<RegistrationToken>(path`v1/registration_tokens/${token}`),
    create: (body: NewTokenBody) => admin.post<RegistrationToken>('v1/registration_tokens/new', body),
    update: (token: string, changes: TokenUpdate) => admin.put<RegistrationToken>(path`v1/registration_tokens/${token}`, changes),
    delete: (token: string) => admin.delete<Record<string, never>>(path`v1/registration_tokens/${token}`),
  }
}

export type RegtokApi = ReturnType<typeof createRegtokApi>
