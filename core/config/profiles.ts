/**
 * Named server profiles. Each profile is a file the Python synadm also reads (`synadm -c FILE`), kept in
 * `$XDG_CONFIG_HOME/synadm/servers/NAME.yaml` — beside, not inside, `~/.config/synadm.yaml`, because the Python
 * synadm's `config` command rewrites that file with its own keys only. The user file is the profile `default`.
 */
import { readdirSync } from 'node:fs'
import { configDir } from '../kernel/dirs.js'
import { join } from 'node:path'
import { defaultConfigFile } from './settings.js'
import { usageError } from '../kernel/errors.js'

export const DEFAULT_PROFILE = 'default'
/** `-S all`: every profile */
export const ALL_PROFILES = 'all'
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

const profilesDir = (env: NodeJS.ProcessEnv) => join(configDir(env), 'servers')

function checkProfileName(name: string): string {
  if (!NAME.test(name) || name === ALL_PROFILES || name.endsWith('.yaml')) {
    throw usageError(`'${name}' is not a server profile name`, 'names are letters, digits, - _ and . (not "all"); see synadm servers')
  }
  return name
}

/** The file of a profile: `default` is the user config file, every other name a file in the profiles folder. */
function profileFile(name: string, env: NodeJS.ProcessEnv): string {
  if (name === DEFAULT_PROFILE) return defaultConfigFile(env)
  return join(profilesDir(env), `${checkProfileName(name)}.yaml`)
}

/** Named profiles found on disk (sorted), without `default`. Synchronous: Tab completion asks on every key. */
export function namedProfiles(env: NodeJS.ProcessEnv): string[] {
  let names: string[]
  try {
    names = readdirSync(profilesDir(env))
  } catch {
    return []
  }
  return names
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -'.yaml'.length))
    .filter((n) => NAME.test(n) && n !== ALL_PROFILES && n !== DEFAULT_PROFILE)
    .sort()
}

/** `default` first, then the named profiles: what `-S all` and `synadm servers` cover. */
export const allProfiles = (env: NodeJS.ProcessEnv) => [DEFAULT_PROFILE, ...namedProfiles(env)]

/** The profile names a `-S` value selects: one name, a comma list, or `all`. */
export function selectProfiles(value: string, env: NodeJS.ProcessEnv): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean)
  if (names.length === 0) throw usageError(`'-S ${value}' names no server profile`)
  const chosen = names.includes(ALL_PROFILES) ? allProfiles(env) : names.map(checkProfileName)
  return [...new Set(chosen)]
}

/** Where a session's settings come from: a profile (`-S NAME`, `use NAME`) or a file given with -c. */
export interface SessionDefaults {
  configFile?: string
  /** the profile name; unset with -c FILE (then labelled by the file) and for the default file */
  profile?: string
  /** several profiles (`-S a,b`, `-S all`, SYNADM_SERVER): every command runs on each of them */
  fleet?: string
}

/**
 * What the command line starts the session on: -c FILE, or -S (else SYNADM_SERVER): one profile, or several
 * (a fleet: each command runs on every one of them).
 */
export function sessionDefaults(globals: { configFile?: string; server?: string }, env: NodeJS.ProcessEnv): SessionDefaults {
  if (globals.configFile !== undefined && globals.server !== undefined) throw usageError('-c and -S both choose the configuration: give one of them')
  if (globals.configFile !== undefined) return { configFile: globals.configFile }
  const server = globals.server ?? (env.SYNADM_SERVER || undefined)
  if (server === undefined || server === DEFAULT_PROFILE) return {}
  if (isFleet(server)) return { fleet: server }
  return { configFile: profileFile(server, env), profile: server }
}

/** Several servers at once (`-S a,b`, `-S all`): the fleet runner labels each result with its server. */
export const isFleet = (value: string | undefined) => value !== undefined && (value.includes(',') || value.trim() === ALL_PROFILES)
