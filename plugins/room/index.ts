/** Room commands: synadm's, plus every room endpoint of the Admin API it lacks (declarations only). */
import { defineCommand, defineOptions, definePlugin, lazy, PLUGIN_API_VERSION, TIMESTAMP_MS, type ChartSpec, type OptionSpec, type PagedSpec, type PlanCommandSpec } from '../../core/index.js'

const commands = lazy(() => import('./commands.js'))
const takedownSteps = () => import('./takedown.js')

const SORT_KEYS = [
  'name', 'canonical_alias', 'joined_members', 'joined_local_members', 'version', 'creator', 'encryption',
  'federatable', 'public', 'join_rules', 'guest_access', 'history_visibility', 'state_events',
] as const

const ROOM = { description: 'room ID (!id:server) or alias (#alias:server)', complete: 'room_id', id: 'room_or_alias' as const }
const EVENT = { description: 'event ID ($…; quote it in shells)', id: 'event' as const }
const EVENT_FILTER = { flags: '--filter <json>', description: 'a RoomEventFilter as JSON, e.g. \'{"types":["m.room.message"]}\'' } as const satisfies OptionSpec

/** Options `room list`, `room search` and `room power-levels` share (defaults differ). */
const listing = (limit: number) => defineOptions([
  { flags: '-f, --from <n>', type: 'int', min: 0, default: 0, description: 'offset in the room list (the next_batch of the previous page)' },
  { flags: '-l, --limit <n>', type: 'int', min: 1, default: limit, description: 'maximum number of rooms to return' },
  { flags: '-s, --sort <key>', choices: SORT_KEYS, description: 'order of the list' },
  { flags: '-r, --reverse', description: 'reverse the order of --sort' },
])
const NAME = { flags: '-n, --name <text>', description: 'only rooms whose name, canonical alias or ID contains this' } as const satisfies OptionSpec
/** the room list pages by offset; --all pages 5000 at a time (measured: BENCHMARKS.md, Big servers) */
const ROOM_PAGES = { items: 'rooms', next: 'next_batch', from: 'from', style: 'offset', total: 'total_rooms', pageSize: 5000 } as const satisfies PagedSpec
const ROOM_COLUMNS = ['room_id', 'name', 'canonical_alias', 'joined_members', 'joined_local_members']
/** bars beside the counts when the list is ordered by one (-o human, in a terminal) */
const ROOM_CHART = { columns: ['joined_members', 'joined_local_members', 'state_events'], orderedBy: 'sort', onlyOrdered: true } as const satisfies ChartSpec

const PURGE_OPTIONS = defineOptions([
  { flags: '--no-purge', description: 'keep the room in the database (members are still removed)' },
  { flags: '--force-purge', description: 'purge even if local users are still in the room (can confuse their clients; only when a normal purge failed)' },
  { flags: '--v1', description: 'use the synchronous v1 delete API instead of the background v2 job' },
])

export const list = defineCommand({
  path: 'room list',
  description: 'List and search for rooms',
  options: [
    ...listing(100),
    NAME,
    { flags: '-e, --empty / -E, --not-empty', description: 'only rooms without joined members / only rooms with some (default: both)' },
    { flags: '--public / --not-public', description: 'only rooms in the public room directory / only rooms not in it (default: both)' },
  ],
  paged: ROOM_PAGES,
  mainColumns: ROOM_COLUMNS,
  chart: ROOM_CHART,
  load: commands('list'),
})
export const search = defineCommand({
  path: 'room search',
  description: 'Search rooms by name, canonical alias or ID (room list -n SEARCH_TERM)',
  args: '<search_term>',
  options: listing(100),
  paged: ROOM_PAGES,
  mainColumns: ROOM_COLUMNS,
  chart: ROOM_CHART,
  load: commands('search'),
})
export const details = defineCommand({ path: 'room details', description: 'Get room details', args: '<room_id>', argInfo: { room_id: ROOM }, load: commands('details') })
export const members = defineCommand({ path: 'room members', description: 'List the joined members of a room', args: '<room_id>', argInfo: { room_id: ROOM }, load: commands('members') })
export const localMembers = defineCommand({
  path: 'room local-members',
  description: "List a room's joined members of this server, with their accounts (for a wave: --targets FILE)",
  help: [
    'Each record: room_id, user_id, displayname, admin, deactivated, locked, shadow_banned, user_type, creation_ts and',
    'last_seen_ts (ms, as user list prints them). With --targets, the members of every room as one list; --where',
    "picks among them (admin=false, creation_ts>=DATE): what it prints is the --targets of a user command.",
  ].join('\n'),
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  list: {},
  mainColumns: ['room_id', 'user_id', 'displayname', 'admin', 'creation_ts'],
  load: commands('localMembers'),
})
export const state = defineCommand({
  path: 'room state',
  description: "Get a room's current state events",
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [{ flags: '-t, --type <event_type>', description: 'only state events of this type, e.g. m.room.member' }],
  load: commands('state'),
})
export const powerLevels = defineCommand({
  path: 'room power-levels',
  description: "List rooms with each room's per-user power levels",
  help: 'Combines room list and room state: one state request per listed room, so keep --limit small on big servers.',
  options: [
    { flags: '-i, --room-id <room_id>', description: 'only this room (ID or alias)', complete: 'room_id', id: 'room_or_alias' },
    { flags: '-a, --all-details', description: 'keep every room field (default: only ID, name, alias and power levels)' },
    ...listing(10),
    NAME,
  ],
  // one state request per listed room: --all keeps the page size of -l
  paged: { ...ROOM_PAGES, pageSize: undefined },
  load: commands('powerLevels'),
})
export const resolve = defineCommand({
  path: 'room resolve',
  description: 'Look up the room ID of an alias, or with -r the aliases of a room',
  args: '<room_id_or_alias>',
  argInfo: { room_id_or_alias: { description: 'an alias (#alias:server), or with -r a room ID or alias', complete: 'room_alias', id: 'room_or_alias' } },
  options: [{ flags: '-r, --reverse', description: 'list the local aliases of the room instead' }],
  load: commands('resolve'),
})
export const join = defineCommand({
  path: 'room join',
  description: 'Join a local user to a room',
  help: 'The server admin must be in the room with the power to invite (see room make-admin), unless the room is public.',
  args: '<room_id_or_alias> <user_id>',
  argInfo: { room_id_or_alias: ROOM, user_id: { description: 'user ID or localpart', complete: 'user_id', id: 'user' } },
  writes: true,
  load: commands('join'),
})
export const makeAdmin = defineCommand({
  path: 'room make-admin',
  description: 'Give a user (default: you) the highest power level in a room',
  help: 'Works through a local room admin; the user is invited first if the room is not public.',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [{ flags: '-u, --user-id <user_id>', description: 'user ID or localpart to promote (default: the calling admin)', complete: 'user_id', id: 'user' }],
  writes: true,
  load: commands('makeAdmin'),
})
export const block = defineCommand({
  path: 'room block',
  description: 'Block a room against future joins, or unblock it',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [{ flags: '-b, --block / -u, --unblock', type: 'bool', default: true, description: 'block (default) or unblock the room' }],
  effect: ({ options }) => (options.block === false ? 'unblock {target}' : 'block {target}'),
  writes: true,
  bulk: { idempotent: true },
  load: commands('block'),
})
export const blockStatus = defineCommand({ path: 'room block-status', description: 'Show whether a room is blocked, and by whom', args: '<room_id>', argInfo: { room_id: ROOM }, load: commands('blockStatus') })
export const deleteRoom = defineCommand({
  path: 'room delete',
  description: 'Shut a room down: remove its local members, optionally move them to a new room, block and purge it',
  help: 'Uses the v2 API (a background job; see room delete-status, or --wait) unless --v1 is given. Shows the room and its members and asks before deleting.',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [
    { flags: '-u, --new-room-user-id <user_id>', description: 'create a new room owned by this local user and move the members there', complete: 'user_id', id: 'user' },
    { flags: '-n, --room-name <name>', description: "name of the new room (Synapse's default: Content Violation Notification)" },
    { flags: '-m, --message <text>', description: 'first message in the new room, telling members why the room was shut down' },
    { flags: '-b, --block', description: 'block the room against future joins' },
    ...PURGE_OPTIONS,
  ],
  effect: ({ options: o }) => {
    const steps = [o.newRoomUserId === undefined ? 'remove its local members' : 'move its local members to a new room', ...(o.block ? ['block it'] : []), ...(o.purge === false ? [] : ['purge it from the database'])]
    return `shut down {target}: ${[steps.slice(0, -1).join(', '), steps[steps.length - 1]].filter(Boolean).join(' and ')}`
  },
  destructive: true,
  job: { checkLater: 'synadm room delete-status -d {id}' },
  load: commands('deleteRoom'),
})
export const deleteStatus = defineCommand({
  path: 'room delete-status',
  description: 'Show the progress of v2 room deletions, by room or by delete ID',
  options: [
    { flags: '-r, --room-id <room_id>', description: 'every deletion of this room (ID or alias) of the last 24 hours', complete: 'room_id', id: 'room_or_alias' },
    { flags: '-d, --delete-id <delete_id>', description: 'the deletion with this delete_id', id: 'job' },
  ],
  groups: [{ kind: 'one', options: ['roomId', 'deleteId'], title: 'Query type' }],
  load: commands('deleteStatus'),
})
export const purgeEmpty = defineCommand({
  path: 'room purge-empty',
  description: 'Delete every room that no local user is joined to',
  options: [
    { flags: '--no-purge', description: 'keep the rooms in the database' },
    { flags: '--force-purge', description: 'purge even if local users are still in a room' },
    { flags: '--v1', description: 'use the synchronous v1 delete API instead of background v2 jobs' },
    { flags: '--dry-run', description: 'only list the rooms that would be deleted' },
    { flags: '-p, --batch-size, --paginate <n>', type: 'int', min: 1, default: 100, description: 'rooms per room-list request (not a limit on deletions)' },
  ],
  groups: [{ kind: 'exclusive', options: ['purge', 'forcePurge'], title: 'Purge options' }],
  destructive: true,
  job: { checkLater: 'synadm room delete-status -d {id}' },
  load: commands('purgeEmpty'),
})
export const messages = defineCommand({
  path: 'room messages',
  description: "Page through a room's events, as an admin (no membership needed)",
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [
    { flags: '-f, --from <token>', description: 'start at this token (the end of the previous page); default: the start (or with -d b, the end) of the timeline' },
    { flags: '-t, --to <token>', description: 'stop at this token' },
    { flags: '-l, --limit <n>', type: 'int', min: 1, description: 'events per page (server default 10)' },
    { flags: '-d, --dir <dir>', choices: ['f', 'b'], description: 'f: oldest first (server default), b: newest first' },
    EVENT_FILTER,
  ],
  paged: { items: 'chunk', next: 'end', from: 'from', what: 'events' },
  load: commands('messages'),
})
export const timestampToEvent = defineCommand({
  path: 'room timestamp-to-event',
  description: 'Find the event closest to a point in time',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [
    { flags: '--at <datetime>', type: 'datetime', description: "the point in time, e.g. '2024-01-31' or '2024-01-31 12:00:00' (local time)" },
    { flags: '--at-ts <ms>', type: 'int', ...TIMESTAMP_MS, description: 'the point in time as a unix timestamp in ms' },
    { flags: '-d, --dir <dir>', choices: ['f', 'b'], default: 'f', description: 'f: the first event at or after it, b: the last event at or before it' },
  ],
  groups: [{ kind: 'one', options: ['at', 'atTs'], title: 'Point in time' }],
  load: commands('timestampToEvent'),
})
export const context = defineCommand({
  path: 'room context',
  description: 'Show an event with the events around it and the room state at that point',
  args: '<room_id> <event_id>',
  argInfo: { room_id: ROOM, event_id: EVENT },
  options: [{ flags: '-l, --limit <n>', type: 'int', min: 1, description: 'events before and after (server default 10)' }, EVENT_FILTER],
  load: commands('context'),
})
export const hierarchy = defineCommand({
  path: 'room hierarchy',
  description: 'List the rooms of a space, as an admin (local rooms only)',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [
    { flags: '-f, --from <token>', description: 'start at this token (next_batch of the previous page)' },
    { flags: '-l, --limit <n>', type: 'int', min: 1, description: 'rooms per page' },
    { flags: '-d, --max-depth <n>', type: 'int', min: 0, description: 'how deep to descend into sub-spaces' },
  ],
  // next_batch of the hierarchy is an opaque token
  paged: { items: 'rooms', next: 'next_batch', from: 'from' },
  load: commands('hierarchy'),
})
export const event = defineCommand({
  path: 'room event',
  description: 'Fetch one event by its ID, whatever room it is in',
  args: '<event_id>',
  argInfo: { event_id: EVENT },
  load: commands('event'),
})
export const forwardExtremities = defineCommand({
  path: 'room forward-extremities check',
  description: 'List the forward extremities of a room',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  load: commands('forwardExtremities'),
})
export const deleteForwardExtremities = defineCommand({
  path: 'room forward-extremities delete',
  description: 'Delete the forward extremities of a room (only when you know why: Synapse issue #1760)',
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  destructive: true,
  load: commands('deleteForwardExtremities'),
})

/** `room takedown`: a spam or abuse room taken down in the order moderation bots use (core runs the plan). */
export const takedown: PlanCommandSpec = {
  path: 'room takedown',
  description: 'Take a spam or abuse room down: block it, quarantine its media, delete and purge it, resolve its reports',
  help: [
    'Steps, in this order (--steps NAMES, --no-NAME leaves one out, --members adds the optional one):',
    '  block             block the room, so nobody of this server joins it again',
    "  quarantine-media  quarantine the room's media (local and remote), so it is no longer served",
    '  members           (optional) lock, then deactivate and GDPR-erase the local members that match --members-where,',
    '                    never the others; through MAS on a server that delegates auth to it',
    '  delete            remove the local members, block the room and purge it from the database (waits for the job);',
    '                    --message tells the members why, in a new room',
    '  resolve-reports   delete the event reports about the room. After a purge Synapse keeps them but no longer',
    '                    lists them: their IDs are read first, and they are resolved after delete, so they stay open',
    '                    should the delete fail (a report already gone is fine)',
    'Everything a step needs (members, reports, media counts) is read for every room before the first step of any',
    'room runs, then one preview shows what each step affects and asks once (--dry-run stops there). Refused, before',
    'anything is sent: a room this server does not know, a room with more local members than --max-local-members,',
    'a member chosen by --members-where who is a server admin. --evidence DIR first saves, per room, its details,',
    'state, members, latest 200 events, media, reports, aliases and block status.',
  ].join('\n'),
  args: '<room_id>',
  argInfo: { room_id: ROOM },
  options: [
    { flags: '--max-local-members <n>', type: 'int', min: 0, default: 10, description: 'refuse rooms with more local members than this: spam rooms have few, 0 = no limit' },
  ],
  job: { checkLater: 'synadm room delete-status -d {id}' },
  plan: {
    steps: [
      { name: 'block', does: 'block {target} against future joins', idempotent: true, load: () => takedownSteps().then((m) => m.block) },
      { name: 'quarantine-media', does: "quarantine the media of {target}", idempotent: true, load: () => takedownSteps().then((m) => m.quarantineMedia) },
      {
        name: 'members',
        does: 'lock, deactivate and erase the local members of {target} that match --members-where',
        default: false,
        options: [{ flags: '--members-where <expr>', repeatable: true, description: "the local members the members step takes down, as --where takes it, on the fields of room local-members and name (the user ID); several are ANDed: 'name~^@spam'" }],
        load: () => takedownSteps().then((m) => m.members),
      },
      {
        name: 'delete',
        does: 'delete and purge {target}, removing its local members',
        options: [
          { flags: '--message <text>', description: 'tell the local members why, in a new room that --new-room-user-id (default: you) creates for them' },
          { flags: '--new-room-user-id <user_id>', description: 'the local user who creates the new room and posts --message there', complete: 'user_id', id: 'user' },
        ],
        load: () => takedownSteps().then((m) => m.deleteRoom),
      },
      { name: 'resolve-reports', does: 'resolve the event reports about {target}', load: () => takedownSteps().then((m) => m.resolveReports) },
    ],
    evidence: () => takedownSteps().then((m) => m.evidence),
    refuses: () => takedownSteps().then((m) => m.refuses),
  },
}

export default definePlugin({
  name: 'room',
  apiVersion: PLUGIN_API_VERSION,
  setup(ctx) {
    ctx.provide('room', () => import('./api.js').then((m) => m.createRoomApi))
    ctx.completionSource('room_id', () => import('./completion.js').then((m) => m.roomIds))
    ctx.completionSource('room_alias', () => import('./completion.js').then((m) => m.roomAliases))
    ctx.group('room', 'Manipulate rooms and room membership (room arguments take an ID or an alias)')

    ctx.command(list)
    ctx.command(search)
    ctx.command(details)
    ctx.command(members)
    ctx.command(localMembers)
    ctx.command(state)
    ctx.command(powerLevels)
    ctx.command(resolve)
    ctx.command(join)
    ctx.command(makeAdmin)
    ctx.command(block)
    ctx.command(blockStatus)
    ctx.command(deleteRoom)
    ctx.command(deleteStatus)
    ctx.command(purgeEmpty)
    ctx.plan(takedown)

    ctx.command(messages)
    ctx.command(timestampToEvent)
    ctx.command(context)
    ctx.command(hierarchy)
    ctx.command(event)
    ctx.group('room forward-extremities', "Check or clear a room's forward extremities (a repair tool for slow rooms)")
    ctx.command(forwardExtremities)
    ctx.command(deleteForwardExtremities)
  },
})
