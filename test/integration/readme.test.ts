// The README's shell examples run against the real Synapse, as a reader would type them: each ```sh block of
// README.md is a test (a changed example is a changed test). How a block is run, and the comment that marks a
// block needing fixtures or one that cannot run here, are described in readme-examples.ts and atop README.md.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { clientCredentialsToken, masAdminRequest } from '../mas/control.js'
import { repoRoot, writeSynadmConfig } from '../synapse/server.mjs'
import { createRoom, registerUser, uniqueName } from './fixtures.js'
import { readme, readmeExamples, type Example } from './readme-examples.js'
import { synapse, synapseMas } from './synapse-info.js'

const examples = readmeExamples(readme())
// The block that removes everything runs last: the blocks before it leave in HOME what synadm writes.
const ordered = [...examples.filter((e) => !e.marks.removesEverything), ...examples.filter((e) => e.marks.removesEverything)]

interface Place {
  home: string
  work: string
  env: Record<string, string>
  clone?: string
}

function title(example: Example) {
  const first = example.code.split('\n').find((line) => line.trim() !== '') ?? ''
  const name = `README.md:${example.line} ${first.trim()}`
  return example.marks.skip ? `${name} (not run: ${example.marks.skip})` : name
}

/** Runs `script` with bash; resolves with the exit code and the interleaved output. */
function bash(script: string, cwd: string, env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL')
      reject(new Error(`timed out after ${timeoutMs / 1000} s; output so far:\n${output}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** A user made as MAS makes them (`mas` examples): through MAS's admin API, which provisions it in Synapse. */
async function masUser(localpart: string) {
  const { mas } = synapseMas()
  const reply = await masAdminRequest(mas, await clientCredentialsToken(mas), 'POST', '/users', { body: { username: localpart } })
  if (reply.status !== 201) throw new Error(`MAS did not create ${localpart}: ${reply.status} ${JSON.stringify(reply.body)}`)
}

/** What the placeholders of one block stand for: fresh users and rooms, then the test server's names. */
async function substitute(example: Example): Promise<(text: string) => string> {
  const info = example.marks.mas ? synapseMas() : synapse()
  const replacements: [RegExp, string][] = []
  for (const placeholder of example.marks.rooms) {
    const alias = placeholder.startsWith('#') ? uniqueName(`readme-${placeholder.slice(1, placeholder.indexOf(':'))}`) : undefined
    const roomId = await createRoom(info.adminToken, { name: `README ${placeholder}`, alias })
    replacements.push([new RegExp(escape(placeholder), 'g'), alias ? `#${alias}:${info.serverName}` : roomId])
  }
  for (const name of example.marks.users) {
    const localpart = uniqueName(`readme-${name}`)
    await (example.marks.mas ? masUser(localpart) : registerUser(localpart))
    replacements.push([new RegExp(`\\b${escape(name)}\\b`, 'g'), localpart])
  }
  replacements.push([/@admin:example\.org/g, info.adminUserId], [/example\.org/g, info.serverName])
  return (text) => replacements.reduce((out, [pattern, value]) => out.replace(pattern, value), text)
}

/** What `synadm plugins install NAME` leaves in plugins.yaml, with the package from this checkout's node_modules. */
function listPlugin(home: string, name: string) {
  const listFile = join(home, '.config', 'synadm', 'plugins.yaml')
  const entry = createRequire(join(repoRoot, 'package.json')).resolve(name)
  const listed = existsSync(listFile) ? readFileSync(listFile, 'utf8') : 'plugins:\n'
  mkdirSync(dirname(listFile), { recursive: true })
  if (!listed.includes(entry)) writeFileSync(listFile, `${listed}  - ${entry}\n`)
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Every file under `dir` that synadm left: by name or by content. (tabtab's loader, ~/.config/tabtab/bash/__tabtab.bash,
 * is shared with other programs; once synadm's completion is uninstalled it no longer names synadm.)
 */
function leftovers(dir: string): string[] {
  const found: string[] = []
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (/synadm/i.test(relative(dir, full)) || (entry.isFile() && /synadm/i.test(readFileSync(full, 'utf8')))) {
        found.push(relative(dir, full))
      }
    }
  }
  walk(dir)
  return found
}

describe.skipIf(!inject('synapse').available)('README examples', () => {
  let place: Place
  let masPlace: Place | undefined

  beforeAll(() => {
    const info = synapse()
    const root = mkdtempSync(join(tmpdir(), 'synadm-readme-'))
    const home = join(root, 'home')
    const work = join(root, 'work')
    const bin = join(root, 'bin')
    const prefix = join(root, 'npm-global')
    for (const dir of [home, work, bin, prefix]) mkdirSync(dir)
    writeSynadmConfig(join(home, '.config', 'synadm.yaml'), info)
    // `synadm` as npm links it: the bin script itself, run by node through its #! line.
    symlinkSync(join(repoRoot, 'bin', 'synadm.js'), join(bin, 'synadm'))
    // npm works offline from the machine's cache; a global install goes to a private prefix, first on PATH.
    const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim()
    const env: Record<string, string> = {
      HOME: home,
      PATH: [join(prefix, 'bin'), bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      TMPDIR: tmpdir(),
      npm_config_cache: npmCache,
      npm_config_offline: 'true',
      npm_config_prefix: prefix,
      npm_config_logs_dir: join(root, 'npm-logs'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    }
    place = { home, work, env }
    // `mas` examples: a HOME of their own, whose config points at the Synapse that delegates auth to MAS
    if (inject('synapseMas').available) {
      const masHome = join(root, 'mas-home')
      writeSynadmConfig(join(masHome, '.config', 'synadm.yaml'), synapseMas())
      masPlace = { home: masHome, work, env: { ...env, HOME: masHome } }
    }
    return () => rmSync(root, { recursive: true, force: true })
  })

  for (const example of ordered) {
    const timeout = example.marks.checkout ? 600_000 : 120_000
    it.skipIf(Boolean(example.marks.skip) || (example.marks.mas && !inject('synapseMas').available))(title(example), async () => {
      const where = example.marks.mas ? masPlace! : place
      if (example.marks.checkout && !place.clone) {
        place.clone = join(dirname(place.work), 'checkout')
        execFileSync('git', ['clone', '--quiet', repoRoot, place.clone])
      }
      const cwd = example.marks.checkout ? place.clone! : where.work
      const replace = await substitute(example)
      for (const file of example.marks.files) writeFileSync(join(cwd, file.name), replace(file.text))
      for (const name of example.marks.plugins) listPlugin(where.home, name)
      const strict = example.marks.exit === 0 ? 'set -eo pipefail\n' : 'set -o pipefail\n'
      const { code, output } = await bash(strict + replace(example.code), cwd, where.env, timeout - 10_000)
      expect(code, `README.md:${example.line} exited ${code}; output:\n${output}`).toBe(example.marks.exit)
      for (const text of example.marks.prints) expect(output, `README.md:${example.line}`).toContain(replace(text))
      if (example.marks.removesEverything) {
        expect(leftovers(place.home), 'files left in HOME after the removal example').toEqual([])
        expect(existsSync(join(place.env.npm_config_prefix, 'bin', 'synadm')), 'synadm still installed').toBe(false)
      }
    }, timeout)
  }
})
