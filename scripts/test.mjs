#!/usr/bin/env node
// `npm test`: the unit project, then the integration project (always attempted; its global setup decides whether
// a missing Synapse skips or fails). Exits non-zero if either run fails and ends with "N passed, M failed".
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const vitest = join(repoRoot, 'node_modules', '.bin', 'vitest')
const reportDir = mkdtempSync(join(tmpdir(), 'synadm-test-report-'))

function runProject(project) {
  const report = join(reportDir, `${project}.json`)
  const args = ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
  return new Promise((done) => {
    const child = spawn(vitest, args, { cwd: repoRoot, stdio: 'inherit' })
    child.on('error', (error) => done({ project, code: 1, report: null, error: error.message }))
    child.on('close', (code, signal) => {
      let counts = null
      try {
        counts = JSON.parse(readFileSync(report, 'utf8'))
      } catch {
        // vitest stopped before writing a report (config error, failing global setup).
      }
      done({ project, code: code ?? (signal ? 1 : 0), report: counts })
    })
  })
}

const runs = []
for (const project of ['unit', 'integration']) runs.push(await runProject(project))
rmSync(reportDir, { recursive: true, force: true })

let passed = 0
let failed = 0
for (const { project, code, report, error } of runs) {
  passed += report?.numPassedTests ?? 0
  failed += report?.numFailedTests ?? 0
  const skipped = (report?.numPendingTests ?? 0) + (report?.numTodoTests ?? 0)
  if (skipped) console.log(`${project}: ${skipped} skipped`)
  // A failed run without a failed test (no report, a file that did not load) still counts as one failure.
  if (code !== 0 && !report?.numFailedTests) {
    failed += 1
    console.log(`${project}: vitest failed (exit ${code}) ${error ?? (report ? 'without a failing test' : 'before reporting')}`)
  }
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(runs.some((run) => run.code !== 0) ? 1 : 0)
