/**
 * Runs synadm in-process with captured streams, for unit tests of core and plugins (HTTP mocked with nock).
 * Settings come from the environment, so no config file is needed.
 */
import { PassThrough } from 'node:stream'
import { Capture } from '../output/capture.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execute } from '../execute/executor.js'
import { createSession } from './start.js'
import type { SynadmPlugin } from '../contract/plugin.js'
import type { IO, Session } from '../run/session.js'

export { Capture }

export const TEST_BASE_URL = 'http://synapse.test'
export const TEST_ENV = {
  SYNADM_CONFIG: join(tmpdir(), 'synadm-test-no-such-config.yaml'),
  // no plugins.yaml of the person running the tests
  XDG_CONFIG_HOME: join(tmpdir(), 'synadm-test-no-such-config-home'),
  // nothing in the tester's state folder (a plan's own journals, the shell's history)
  XDG_STATE_HOME: join(tmpdir(), 'synadm-test-state'),
  SYNADM_BASE_URL: TEST_BASE_URL,
  SYNADM_USER: '@admin:synapse.test',
  SYNADM_TOKEN: 'test-token',
  SYNADM_HOMESERVER: 'synapse.test',
  SYNADM_FORMAT: 'json',
  // Tests never write to the audit log in the user's home; a test of the log names its own file.
  SYNADM_AUDIT_LOG: 'off',
}


export interface TestIO extends IO {
  stdout: Capture
  stderr: Capture
  stdin: PassThrough
}

export function testIO(options: { env?: Record<string, string | undefined>; input?: string; interactive?: boolean } = {}): TestIO {
  const stdin = new PassThrough()
  if (options.input !== undefined) stdin.end(options.input)
  return {
    stdin,
    stdout: new Capture(),
    stderr: new Capture(),
    env: { ...TEST_ENV, ...options.env },
    cwd: tmpdir(),
    interactive: options.interactive ?? false,
  }
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  session: Session
}

/** `await runSynadm([userPlugin], ['-o', 'json', 'user', 'list'])` */
export async function runSynadm(plugins: SynadmPlugin[], argv: string[], options: Parameters<typeof testIO>[0] & { signal?: AbortSignal } = {}): Promise<RunResult> {
  const io = testIO(options)
  const session = await createSession(plugins, io)
  const code = await execute(session, argv, { signal: options.signal })
  return { code, stdout: io.stdout.text, stderr: io.stderr.text, session }
}

/** JSON of stdout, failing the test with the output when it is not JSON. */
export function json(result: RunResult): any {
  try {
    return JSON.parse(result.stdout)
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
