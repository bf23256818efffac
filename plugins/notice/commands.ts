import { createHash } from 'node:crypto'
import { SynadmError, usageError, type OptionsOf, type RunContext } from '../../core/index.js'
import type { NoticeBody } from './api.js'
import type * as spec from './index.js'

type SendContext = RunContext<typeof spec.send>
/** txnId: an ID, false for --no-txn-id, undefined for the derived default */
type SendOptions = OptionsOf<typeof spec.send>

/** PLAIN and FORMATTED as given, or read from the files they name (-f). */
async function messages(ctx: SendContext): Promise<{ plain: string; formatted: string }> {
  const { plain, formatted } = ctx.args
  if (!ctx.options.fromFile) return { plain, formatted: formatted ?? plain }
  const read = (file: string) => ctx.readFile(file)
  const plainText = await read(plain)
  return { plain: plainText, formatted: formatted === undefined ? plainText : await read(formatted) }
}

/** TO as one user ID, or (-r) every listed user whose full ID matches TO from its first character. */
async function recipients(ctx: SendContext, o: SendOptions): Promise<string[]> {
  const to = ctx.args.to
  if (!o.regex) return [await ctx.userId(to)]
  let pattern: RegExp
  try {
    pattern = new RegExp(`^(?:${to})`)
  } catch (error) {
    throw usageError(`TO is not a valid regular expression: ${(error as Error).message}`)
  }
  const matched: string[] = []
  const accounts = await ctx.use('user')
  // guests included, deactivated accounts left out
  const users = ctx.items<{ name: string }>((from) => accounts.list({ from: (from as string | undefined) ?? 0, limit: o.batchSize, guests: true }), { items: 'users', next: 'next_token' })
  for await (const user of users) if (pattern.test(user.name)) matched.push(user.name)
  return matched
}

/**
 * Synapse answers a repeated transaction ID (same admin token, for at least 30 minutes) with the first reply and
 * sends nothing. The default ID is a hash of recipient and content, so re-running a command after a failure does
 * not send a notice twice.
 */
function transactionId(o: SendOptions, notice: NoticeBody): string | undefined {
  if (o.txnId === false) return undefined
  if (o.txnId !== undefined) return o.regex ? `${o.txnId}-${notice.user_id}` : o.txnId
  return 'synadm-' + createHash('sha256').update(JSON.stringify([notice.user_id, notice.content])).digest('hex').slice(0, 32)
}

export async function send(ctx: SendContext) {
  const o = ctx.options
  const api = await ctx.use('notice')
  const { plain, formatted } = await messages(ctx)
  const content = { msgtype: 'm.text', body: plain, format: 'org.matrix.custom.html', formatted_body: formatted }
  const users = await recipients(ctx, o)
  if (users.length === 0) {
    ctx.note(`No user matches '${ctx.args.to}': nothing was sent.`)
    return o.silent ? undefined : []
  }
  const shown = users.slice(0, o.previewLength)
  await ctx.confirm(`Send this notice to ${users.length} user${users.length === 1 ? '' : 's'}?`, {
    recipient_count: users.length,
    recipients: users.length > shown.length ? [...shown, `... and ${users.length - shown.length} more`] : shown,
    plaintext_message: plain,
    formatted_message: formatted,
  })

  const replies: unknown[] = []
  let failed = 0
  for (const userId of users) {
    const notice = { user_id: userId, content }
    const txnId = transactionId(o, notice)
    try {
      replies.push(await (txnId === undefined ? api.send(notice) : api.sendOnce(txnId, notice)))
    } catch (error) {
      // In a bulk send one recipient's error reply does not stop the others; failures are listed and set the exit code.
      if (!o.regex || !SynadmError.is(error) || error.status === undefined) throw error
      failed++
      replies.push({ user_id: userId, status: error.status, errcode: error.errcode, error: error.serverMessage ?? error.message })
    }
  }
  if (failed) {
    const hint = o.txnId === false ? undefined : 'running the same command again sends only the notices that failed'
    throw Object.assign(new SynadmError('partial', `${failed} of ${users.length} notices failed`, { hint }), { reply: o.silent ? undefined : replies })
  }
  return o.silent ? undefined : replies
}
