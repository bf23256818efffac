// `npm pack` and `npm publish`: the packed package.json leaves out `prepare`, which builds dist/ in a checkout (after
// `npm ci`): a tarball holds dist/ already, and npm 11 warns about every install script of a package it installs.
// prepack: `node scripts/pack-manifest.mjs strip`; postpack: `… restore` puts the file back byte for byte. A folder
// after the word is the package's (tests); the default is this checkout.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const folder = process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url))
const manifest = join(folder, 'package.json')
const kept = join(folder, 'package.json.prepack')

if (process.argv[2] === 'strip') {
  // a pack that failed before its postpack left the original aside: put it back first
  if (existsSync(kept)) renameSync(kept, manifest)
  const text = readFileSync(manifest, 'utf8')
  const packed = JSON.parse(text)
  delete packed.scripts.prepare
  writeFileSync(kept, text)
  writeFileSync(manifest, JSON.stringify(packed, null, 2) + '\n')
} else if (process.argv[2] === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest)
} else {
  throw new Error('usage: node scripts/pack-manifest.mjs strip|restore')
}
