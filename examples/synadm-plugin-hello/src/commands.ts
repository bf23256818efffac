/** The commands: each returns data; synadm prints it in the format the user chose (-o json, yaml, human …). */
import type { RunContext } from 'synadm'
import type { HelloApi } from './api.js'

/** The part of the built-in server plugin's API this plugin uses: plugins share APIs, not code. */
interface ServerApi {
  version(): Promise<{ server_version: string }>
}

export async function whoami(ctx: RunContext) {
  return (await ctx.use<HelloApi>('hello')).whoami()
}

export async function greet(ctx: RunContext) {
  const name = ctx.args.name === undefined ? (await (await ctx.use<HelloApi>('hello')).whoami()).user_id : String(ctx.args.name)
  const { server_version } = await (await ctx.use<ServerApi>('server')).version()
  const word = String(ctx.options.greeting)
  const greeting = `${word[0].toUpperCase()}${word.slice(1)}, ${name}!`
  return { greeting: ctx.options.shout ? greeting.toUpperCase() : greeting, server_version }
}
