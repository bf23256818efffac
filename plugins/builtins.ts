/** The built-in plugins, loaded through the same contract as third-party ones. */
import type { SynadmPlugin } from '../core/index.js'
import server from './server/index.js'

export const builtins: SynadmPlugin[] = [server]
