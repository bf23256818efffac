/**
 * The user plugin: every account command of the Python synadm (same names, arguments and options) plus the
 * account endpoints it lacks. Declarations only; implementations load when a command runs.
 */
import { DAYS, defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION, TIMESTAMP_MS, type OptionGroup, type OptionSpec, type PagedSpec, type PlanCommandSpec } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))
const importer = lazy(() => import('./import.js'))
const takedownModule = () => import('./takedown.js')
const takedownCommands = lazy(takedownModule)

const USER_ARG = { user_id: { description: 'user ID (@name:server) or just the localpart', complete: 'user_id', id: 'user' as const } }
const DEVICE_ARG = { description: 'device ID', id: 'device' as const }
const from = (what: string) => defineOptions([{ flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: `offset of the first ${what} (the next_token of the previous page)` }])[0]
const limit = (what: string) => defineOptions([{ flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: `${what} per page` }])[0]
const datetime = (fields: string) =>
  defineOptions([{ flags: '--datetime, --dt / --timestamp, --ts', default: true, description: `show ${fields} as local date and time, or as ms timestamps` }])[0]
const [MEDIA_SORT, MEDIA_REVERSE] = defineOptions([
  {
    flags: '-s, --sort <field>',
    choices: ['media_id', 'upload_name', 'created_ts', 'last_access_ts', 'media_length', 'media_type', 'quarantined_by', 'safe_from_quarantine'],
    description: 'sort by this field (fields other than media_id and created_ts have no database index: slow on big servers)',
  },
  { flags: '-r, --reverse', description: 'reverse the order (default: newest first)' },
])
const SINCE = defineOptions([
  { flags: '--since <date>', type: 'datetime', description: 'count from this local date/time (YYYY-MM-DD[ HH:MM:SS])' },
  { flags: '--since-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'count from this ms timestamp' },
  { flags: '--since-days <n>', type: 'int', ...DAYS, description: 'count the last N days' },
])
const SINCE_GROUP: OptionGroup = { kind: 'one', options: ['since', 'sinceTs', 'sinceDays'], title: 'Since' }
const [PASSWORD_FILE] = defineOptions([{ flags: '--password-file <file>', description: 'read the new password from FILE (- = stdin; one final line break is dropped)' }])
const SECRET_HELP = 'Without a password option the password comes from $SYNADM_PASSWORD, else a hidden prompt (asked twice).'

const listOptions = <const D extends OptionSpec>(deactivated: D) => defineOptions([
  from('user'),
  limit('users'),
  { flags: '-g, --guests / -G, --no-guests', description: 'include guest accounts, or leave them out (unset: Synapse decides)' },
  deactivated,
  { flags: '-a, --admins / -A, --non-admins', description: 'only admins, or only non-admins (unset: both)' },
  {
    flags: '--sort-by <field>',
    // not enforced, as in the Python synadm: Synapse decides
    suggest: ['name', 'is_guest', 'admin', 'user_type', 'deactivated', 'shadow_banned', 'displayname', 'avatar_url', 'creation_ts', 'last_seen_ts'],
    description: 'sort by this field',
  },
  { flags: '--reverse', description: 'reverse the order' },
  { flags: '--exclude-user-type <type>', repeatable: true, description: 'leave out this user type: bot, support, or "" for accounts without a type' },
  { flags: '-L, --locked', description: 'include locked accounts' },
  { flags: '-n, --name <text>', description: 'only accounts whose localpart or display name contains TEXT' },
  { flags: '-i, --user-id <text>', complete: 'user_id', description: 'only accounts whose ID contains TEXT (a localpart is expanded to a full ID)' },
])
const LIST_GROUPS: OptionGroup[] = [{ kind: 'exclusive', options: ['name', 'userId'], title: 'Search options' }]
/** v2/users and v3/users page by offset; --all pages 5000 at a time (measured: BENCHMARKS.md, Big servers) */
const USER_PAGES = { items: 'users', next: 'next_token', from: 'from', style: 'offset', total: 'total', pageSize: 5000 } as const satisfies PagedSpec
const USER_COLUMNS = ['name', 'displayname', 'admin', 'deactivated', 'last_seen_ts']

/** `a`, `a and b`, `a, b and c` */
const inWords = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join(''))
/** what user modify changes, by option given: which way, where an option has two */
const MODIFIES: Record<string, (o: Record<string, unknown>) => string> = {
  passwordPrompt: () => 'set the password',
  password: () => 'set the password',
  passwordFile: () => 'set the password',
  displayName: () => 'set the display name',
  threepid: () => 'change the 3PIDs',
  addThreepid: () => 'change the 3PIDs',
  removeThreepid: () => 'change the 3PIDs',
  clearThreepids: () => 'change the 3PIDs',
  externalId: () => 'change the external IDs',
  clearExternalIds: () => 'change the external IDs',
  avatarUrl: () => 'set the avatar',
  admin: (o) => (o.admin ? 'grant server admin rights' : 'revoke server admin rights'),
  activate: () => 'reactivate',
  deactivate: () => 'deactivate',
  userType: () => 'set the user type',
  lock: (o) => (o.lock ? 'lock' : 'unlock'),
}
/** the columns of media lists that matter most in a terminal */
const MEDIA_COLUMNS = ['media_id', 'media_type', 'media_length', 'upload_name', 'created_ts']

// --- the Python synadm's commands ---------------------------------------------------------------------------
export const list = defineCommand({
  path: 'user list',
  description: 'List users, search for users',
  help: 'One page (GET v2/users); --all follows next_token and prints every user (try -o jsonl).\nDeactivated accounts are listed only with -d; see user list-v3 for only-deactivated or only-active.',
  options: listOptions({ flags: '-d, --deactivated', description: 'also list deactivated and erased accounts' }),
  groups: LIST_GROUPS,
  paged: USER_PAGES,
  mainColumns: USER_COLUMNS,
  load: commands('list'),
})
export const search = defineCommand({
  path: 'user search',
  description: "A shortcut to 'synadm user list -d -g -n <search-term>'",
  help: "Prints two result pages, for the term in lower case and Capitalized, as synadm does (the headings go to stderr).",
  args: '<search_term>',
  argInfo: { search_term: { description: 'part of the localpart or display name' } },
  options: [from('user'), limit('users')],
  load: commands('search'),
})
export const details = defineCommand({
  path: 'user details',
  description: 'View details of a user account',
  help: 'An unknown user ID is a not-found error (exit 7), not an error document with exit 0.',
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('details'),
})
export const modify = defineCommand({
  path: 'user modify',
  description: 'Create or modify a local user',
  help: [
    'Shows the account and the changes, then asks (--batch: does not ask). An account that does not exist is',
    'created, and the question says so. Only the options given are changed.',
    '',
    'Better than synadm: --threepid replaces ALL 3PIDs (kept for compatibility); --add-threepid and',
    '--remove-threepid change one address and keep the rest, and the confirmation shows the 3PIDs before',
    'and after. Passwords: prefer -p (prompt), --password-file or $SYNADM_PASSWORD to -P, which other users',
    'of the machine can read in the process list. --no-logout really keeps devices logged in.',
  ].join('\n'),
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '-p, --password-prompt', description: 'ask for the new password (hidden, twice); with --batch it is taken from $SYNADM_PASSWORD' },
    { flags: '-P, --password <password>', description: 'set this password (visible to other users in the process list: prefer -p or --password-file)' },
    PASSWORD_FILE,
    { flags: '-n, --display-name <name>', description: 'set the display name' },
    { flags: '-t, --threepid <medium> <address>', repeatable: true, description: "replace ALL 3PIDs by these (e.g. -t email a@example.org); -t '' '' clears them" },
    { flags: '--add-threepid <medium> <address>', repeatable: true, description: 'add this 3PID and keep the others' },
    { flags: '--remove-threepid <medium> <address>', repeatable: true, description: 'remove this 3PID (an error if the user has not got it) and keep the others' },
    { flags: '--clear-threepids', description: 'remove all 3PIDs (with --add-threepid: then add those)' },
    { flags: '--external-id <auth_provider> <external_id>', repeatable: true, description: 'replace ALL SSO/OIDC external IDs by these' },
    { flags: '--clear-external-ids', description: 'remove all SSO/OIDC external IDs' },
    { flags: '-v, --avatar-url <mxc_uri>', description: 'set the avatar (an mxc:// URI)' },
    { flags: '-a, --admin / -u, --no-admin', description: 'grant or revoke server admin rights' },
    { flags: '--activate', description: 're-activate a deactivated account (Synapse may require a password)' },
    { flags: '--deactivate', description: "deactivate the account (see also 'user deactivate')" },
    { flags: '--user-type <type>', description: "set the user type (bot, support, …); 'regular' removes it" },
    { flags: '--no-logout', description: 'when setting a password, keep the devices logged in' },
    { flags: '-l, --lock / -L, --unlock', description: 'lock (no logins) or unlock the account' },
  ],
  effect: ({ options, given }) => `create or modify {target}: ${inWords([...new Set([...given].flatMap((key) => MODIFIES[key]?.(options) ?? []))])}`,
  groups: [
    {
      kind: 'any',
      options: ['passwordPrompt', 'password', 'passwordFile', 'displayName', 'threepid', 'addThreepid', 'removeThreepid', 'clearThreepids', 'externalId', 'clearExternalIds', 'avatarUrl', 'admin', 'activate', 'deactivate', 'userType', 'logout', 'lock'],
    },
    { kind: 'exclusive', options: ['passwordPrompt', 'password', 'passwordFile'], title: 'Password' },
    { kind: 'exclusive', options: ['threepid', 'clearThreepids'], title: 'Replace 3PIDs' },
    { kind: 'exclusive', options: ['externalId', 'clearExternalIds'], title: 'External IDs' },
    { kind: 'exclusive', options: ['activate', 'deactivate'], title: 'Activation' },
  ],
  destructive: true,
  load: commands('modify'),
})
export const deactivate = defineCommand({
  path: 'user deactivate',
  description: 'Deactivate or GDPR-erase a user',
  help: 'Removes the access tokens, the password and the 3PIDs, and leaves all rooms. Shows the account and\nits rooms first and asks (--batch: does not ask).',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '-e, --gdpr-erase', description: 'also GDPR-erase: messages stay visible to those who saw them, hidden from later joiners' }],
  effect: ({ options }) => (options.gdprErase ? 'deactivate and GDPR-erase {target}' : 'deactivate {target}'),
  destructive: true,
  // One at a time: parallel deactivations make Synapse re-join users to rooms (synapse#16290).
  bulk: { concurrency: 1, idempotent: true },
  load: commands('deactivate'),
})
export const deactivateRegex = defineCommand({
  path: 'user deactivate-regex',
  description: 'Deactivate or GDPR-erase every account whose user ID matches a regex',
  help: [
    'REGEX must match the full user ID from its first character (like Python re.match; JavaScript syntax).',
    'Lists every active account first, then asks once for all matches (--batch: does not ask) and',
    'deactivates them one by one. The account synadm acts as is never included. Exit 9 if some failed.',
  ].join('\n'),
  args: '<regex>',
  options: [
    { flags: '-e, --gdpr-erase', description: 'also GDPR-erase the accounts' },
    { flags: '-n, --dry-run', description: 'only list the accounts that would be deactivated' },
    { flags: '-p, --batch-size, --paginate <n>', type: 'int', min: 1, default: 500, description: 'users fetched per list request' },
  ],
  destructive: true,
  load: commands('deactivateRegex'),
})
export const importUsers = defineCommand({
  path: 'user import',
  description: 'Create (or update) many accounts from CSV or JSON lines',
  help: [
    'FILE (- = stdin) is CSV with a header row, JSON lines, or a JSON list: what `user list` and `user details`',
    'print (-o csv, -o jsonl, -o json) imports as it is. Columns (any order; empty cells are left out):',
    '  name | user_id | localpart   the account (required); an ID of another server keeps its localpart',
    '  displayname                  display name',
    '  password                     initial password (never shown; without it the account has none)',
    '  admin, deactivated, locked   true/false (also 1/0, yes/no)',
    '  user_type                    bot, support, …',
    '  avatar_url                   mxc:// URI',
    '  threepids                    JSON list of {medium, address}, or email:a@b.c;msisdn:123',
    '  external_ids                 JSON list of {auth_provider, external_id}',
    'Read-only fields of an export (creation_ts, is_guest, shadow_banned, …) are ignored; other columns are an error.',
    'Every row is checked before anything is sent. Rejected rows (invalid, or refused by the server) are written',
    'with a rejected_because column to FILE.rejected.csv/.jsonl (or --rejects), a new file of mode 0600: fix and',
    'import it. An existing rejects file stops the import before anything is sent, unless --overwrite-rejects.',
    'Exit 9 when rows were rejected or failed.',
  ].join('\n'),
  args: '<file>',
  argInfo: { file: { description: "CSV or JSON lines ('-' = stdin)" } },
  options: [
    { flags: '--on-conflict <action>', choices: ['skip', 'update', 'fail'], default: 'skip', description: 'an account that exists: leave it (skip), change it to the row (update), or count the row as failed (fail)' },
    { flags: '--rejects <file>', description: 'write rejected rows to FILE (default: next to the input, .rejected.csv/.jsonl)' },
    { flags: '--overwrite-rejects', description: 'replace the rejects file if it exists (it is removed and written anew, mode 0600)' },
  ],
  writes: true,
  bulk: { concurrency: 4, idempotent: true },
  load: importer('importUsers'),
})
export const password = defineCommand({
  path: 'user password',
  description: "Change a user's password",
  help: `Logs the user out of all devices unless -n. ${SECRET_HELP}`,
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '-n, --no-logout', description: 'keep the user logged in on all devices' },
    { flags: '-p, --password <password>', description: 'the new password (visible to other users in the process list: prefer --password-file or the prompt)' },
    PASSWORD_FILE,
  ],
  groups: [{ kind: 'exclusive', options: ['password', 'passwordFile'], title: 'Password' }],
  effect: ({ options }) => `set a new password for {target}${options.noLogout ? '' : ' and log it out of every device'}`,
  writes: true,
  load: commands('password'),
})
export const whois = defineCommand({
  path: 'user whois',
  description: "View information about a user's active sessions (IPs, user agents)",
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('whois'),
})
export const media = defineCommand({
  path: 'user media',
  description: 'List all local media uploaded by a user',
  help: 'Newest first unless --sort/--reverse; --all prints every page.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [from('media item'), limit('media items'), MEDIA_SORT, MEDIA_REVERSE, datetime('created_ts and last_access_ts')],
  paged: { items: 'media', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  mainColumns: MEDIA_COLUMNS,
  load: commands('media'),
})
export const membership = defineCommand({
  path: 'user membership',
  description: 'List all rooms a user is joined to',
  help: "See also 'user memberships' (every membership state) and 'user joined-rooms'.",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '--aliases / --ids', default: true, description: 'show a room by its aliases where it has some, or always by room ID' }],
  load: commands('membership'),
})
export const login = defineCommand({
  path: 'user login',
  description: 'Get an access token that acts as the user (no new device)',
  help: 'Default expiry: 1 day. The token ends early when the admin calls /logout/all.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '-d, --expire-days <n>', type: 'int', ...DAYS, description: 'expire the token after N days' },
    { flags: '--expire <date>', type: 'datetime', description: 'expire the token at this local date/time (YYYY-MM-DD[ HH:MM:SS])' },
    { flags: '--expire-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'expire the token at this ms timestamp' },
    { flags: '--expire-never', description: 'the token never expires' },
  ],
  groups: [{ kind: 'exclusive', options: ['expireDays', 'expire', 'expireTs', 'expireNever'], title: 'Token expires' }],
  writes: true,
  load: commands('login'),
})
export const shadowBan = defineCommand({
  path: 'user shadow-ban',
  description: 'Shadow-ban or unban a user',
  help: 'A shadow-banned user gets no error, but nothing they send reaches anyone. A tool of last resort.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '-u, --unban', description: 'lift the shadow-ban' }],
  effect: ({ options }) => (options.unban ? 'lift the shadow-ban of {target}' : 'shadow-ban {target}'),
  writes: true,
  bulk: { idempotent: true },
  load: commands('shadowBan'),
})
export const suspend = defineCommand({
  path: 'user suspend',
  description: 'Suspend (freeze) an account, or lift the suspension',
  help: "A suspended account cannot send, join, invite or change its profile. 'user details' shows the state.\nUnlike synadm (where -U suspends), -U and --unsuspend both lift the suspension.",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '-U, --unsuspend', description: 'lift the suspension' }],
  effect: ({ options }) => (options.unsuspend ? 'lift the suspension of {target}' : 'suspend {target}'),
  destructive: true,
  bulk: { idempotent: true },
  load: commands('suspend'),
})
export const pruneDevices = defineCommand({
  path: 'user prune-devices',
  description: "Delete a user's stale devices, oldest first, keeping a minimum",
  help: 'Deleting a device ends its session and loses its encryption keys. Use -l to see the candidates first.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '-l, --list-only', description: 'only show the devices that would be deleted' },
    { flags: '-d, --min-days <n>', type: 'int', ...DAYS, default: 90, description: 'only devices not seen for N days (never seen counts as old; 0 = any age)' },
    { flags: '-s, --min-surviving <n>', type: 'int', min: 0, default: 1, description: 'never leave fewer than N devices' },
    { flags: '-i, --device-id <device_id>', description: 'only this device (the age check is skipped)', id: 'device' },
    datetime('last_seen_ts'),
  ],
  writes: true,
  load: commands('pruneDevices'),
})
export const redact = defineCommand({
  path: 'user redact',
  description: 'Redact the events of a user (local or remote) in some or all rooms',
  help: 'A server-side job: prints its redact_id; --wait polls until it completed or failed.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '-r, --room <room_id>', repeatable: true, description: 'only in this room (default: all rooms of the user)', id: 'room' },
    { flags: '--reason <text>', description: 'reason shown in every redaction event' },
    { flags: '-l, --limit <n>', type: 'int', min: 1, description: 'redact at most N events (Synapse default 1000)' },
    { flags: '--use-admin', description: 'redact as the admin user instead of as the user; the admin must be in the rooms with power to redact (Synapse 1.135+)' },
    { flags: '--after <date>', type: 'datetime', description: 'only events sent after this local date/time (Synapse 1.157+)' },
    { flags: '--after-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'only events sent after this ms timestamp' },
    { flags: '--before <date>', type: 'datetime', description: 'only events sent before this local date/time (Synapse 1.157+)' },
    { flags: '--before-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'only events sent before this ms timestamp' },
  ],
  groups: [
    { kind: 'exclusive', options: ['after', 'afterTs'], title: 'After' },
    { kind: 'exclusive', options: ['before', 'beforeTs'], title: 'Before' },
  ],
  job: { checkLater: 'synadm user redact-status {id}' },
  writes: true,
  load: commands('redact'),
})
export const redactStatus = defineCommand({
  path: 'user redact-status',
  description: 'Get the status of a user redaction job',
  args: '<redact_id>',
  argInfo: { redact_id: { description: "the redact_id printed by 'user redact'", id: 'job' } },
  load: commands('redactStatus'),
})
export const threePid = defineCommand({
  path: 'user 3pid',
  description: 'Find a user by a third-party ID (e-mail address, phone number)',
  args: '<address>',
  options: [{ flags: '-m, --medium <medium>', default: 'email', description: 'kind of third-party ID: email or msisdn' }],
  load: commands('threePid'),
})
export const authProvider = defineCommand({
  path: 'user auth-provider',
  description: 'Find a user by their ID at an SSO/OIDC provider',
  args: '<external_user_id>',
  options: [{ flags: '-p, --provider <provider>', description: "provider ID as in the m.login.sso flow, e.g. 'oidc', 'google'" }],
  groups: [{ kind: 'one', options: ['provider'], title: 'Provider' }],
  load: commands('authProvider'),
})
// --- account endpoints the Python synadm lacks ------------------------------------------------------------
export const listV3 = defineCommand({
  path: 'user list-v3',
  description: 'List users with the v3 API, where -d/-D pick only deactivated or only active accounts',
  help: "Like 'user list' (same options, --all), but unset -d/-D lists both active and deactivated accounts.",
  options: listOptions({ flags: '-d, --deactivated / -D, --active', description: 'only deactivated accounts, or only active ones (unset: both)' }),
  groups: LIST_GROUPS,
  paged: USER_PAGES,
  mainColumns: USER_COLUMNS,
  load: commands('listV3'),
})
export const admin = defineCommand({
  path: 'user admin',
  description: 'Show whether a user is a server admin, or grant (--set) or revoke (--unset) it',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '--set / --unset', description: 'grant or revoke server admin rights (you cannot revoke your own)' }],
  effect: ({ options }) => (options.set ? 'make {target} a server admin' : 'revoke the server admin rights of {target}'),
  writes: true,
  load: commands('admin'),
})
export const memberships = defineCommand({
  path: 'user memberships',
  description: "List every room of a user with the membership state (join, leave, invite, ban, knock)",
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('memberships'),
})
export const joinedRooms = defineCommand({
  path: 'user joined-rooms',
  description: 'List the IDs of the rooms a user is joined to',
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('joinedRooms'),
})
export const rooms = defineCommand({
  path: 'user rooms',
  description: 'List the rooms a user is joined to or created, one record per room (for a wave: --targets FILE)',
  help: [
    "Each record: user_id, room_id, the user's membership, created (the user is the room's creator), room_name,",
    "canonical_alias, creator, joined_members, joined_local_members, public. A room the user created and left is",
    "listed too. With --targets, the rooms of every user as one list: what it prints is the --targets of a room command.",
  ].join('\n'),
  args: '<user_id>',
  argInfo: USER_ARG,
  list: {},
  mainColumns: ['user_id', 'room_id', 'membership', 'created', 'room_name', 'joined_local_members'],
  load: commands('rooms'),
})
export const accountData = defineCommand({
  path: 'user account-data',
  description: "Show a user's account data (global and per room)",
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('accountData'),
})
export const deleteMedia = defineCommand({
  path: 'user delete-media',
  description: 'Delete the local media a user uploaded (one page at a time)',
  help: "Deletes what 'user media' lists with the same -f/-l/-s/-r; shows those files first and asks (--batch: does\nnot ask). To delete everything, raise -l to the total shown. Cannot be undone.",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [from('media item'), limit('media items'), MEDIA_SORT, MEDIA_REVERSE],
  effect: ({ options }) => `delete up to ${options.limit} media files uploaded by {target}`,
  destructive: true,
  load: commands('deleteMedia'),
})
export const devicesList = defineCommand({
  path: 'user devices list',
  description: "List a user's devices",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [datetime('last_seen_ts')],
  load: commands('devicesList'),
})
export const devicesShow = defineCommand({
  path: 'user devices show',
  description: 'Show one device of a user',
  args: '<user_id> <device_id>',
  argInfo: { ...USER_ARG, device_id: DEVICE_ARG },
  options: [datetime('last_seen_ts')],
  load: commands('devicesShow'),
})
export const devicesCreate = defineCommand({
  path: 'user devices create',
  description: 'Create a device for a user (no access token; for appservices and bridges)',
  args: '<user_id> <device_id>',
  argInfo: { ...USER_ARG, device_id: DEVICE_ARG },
  writes: true,
  load: commands('devicesCreate'),
})
export const devicesRename = defineCommand({
  path: 'user devices rename',
  description: "Change a device's display name",
  args: '<user_id> <device_id> <display_name>',
  argInfo: { ...USER_ARG, device_id: DEVICE_ARG },
  writes: true,
  load: commands('devicesRename'),
})
export const devicesDelete = defineCommand({
  path: 'user devices delete',
  description: 'Delete one device of a user (ends the session, loses its encryption keys)',
  args: '<user_id> <device_id>',
  argInfo: { ...USER_ARG, device_id: DEVICE_ARG },
  destructive: true,
  load: commands('devicesDelete'),
})
export const devicesDeleteMany = defineCommand({
  path: 'user devices delete-many',
  description: 'Delete several devices of a user at once',
  help: 'Every device ID must exist (Synapse would skip unknown ones silently); asks first (--batch: does not ask).',
  args: '<user_id> <device_ids...>',
  argInfo: { ...USER_ARG, device_ids: DEVICE_ARG },
  destructive: true,
  load: commands('devicesDeleteMany'),
})
export const pushers = defineCommand({
  path: 'user pushers',
  description: "List a user's pushers (push notification targets)",
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('pushers'),
})
export const ratelimitGet = defineCommand({
  path: 'user ratelimit get',
  description: "Show a user's rate-limit override ({} = none)",
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('ratelimitGet'),
})
export const ratelimitSet = defineCommand({
  path: 'user ratelimit set',
  description: "Override a user's message rate limit (0 and 0 = not rate-limited)",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '--messages-per-second <n>', type: 'int', min: 0, default: 0, description: 'messages per second (0 = no limit)' },
    { flags: '--burst-count <n>', type: 'int', min: 0, default: 0, description: 'burst size (0 = no limit)' },
  ],
  writes: true,
  load: commands('ratelimitSet'),
})
export const ratelimitDelete = defineCommand({
  path: 'user ratelimit delete',
  description: "Remove a user's rate-limit override (the server-wide limits apply again)",
  args: '<user_id>',
  argInfo: USER_ARG,
  writes: true,
  load: commands('ratelimitDelete'),
})
export const usernameAvailable = defineCommand({
  path: 'user username-available',
  description: 'Check whether a localpart can be registered',
  help: 'Prints {available: true}, or {available: false} with Synapse\'s reason (taken, invalid, reserved); exit 0 either way.',
  args: '<username>',
  argInfo: { username: { description: 'the localpart to check' } },
  load: commands('usernameAvailable'),
})
export const sentInviteCount = defineCommand({
  path: 'user sent-invite-count',
  description: 'Count the invites a user sent since a point in time',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: SINCE,
  groups: [SINCE_GROUP],
  load: commands('sentInviteCount'),
})
export const joinedRoomCount = defineCommand({
  path: 'user joined-room-count',
  description: 'Count the rooms a user joined since a point in time (including rooms left since)',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: SINCE,
  groups: [SINCE_GROUP],
  load: commands('joinedRoomCount'),
})
export const allowCrossSigningReplacement = defineCommand({
  path: 'user allow-cross-signing-replacement',
  description: 'Let a user replace their master cross-signing key without authenticating, for 10 minutes',
  help: 'Meant for account recovery flows (Synapse documents it for auth services); the user needs a master key.',
  args: '<user_id>',
  argInfo: USER_ARG,
  writes: true,
  load: commands('allowCrossSigningReplacement'),
})
export const experimentalFeaturesGet = defineCommand({
  path: 'user experimental-features get',
  description: 'Show which experimental features a user has enabled',
  args: '<user_id>',
  argInfo: USER_ARG,
  load: commands('experimentalFeaturesGet'),
})
export const experimentalFeaturesSet = defineCommand({
  path: 'user experimental-features set',
  description: 'Enable or disable experimental features for a user',
  help: 'Features Synapse knows per user: msc3881, msc3575, msc4222 (it rejects others). Unnamed features stay as they are.',
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '--enable <feature>', repeatable: true, description: 'enable this feature' },
    { flags: '--disable <feature>', repeatable: true, description: 'disable this feature' },
  ],
  groups: [{ kind: 'any', options: ['enable', 'disable'], title: 'Features' }],
  writes: true,
  load: commands('experimentalFeaturesSet'),
})
export const validity = defineCommand({
  path: 'user validity',
  description: "Renew a user's account validity (servers with account_validity enabled)",
  help: "Without an expiry option, the new expiry is now plus the server's configured validity period.",
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [
    { flags: '--expire-days <n>', type: 'int', ...DAYS, description: 'valid until N days from now' },
    { flags: '--expire <date>', type: 'datetime', description: 'valid until this local date/time' },
    { flags: '--expiration-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'valid until this ms timestamp' },
    { flags: '--no-renewal-emails', description: 'send no renewal e-mails for this period' },
  ],
  groups: [{ kind: 'exclusive', options: ['expireDays', 'expire', 'expirationTs'], title: 'Expiry' }],
  writes: true,
  load: commands('validity'),
})
export const register = defineCommand({
  path: 'user register',
  description: 'Register a new user with the registration shared secret',
  help: [
    'Works even with registration closed and without an admin account (the first admin: -a).',
    'The secret (registration_shared_secret in homeserver.yaml) comes from --shared-secret-file, else',
    '$SYNADM_SHARED_SECRET, else a hidden prompt; the password from --password-file, else $SYNADM_PASSWORD,',
    'else a hidden prompt (asked twice). Neither is ever taken from the command line.',
  ].join('\n'),
  args: '<username>',
  argInfo: { username: { description: 'localpart of the new account (or its full user ID on this server)', id: 'user' } },
  options: [
    { flags: '-a, --admin', description: 'make the new user a server admin' },
    { flags: '-n, --display-name <name>', description: 'display name of the new user' },
    { flags: '--user-type <type>', description: 'user type, e.g. bot or support' },
    PASSWORD_FILE,
    { flags: '--shared-secret-file <file>', description: 'read the registration shared secret from FILE (- = stdin)' },
  ],
  writes: true,
  load: commands('register'),
})

// --- incident response: a takedown plan and a data export ---------------------------------------------------
const step = (name: keyof Awaited<ReturnType<typeof takedownModule>>['steps']) => async () => (await takedownModule()).steps[name]
export const takedown = {
  path: 'user takedown',
  description: 'Take down abusive accounts: lock, redact their events, quarantine their media, deactivate and erase, resolve their reports',
  help: [
    'A plan of steps run in this order on each user (one, or every line of --targets): lock (through MAS on a',
    'server that delegates auth to it), [suspend], [shadow-ban], redact its events in every room it is or was in',
    '(the rooms this server is still in; waits for the job), quarantine its local media, deactivate with GDPR',
    'erasure, resolve the event and user reports against it. Steps in [] run only when asked for (--suspend,',
    '--steps); --no-NAME leaves one out. Everything is read first, for every target, before the first write: the',
    'rooms to redact in, the media and the reports; an admin, a user of another server or one that does not exist',
    'refuses the whole run with the reason. Then one preview of what each step will affect, one question (--batch',
    "answers it; --dry-run stops there). --evidence DIR first writes what will be destroyed (what 'user export'",
    'writes). Users run 4 at a time, deactivations one at a time (Synapse re-joins users when they run in parallel).',
  ].join('\n'),
  args: '<user_id>',
  argInfo: USER_ARG,
  effect: () => 'take down {target}',
  plan: {
    steps: [
      { name: 'lock', does: 'lock {target} (no login, no requests)', idempotent: true, load: step('lock') },
      { name: 'suspend', does: 'suspend {target} (may read, cannot send)', default: false, idempotent: true, load: step('suspend') },
      { name: 'shadow-ban', does: "shadow-ban {target} (its messages reach no one)", default: false, idempotent: true, load: step('shadowBan') },
      {
        name: 'redact',
        does: 'redact the events of {target} in every room it is or was in, and wait for the job',
        options: [
          { flags: '--redact-room <room_id>', repeatable: true, id: 'room', complete: 'room_id', description: 'redact only in this room (default: every room the user is or was in)' },
          { flags: '--redact-reason <text>', description: 'reason shown in every redaction event' },
          { flags: '--redact-since <date>', type: 'datetime', description: 'redact only events sent after this local date/time (Synapse 1.157+)' },
          { flags: '--redact-until <date>', type: 'datetime', description: 'redact only events sent before this local date/time (Synapse 1.157+)' },
          { flags: '--redact-limit <n>', type: 'int', min: 1, max: 1_000_000, description: "the most events redacted per room (Synapse's default: 1000; a spammer who sent more keeps the rest)" },
        ],
        load: step('redact'),
      },
      { name: 'quarantine-media', does: 'quarantine the local media {target} uploaded', idempotent: true, load: step('quarantineMedia') },
      { name: 'deactivate', does: 'deactivate and GDPR-erase {target}', idempotent: true, load: step('deactivate') },
      { name: 'resolve-reports', does: 'resolve (delete) the event and user reports against {target}', idempotent: true, load: step('resolveReports') },
    ],
    evidence: async () => (await takedownModule()).collectEvidence,
    refuses: async () => (await takedownModule()).refuses,
    concurrency: 4,
  },
} satisfies PlanCommandSpec
export const exportUser = defineCommand({
  path: 'user export',
  description: 'Write what the server holds about a user into files: for data requests, or as evidence',
  help: [
    'Writes DIR/<user_id>/NAME.json (folders 0700, files 0600, secrets redacted): details, memberships, devices,',
    'whois (sessions and IPs), media (every page), reports (event and user reports against the user),',
    'recent_events (the latest 50 events of the user in each of its first 100 rooms), account_data, pushers.',
    "What the server does not have is recorded as absent. The same documents as 'user takedown --evidence DIR'.",
    'Reads only. Prints the files written.',
  ].join('\n'),
  args: '<user_id>',
  argInfo: USER_ARG,
  options: [{ flags: '-d, --dir <dir>', description: 'the folder to write into (created 0700 when missing; only you may write it)' }],
  groups: [{ kind: 'one', options: ['dir'], title: 'Folder' }],
  list: {},
  load: takedownCommands('exportUser'),
})

export default definePlugin({
  name: 'user',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('user', () => import('./api.js').then((m) => m.createUserApi))
    ctx.completionSource('user_id', () => import('./completion.js').then((m) => m.userIds))
    ctx.group('user', 'List, add, modify, deactivate/erase users, reset passwords')
    ctx.group('user devices', "A user's devices (sessions): list, show, create, rename, delete")
    ctx.group('user ratelimit', "A user's rate-limit override: show, set, remove")
    ctx.group('user experimental-features', 'Per-user experimental features (MSCs): show, switch on or off')
    for (const spec of [
      list,
      search,
      details,
      modify,
      deactivate,
      deactivateRegex,
      importUsers,
      password,
      whois,
      media,
      membership,
      login,
      shadowBan,
      suspend,
      pruneDevices,
      redact,
      redactStatus,
      threePid,
      authProvider,
      listV3,
      admin,
      memberships,
      joinedRooms,
      rooms,
      accountData,
      deleteMedia,
      devicesList,
      devicesShow,
      devicesCreate,
      devicesRename,
      devicesDelete,
      devicesDeleteMany,
      pushers,
      ratelimitGet,
      ratelimitSet,
      ratelimitDelete,
      usernameAvailable,
      sentInviteCount,
      joinedRoomCount,
      allowCrossSigningReplacement,
      experimentalFeaturesGet,
      experimentalFeaturesSet,
      validity,
      register,
      exportUser,
    ]) ctx.command(spec)
    ctx.plan(takedown)
  },
})
