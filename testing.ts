/**
 * `synadm/testing`: runs synadm in-process for a plugin's own tests (HTTP mocked with nock), with the built-in
 * plugins its commands use beside it: `runSynadm([myPlugin], argv, { builtins: ['user'] })`.
 */
import type { SynadmPlugin } from './core/contract/plugin.js'
import { runSynadm as runWith, type RunResult } from './core/app/in-process.js'
import { builtins } from './plugins/builtins.js'

export { Capture, json, testIO, TEST_BASE_URL, TEST_ENV, type RunResult, type TestIO } from './core/app/in-process.js'
/** several commands on one session (what lives as long as a shell: caches, tokens): `execute(session, argv)` */
export { createSession } from './core/app/start.js'
export { execute } from './core/execute/executor.js'

/** the built-in plugins, as synadm loads them */
export const builtinPlugins: readonly SynadmPlugin[] = builtins

export interface RunOptions extends NonNullable<Parameters<typeof runWith>[2]> {
  /** built-in plugins to load before `plugins`: `true` for all of them, or their names (`['user', 'room']`) */
  builtins?: boolean | readonly string[]
}

/** `await runSynadm([hello], ['-o', 'json', 'hello', 'greet'], { builtins: ['user'] })` */
export function runSynadm(plugins: SynadmPlugin[], argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const { builtins: wanted, ...rest } = options
  const chosen = wanted === true ? [...builtins] : wanted ? wanted.map((name) => builtinNamed(name)) : []
  return runWith([...chosen, ...plugins], argv, rest)
}

function builtinNamed(name: string): SynadmPlugin {
  const plugin = builtins.find((p) => p.name === name)
  if (!plugin) throw new Error(`no built-in plugin '${name}' (there are: ${builtins.map((p) => p.name).join(', ')})`)
  return plugin
}

/**
 * Records the writes that nock interceptors answer, in the order they were sent, as `METHOD path body`:
 * `api().put(path).reply(recorder.reply('PUT'))`, then `expect(recorder.sent).toEqual([...])`. `shorten` rewrites
 * each path first (cut the admin prefix); `clear()` empties the record between tests.
 */
export function writeRecorder(shorten: (path: string) => string = (path) => path) {
  const sent: string[] = []
  return {
    sent,
    clear: () => void (sent.length = 0),
    reply: (method: string, answer: unknown = {}) =>
      function (this: unknown, uri: string, body: unknown): [number, unknown] {
        sent.push(`${method} ${decodeURIComponent(shorten(uri))}${body === '' || body === undefined ? '' : ` ${JSON.stringify(body)}`}`)
        return [200, answer]
      },
  }
}
