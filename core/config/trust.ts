/**
 * Which config files synadm believes, modelled on git's safe.directory (CVE-2022-24765) and ssh's StrictModes:
 * a file that another user can write, or can swap by writing a folder on the way to it, decides nothing.
 * Only the file system checks live here; config.ts decides what a project config may set.
 */
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs'
import { userInfo } from 'node:os'
import { dirname } from 'node:path'

/** The user whose files are believed (tests pass another). */
export interface Identity {
  uid: number
  gid: number
  user: string
}

/** This process's user; undefined where files have no POSIX owner (Windows): then nothing is checked. */
export function currentIdentity(): Identity | undefined {
  if (!process.getuid || !process.getgid) return undefined
  let user = ''
  try {
    user = userInfo().username
  } catch {} // a uid without a passwd entry (containers) has no private group
  return { uid: process.getuid(), gid: process.getgid(), user }
}

const GROUP_WRITE = 0o020
const OTHER_WRITE = 0o002
const STICKY = 0o1000

/**
 * A user private group: the user's primary group, named after them, with no other members. Debian and Ubuntu give
 * every user one and a umask of 002, so group-writable files in it are writable by the user alone (as Debian's ssh
 * allows).
 */
function isPrivateGroup(gid: number, id: Identity): boolean {
  if (gid !== id.gid || !id.user) return false
  let groups: string
  try {
    groups = readFileSync('/etc/group', 'utf8')
  } catch {
    return false
  }
  const entry = groups.split('\n').map((line) => line.split(':')).find((fields) => fields.length >= 3 && fields[2] === String(gid))
  return entry !== undefined && entry[0] === id.user && (entry[3] ?? '').split(',').every((member) => member === '' || member === id.user)
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0')

/**
 * Why someone other than you (or root) could change this file or folder, or undefined. `stickyHelps`: a folder
 * writable by all with the sticky bit (like /tmp) lets no one rename or remove what is yours in it.
 */
function doubt(stats: Stats, id: Identity, stickyHelps: boolean): string | undefined {
  if (stats.uid !== id.uid && stats.uid !== 0) return `belongs to another user (uid ${stats.uid})`
  if (stickyHelps && stats.mode & STICKY) return undefined
  if (stats.mode & OTHER_WRITE) return `is writable by other users (mode ${octal(stats.mode)})`
  if (stats.mode & GROUP_WRITE && !isPrivateGroup(stats.gid, id)) return `is writable by its group (gid ${stats.gid}, mode ${octal(stats.mode)})`
  return undefined
}

/** Why one of the user's own files (config, profile, plugin list) cannot be believed, or undefined. */
export function ownFileDoubt(file: string, id: Identity | undefined): string | undefined {
  if (!id) return undefined
  const why = doubt(statSync(file), id, false)
  return why && `${file} ${why}`
}

/** The folders above `dir`, nearest first, up to the root. */
function foldersAbove(dir: string): string[] {
  const above: string[] = []
  for (let current = dir; dirname(current) !== current; ) above.push((current = dirname(current)))
  return above
}

/**
 * Why a project config file the search found cannot be believed, or undefined. Checked: the file; its folder and
 * every folder the search passed on the way from the working directory (`searched`), which must not be writable
 * by others even with the sticky bit, since anyone who can add a file there can add one the search finds first;
 * and the folders above the file's, which others may write only with the sticky bit (or they could rename the
 * folder holding it and put their own in its place). Each must belong to you or root.
 */
export function projectFileDoubt(file: string, searched: string[], id: Identity | undefined): string | undefined {
  if (!id) return undefined
  const real = realpathSync(file) // a link is judged by what it points to
  const fileDoubt = doubt(statSync(real), id, false)
  if (fileDoubt) return `it ${fileDoubt}`
  const strict = [...new Set([dirname(real), ...searched])]
  for (const dir of strict) {
    const why = doubt(statSync(dir), id, false)
    if (why) return `the folder ${dir} ${why}`
  }
  for (const dir of foldersAbove(dirname(real)).filter((d) => !strict.includes(d))) {
    const why = doubt(statSync(dir), id, true)
    if (why) return `the folder ${dir} ${why}`
  }
  return undefined
}
