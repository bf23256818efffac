// 429 handling against a real Synapse with low rate limits (a second server of its own): logins beyond the
// burst are answered 429 with retry_after_ms, which synadm waits out, so every command still succeeds.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { readyRoot, startSynapse, writeSynadmConfig, type RunningSynapse } from '../synapse/server.mjs'
import { runSynadm } from './cli.js'
import { registerUser, uniqueName } from './fixtures.js'

describe.skipIf(!inject('synapse').available || !readyRoot())('rate limits', () => {
  let limited: RunningSynapse
  let configFile: string

  beforeAll(async () => {
    limited = await startSynapse({ lowRateLimit: true })
    configFile = join(mkdtempSync(join(tmpdir(), 'synadm-ratelimit-')), 'synadm.yaml')
    writeSynadmConfig(configFile, { url: limited.url, adminUserId: limited.adminUserId, adminToken: limited.adminToken, serverName: limited.serverName })
  }, 120_000)
  afterAll(async () => {
    await limited?.stop()
  })

  it('waits out 429s and succeeds', async () => {
    const localpart = uniqueName('limited')
    await registerUser(localpart, { password: 'pw-for-the-limits' }, limited)
    const runs = []
    for (let i = 0; i < 4; i++) {
      runs.push(await runSynadm(['-v', '-o', 'json', 'matrix', 'login', localpart, '--password-file', '-'], { configFile, input: 'pw-for-the-limits\n', timeoutMs: 60_000 }))
    }
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const waits = runs.flatMap((r) => r.stderr.split('\n').filter((l) => l.includes('rate limited by the server; retrying in')))
    expect(waits.length).toBeGreaterThan(0)
    expect(runs.every((r) => !r.stderr.includes('pw-for-the-limits'))).toBe(true)
  }, 120_000)

  it('a bulk run over --targets slows down under 429s and loses no target', async () => {
    const password = 'pw-for-the-bulk-limits'
    const users: string[] = []
    for (let i = 0; i < 5; i++) users.push((await registerUser(uniqueName('limited-bulk'), { password }, limited)).userId)
    const dir = mkdtempSync(join(tmpdir(), 'synadm-ratelimit-bulk-'))
    writeFileSync(join(dir, 'targets'), users.join('\n') + '\n')
    writeFileSync(join(dir, 'password'), password + '\n', { mode: 0o600 })
    const result = await runSynadm(['-v', '--batch', '-o', 'jsonl', 'matrix', 'login', '--targets', join(dir, 'targets'), '--password-file', join(dir, 'password'), '--concurrency', '5'], { configFile, timeoutMs: 150_000 })
    expect(result.code, result.stderr).toBe(0)
    const report = result.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(report.map((l) => l.target).sort()).toEqual([...users].sort())
    expect(report.every((l) => l.ok && typeof l.result.access_token === 'string')).toBe(true)
    expect(result.stderr).toContain('rate limited by the server; retrying in')
    expect(result.stderr).not.toContain(password)
  }, 160_000)
})
