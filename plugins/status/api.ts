/** Requests of `synadm status` that no other plugin offers, available to other plugins as `ctx.use('status')`. */
import { SynadmError, type ApiServices } from '../../core/index.js'

/** The OAuth 2.0 server metadata of a server that delegates auth to MAS (MSC2965); the fields status reads. */
export interface AuthMetadata {
  issuer: string
  account_management_uri?: string
  [key: string]: unknown
}

export function createStatusApi({ matrix }: ApiServices) {
  return {
    /**
     * the auth metadata Synapse serves when it delegates auth to MAS; null when it does not (404, or 400 from
     * servers that know the path but have no such metadata). Unauthenticated: sends no token
     */
    authMetadata: () =>
      matrix.get<AuthMetadata>('client/v1/auth_metadata', { token: null }).catch((error: unknown) => {
        if (SynadmError.is(error) && (error.status === 404 || error.status === 400)) return null
        throw error
      }),
  }
}

export type StatusApi = ReturnType<typeof createStatusApi>
