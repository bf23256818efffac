/** The commands: each returns data; synadm prints it in the format the user chose (-o json, yaml, human …). */
// Types and runtime helpers both come from 'synadm': it resolves to the synadm that runs the plugin.
import { withDateTimes, type RunContext, type StepAction, type UserListItem } from 'synadm'
import type { HelloApi } from './api.js'

export async function whoami(ctx: RunContext) {
  return (await ctx.use<HelloApi>('hello')).whoami()
}

export async function greet(ctx: RunContext) {
  const name = ctx.args.name === undefined ? (await (await ctx.use<HelloApi>('hello')).whoami()).user_id : String(ctx.args.name)
  // The built-in plugins' APIs are typed by name: ctx.use('server') is a ServerApi.
  const { server_version } = await (await ctx.use('server')).version()
  const word = String(ctx.options.greeting)
  const greeting = `${word[0].toUpperCase()}${word.slice(1)}, ${name}!`
  return { greeting: ctx.options.shout ? greeting.toUpperCase() : greeting, server_version }
}

/** Every admin account, through all pages of the built-in user plugin's list (a list: csv and jsonl print a row each). */
export async function admins(ctx: RunContext) {
  const user = await ctx.use('user')
  const found = []
  const fetchPage = (from: unknown) => user.list({ admins: true, limit: 100, ...(from === undefined ? {} : { from: String(from) }) })
  for await (const account of ctx.items<UserListItem>(fetchPage, { items: 'users' })) {
    found.push({ name: account.name, displayname: account.displayname, creation_ts: account.creation_ts })
  }
  return ctx.options.datetime ? withDateTimes(found, ['creation_ts']) : found
}

/** The `hello-notice` step of `user takedown`: a server notice to the account, once (a transaction ID per account). */
export const noticeStep: StepAction = {
  async survey() {
    return { affects: '1 notice' }
  },
  async run(ctx, target) {
    const body = String(ctx.options.helloNoticeText)
    const { event_id } = await (await ctx.use('notice')).sendOnce(`hello-takedown-${target.id}`, { user_id: target.id, content: { msgtype: 'm.text', body } })
    return { notice: event_id }
  },
}
