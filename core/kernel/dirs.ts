/**
 * synadm's folders under the XDG base directories. An unset or empty variable means the default, as the XDG spec
 * says. (bin/code-cache.cjs, which runs before this bundle, applies the same rule to the cache folder.)
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

type Env = NodeJS.ProcessEnv
const under = (value: string | undefined, ...fallback: string[]) => join(value || join(homedir(), ...fallback), 'synadm')

/** `$XDG_CONFIG_HOME/synadm`, else `~/.config/synadm` */
export const configDir = (env: Env) => under(env.XDG_CONFIG_HOME, '.config')
/** `$XDG_DATA_HOME/synadm`, else `~/.local/share/synadm` */
export const dataDir = (env: Env) => under(env.XDG_DATA_HOME, '.local', 'share')
/** `$XDG_STATE_HOME/synadm`, else `~/.local/state/synadm` */
export const stateDir = (env: Env) => under(env.XDG_STATE_HOME, '.local', 'state')
/** `$XDG_CACHE_HOME/synadm`, else `~/.cache/synadm` */
export const cacheDir = (env: Env) => under(env.XDG_CACHE_HOME, '.cache')
