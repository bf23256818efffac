/**
 * Evidence and data exports: documents about a target written into DIR/<target>/ before anything about it is
 * destroyed (`--evidence DIR` of a plan, `user export`). Folders 0700, files 0600, through the one redaction (secret
 * fields and typed secrets); never through a symbolic link; a DIR that someone else can write is refused, since they
 * could read or replace what is written there.
 */
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { SynadmError } from '../kernel/errors.js'
import { redact, redactText } from '../kernel/log.js'
import { currentIdentity, ownFileDoubt } from '../config/trust.js'

const unusableFor = (dir: string, why: string, hint?: string, what = 'evidence') => new SynadmError('config', `cannot write ${what} into ${dir}: ${why}`, { hint })

/**
 * Makes DIR (0700) when it is missing and checks that only you can write it: called before anything is sent, so a
 * plan whose evidence (or journal) cannot be written is refused whole. Returns the absolute folder.
 */
export function privateFolder(dir: string, what = 'evidence'): string {
  const unusable = (folder: string, why: string, hint?: string) => unusableFor(folder, why, hint, what)
  const folder = resolve(dir)
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 })
    const stats = lstatSync(folder)
    if (!stats.isDirectory()) throw unusable(folder, 'it is not a folder', 'give a folder path')
    const doubt = ownFileDoubt(folder, currentIdentity())
    if (doubt) throw unusable(folder, doubt, 'give a folder only you can write (it is created 0700 when missing)')
    const probe = join(folder, `.synadm-probe-${process.pid}`)
    closeSync(openSync(probe, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o600))
    unlinkSync(probe)
  } catch (error) {
    if (SynadmError.is(error)) throw error
    const { code, message } = error as NodeJS.ErrnoException
    throw unusable(folder, code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : message, 'give a folder you can write')
  }
  return folder
}

/** A target as a folder name: what IDs hold besides letters, digits, `@ . _ -` becomes `_` (`!abc:x` → `!abc_x`). */
export const targetFolder = (target: string) => target.replace(/[^A-Za-z0-9@!#$.+=_-]/g, '_').replace(/^\.+/, '_')

/** A document name as a file name: `memberships` → `memberships.json`; no folders, nothing hidden. */
const fileName = (name: string) => `${name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')}.json`

/** Writes the documents of one target: DIR/<target>/<name>.json, each redacted. Returns the files written. */
export function writeEvidence(dir: string, target: string, documents: Record<string, unknown>): string[] {
  const folder = join(privateFolder(dir), targetFolder(target))
  try {
    mkdirSync(folder, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unusableFor(folder, (error as Error).message)
  }
  const stats = lstatSync(folder)
  if (!stats.isDirectory()) throw unusableFor(folder, 'it is not a folder (a link?)')
  const written: string[] = []
  for (const [name, document] of Object.entries(documents)) {
    const file = join(folder, fileName(name))
    // O_NOFOLLOW: a link planted in the folder cannot send the evidence elsewhere.
    const fd = openSync(file, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
    try {
      fchmodSync(fd, 0o600)
      writeSync(fd, redactText(JSON.stringify(redact(document), null, 2)) + '\n')
    } finally {
      closeSync(fd)
    }
    written.push(file)
  }
  return written
}
