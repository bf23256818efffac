/** The built-in plugins, loaded through the same contract as third-party ones. */
import type { SynadmPlugin } from '../core/index.js'
import group from './group/index.js'
import federation from './federation/index.js'
import history from './history/index.js'
import mas from './mas/index.js'
import matrix from './matrix/index.js'
import media from './media/index.js'
import notice from './notice/index.js'
import raw from './raw/index.js'
import regtok from './regtok/index.js'
import reports from './reports/index.js'
import room from './room/index.js'
import server from './server/index.js'
import status from './status/index.js'
import user from './user/index.js'

export const builtins: SynadmPlugin[] = [user, room, history, group, media, matrix, regtok, notice, raw, server, reports, federation, status, mas]
