/** The notice plugin: server notices to one user or to every user matching a pattern (declarations only). */
import { defineCommand, definePlugin, lazy, PLUGIN_API_VERSION } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

export const send = defineCommand({
  path: 'notice send',
  description: 'Send a server notice to a user, or to every user matching a regular expression',
  help:
    'Asks first (unless --batch), showing the number of recipients, the first of them and the message.\n' +
    'Each notice is sent with a transaction ID: by default one derived from a hash of recipient and content, so ' +
    'a retried command (after a timeout or a partial failure) does not send the same notice twice. Synapse ' +
    'remembers transaction IDs for at least 30 minutes; to send identical text again within that time, give ' +
    'a new --txn-id, or use --no-txn-id.',
  args: '<to> <plain> [formatted]',
  argInfo: {
    to: { description: 'localpart or full Matrix ID of the recipient; with -r a regular expression matched against full IDs from their start', complete: 'user_id' },
    plain: { description: 'plain-text content of the notice' },
    formatted: { description: 'HTML content of the notice [default: PLAIN]' },
  },
  options: [
    { flags: '-f, --from-file', description: 'PLAIN and FORMATTED are paths of files holding the content (- = stdin)' },
    { flags: '-p, --batch-size, --paginate <size>', type: 'int', min: 1, default: 100, description: 'users fetched per list request when matching -r' },
    { flags: '-r, --regex', description: 'TO is a regular expression' },
    { flags: '-l, --preview-length <length>', type: 'int', min: 0, default: 10, description: 'recipients listed in the confirmation' },
    { flags: '-s, --silent', description: 'print nothing after sending (the replies hold one event ID per recipient)' },
    {
      flags: '--txn-id <id> / --no-txn-id',
      description: 'transaction ID for the send (with -r, the recipient is appended) [default: hash of recipient and content]; --no-txn-id sends without one, every time',
    },
  ],
  destructive: true,
  load: commands('send'),
})

export default definePlugin({
  name: 'notice',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('notice', () => import('./api.js').then((m) => m.createNoticeApi))
    ctx.group('notice', 'Send messages to users')
    ctx.command(send)
  },
})
