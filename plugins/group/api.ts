/** The legacy groups (communities) API, available to other plugins as `ctx.use('group')`. */
import { path, type ApiServices } from '../../core/index.js'

export function createGroupApi({ admin }: ApiServices) {
  return {
    /** Synapse before 1.61 only; later servers answer 404 M_UNRECOGNIZED */
    deleteGroup: (groupId: string) => admin.post(path`v1/delete_group/${groupId}`),
  }
}

export type GroupApi = ReturnType<typeof createGroupApi>
