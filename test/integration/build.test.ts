/**
 * The built CLI as users get it: behind an HTTP(S) proxy, and installed from the packed tarball. Both depend on
 * synadm's own transport (core/http/transport.ts) and on what the bundle loads at run time (scripts/build.mjs), so
 * an update that breaks either fails here.
 */
import { execFile } from 'node:child_process'
import { readdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot, writeSynadmConfig } from '../synapse/server.mjs'
import { parseJson, runSynadm, type RunResult } from './cli.js'
import { synapse } from './synapse-info.js'

const execFileAsync = promisify(execFile)

/** A forward proxy (absolute-form requests) that also tunnels CONNECT; records what it carried as `METHOD target`. */
function startProxy(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = []
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`)
    const target = new URL(req.url ?? '')
    const upstream = request(target, { method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers)
      reply.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`)
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket).pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })),
  )
}

function expectSuccess(result: RunResult, what: string) {
  expect(result.code, `${what} exited ${result.code}; stderr: ${result.stderr}`).toBe(0)
}

describe.skipIf(!inject('synapse').available)('the built CLI', () => {
  describe('behind an HTTP(S) proxy', () => {
    let proxy: Awaited<ReturnType<typeof startProxy>>
    beforeAll(async () => {
      proxy = await startProxy()
      return () => new Promise<void>((done) => proxy.server.close(() => done()))
    })

    it('sends its requests through the proxy named by HTTP_PROXY/HTTPS_PROXY', async () => {
      const info = synapse()
      // Every spelling the proxy lookup reads, so the environment the tests run in (npm's own proxy settings, a
      // NO_PROXY that names loopback) cannot route around this proxy.
      const env: Record<string, string> = { NO_PROXY: '', no_proxy: '', NODE_USE_ENV_PROXY: '' }
      for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'npm_config_http_proxy', 'npm_config_https_proxy', 'npm_config_proxy']) env[name] = proxy.url
      const origin = new URL(info.url).host

      const version = await runSynadm(['-o', 'json', 'version'], { env })
      expectSuccess(version, 'synadm version')
      expect(parseJson(version.stdout).server_version).toBe(info.version)
      const details = await runSynadm(['-o', 'json', 'user', 'details', info.adminUserId], { env })
      expectSuccess(details, 'synadm user details')
      expect(parseJson(details.stdout).name).toBe(info.adminUserId)

      const carried = proxy.seen.filter((line) => line.includes(origin))
      expect(carried, `the proxy saw: ${proxy.seen.join(', ')}`).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/_synapse\/admin\/v1\/server_version$/),
          expect.stringContaining(`/users/${encodeURIComponent(info.adminUserId)}`),
        ]),
      )
    })
  })

  describe('installed from the packed tarball', () => {
    let root: string
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'synadm-pack-'))
    })
    afterAll(() => rmSync(root, { recursive: true, force: true }))

    it('installs into an empty prefix with its dependencies and runs against the server', async () => {
      const info = synapse()
      // dist/ is built before the integration project runs; --ignore-scripts keeps npm pack from rebuilding it.
      const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_logs_dir: join(root, 'npm-logs') }
      await execFileAsync('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: repoRoot, env: npmEnv, timeout: 120_000 })
      const tarball = readdirSync(root).find((name) => /^synadm-.*\.tgz$/.test(name))
      expect(tarball, `npm pack wrote no tarball in ${root}`).toBeDefined()
      const prefix = join(root, 'prefix')
      // npm ci left every dependency in npm's cache: --prefer-offline installs from there.
      const installArgs = ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`]
      await execFileAsync('npm', installArgs, { cwd: root, env: npmEnv, timeout: 240_000 })

      // A fresh HOME holding only the config, and no checkout anywhere near: the installed package must stand alone.
      const home = join(root, 'home')
      writeSynadmConfig(join(home, '.config', 'synadm.yaml'), info)
      const env = { PATH: [dirname(process.execPath), '/usr/bin', '/bin'].join(':'), HOME: home, LANG: 'C.UTF-8' }
      const synadm = join(prefix, 'bin', 'synadm')
      const run = async (args: string[]) => {
        try {
          const { stdout } = await execFileAsync(synadm, args, { cwd: root, env, timeout: 60_000 })
          return stdout
        } catch (error) {
          const { code, stderr } = error as { code?: number; stderr?: string }
          throw new Error(`${synadm} ${args.join(' ')} exited ${code}; stderr: ${stderr}`)
        }
      }
      expect(parseJson(await run(['-o', 'json', 'version'])).server_version).toBe(info.version)
      expect(parseJson(await run(['-o', 'json', 'user', 'details', info.adminUserId])).name).toBe(info.adminUserId)
    }, 300_000)
  })
})
