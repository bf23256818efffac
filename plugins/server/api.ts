/** Server-wide Admin API requests, available to other plugins as `ctx.use('server')`. */
import type { ApiServices } from '../../core/index.js'

export function createServerApi({ admin }: ApiServices) {
  return {
    version: () => admin.get<{ server_version: string; python_version?: string }>('v1/server_version'),
  }
}

export type ServerApi = ReturnType<typeof createServerApi>
