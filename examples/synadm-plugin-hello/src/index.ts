/**
 * synadm-plugin-hello: an example plugin. This file only declares (it is loaded at every start of synadm);
 * the commands and the API load when first used.
 */
import type { SynadmPlugin } from 'synadm'

const commands = () => import('./commands.js')

export default {
  name: 'synadm-plugin-hello',
  version: '1.0.0',
  // The plugin API version this plugin was written against: synadm refuses to load it under another one.
  apiVersion: 1,
  setup(ctx) {
    ctx.group('hello', 'Example plugin: greetings from your homeserver')
    // Other plugins (and this one's commands) get it with ctx.use('hello').
    ctx.provide('hello', () => import('./api.js').then((m) => m.createHelloApi))
    ctx.command({
      path: 'hello whoami',
      description: 'Show whom the configured access token belongs to',
      load: () => commands().then((m) => m.whoami),
    })
    ctx.command({
      path: 'hello greet',
      description: 'Greet someone (you, by default), with the Synapse version',
      args: '[name]',
      argInfo: { name: { description: 'whom to greet (default: the admin user of the token)' } },
      options: [
        { flags: '-g, --greeting <word>', description: 'how to greet', choices: ['hello', 'hi', 'welcome'], default: 'hello' },
        { flags: '--shout / --no-shout', description: 'in capitals' },
      ],
      load: () => commands().then((m) => m.greet),
    })
    // A step in another plugin's plan: `synadm user takedown USER --hello-notice` also tells the account why, in a
    // server notice, right after it is locked (`--steps` and -h list it with the built-in steps).
    ctx.step('user takedown', {
      name: 'hello-notice',
      does: 'send {target} a server notice saying why',
      default: false,
      after: 'lock',
      // sent once per account (a transaction ID of its own): a resumed run does not send it twice
      idempotent: true,
      options: [{ flags: '--hello-notice-text <text>', description: 'what the notice says', default: 'This account was taken down for breaking the rules of this server.' }],
      load: () => commands().then((m) => m.noticeStep),
    })
    ctx.command({
      path: 'hello admins',
      description: 'List the admin accounts',
      options: [{ flags: '--datetime / --timestamp', description: 'show creation_ts as a date and time, or as the epoch ms Synapse sends' }],
      load: () => commands().then((m) => m.admins),
    })
  },
} satisfies SynadmPlugin
