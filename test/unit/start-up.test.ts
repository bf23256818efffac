// The built CLI's start-up (scripts/build.mjs, bin/code-cache.cjs), run as users run it: a command compiles and runs
// only the files of dist/cli it needs, each through a V8 code cache kept per build in $XDG_CACHE_HOME/synadm, and
// does not load the Node.js modules it does not use. Which files a run loaded shows in the caches it wrote (one per
// file), and which sources a file holds in its source map.
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repoRoot = join(import.meta.dirname, '..', '..')
const bin = join(repoRoot, 'bin', 'synadm.js')
const cliDir = join(repoRoot, 'dist', 'cli')
const buildId = () => /^\/\/ synadm build (\w+)\n/.exec(readFileSync(join(cliDir, 'main.js'), 'utf8'))?.[1]

/** A stand-in for Synapse: the server version, and an empty JSON object for anything else. */
let server: Server
let baseUrl: string
beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(req.url?.endsWith('/server_version') ? { server_version: '1.160.0' } : {}))
  })
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((closed) => server.close(() => closed())))

/** A fresh HOME with a config for the stand-in; `cacheRoot` is its $XDG_CACHE_HOME/synadm. */
function home() {
  const dir = mkdtempSync(join(tmpdir(), 'synadm-start-up-'))
  const config = join(dir, 'synadm.yaml')
  writeFileSync(config, `user: '@admin:example.org'\ntoken: secret\nbase_url: ${baseUrl}\nhomeserver: example.org\n`)
  chmodSync(config, 0o600)
  return { dir, config, cacheRoot: join(dir, 'cache', 'synadm') }
}

/**
 * Runs the built CLI (not synchronously: the stand-in answers from this process); `modules` lists the Node.js
 * modules the process loaded, which a preloaded script writes at exit.
 */
function synadm(args: string[], { dir, config }: ReturnType<typeof home>) {
  const modulesFile = join(dir, 'modules.json')
  const preload = join(dir, 'modules.cjs')
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(modulesFile)}, JSON.stringify(process.moduleLoadList)))\n`)
  const env = { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), XDG_DATA_HOME: join(dir, 'data') }
  return new Promise<{ status: number | null; stdout: string; stderr: string; modules: string[] }>((done) => {
    execFile(process.execPath, ['--require', preload, bin, '-c', config, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const loaded: string[] = JSON.parse(readFileSync(modulesFile, 'utf8'))
      const modules = loaded.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))
      done({ status: error ? ((error.code as number | undefined) ?? null) : 0, stdout, stderr, modules })
    })
  })
}

/** The files of dist/cli a run loaded (each wrote its cache), and the sources they hold. */
function loadedFiles(cacheRoot: string) {
  const files = readdirSync(join(cacheRoot, `code-${buildId()}`)).map((name) => name.replace(/\.bin$/, ''))
  const sources = files.flatMap((file) => JSON.parse(readFileSync(join(cliDir, `${file}.map`), 'utf8')).sources as string[])
  return { files, sources: sources.map((source) => source.replace(/^(\.\.\/)+/, '')) }
}

describe('start-up of the built CLI', () => {
  it('compiles only main.js for --version', async () => {
    const h = home()
    const result = await synadm(['--version'], h)
    expect(result.stdout).toMatch(/^synadm, version /)
    expect(loadedFiles(h.cacheRoot).files).toEqual(['main.js'])
  })

  it('runs a read without the other commands, the shell, bulk runs, prompts, tables or YAML', async () => {
    const h = home()
    const result = await synadm(['-o', 'json', 'version'], h)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ server_version: '1.160.0' })
    const { files, sources } = loadedFiles(h.cacheRoot)
    expect(files.length).toBeLessThan(readdirSync(cliDir).filter((f) => f.endsWith('.js')).length / 4)
    expect(sources).toContain('plugins/server/commands.ts')
    // (the table layout, core/output/human.ts, is made for every command: it is not on this list)
    const unneeded = sources.filter((source) =>
      /^plugins\/(?!server\/)[^/]+\/(commands|import|completion)\.ts$|^core\/(shell\/|campaigns\/|vorpal\/facade\.ts$)|node_modules\/(@clack|js-yaml)\//.test(source),
    )
    expect(unneeded).toEqual([])
  })

  it('loads none of the Node.js modules a read does not use', async () => {
    const result = await synadm(['-o', 'json', 'version'], home())
    expect(result.status).toBe(0)
    // fs/promises (and the streams and readline modules it loads): config is read synchronously, the audit log and
    // input files load it when they are first written or read
    const unused = ['crypto', 'zlib', 'https', 'http2', 'tls', 'perf_hooks', 'child_process', 'readline', 'fs/promises']
    expect(result.modules.filter((m) => unused.includes(m))).toEqual([])
  })

  it('loads node:crypto when a command first uses it', async () => {
    const h = home()
    writeFileSync(join(h.dir, 'targets.txt'), '@alice:example.org\n')
    const result = await synadm(['--batch', '-o', 'jsonl', 'user', 'shadow-ban', '--targets', join(h.dir, 'targets.txt')], h)
    expect(result.stderr).toMatch(/1 done, 0 failed/)
    expect(result.status).toBe(0)
    // the bulk run's ID and the audit entry's ID are random UUIDs
    const entries = readFileSync(join(h.dir, 'state', 'synadm', 'audit.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    expect(entries.at(-1)).toMatchObject({ run_id: expect.stringMatching(/^bulk-[0-9a-f-]{36}$/), id: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect(result.modules).toContain('crypto')
  })
})

describe('code caches', () => {
  it('are written once per build, 0600 in a 0700 folder, and replace those of earlier builds', async () => {
    const h = home()
    mkdirSync(join(h.cacheRoot, 'code-0123456789abcdef'), { recursive: true })
    writeFileSync(join(h.cacheRoot, 'code-0123456789abcdef', 'main.js.bin'), 'an earlier build')
    writeFileSync(join(h.cacheRoot, 'code-v20.20.2-591931-1796614980781.bin'), 'a version that kept one file')
    writeFileSync(join(h.cacheRoot, 'completion.json'), '{}')

    expect((await synadm(['--version'], h)).status).toBe(0)
    const folder = `code-${buildId()}`
    expect(readdirSync(h.cacheRoot).sort()).toEqual([folder, 'completion.json'].sort())
    expect(statSync(join(h.cacheRoot, folder)).mode & 0o777).toBe(0o700)
    const cache = join(h.cacheRoot, folder, 'main.js.bin')
    expect(statSync(cache).mode & 0o777).toBe(0o600)

    // The next start uses it: nothing is written again.
    const written = readFileSync(cache)
    const { mtimeMs } = statSync(cache)
    expect((await synadm(['--version'], h)).status).toBe(0)
    expect(statSync(cache).mtimeMs).toBe(mtimeMs)
    expect(readFileSync(cache).equals(written)).toBe(true)
  })

  it('that V8 refuses cost only speed: the command runs, and the cache is made anew', async () => {
    const h = home()
    const cache = join(h.cacheRoot, `code-${buildId()}`, 'main.js.bin')
    mkdirSync(join(cache, '..'), { recursive: true })
    writeFileSync(cache, 'not a code cache')
    const result = await synadm(['-o', 'json', 'version'], h)
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ server_version: '1.160.0' })
    expect(readFileSync(cache, 'utf8')).not.toBe('not a code cache')
    // written whole, then renamed into place: no partial file is left
    expect(readdirSync(join(cache, '..')).filter((name) => !name.endsWith('.bin'))).toEqual([])
  })
})
