/** The media plugin: list, inspect, quarantine, protect, delete and purge media (declarations only). */
import { DAYS, defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION, TIMESTAMP_MS, type OptionSpec } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))

const mediaId = (action: string) => ({ flags: '-i, --media-id <media_id>', description: `the ID of the media to ${action}`, complete: 'media_id', id: 'media' }) as const satisfies OptionSpec
const mxcUri = { flags: '-U, --mxc-uri <uri>', description: 'the media as an MXC URI (mxc://<server>/<media_id>); names server and ID at once', id: 'mxc' } as const satisfies OptionSpec
const serverName = { flags: '-s, --server-name <server>', description: 'the server the media came from, for remote media [default: this homeserver]', id: 'server' } as const satisfies OptionSpec
const before = (verb: string) =>
  defineOptions([
    { flags: '-d, --before-days <days>', type: 'int', ...DAYS, description: `${verb} media last accessed more than this many days ago` },
    { flags: '-b, --before <date>', type: 'datetime', description: `${verb} media last accessed before this date/time, e.g. 2021-01-01 (local time)` },
    { flags: '-t, --before-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: `${verb} media last accessed before this unix timestamp in ms` },
  ])

export const list = defineCommand({
  path: 'media list',
  description: 'List the media of a room, or the local media a user uploaded',
  help: 'With -r: the mxc:// URIs of the media referenced in an unencrypted room. With -u: the local media the user uploaded, one page (--all for every page); the paging, sorting and date options apply to -u only.',
  options: [
    { flags: '-r, --room-id <room_id>', description: "list the media referenced in this room ('!abcdefg')", complete: 'room_id', id: 'room' },
    { flags: '-u, --user-id <user_id>', description: 'list the media uploaded by this user (localpart or @user:server)', complete: 'user_id', id: 'user' },
    { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the user media list (from a previous next_token)' },
    { flags: '-l, --limit <n>', type: 'int', min: 1, default: 100, description: 'media per page' },
    {
      flags: '-s, --sort <field>',
      choices: ['media_id', 'upload_name', 'created_ts', 'last_access_ts', 'media_length', 'media_type', 'quarantined_by', 'safe_from_quarantine'],
      description: 'sort the user media by this field (ties by media_id)',
    },
    { flags: '-R, --reverse', description: 'reverse the sort order' },
    { flags: '--datetime, --dt / --timestamp, --ts', default: true, description: 'show created_ts and last_access_ts as local date/time or as ms timestamps [default: datetime]' },
  ],
  groups: [{ kind: 'any', options: ['roomId', 'userId'], title: 'List media by' }],
  paged: { items: 'media', next: 'next_token', from: 'from', style: 'offset', total: 'total' },
  mainColumns: ['media_id', 'media_type', 'media_length', 'upload_name', 'created_ts'],
  load: commands('list'),
})

export const details = defineCommand({
  path: 'media details',
  description: 'Show what Synapse knows about one media item',
  args: '<media>',
  argInfo: { media: { description: 'a media ID (of this server unless -s names another) or an mxc:// URI', complete: 'media_id', id: 'media_or_mxc' } },
  options: [serverName],
  load: commands('details'),
})

export const quarantine = defineCommand({
  path: 'media quarantine',
  description: 'Quarantine one media item, all media in a room, or all media a user uploaded',
  help:
    'Quarantined media can no longer be downloaded from this server. Synapse also quarantines (and unquarantines) ' +
    'the local files with the same content hash. Undo single items with `media unquarantine`.',
  options: [
    mediaId('quarantine'),
    { flags: '-r, --room-id <room_id>', description: 'quarantine all media in this room (!abcdefg)', complete: 'room_id', id: 'room' },
    { flags: '-u, --user-id <user_id>', description: 'quarantine all local media this user uploaded', complete: 'user_id', id: 'user' },
    mxcUri,
    serverName,
  ],
  groups: [{ kind: 'one', options: ['mediaId', 'roomId', 'userId', 'mxcUri'], title: 'Quarantine media by' }],
  writes: true,
  load: commands('quarantine'),
})

export const unquarantine = defineCommand({
  path: 'media unquarantine',
  description: 'Take one media item out of quarantine',
  options: [mediaId('take out of quarantine'), mxcUri, serverName],
  groups: [{ kind: 'one', options: ['mediaId', 'mxcUri'], title: 'Unquarantine media by' }],
  writes: true,
  load: commands('unquarantine'),
})

export const protect = defineCommand({
  path: 'media protect',
  description: 'Protect one local media item from being quarantined',
  args: '<media_id>',
  argInfo: { media_id: { description: 'ID of local media', complete: 'media_id', id: 'media' } },
  effect: () => 'protect {target} from quarantine',
  writes: true,
  bulk: { idempotent: true },
  load: commands('protect'),
})

export const unprotect = defineCommand({
  path: 'media unprotect',
  description: 'Let one local media item be quarantined again',
  args: '<media_id>',
  argInfo: { media_id: { description: 'ID of local media', complete: 'media_id', id: 'media' } },
  effect: () => 'let {target} be quarantined again',
  writes: true,
  bulk: { idempotent: true },
  load: commands('unprotect'),
})

export const quarantineChanges = defineCommand({
  path: 'media quarantine-changes',
  description: 'List media taken into or out of quarantine, oldest first',
  help: 'Each page holds up to 100 changes; pass its next_batch to --from for the next one, or use --all.',
  options: [{ flags: '-f, --from <token>', description: 'stream position to continue from (next_batch of a previous page)' }],
  paged: { items: 'changes', next: 'next_batch', from: 'from' },
  load: commands('quarantineChanges'),
})

export const deleteMedia = defineCommand({
  path: 'media delete',
  description: 'Delete local media: one item by ID, or all items last accessed before a point in time',
  help:
    'Irreversible: asks first (unless --batch), showing the media item or the criteria. Deleting by age also removes ' +
    "Synapse's local copies of remote media that match. To drop only cached remote media, use `media purge`.",
  options: [
    mediaId('delete'),
    ...before('delete'),
    { flags: '--size, --kib <kib>', type: 'int', min: 0, description: 'only delete media larger than this many KiB (1 KiB = 1024 bytes)' },
    { flags: '--delete-profiles, --all', description: 'also delete media still used as user or room avatars (not with -i)' },
  ],
  groups: [{ kind: 'one', options: ['mediaId', 'beforeDays', 'before', 'beforeTs'], title: 'delete criteria' }],
  destructive: true,
  load: commands('deleteMedia'),
})

export const purge = defineCommand({
  path: 'media purge',
  description: 'Purge cached remote media not accessed since a point in time',
  help: 'Synapse fetches purged remote media again when someone asks for it. To delete local media, use `media delete`.',
  options: before('purge'),
  groups: [{ kind: 'one', options: ['beforeDays', 'before', 'beforeTs'], title: 'Purge by' }],
  writes: true,
  load: commands('purge'),
})

export default definePlugin({
  name: 'media',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('media', () => import('./api.js').then((m) => m.createMediaApi))
    ctx.completionSource('media_id', () => import('./completion.js').then((m) => m.mediaIds))
    ctx.group('media', 'Manage local and remote media')
    for (const spec of [list, details, quarantine, unquarantine, protect, unprotect, quarantineChanges, deleteMedia, purge]) ctx.command(spec)
  },
})
