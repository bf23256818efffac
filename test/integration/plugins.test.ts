// Plugins configured as a user configures them, run by the built CLI against the real Synapse: the example
// TypeScript package (compiled) and vorpal extension, vorpal-grep and vorpal-repl from npm, and broken plugins.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import yaml from 'js-yaml'
import { describe, expect, inject, it } from 'vitest'
import { examples, pluginFolder } from '../unit/configured.js'
import { parseJson, runSynadm } from './cli.js'
import { synapse } from './synapse-info.js'

/** The harness's config (server, token) plus a plugin list, in a folder whose node_modules has the plugins. */
async function configWith(plugins: unknown[], files: Record<string, string> = {}): Promise<string> {
  const dir = await pluginFolder()
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const config = yaml.load(readFileSync(synapse().configFile, 'utf8')) as Record<string, unknown>
  const file = join(dir, 'synadm.yaml')
  writeFileSync(file, yaml.dump({ ...config, plugins }), { mode: 0o600 })
  return file
}

const vorpalHello = join(examples, 'vorpal-hello', 'index.js')

describe.skipIf(!inject('synapse').available)('plugins', () => {
  it('runs the example plugin package and vorpal extension one-shot', async () => {
    const { adminUserId, version } = synapse()
    const configFile = await configWith(['hello', [vorpalHello, { greeting: 'Hi' }]])
    const whoami = await runSynadm(['-o', 'json', 'hello', 'whoami'], { configFile })
    expect({ code: whoami.code, stderr: whoami.stderr }).toEqual({ code: 0, stderr: '' })
    expect(parseJson(whoami.stdout)).toMatchObject({ user_id: adminUserId })
    const greet = await runSynadm(['-o', 'json', 'hello', 'greet', '--shout'], { configFile })
    expect(parseJson(greet.stdout)).toEqual({ greeting: `HELLO, ${adminUserId.toUpperCase()}!`, server_version: version })
    // the built-in user API through ctx.items, and withDateTimes imported from 'synadm' (a list: a csv row each)
    const admins = await runSynadm(['-o', 'csv', 'hello', 'admins', '--datetime'], { configFile })
    expect({ code: admins.code, stderr: admins.stderr }).toEqual({ code: 0, stderr: '' })
    const rows = admins.stdout.trim().split('\n')
    expect(rows[0]).toBe('name,displayname,creation_ts')
    expect(rows.find((row) => row.startsWith(`${adminUserId},`))).toMatch(/,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(await runSynadm(['say', '-r', '2', 'hi'], { configFile })).toEqual({ code: 0, stdout: 'hi\nhi\n', stderr: '' })
  })

  it('runs the examples in the shell, pipes synadm output into vorpal-grep, and runs vorpal-repl', async () => {
    const { adminUserId, version } = synapse()
    const configFile = await configWith(['hello', 'vorpal-grep', 'vorpal-repl', vorpalHello])
    const lines = ['version | grep 1.', `-o jsonl user list | grep ${adminUserId}`, '-o json version | grep -v server_version | reverse', 'repl', '6*7', 'exit', 'say done', '-o minified hello whoami']
    const result = await runSynadm(['shell'], { configFile, input: lines.join('\n') + '\n' })
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    const out = result.stdout.split('\n')
    expect(out[0]).toBe(`    "server_version": "${version}"`)
    expect(JSON.parse(out[1])).toMatchObject({ name: adminUserId, admin: true })
    expect(out.slice(2, 7)).toEqual(['{', '}', "Entering REPL Mode. To exit, type 'exit'", '42', 'done'])
    expect(JSON.parse(out[7])).toMatchObject({ user_id: adminUserId })
    expect(out.slice(8)).toEqual([''])
  })

  it('goes on in the shell after entering a mode from the command line', async () => {
    const configFile = await configWith(['vorpal-repl'])
    const result = await runSynadm(['repl'], { configFile, input: '"a" + "b"\nexit\n-o minified version\n' })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`Entering REPL Mode. To exit, type 'exit'\nab\n{"server_version":"${synapse().version}"}\n`)
  })

  it('reports each broken plugin in one line and keeps working', async () => {
    const configFile = await configWith(['./throws.mjs', './future.mjs', './takes-version.cjs', 'vorpal-grep'], {
      'throws.mjs': "export default { name: 'throws', apiVersion: 1, setup() { throw new Error('boom') } }\n",
      'future.mjs': "export default { name: 'future', apiVersion: 7, setup() {} }\n",
      'takes-version.cjs': "module.exports = (vorpal) => { vorpal.command('version', 'mine').action((args, cb) => cb()) }\n",
    })
    const result = await runSynadm(['-o', 'minified', 'version'], { configFile })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`{"server_version":"${synapse().version}"}\n`)
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'synadm: warning: plugin throws (./throws.mjs) not loaded: boom',
      'synadm: warning: plugin future (./future.mjs) not loaded: targets plugin API version 7, this synadm has version 1',
      "synadm: warning: plugin takes-version (./takes-version.cjs) not loaded: command 'version' is already provided by plugin 'server'",
    ])
    const shell = await runSynadm(['shell'], { configFile, input: 'version | grep server\n' })
    expect(shell.code).toBe(0)
    expect(shell.stdout).toBe(`    "server_version": "${synapse().version}"\n`)
  })
})
