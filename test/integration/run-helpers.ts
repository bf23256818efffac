// Shared by the integration tests of the media, matrix, regtok, notice, raw, server, reports and federation
// commands: run our CLI, demand success, compare with the Python synadm.
import { expect } from 'vitest'
import { parseJson, runPythonSynadm, runSynadm, type RunOptions, type RunResult } from './cli.js'
import { differencesFor } from './known-differences.js'
import { synapse } from './synapse-info.js'

export const EXIT = { usage: 2, api: 5, auth: 6, notFound: 7 } as const

/** Our CLI with --batch (writes need no terminal) and -o json. */
export const synadm = (args: string[], options?: RunOptions) => runSynadm(['--batch', '-o', 'json', ...args], options)

/** The parsed JSON of a run that must have succeeded. */
export function ok(result: RunResult): any {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return parseJson(result.stdout)
}

/** The stderr of a run that must have failed with `code`. */
export function fails(result: RunResult, code: number): string {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return result.stderr
}

export function skipWithoutPython({ skip }: { skip: (note?: string) => never }) {
  if (!synapse().pythonRoot) skip('the Python synadm chroot is not built')
}

/**
 * The -o json data of our CLI and of the Python synadm for the same argv must be equal after the known
 * differences are applied; returns ours.
 */
export function expectSameData(command: string, ours: RunResult, python: RunResult, pythonText: (stdout: string) => string = (s) => s) {
  let oursData = ok(ours)
  expect(python.code, python.stderr).toBe(0)
  let pythonData = parseJson(pythonText(python.stdout))
  for (const difference of differencesFor(command)) {
    pythonData = difference.normalizePython?.(pythonData) ?? pythonData
    oursData = difference.normalizeOurs?.(oursData) ?? oursData
  }
  expect(oursData).toEqual(pythonData)
  return oursData
}

/**
 * Runs the same read through our CLI and the Python synadm (`-o json`) and expects equal data; returns ours.
 * `pythonText` may clean the Python's stdout first (it prints headings among the JSON for some commands).
 */
export async function expectSameAsPython(command: string, args: string[], pythonText?: (stdout: string) => string) {
  const [ours, python] = await Promise.all([runSynadm(['-o', 'json', ...args]), runPythonSynadm(['-o', 'json', ...args])])
  return expectSameData(command, ours, python, pythonText)
}
