/**
 * The mas plugin: MAS's admin API (matrix-authentication-service, for servers that delegate auth to it) in synadm's
 * commands: users, sessions, personal sessions, e-mails, upstream links and providers, OAuth 2.0 clients,
 * registration tokens, policy data, site config, version. Declarations only; implementations load when a command runs.
 */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION, TIMESTAMP_MS, type PagedSpec } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const USER = { username: { description: 'MAS username (the localpart), user ID (@name:server) or MAS user ID', complete: 'mas_user', id: 'user' as const } }
const SESSION_ARG = { session_id: { description: 'the session ID', complete: 'mas_session', id: 'ulid' as const } }
const PERSONAL_ARG = { session_id: { description: 'the personal session ID', complete: 'mas_personal_session', id: 'ulid' as const } }
const EMAIL_ARG = { email_id: { description: 'the ID of the address', complete: 'mas_email', id: 'ulid' as const } }
const LINK_ARG = { link_id: { description: 'the link ID', complete: 'mas_link', id: 'ulid' as const } }
const PROVIDER_ARG = { provider_id: { description: 'the provider ID (mas providers list)', complete: 'mas_provider', id: 'ulid' as const } }
const CLIENT_ARG = { client_id: { description: 'the client ID', complete: 'mas_client', id: 'ulid' as const } }
const TOKEN_ARG = { token_id: { description: 'the ID of the token (mas tokens list); regtok commands take the token itself', complete: 'mas_token', id: 'ulid' as const } }
const [FROM, LIMIT] = defineOptions([
  { flags: '-f, --from <cursor>', id: 'ulid', description: 'start after this ID (the next_cursor of the page before)' },
  { flags: '-l, --limit <n>', type: 'int', min: 1, max: 10_000, default: 100, description: 'items per page' },
])
const [USER_FILTER] = defineOptions([{ flags: '-u, --user <username>', complete: 'mas_user', description: "only this user's (username, user ID or MAS user ID)" }])
/** MAS pages by cursor; --all asks for 1000 a page (MAS sets no maximum) */
const paged = (items: string, what: string) => ({ items, next: 'next_cursor', from: 'from', limit: 'limit', pageSize: 1000, what }) as const satisfies PagedSpec
const [PASSWORD, PASSWORD_FILE] = defineOptions([
  { flags: '-p, --password <password>', description: 'the new password (visible to other users in the process list: prefer --password-file or the prompt)' },
  { flags: '--password-file <file>', description: 'read the new password from FILE (- = stdin; one final line break is dropped)' },
])
const EXPIRY = defineOptions([
  { flags: '-d, --expire-days <n>', type: 'int', min: 1, max: 36_500, description: 'the token expires after N days' },
  { flags: '--expire <date>', type: 'datetime', description: 'the token expires at this local date/time (YYYY-MM-DD[ HH:MM:SS])' },
])
const EXPIRY_GROUP = { kind: 'exclusive', options: ['expireDays', 'expire'], title: 'Token expires' } as const
const SESSION_KIND = { flags: '-k, --kind <kind>', choices: ['compat', 'oauth2', 'browser'], description: 'compatibility, OAuth 2.0 or browser session [default: found by its ID]' } as const

// --- users -----------------------------------------------------------------------------------------------------
export const usersList = defineCommand({
  path: 'mas users list',
  description: 'List MAS users, with filters',
  help: 'One page; --all follows the cursors and prints every user (try -o jsonl). next_cursor is what --from takes.',
  options: [
    FROM,
    LIMIT,
    { flags: '-s, --search <text>', description: 'only usernames containing TEXT' },
    { flags: '--status <status>', choices: ['active', 'locked', 'deactivated'], description: 'only users in this state' },
    { flags: '-a, --admins / -A, --non-admins', description: 'only users who may request admin rights, or only the others' },
    { flags: '--legacy-guests / --no-legacy-guests', description: 'only guest accounts from before MAS, or none of them' },
  ],
  paged: paged('users', 'MAS users'),
  mainColumns: ['id', 'username', 'admin', 'locked_at', 'deactivated_at'],
  load: commands('usersList'),
})
export const usersDetails = defineCommand({
  path: 'mas users details',
  description: 'Show a MAS user (by username, user ID or MAS user ID)',
  args: '<username>',
  argInfo: USER,
  load: commands('usersDetails'),
})
export const usersAdd = defineCommand({
  path: 'mas users add',
  description: 'Create a user in MAS, which provisions it in Synapse',
  help: 'The username must be free in Synapse too, unless --skip-homeserver-check (for an account Synapse already has).\nSet a password with mas users set-password.',
  args: '<username>',
  argInfo: { username: { description: 'the new username (the localpart), or the user ID on this server', id: 'user' } },
  options: [
    { flags: '-n, --display-name <name>', description: 'display name, set in Synapse' },
    { flags: '--avatar-url <mxc_uri>', description: 'avatar (an mxc:// URI), set in Synapse' },
    { flags: '--skip-homeserver-check', description: 'do not ask Synapse whether the username is free' },
  ],
  writes: true,
  load: commands('usersAdd'),
})
export const usersLock = defineCommand({
  path: 'mas users lock',
  description: 'Lock a MAS user: no logins, every session refused (MAS tells Synapse)',
  help: 'Shows the user and asks first (--batch: does not ask). Undo with mas users unlock.',
  args: '<username>',
  argInfo: USER,
  destructive: true,
  bulk: { idempotent: true },
  load: commands('usersLock'),
})
export const usersUnlock = defineCommand({
  path: 'mas users unlock',
  description: 'Unlock a MAS user',
  args: '<username>',
  argInfo: USER,
  writes: true,
  bulk: { idempotent: true },
  load: commands('usersUnlock'),
})
export const usersDeactivate = defineCommand({
  path: 'mas users deactivate',
  description: 'Deactivate a MAS user: its sessions end, its e-mails go, and MAS deactivates the Synapse account',
  help: 'Shows the user and asks first (--batch: does not ask). -e also has Synapse GDPR-erase the account. Undo (not the erasure) with mas users reactivate.',
  args: '<username>',
  argInfo: USER,
  options: [{ flags: '-e, --gdpr-erase', description: 'also GDPR-erase the account in Synapse' }],
  destructive: true,
  // One at a time, as user deactivate: MAS has Synapse deactivate each account.
  bulk: { concurrency: 1, idempotent: true },
  load: commands('usersDeactivate'),
})
export const usersReactivate = defineCommand({
  path: 'mas users reactivate',
  description: 'Reactivate a deactivated MAS user (MAS reactivates the Synapse account)',
  args: '<username>',
  argInfo: USER,
  writes: true,
  bulk: { idempotent: true },
  load: commands('usersReactivate'),
})
export const usersSetPassword = defineCommand({
  path: 'mas users set-password',
  description: "Set a MAS user's password",
  help: 'Without a password option the password comes from $SYNADM_PASSWORD, else a hidden prompt (asked twice).\nSessions stay; user password also ends them.',
  args: '<username>',
  argInfo: USER,
  options: [PASSWORD, PASSWORD_FILE, { flags: '--skip-check', description: "skip MAS's password strength check" }],
  groups: [{ kind: 'exclusive', options: ['password', 'passwordFile'], title: 'Password' }],
  writes: true,
  load: commands('usersSetPassword'),
})
export const usersSetAdmin = defineCommand({
  path: 'mas users set-admin',
  description: 'Let a MAS user request admin rights (urn:synapse:admin:*, urn:mas:admin), or with --unset no longer',
  help: "MAS's flag only: Synapse grants admin rights to tokens with the scope, whatever its own admin flag says.",
  args: '<username>',
  argInfo: USER,
  options: [{ flags: '--unset', description: 'take the right away' }],
  writes: true,
  bulk: { idempotent: true },
  load: commands('usersSetAdmin'),
})

// --- sessions --------------------------------------------------------------------------------------------------
export const sessionsList = defineCommand({
  path: 'mas sessions list',
  description: 'List compatibility, OAuth 2.0 or browser sessions (-k), of a user or all',
  help: "Compatibility sessions are logins of Matrix clients the old way (each has a device); OAuth 2.0 sessions\nlogins through MAS (Element X …); browser sessions logins to MAS's own pages. Personal sessions: mas personal-sessions.",
  options: [
    { flags: '-k, --kind <kind>', choices: ['compat', 'oauth2', 'browser'], default: 'compat', description: 'which sessions' },
    USER_FILTER,
    { flags: '--status <status>', choices: ['active', 'finished'], description: 'only active or only finished sessions' },
    FROM,
    LIMIT,
  ],
  paged: paged('sessions', 'sessions'),
  mainColumns: ['id', 'user_id', 'device_id', 'client_id', 'created_at', 'last_active_at', 'finished_at'],
  load: commands('sessionsList'),
})
export const sessionsDetails = defineCommand({
  path: 'mas sessions details',
  description: 'Show a session (compatibility, OAuth 2.0 or browser) by its ID',
  args: '<session_id>',
  argInfo: SESSION_ARG,
  options: [SESSION_KIND],
  load: commands('sessionsDetails'),
})
export const sessionsFinish = defineCommand({
  path: 'mas sessions finish',
  description: 'End a session (compatibility, OAuth 2.0 or browser): its tokens stop working, its device goes',
  help: 'Shows the session and asks first (--batch: does not ask). A session already finished is skipped.',
  args: '<session_id>',
  argInfo: SESSION_ARG,
  options: [SESSION_KIND],
  destructive: true,
  bulk: { idempotent: true },
  load: commands('sessionsFinish'),
})
export const personalList = defineCommand({
  path: 'mas personal-sessions list',
  description: 'List personal sessions (personal access tokens)',
  options: [
    { flags: '--actor <username>', complete: 'mas_user', description: 'only sessions acting as this user' },
    { flags: '--owner <username>', complete: 'mas_user', description: 'only sessions this user owns' },
    { flags: '--status <status>', choices: ['active', 'revoked'], description: 'only active or only revoked sessions' },
    { flags: '--scope <scope>', repeatable: true, description: 'only sessions with this scope' },
    FROM,
    LIMIT,
  ],
  paged: paged('personal_sessions', 'personal sessions'),
  mainColumns: ['id', 'human_name', 'actor_user_id', 'scope', 'expires_at', 'revoked_at'],
  load: commands('personalList'),
})
export const personalDetails = defineCommand({
  path: 'mas personal-sessions details',
  description: 'Show a personal session',
  args: '<session_id>',
  argInfo: PERSONAL_ARG,
  load: commands('personalDetails'),
})
export const personalAdd = defineCommand({
  path: 'mas personal-sessions add',
  description: 'Create a personal session acting as a user; prints its token (shown only now)',
  help: "Scopes, e.g.: urn:matrix:client:api:* (the client API), urn:synapse:admin:* (Synapse's admin API), urn:mas:admin\n(MAS's admin API); a token with all three serves synadm on both APIs. Without an expiry option it never expires.",
  args: '<username>',
  argInfo: USER,
  options: [
    { flags: '-s, --scope <scope>', repeatable: true, description: 'a scope of the token (repeat for more)' },
    { flags: '-n, --name <name>', default: 'synadm', description: 'a name for people to recognise the session by' },
    ...EXPIRY,
  ],
  groups: [{ kind: 'any', options: ['scope'], title: 'Scope' }, EXPIRY_GROUP],
  writes: true,
  load: commands('personalAdd'),
})
export const personalRevoke = defineCommand({
  path: 'mas personal-sessions revoke',
  description: 'Revoke a personal session: its token stops working',
  help: 'Shows the session and asks first (--batch: does not ask). A session already revoked is skipped.',
  args: '<session_id>',
  argInfo: PERSONAL_ARG,
  destructive: true,
  bulk: { idempotent: true },
  load: commands('personalRevoke'),
})
export const personalRegenerate = defineCommand({
  path: 'mas personal-sessions regenerate',
  description: "Give a personal session a new token (the old one stops working); prints it",
  help: 'MAS lets only the owner of a session do this: a session made with the same credentials synadm uses.',
  args: '<session_id>',
  argInfo: PERSONAL_ARG,
  options: EXPIRY,
  groups: [EXPIRY_GROUP],
  writes: true,
  load: commands('personalRegenerate'),
})

// --- e-mails, upstream links and providers, OAuth 2.0 clients ---------------------------------------------------
export const emailsList = defineCommand({
  path: 'mas emails list',
  description: "List users' e-mail addresses",
  options: [USER_FILTER, { flags: '-e, --email <address>', description: 'only this address' }, FROM, LIMIT],
  paged: paged('emails', 'e-mail addresses'),
  mainColumns: ['id', 'user_id', 'email', 'created_at'],
  load: commands('emailsList'),
})
export const emailsDetails = defineCommand({
  path: 'mas emails details',
  description: 'Show an e-mail address of a user',
  args: '<email_id>',
  argInfo: EMAIL_ARG,
  load: commands('emailsDetails'),
})
export const emailsAdd = defineCommand({
  path: 'mas emails add',
  description: 'Add an e-mail address to a user (MAS tells Synapse)',
  args: '<username> <email>',
  argInfo: { ...USER, email: { description: 'the address' } },
  writes: true,
  load: commands('emailsAdd'),
})
export const emailsDelete = defineCommand({
  path: 'mas emails delete',
  description: "Remove an e-mail address from a user",
  args: '<email_id>',
  argInfo: EMAIL_ARG,
  destructive: true,
  load: commands('emailsDelete'),
})
export const linksList = defineCommand({
  path: 'mas links list',
  description: 'List links of users to accounts at upstream OAuth 2.0 providers',
  options: [
    USER_FILTER,
    { flags: '--provider <provider_id>', id: 'ulid', complete: 'mas_provider', description: 'only links to this provider' },
    { flags: '--subject <subject>', description: "only links with this subject (the user's ID at the provider)" },
    FROM,
    LIMIT,
  ],
  paged: paged('links', 'links'),
  mainColumns: ['id', 'user_id', 'provider_id', 'subject', 'human_account_name'],
  load: commands('linksList'),
})
export const linksDetails = defineCommand({
  path: 'mas links details',
  description: 'Show a link to an upstream account',
  args: '<link_id>',
  argInfo: LINK_ARG,
  load: commands('linksDetails'),
})
export const linksAdd = defineCommand({
  path: 'mas links add',
  description: "Link a user to an account at an upstream OAuth 2.0 provider",
  args: '<username> <provider_id> <subject>',
  argInfo: { ...USER, ...PROVIDER_ARG, subject: { description: "the user's ID at the provider (its sub claim)" } },
  options: [{ flags: '--account-name <name>', description: 'a name for people to recognise the account by' }],
  writes: true,
  load: commands('linksAdd'),
})
export const linksDelete = defineCommand({
  path: 'mas links delete',
  description: 'Remove a link to an upstream account (the user can no longer log in with it)',
  args: '<link_id>',
  argInfo: LINK_ARG,
  destructive: true,
  load: commands('linksDelete'),
})
export const providersList = defineCommand({
  path: 'mas providers list',
  description: 'List upstream OAuth 2.0 providers',
  options: [{ flags: '--enabled / --disabled', description: 'only enabled or only disabled providers' }, FROM, LIMIT],
  paged: paged('providers', 'providers'),
  mainColumns: ['id', 'human_name', 'issuer', 'disabled_at'],
  load: commands('providersList'),
})
export const providersDetails = defineCommand({
  path: 'mas providers details',
  description: 'Show an upstream OAuth 2.0 provider',
  args: '<provider_id>',
  argInfo: PROVIDER_ARG,
  load: commands('providersDetails'),
})
export const clientsList = defineCommand({
  path: 'mas clients list',
  description: 'List OAuth 2.0 clients',
  options: [
    { flags: '--kind <kind>', choices: ['static', 'dynamic'], description: 'only clients from the config (static) or registered by themselves (dynamic)' },
    { flags: '-n, --name <text>', description: 'only clients whose name contains TEXT' },
    { flags: '--grant-type <type>', description: 'only clients allowed this grant, e.g. client_credentials' },
    FROM,
    LIMIT,
  ],
  paged: paged('clients', 'clients'),
  mainColumns: ['id', 'client_name', 'client_uri', 'grant_types', 'is_static'],
  load: commands('clientsList'),
})
export const clientsDetails = defineCommand({
  path: 'mas clients details',
  description: 'Show an OAuth 2.0 client',
  args: '<client_id>',
  argInfo: CLIENT_ARG,
  load: commands('clientsDetails'),
})

// --- registration tokens ---------------------------------------------------------------------------------------
const TOKEN_EXPIRY = defineOptions([
  { flags: '-e, --expire-at <date>', type: 'datetime', description: 'when the token expires, e.g. 2030-01-01 (local time)' },
  { flags: '-t, --expiry-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'when the token expires, as a ms timestamp' },
])
export const tokensList = defineCommand({
  path: 'mas tokens list',
  description: 'List registration tokens, with filters',
  options: [
    { flags: '-v, --valid / -V, --invalid', description: 'only tokens that can be used, or only those that cannot' },
    { flags: '--used / --unused', description: 'only tokens used at least once, or never' },
    { flags: '--revoked / --not-revoked', description: 'only revoked tokens, or none of them' },
    { flags: '--expired / --not-expired', description: 'only expired tokens, or none of them' },
    FROM,
    LIMIT,
  ],
  paged: paged('tokens', 'registration tokens'),
  mainColumns: ['id', 'token', 'valid', 'times_used', 'usage_limit', 'expires_at', 'revoked_at'],
  load: commands('tokensList'),
})
export const tokensDetails = defineCommand({
  path: 'mas tokens details',
  description: 'Show a registration token',
  args: '<token_id>',
  argInfo: TOKEN_ARG,
  load: commands('tokensDetails'),
})
export const tokensAdd = defineCommand({
  path: 'mas tokens add',
  description: 'Create a registration token; prints it',
  options: [
    // id 'regtok' also makes the value a secret in logs, history and the audit log (core/kernel/log.ts)
    { flags: '-n, --token <token>', id: 'regtok', description: 'the token itself [default: random, made by MAS]' },
    { flags: '-u, --usage-limit <n>', type: 'int', min: 0, max: 4_294_967_295, description: 'how many registrations it allows [default: unlimited]' },
    ...TOKEN_EXPIRY,
  ],
  groups: [{ kind: 'exclusive', options: ['expireAt', 'expiryTs'], title: 'Expiry' }],
  writes: true,
  load: commands('tokensAdd'),
})
export const tokensEdit = defineCommand({
  path: 'mas tokens edit',
  description: "Change a registration token's usage limit or expiry; what is not given stays",
  args: '<token_id>',
  argInfo: TOKEN_ARG,
  options: [
    { flags: '-u, --usage-limit <n>', type: 'int', min: -1, max: 4_294_967_295, description: 'how many registrations it allows; -1 = unlimited' },
    { flags: '-e, --expire-at <date>', type: 'datetime', description: 'when it expires, e.g. 2030-01-01 (local time)' },
    { flags: '-t, --expiry-ts <ms>', type: 'int', min: -1, max: TIMESTAMP_MS.max, description: 'when it expires, as a ms timestamp; -1 = never' },
  ],
  groups: [
    { kind: 'any', options: ['usageLimit', 'expireAt', 'expiryTs'], title: 'Changes' },
    { kind: 'exclusive', options: ['expireAt', 'expiryTs'], title: 'Expiry' },
  ],
  writes: true,
  bulk: { idempotent: true },
  load: commands('tokensEdit'),
})
export const tokensRevoke = defineCommand({
  path: 'mas tokens revoke',
  description: 'Revoke a registration token: no registrations with it (mas tokens unrevoke undoes it)',
  args: '<token_id>',
  argInfo: TOKEN_ARG,
  writes: true,
  bulk: { idempotent: true },
  load: commands('tokensRevoke'),
})
export const tokensUnrevoke = defineCommand({
  path: 'mas tokens unrevoke',
  description: 'Take back the revocation of a registration token',
  args: '<token_id>',
  argInfo: TOKEN_ARG,
  writes: true,
  bulk: { idempotent: true },
  load: commands('tokensUnrevoke'),
})

// --- MAS itself ------------------------------------------------------------------------------------------------
export const policyShow = defineCommand({
  path: 'mas policy-data show',
  description: "Show the data MAS's policy runs with: the latest, or the one with ID",
  args: '[policy_data_id]',
  argInfo: { policy_data_id: { description: 'an earlier one, by ID', id: 'ulid' } },
  load: commands('policyShow'),
})
export const policySet = defineCommand({
  path: 'mas policy-data set',
  description: "Replace the data MAS's policy runs with (a JSON object from FILE)",
  help: 'Shows the current and the new data and asks first (--batch: does not ask). MAS keeps the earlier ones (mas policy-data show ID).',
  args: '<file>',
  argInfo: { file: { description: "a JSON object ('-' = stdin)" } },
  destructive: true,
  load: commands('policySet'),
})
export const siteConfig = defineCommand({
  path: 'mas site-config',
  description: "Show MAS's site configuration (server name, password and registration rules)",
  load: commands('siteConfig'),
})
export const version = defineCommand({
  path: 'mas version',
  description: "Show MAS's version",
  load: commands('version'),
})
export const info = defineCommand({
  path: 'mas info',
  description: 'Whether the server delegates auth to MAS, where MAS is, and how synadm gets a token for it',
  load: commands('info'),
})

export const MAS_COMMANDS = [
  usersList, usersDetails, usersAdd, usersLock, usersUnlock, usersDeactivate, usersReactivate, usersSetPassword, usersSetAdmin,
  sessionsList, sessionsDetails, sessionsFinish,
  personalList, personalDetails, personalAdd, personalRevoke, personalRegenerate,
  emailsList, emailsDetails, emailsAdd, emailsDelete,
  linksList, linksDetails, linksAdd, linksDelete,
  providersList, providersDetails, clientsList, clientsDetails,
  tokensList, tokensDetails, tokensAdd, tokensEdit, tokensRevoke, tokensUnrevoke,
  policyShow, policySet, siteConfig, version, info,
]

export default definePlugin({
  name: 'mas',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('mas', () => import('./api.js').then((m) => m.createMasApi))
    ctx.completionSource('mas_user', () => import('./completion.js').then((m) => m.masUsernames))
    ctx.completionSource('mas_session', () => import('./completion.js').then((m) => m.masSessionIds))
    ctx.completionSource('mas_personal_session', () => import('./completion.js').then((m) => m.masPersonalSessionIds))
    ctx.completionSource('mas_email', () => import('./completion.js').then((m) => m.masEmailIds))
    ctx.completionSource('mas_link', () => import('./completion.js').then((m) => m.masLinkIds))
    ctx.completionSource('mas_provider', () => import('./completion.js').then((m) => m.masProviderIds))
    ctx.completionSource('mas_client', () => import('./completion.js').then((m) => m.masClientIds))
    ctx.completionSource('mas_token', () => import('./completion.js').then((m) => m.masTokenIds))
    ctx.group('mas', "MAS's admin API (servers that delegate auth to MAS): users, sessions, e-mails, links, tokens")
    ctx.group('mas users', 'MAS users: list, show, add, lock, deactivate, set password or admin right')
    ctx.group('mas sessions', 'Compatibility, OAuth 2.0 and browser sessions: list, show, finish')
    ctx.group('mas personal-sessions', 'Personal sessions (personal access tokens): list, show, add, revoke, regenerate')
    ctx.group('mas emails', "Users' e-mail addresses: list, show, add, delete")
    ctx.group('mas links', 'Links of users to upstream OAuth 2.0 accounts: list, show, add, delete')
    ctx.group('mas providers', 'Upstream OAuth 2.0 providers: list, show')
    ctx.group('mas clients', 'OAuth 2.0 clients: list, show')
    ctx.group('mas tokens', 'Registration tokens: list, show, add, edit, revoke, unrevoke')
    ctx.group('mas policy-data', "The data MAS's policy runs with: show, set")
    for (const spec of MAS_COMMANDS) ctx.command(spec)
  },
})
