#!/usr/bin/env node
// `npm run demo`: a local Synapse with a little sample data (kept in .synadm-test/demo between runs) and the
// synadm shell pointed at it; the server stops when the shell exits.
import { spawn } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import * as client from '../test/synapse/client.mjs'
import { repoRoot, startSynapse, writeSynadmConfig } from '../test/synapse/server.mjs'

const dataDir = join(repoRoot, '.synadm-test', 'demo')
const configFile = join(repoRoot, '.synadm-test', 'demo-synadm.yaml')
const bin = join(repoRoot, 'bin', 'synadm.js')
const REGISTRATION_TOKEN = 'demo-invite'

async function seed(server) {
  const marker = join(dataDir, 'demo-seeded')
  if (existsSync(marker)) return
  const [alice, bob] = await Promise.all(
    ['alice', 'bob', 'carol'].map((name) =>
      client.registerUser(server, name, { password: `${name}-demo`, displayname: name[0].toUpperCase() + name.slice(1) }),
    ),
  )
  const general = await client.createRoom(server, alice.token, { name: 'General', alias: 'general', isPublic: true })
  const random = await client.createRoom(server, alice.token, { name: 'Random', alias: 'random', invite: [bob.userId] })
  await client.joinRoom(server, bob.token, general)
  await client.joinRoom(server, bob.token, random)
  await client.sendMessage(server, alice.token, general, 'Welcome to General!')
  await client.sendMessage(server, bob.token, general, 'Hi Alice, glad to be here.')
  await client.sendMessage(server, alice.token, random, 'Anyone up for lunch?')
  await client.sendMessage(server, bob.token, random, 'Sure, noon?')
  await client.uploadMedia(server, alice.token, new TextEncoder().encode('Minutes of the first meeting\n'), 'text/plain')
  await client.createRegistrationToken(server, { token: REGISTRATION_TOKEN, usesAllowed: 5 })
  writeFileSync(marker, `${new Date().toISOString()}\n`)
}

let synapse
const stopAndExit = async (code) => {
  await synapse?.stop()
  process.exit(code)
}
// Until the shell runs, Ctrl-C stops the server; after that the shell owns Ctrl-C (the server runs in its own
// process group, so the terminal's SIGINT never reaches it).
const onStartupInterrupt = () => stopAndExit(130)
process.once('SIGINT', onStartupInterrupt)

try {
  if (!existsSync(bin)) throw new Error(`${relative(process.cwd(), bin)} not found`)
  synapse = await startSynapse({ dataDir, detached: true })
  await seed(synapse)
  writeSynadmConfig(configFile, synapse)
} catch (error) {
  console.error(`demo: ${error.message}`)
  if (synapse) console.error(`demo: to start over with fresh data, remove ${relative(process.cwd(), dataDir)}`)
  await stopAndExit(1)
}

const config = relative(process.cwd(), configFile)
const name = synapse.serverName
console.log(`
Demo Synapse ${synapse.version} at ${synapse.url} (server name ${name}), data in ${relative(process.cwd(), dataDir)}
  admin:  ${synapse.adminUserId}
  users:  @alice:${name}, @bob:${name}, @carol:${name} (password <name>-demo)
  rooms:  General (#general:${name}), Random (#random:${name})
  registration token: ${REGISTRATION_TOKEN}
From another terminal while this runs: node bin/synadm.js -c ${config} user list
Leave the shell (exit or Ctrl-D) to stop the server.
`)

process.removeListener('SIGINT', onStartupInterrupt)
process.on('SIGINT', () => {})
const shell = spawn(process.execPath, [bin, '-c', configFile, 'shell'], { stdio: 'inherit' })
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => shell.kill(signal))
shell.on('error', (error) => {
  console.error(`demo: ${error.message}`)
  stopAndExit(1)
})
shell.on('exit', (code, signal) => stopAndExit(code ?? (signal ? 1 : 0)))
