/** The user commands: each returns the server's reply (or the data it was asked for); people's messages go to stderr. */
import { daysFromNow, localDateTime, replyField, SynadmError, usageError, withDateTimes, type RunContext } from '../../core/index.js'
import type { Device, ExternalId, MediaQuery, RedactStatus, ThreePid, UserApi, UserDetails, UserListItem, UserListQuery } from './api.js'
import type * as spec from './index.js'
import { guestsFor, masAccount, masState, masSteps, noMasEquivalent, onMas, runSteps } from './mas.js'
import type { MasApi, MasUser } from '../mas/api.js'

const api = (ctx: RunContext) => ctx.use('user')

/** A line for people reading human output; scripts asking for json/yaml get data only. */
function tell(ctx: RunContext, message: string) {
  if (ctx.format === 'human' || ctx.interactive) ctx.note(message)
}

/**
 * The account behind an argument, fetched before anything is changed: a mistyped or unknown ID stops here
 * with a not-found error (exit 7) instead of failing halfway, or silently reading empty data.
 */
async function existingUser(ctx: RunContext, value: string): Promise<{ userId: string; details: UserDetails; users: UserApi }> {
  const userId = await ctx.userId(value)
  const users = await api(ctx)
  return { userId, details: await knownUser(userId, users.details(userId)), users }
}

/** A request about one account, whose 404 says the account does not exist: the error names it and how to find one. */
export async function knownUser<T>(userId: string, request: Promise<T>): Promise<T> {
  try {
    return await request
  } catch (error) {
    if (SynadmError.is(error) && error.kind === 'notFound') {
      throw new SynadmError('notFound', `user ${userId} does not exist on this server`, { status: 404, errcode: error.errcode, hint: "check the spelling; 'synadm user search NAME' finds accounts" })
    }
    throw error
  }
}

/** What a confirmation shows about an account: flat, so it reads well as a table and as YAML. */
function accountSummary(d: UserDetails): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    user_id: d.name,
    displayname: d.displayname,
    admin: d.admin,
    deactivated: d.deactivated,
    erased: d.erased,
    locked: d.locked,
    suspended: d.suspended,
    shadow_banned: d.shadow_banned,
    last_seen: typeof d.last_seen_ts === 'number' ? localDateTime(d.last_seen_ts) : null,
    '3pids': pidList(d.threepids ?? []),
  }
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined))
}

const samePid = (a: { medium: string; address: string }, b: { medium: string; address: string }) => a.medium === b.medium && a.address === b.address
const pidText = (t: { medium: string; address: string }) => `${t.medium} ${t.address}`
const pidList = (list: { medium: string; address: string }[]) => list.map(pidText).join(', ') || '(none)'

const readNewPassword = (ctx: RunContext, typed: unknown, file: unknown, ask = false) =>
  ctx.secret({ typed, file, ask, envVar: 'SYNADM_PASSWORD', what: 'password', fileOption: '--password-file', repeat: true })

/** `--expire-days N` / `--expire DATE` / `--expire-ts MS` style options → epoch ms (0 is a time, not "unset"). */
function pointInTime<K extends string>(
  ctx: { given: Set<string>; options: { [P in NoInfer<K>]?: number } },
  keys: { days?: K; daysAgo?: K; date: K; ts: K },
): number | undefined {
  const o = ctx.options
  if (keys.days && ctx.given.has(keys.days)) return daysFromNow(o[keys.days]!)
  if (keys.daysAgo && ctx.given.has(keys.daysAgo)) return daysFromNow(-o[keys.daysAgo]!)
  if (ctx.given.has(keys.date)) return o[keys.date]
  if (ctx.given.has(keys.ts)) return o[keys.ts]
  return undefined
}

// --- list and search -------------------------------------------------------------------------------------------

/** `-i` filters by a substring of the ID: a localpart or full ID is expanded as synadm does, anything else sent as typed. */
async function userIdFilter(ctx: RunContext<typeof spec.list> | RunContext<typeof spec.listV3>): Promise<string | undefined> {
  const value = ctx.options.userId
  if (typeof value !== 'string') return undefined
  try {
    return await ctx.userId(value)
  } catch {
    return value
  }
}

async function listQuery(ctx: RunContext<typeof spec.list> | RunContext<typeof spec.listV3>, deactivated: boolean | undefined): Promise<UserListQuery> {
  const o = ctx.options
  return {
    from: o.from,
    limit: o.limit,
    guests: await guestsFor(ctx, o.guests),
    deactivated,
    admins: o.admins,
    name: o.name,
    user_id: await userIdFilter(ctx),
    order_by: o.sortBy,
    dir: o.reverse ? 'b' : undefined,
    not_user_type: o.excludeUserType,
    // synadm always sends locked (false unless -L), so the same filter applies as there.
    locked: Boolean(o.locked),
  }
}

export async function list(ctx: RunContext<typeof spec.list>) {
  return (await api(ctx)).list(await listQuery(ctx, ctx.options.deactivated ? true : undefined))
}

export async function listV3(ctx: RunContext<typeof spec.listV3>) {
  return (await api(ctx)).listV3(await listQuery(ctx, ctx.options.deactivated))
}

/** Python's str.capitalize: first character upper case, the rest lower case. */
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase()

export async function search(ctx: RunContext<typeof spec.search>) {
  const users = await api(ctx)
  const term = ctx.args.search_term
  // a server that delegates auth to MAS lists no guests (it refuses guests=true)
  const guests = !(await onMas(ctx))
  const query = (name: string): UserListQuery => ({ from: ctx.options.from, limit: ctx.options.limit, guests, deactivated: true, name, locked: false })
  // Two searches and two documents, as in synadm (whose search predates Synapse matching names case-insensitively).
  ctx.note(`User search results for '${term.toLowerCase()}':`)
  await ctx.emit(await users.list(query(term.toLowerCase())))
  ctx.note(`User search results for '${capitalize(term)}':`)
  return users.list(query(capitalize(term)))
}

// --- one account -----------------------------------------------------------------------------------------------

export async function details(ctx: RunContext<typeof spec.details>) {
  return (await existingUser(ctx, ctx.args.user_id)).details
}

export async function whois(ctx: RunContext<typeof spec.whois>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.whois(userId)
}

export async function membership(ctx: RunContext<typeof spec.membership>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const rooms = await users.joinedRooms(userId)
  if (ctx.options.aliases) {
    // One request per room, one after the other: a user in thousands of rooms should not flood the server.
    for (const [i, roomId] of rooms.joined_rooms.entries()) {
      const { aliases } = await users.roomAliases(roomId)
      if (aliases.length) rooms.joined_rooms[i] = aliases.join(' ')
    }
  }
  tell(ctx, `User is member of ${rooms.total} rooms.`)
  return rooms
}

export async function joinedRooms(ctx: RunContext<typeof spec.joinedRooms>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.joinedRooms(userId)
}

export async function memberships(ctx: RunContext<typeof spec.memberships>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.memberships(userId)
}

/**
 * The room fields a `user rooms` record carries (`room details ROOM` has more). The room's name is `room_name`: a
 * record fed to a user command's --targets must not offer a `name` that is not a user.
 */
const ROOM_FIELDS = { room_name: 'name', canonical_alias: 'canonical_alias', creator: 'creator', joined_members: 'joined_members', joined_local_members: 'joined_local_members', public: 'public' } as const

export async function rooms(ctx: RunContext<typeof spec.rooms>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const { memberships } = await users.memberships(userId)
  const roomApi = await ctx.use('room')
  const records: Record<string, unknown>[] = []
  // One room at a time: a bulk run already asks for several users at once.
  for (const [roomId, membership] of Object.entries(memberships)) {
    // the users of a --targets run share rooms: each room's details are asked once per run
    const room = await ctx.perRun(`room details ${roomId}`, () => roomApi.details(roomId)).catch((error: unknown) => {
      // a room the server no longer has (purged) tells nothing more than the membership
      if (SynadmError.is(error) && error.kind === 'notFound') return undefined
      throw error
    })
    const created = room?.creator === userId
    if (membership !== 'join' && !created) continue
    const fields = Object.entries(ROOM_FIELDS).map(([field, key]) => [field, room?.[key] ?? null])
    records.push({ user_id: userId, room_id: roomId, membership, created, ...Object.fromEntries(fields) })
  }
  return records
}

export async function accountData(ctx: RunContext<typeof spec.accountData>) {
  const users = await api(ctx)
  return users.accountData(await ctx.userId(ctx.args.user_id))
}

export async function pushers(ctx: RunContext<typeof spec.pushers>) {
  const users = await api(ctx)
  return users.pushers(await ctx.userId(ctx.args.user_id))
}

function mediaQuery(ctx: RunContext<typeof spec.media> | RunContext<typeof spec.deleteMedia>): MediaQuery {
  const o = ctx.options
  return { from: o.from, limit: o.limit, order_by: o.sort, dir: o.reverse ? 'b' : undefined }
}

export async function media(ctx: RunContext<typeof spec.media>) {
  const users = await api(ctx)
  const page = await users.media(await ctx.userId(ctx.args.user_id), mediaQuery(ctx))
  return ctx.options.datetime ? withDateTimes(page, ['created_ts', 'last_access_ts']) : page
}

export async function deleteMedia(ctx: RunContext<typeof spec.deleteMedia>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const query = mediaQuery(ctx)
  const page = await users.media(userId, query)
  if (page.media.length === 0) {
    tell(ctx, `${userId} has no media in this range; nothing deleted.`)
    return { deleted_media: [], total: 0 }
  }
  const bytes = page.media.reduce((sum, m) => sum + (m.media_length ?? 0), 0)
  await ctx.confirm(`Delete these ${page.media.length} of ${page.total} media files of ${userId}? This cannot be undone.`, {
    user_id: userId,
    media_files: page.media.length,
    bytes,
    media: page.media.map((m) => ({ media_id: m.media_id, upload_name: m.upload_name, media_type: m.media_type, media_length: m.media_length, created: localDateTime(m.created_ts) })),
  })
  return users.deleteMedia(userId, query)
}

export async function login(ctx: RunContext<typeof spec.login>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const validUntil = ctx.options.expireNever ? undefined : pointInTime(ctx, { days: 'expireDays', date: 'expire', ts: 'expireTs' }) ?? daysFromNow(1)
  if (ctx.interactive) {
    ctx.note('You are fetching an access token of a user, which lets you act on their behalf in every Matrix request. Respect their privacy and know what you are doing.')
  }
  if (await onMas(ctx)) return loginOnMas(ctx, userId, validUntil)
  return users.login(userId, validUntil)
}

/** On a MAS server a token acting as the user is a personal session's, with the client API scope. */
async function loginOnMas(ctx: RunContext, userId: string, validUntil: number | undefined) {
  const { api, user } = await masAccount(ctx, userId)
  const seconds = validUntil === undefined ? undefined : Math.ceil((validUntil - Date.now()) / 1000)
  if (seconds !== undefined && seconds <= 0) throw usageError('the expiry is in the past')
  const session = await api.addPersonalSession({ actor_user_id: user.id, human_name: `synadm user login ${userId}`, scope: 'urn:matrix:client:api:*', ...(seconds === undefined ? {} : { expires_in: seconds }) })
  tell(ctx, `A personal session of MAS acts as ${userId}; end it early with: synadm mas personal-sessions revoke ${session.id}`)
  return { access_token: session.access_token, personal_session_id: session.id, expires_at: session.expires_at }
}

// --- changing accounts -----------------------------------------------------------------------------------------

const pairs = (value: string[][] | undefined) => (value ?? []).map(([medium, address]) => ({ medium, address }))

/**
 * The 3PID list after --threepid / --clear-threepids / --add-threepid / --remove-threepid, starting from the current
 * one. Synapse replaces the whole list on every change, so this is what lets an admin add or remove one address.
 */
function targetThreePids(ctx: RunContext<typeof spec.modify>, userId: string, current: ThreePid[]) {
  const o = ctx.options
  const replacement = pairs(o.threepid)
  // synadm's way of clearing: --threepid '' ''
  const clearedTheOldWay = replacement.length === 1 && replacement[0].medium === '' && replacement[0].address === ''
  let list = o.clearThreepids || clearedTheOldWay ? [] : ctx.given.has('threepid') ? replacement : current.map(({ medium, address }) => ({ medium, address }))
  for (const pid of pairs(o.removeThreepid)) {
    if (!list.some((t) => samePid(t, pid))) {
      throw new SynadmError('notFound', `${userId} has no 3PID '${pidText(pid)}'`, { hint: list.length ? `its 3PIDs: ${list.map(pidText).join(', ')}` : 'it has no 3PIDs' })
    }
    list = list.filter((t) => !samePid(t, pid))
  }
  for (const pid of pairs(o.addThreepid)) {
    if (list.some((t) => samePid(t, pid))) ctx.note(`${pidText(pid)} is already a 3PID of ${userId}`)
    else list.push(pid)
  }
  for (const { medium } of list) {
    if (medium !== 'email' && medium !== 'msisdn') ctx.note(`warning: '${medium}' is probably not a supported medium; the Matrix spec knows email and msisdn`)
  }
  return {
    list,
    added: list.filter((t) => !current.some((c) => samePid(c, t))).map(pidText),
    removed: current.filter((c) => !list.some((t) => samePid(c, t))).map(pidText),
  }
}

/** An account field as one line of the confirmation. */
function fieldText(key: string, value: unknown): string {
  if (key === 'external_ids') return (value as ExternalId[] | undefined ?? []).map((e) => `${e.auth_provider} ${e.external_id}`).join(', ') || '(none)'
  return value === null || value === undefined ? '(none)' : String(value)
}

const THREEPID_OPTIONS = ['threepid', 'clearThreepids', 'addThreepid', 'removeThreepid']

export async function modify(ctx: RunContext<typeof spec.modify>) {
  const o = ctx.options
  const settingPassword = o.passwordPrompt || ctx.given.has('password') || ctx.given.has('passwordFile')
  if (o.deactivate && settingPassword) throw usageError('Deactivating a user and setting a password does not make sense.')
  const userId = await ctx.userId(ctx.args.user_id)
  const users = await api(ctx)
  let current: UserDetails | undefined
  try {
    current = await users.details(userId)
  } catch (error) {
    if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
  }
  const account = (await onMas(ctx)) ? await modifiableOnMas(ctx, userId, current) : undefined
  const body: Record<string, unknown> = {}
  if (ctx.given.has('displayName')) body.displayname = o.displayName
  if (ctx.given.has('avatarUrl')) body.avatar_url = o.avatarUrl
  if (o.admin !== undefined) body.admin = o.admin
  if (o.lock !== undefined) body.locked = o.lock
  if (o.activate) body.deactivated = false
  if (o.deactivate) body.deactivated = true
  if (ctx.given.has('userType')) body.user_type = o.userType === 'regular' ? null : o.userType
  if (ctx.given.has('externalId') || o.clearExternalIds) {
    const given = o.externalId ?? []
    body.external_ids = o.clearExternalIds ? [] : given.map(([provider, id]): ExternalId => ({ auth_provider: provider, external_id: id }))
  }
  // The confirmation shows each change as "before → after" (just the value for a new account).
  const preview: Record<string, unknown> = { user_id: userId, account: current ? 'exists' : 'does not exist: it will be created' }
  for (const [key, value] of Object.entries(body)) {
    preview[key] = current ? `${fieldText(key, current[key])} → ${fieldText(key, value)}` : fieldText(key, value)
  }
  if (THREEPID_OPTIONS.some((k) => ctx.given.has(k))) {
    const threepids = targetThreePids(ctx, userId, current?.threepids ?? [])
    body.threepids = threepids.list
    preview['3pids'] = current ? `${pidList(current.threepids ?? [])} → ${pidList(threepids.list)}` : pidList(threepids.list)
    if (current) Object.assign(preview, { '3pids added': threepids.added.join(', ') || '(none)', '3pids removed': threepids.removed.join(', ') || '(none)' })
  }
  if (o.logout === false) body.logout_devices = preview.logout_devices = false
  if (settingPassword) preview.password = '(new password, not shown)'

  // The password is asked for before the confirmation, so a declined prompt changes nothing either way.
  if (settingPassword) body.password = await readNewPassword(ctx, o.password, o.passwordFile, Boolean(o.passwordPrompt))
  if (account) return modifyOnMas(ctx, { userId, current: current!, body, preview, users, ...account })
  await ctx.confirm(current ? `Modify ${userId}?` : `Create ${userId}?`, preview)
  const reply = await users.createOrModify(userId, body)
  tell(ctx, current ? `${userId} modified.` : `${userId} created.`)
  return reply
}

/**
 * On a MAS server `user modify` changes what MAS keeps (password, admin right, lock, activation) in MAS, the rest in
 * Synapse; it neither creates accounts (MAS does) nor changes 3PIDs (MAS would put its e-mail addresses back).
 */
async function modifiableOnMas(ctx: RunContext<typeof spec.modify>, userId: string, current: UserDetails | undefined) {
  const localpart = userId.slice(1, userId.indexOf(':'))
  if (!current) throw noMasEquivalent(`accounts are created in MAS, and ${userId} does not exist`, `synadm mas users add ${localpart}, then synadm user modify ${localpart} …`)
  if (THREEPID_OPTIONS.some((k) => ctx.given.has(k))) {
    throw noMasEquivalent("MAS keeps users' e-mail addresses and would undo a change of Synapse's 3PIDs", `synadm mas emails list -u ${localpart}; mas emails add ${localpart} ADDRESS; mas emails delete ID`)
  }
  return masAccount(ctx, userId)
}

async function modifyOnMas(ctx: RunContext<typeof spec.modify>, m: { userId: string; current: UserDetails; body: Record<string, unknown>; preview: Record<string, unknown>; users: UserApi; api: MasApi; user: MasUser }) {
  const { admin, locked, deactivated, password, logout_devices: logout, ...synapseBody } = m.body
  const before = masState(m.user)
  for (const [key, value] of Object.entries({ admin, locked, deactivated })) if (value !== undefined) m.preview[key] = `${before[key as keyof typeof before]} → ${value} (in MAS)`
  if (password !== undefined) m.preview.password = `(new password, not shown; in MAS${logout === false ? '' : ', and every session ends'})`
  await ctx.confirm(`Modify ${m.userId}?`, m.preview)
  const done: string[] = []
  let reply: UserDetails = m.current
  if (Object.keys(synapseBody).length) {
    reply = await m.users.createOrModify(m.userId, synapseBody)
    done.push('changed in Synapse')
  }
  const state = { admin: admin as boolean | undefined, lock: locked as boolean | undefined, activate: deactivated === false, deactivate: deactivated === true }
  await runSteps(m.api, m.user, masSteps(ctx, state, password as string | undefined, logout !== false), done)
  tell(ctx, `${m.userId} modified: ${done.join(', ') || 'nothing to change'}.`)
  return { ...reply, mas: await m.api.user(m.user.id) }
}

export async function password(ctx: RunContext<typeof spec.password>) {
  if (await onMas(ctx)) return passwordOnMas(ctx)
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const newPassword = await readNewPassword(ctx, ctx.options.password, ctx.options.passwordFile)
  const reply = await users.resetPassword(userId, newPassword, ctx.options.noLogout ? false : undefined)
  tell(ctx, `Password of ${userId} reset${ctx.options.noLogout ? '' : '; its devices are logged out'}.`)
  return reply
}

/** On a MAS server the password is MAS's; its devices are logged out by ending the user's sessions there. */
async function passwordOnMas(ctx: RunContext<typeof spec.password>) {
  const userId = await ctx.userId(ctx.args.user_id)
  const { api, user } = await masAccount(ctx, userId)
  const newPassword = await readNewPassword(ctx, ctx.options.password, ctx.options.passwordFile)
  const done = await runSteps(api, user, masSteps(ctx, {}, newPassword, !ctx.options.noLogout))
  tell(ctx, `Password of ${userId} set in MAS${ctx.options.noLogout ? '' : '; its sessions are ended'}.`)
  return { user_id: userId, mas_user_id: user.id, done }
}

export async function deactivate(ctx: RunContext<typeof spec.deactivate>) {
  const { userId, details, users } = await existingUser(ctx, ctx.args.user_id)
  const erase = Boolean(ctx.options.gdprErase)
  if (details.deactivated && !erase) tell(ctx, `${userId} is already deactivated.`)
  const account = (await onMas(ctx)) ? await masAccount(ctx, userId) : undefined
  const { joined_rooms: rooms } = await users.joinedRooms(userId)
  await ctx.confirm(erase ? `Deactivate and GDPR-erase ${userId}? This cannot be undone.` : `Deactivate ${userId}?`, {
    ...accountSummary(details),
    joined_rooms: rooms.join(', ') || '(none)',
    effect: [
      `leaves ${rooms.length} room(s)`,
      'access tokens and password removed',
      '3PIDs removed (no password reset by e-mail)',
      ...(erase ? ['messages hidden from users who join rooms later (GDPR erasure)'] : []),
      ...(account ? ['through MAS: its sessions end and MAS has Synapse deactivate the account'] : []),
    ].join('; '),
  })
  if (account) {
    const deactivated = await account.api.deactivateUser(account.user.id, !erase)
    tell(ctx, `${userId} ${erase ? 'deactivated and GDPR-erased' : 'deactivated'} through MAS.`)
    return { user_id: userId, mas: deactivated }
  }
  const reply = await users.deactivate(userId, erase)
  tell(ctx, `${userId} ${erase ? 'deactivated and GDPR-erased' : 'deactivated'} (identity server unbind: ${reply.id_server_unbind_result}).`)
  return reply
}

/** The ID synadm acts as, so a bulk deactivation never locks synadm itself out halfway. */
async function ownUserId(ctx: RunContext): Promise<string | undefined> {
  try {
    return await ctx.userId((await ctx.settings()).user)
  } catch {
    return undefined
  }
}

export async function deactivateRegex(ctx: RunContext<typeof spec.deactivateRegex>) {
  const o = ctx.options
  let pattern: RegExp
  try {
    // Python's re.match: the match starts at the first character of the full user ID.
    pattern = new RegExp(`^(?:${ctx.args.regex})`)
  } catch (error) {
    throw usageError(`invalid regular expression: ${(error as Error).message}`)
  }
  const users = await api(ctx)
  const own = await ownUserId(ctx)
  const matches: string[] = []
  const mas = await onMas(ctx)
  const fetchPage = (token: unknown) => users.list({ from: (token as string | undefined) ?? 0, limit: o.batchSize, guests: !mas, locked: false })
  for await (const user of ctx.items<UserListItem>(fetchPage, { items: 'users', next: 'next_token' })) {
    if (!pattern.test(user.name)) continue
    if (user.name === own) ctx.note(`skipping ${own}: it is the account synadm acts as`)
    else matches.push(user.name)
  }
  const erase = Boolean(o.gdprErase)
  if (o.dryRun || matches.length === 0) {
    ctx.note(matches.length ? `Would ${erase ? 'deactivate and GDPR-erase' : 'deactivate'} ${matches.length} account(s).` : 'No active account matches.')
    return matches
  }
  await ctx.confirm(`${erase ? 'Deactivate and GDPR-erase' : 'Deactivate'} these ${matches.length} accounts?`, { accounts: matches })
  const results: Record<string, unknown>[] = []
  let failed = 0
  // One after another: parallel deactivations make Synapse re-join users to rooms (synapse#16290).
  for (const userId of matches) {
    try {
      results.push({ user_id: userId, ...(mas ? await deactivateOnMas(ctx, userId, erase) : await users.deactivate(userId, erase)) })
    } catch (error) {
      if (SynadmError.is(error) && (error.kind === 'cancelled' || error.kind === 'network' || error.kind === 'auth')) throw error
      failed++
      results.push({ user_id: userId, error: (error as Error).message })
    }
  }
  if (failed) throw Object.assign(new SynadmError('partial', `${failed} of ${matches.length} deactivations failed`), { reply: results })
  return results
}

async function deactivateOnMas(ctx: RunContext, userId: string, erase: boolean) {
  const { api, user } = await masAccount(ctx, userId)
  return { mas: await api.deactivateUser(user.id, !erase) }
}

export async function shadowBan(ctx: RunContext<typeof spec.shadowBan>) {
  const unban = Boolean(ctx.options.unban)
  // Synapse answers 404 for an account it does not have, so a run sends just the write (half the requests of a
  // bulk run); a dry run reads the account first, to refuse a missing one as the run would.
  const { userId, users } = ctx.dryRun ? await existingUser(ctx, ctx.args.user_id) : { userId: await ctx.userId(ctx.args.user_id), users: await api(ctx) }
  const reply = await knownUser(userId, unban ? users.removeShadowBan(userId) : users.shadowBan(userId))
  tell(ctx, `${unban ? 'Lifted the shadow-ban of' : 'Shadow-banned'} ${userId}.`)
  return reply
}

export async function suspend(ctx: RunContext<typeof spec.suspend>) {
  const { userId, details, users } = await existingUser(ctx, ctx.args.user_id)
  const unsuspend = Boolean(ctx.options.unsuspend)
  await ctx.confirm(`${unsuspend ? 'Lift the suspension of' : 'Suspend'} ${userId}?`, accountSummary(details))
  return users.setSuspended(userId, !unsuspend)
}

/**
 * synadm's choice of devices to prune: oldest first (never seen = oldest), only those not seen for min_days
 * (0 = any age), never leaving fewer than min_surviving; with device_id just that one device.
 */
export function pruneCandidates(devices: Device[], o: { minDays: number; minSurviving: number; deviceId?: string }, now = Date.now()): Device[] {
  const total = devices.length
  if (total <= o.minSurviving) return []
  const chosen: Device[] = []
  const threshold = now - o.minDays * 86_400_000 // whole 24-hour days, as daysFromNow counts
  for (const device of [...devices].sort((a, b) => (a.last_seen_ts ?? 0) - (b.last_seen_ts ?? 0))) {
    if (total - chosen.length <= o.minSurviving) break
    if (o.deviceId !== undefined) {
      if (device.device_id === o.deviceId) {
        chosen.push(device)
        break
      }
      continue
    }
    if (o.minDays && device.last_seen_ts && device.last_seen_ts > threshold) continue
    chosen.push(device)
  }
  return chosen
}

export async function pruneDevices(ctx: RunContext<typeof spec.pruneDevices>) {
  const o = ctx.options
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const { devices } = await users.devices(userId)
  const candidates = pruneCandidates(devices, { minDays: o.minDays, minSurviving: o.minSurviving, deviceId: o.deviceId })
  const shown = o.datetime ? withDateTimes(candidates, ['last_seen_ts']) : candidates
  if (candidates.length === 0) {
    tell(ctx, `${userId} has no devices to delete.`)
    return shown
  }
  tell(ctx, `${userId} has ${candidates.length} device(s) marked for deletion and ${devices.length - candidates.length} to keep.`)
  if (o.listOnly) return shown
  const reply = await users.deleteDevices(userId, candidates.map((d) => d.device_id))
  if (reply && Object.keys(reply).length) throw Object.assign(new SynadmError('api', `deleting devices of ${userId} answered ${JSON.stringify(reply)}`), { reply: shown })
  tell(ctx, `Deleted devices of ${userId}: ${candidates.map((d) => d.device_id).join(', ')}.`)
  return shown
}

export async function redact(ctx: RunContext<typeof spec.redact>) {
  const o = ctx.options
  const userId = await ctx.userId(ctx.args.user_id)
  const users = await api(ctx)
  // Remote senders' events can be redacted too; only a local account can be checked for existence first.
  if (userId.endsWith(`:${await ctx.serverName()}`)) await existingUser(ctx, userId)
  const after = pointInTime(ctx, { date: 'after', ts: 'afterTs' })
  const before = pointInTime(ctx, { date: 'before', ts: 'beforeTs' })
  const body = {
    rooms: o.room ?? [],
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(ctx.given.has('limit') ? { limit: o.limit } : {}),
    ...(o.useAdmin ? { use_admin: true } : {}),
    ...(after !== undefined ? { after_ts: after } : {}),
    ...(before !== undefined ? { before_ts: before } : {}),
  }
  const redactId = replyField(await users.redact(userId, body), 'redact_id', `the redaction of ${userId}'s events`)
  if (!o.wait) {
    tell(ctx, `Redaction started; check on it with: ${ctx.checkLater(redactId)}`)
    return { redact_id: redactId }
  }
  return { redact_id: redactId, ...(await waitForRedaction(ctx, users, redactId)) }
}

/**
 * Waits for a redaction job (`user redact --wait`, `user takedown`'s redact step): its final status, or the error of a
 * failed job with that status (naming the job) as its reply. Stopped waiting, it says how to check on the job.
 */
export async function waitForRedaction(ctx: RunContext, users: UserApi, redactId: string): Promise<RedactStatus> {
  try {
    return await ctx.wait({
      what: `redaction ${redactId}`,
      poll: () => users.redactStatus(redactId),
      status: (reply) => reply.status,
      id: redactId,
      done: ['complete'],
      failed: ['failed'],
    })
  } catch (error) {
    // A failed job's final status is printed from error.reply; it should name the job too.
    const failed = error as { reply?: object }
    if (failed.reply) failed.reply = { redact_id: redactId, ...failed.reply }
    // a command without a declared job (a plan's step) has no check-later line of its own
    if (SynadmError.is(error) && error.kind === 'cancelled' && !ctx.checkLater(redactId)) {
      throw new SynadmError('cancelled', error.message, { hint: `check on it with: synadm user redact-status ${redactId}`, cause: error })
    }
    throw error
  }
}

export async function redactStatus(ctx: RunContext<typeof spec.redactStatus>) {
  return (await api(ctx)).redactStatus(ctx.args.redact_id)
}

export async function threePid(ctx: RunContext<typeof spec.threePid>) {
  return (await api(ctx)).byThreePid(ctx.options.medium, ctx.args.address)
}

export async function authProvider(ctx: RunContext<typeof spec.authProvider>) {
  // the 'one' group of -p alone: it was given
  return (await api(ctx)).byAuthProvider(ctx.options.provider!, ctx.args.external_user_id)
}

// --- endpoints synadm lacks ------------------------------------------------------------------------------------

export async function admin(ctx: RunContext<typeof spec.admin>) {
  if (await onMas(ctx)) return adminOnMas(ctx)
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const set = ctx.options.set
  if (set === undefined) return users.isAdmin(userId)
  const reply = await users.setAdmin(userId, set)
  tell(ctx, `${userId} is ${set ? 'now' : 'no longer'} a server admin.`)
  return reply
}

/** On a MAS server the admin right is MAS's: whether the user may request a token with admin scopes. */
async function adminOnMas(ctx: RunContext<typeof spec.admin>) {
  const userId = await ctx.userId(ctx.args.user_id)
  const { api, user } = await masAccount(ctx, userId)
  const set = ctx.options.set
  if (set === undefined) return { admin: user.admin }
  const changed = await api.setAdmin(user.id, set)
  tell(ctx, `${userId} ${set ? 'may now request' : 'may no longer request'} admin rights (in MAS).`)
  return { admin: changed.admin }
}

export async function sentInviteCount(ctx: RunContext<typeof spec.sentInviteCount>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.sentInviteCount(userId, pointInTime(ctx, { daysAgo: 'sinceDays', date: 'since', ts: 'sinceTs' })!)
}

export async function joinedRoomCount(ctx: RunContext<typeof spec.joinedRoomCount>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.cumulativeJoinedRoomCount(userId, pointInTime(ctx, { daysAgo: 'sinceDays', date: 'since', ts: 'sinceTs' })!)
}

export async function allowCrossSigningReplacement(ctx: RunContext<typeof spec.allowCrossSigningReplacement>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const reply = await users.allowCrossSigningReplacement(userId)
  tell(ctx, `${userId} may replace their master cross-signing key without authenticating until ${localDateTime(reply.updatable_without_uia_before_ms)}.`)
  return reply
}

export async function experimentalFeaturesGet(ctx: RunContext<typeof spec.experimentalFeaturesGet>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.experimentalFeatures(userId)
}

export async function experimentalFeaturesSet(ctx: RunContext<typeof spec.experimentalFeaturesSet>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const enable = ctx.options.enable ?? []
  const disable = ctx.options.disable ?? []
  const both = enable.filter((f) => disable.includes(f))
  if (both.length) throw usageError(`cannot both enable and disable ${both.join(', ')}`)
  const features = Object.fromEntries([...enable.map((f) => [f, true]), ...disable.map((f) => [f, false])])
  return users.setExperimentalFeatures(userId, features)
}

export async function validity(ctx: RunContext<typeof spec.validity>) {
  if (await onMas(ctx)) throw noMasEquivalent('Synapse keeps no account validity then, and MAS has none', `synadm mas users lock ${ctx.args.user_id} ends an account's access`)
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const expiration = pointInTime(ctx, { days: 'expireDays', date: 'expire', ts: 'expirationTs' })
  return users.renewAccountValidity({
    user_id: userId,
    ...(expiration !== undefined ? { expiration_ts: expiration } : {}),
    ...(ctx.options.renewalEmails === false ? { enable_renewal_emails: false } : {}),
  })
}

export async function usernameAvailable(ctx: RunContext<typeof spec.usernameAvailable>) {
  const users = await api(ctx)
  try {
    return await users.usernameAvailable(ctx.args.username)
  } catch (error) {
    // Synapse answers "taken" and "not allowed" with HTTP 400; for this question they are answers, not failures.
    if (SynadmError.is(error) && error.status === 400 && ['M_USER_IN_USE', 'M_INVALID_USERNAME', 'M_EXCLUSIVE'].includes(error.errcode ?? '')) {
      return { available: false, errcode: error.errcode, error: error.serverMessage }
    }
    throw error
  }
}

export async function register(ctx: RunContext<typeof spec.register>) {
  const o = ctx.options
  if (await onMas(ctx)) throw noMasEquivalent('Synapse registers no accounts; MAS does', `synadm mas users add ${ctx.args.username}, then synadm mas users set-password ${ctx.args.username}`)
  if (o.passwordFile === '-' && o.sharedSecretFile === '-') throw usageError('only one of --password-file and --shared-secret-file can read stdin')
  const typed = ctx.args.username
  // The API takes a localpart; a full ID of this server is accepted too.
  let username = typed
  if (typed.startsWith('@')) {
    const suffix = `:${await ctx.serverName()}`
    if (!typed.endsWith(suffix)) throw usageError(`'${typed}' is not a user ID of this server (${suffix.slice(1)})`)
    username = typed.slice(1, -suffix.length)
  }
  const sharedSecret = await ctx.secret({ file: o.sharedSecretFile, envVar: 'SYNADM_SHARED_SECRET', what: 'registration shared secret', fileOption: '--shared-secret-file' })
  const newPassword = await readNewPassword(ctx, undefined, o.passwordFile)
  return (await api(ctx)).register({
    username,
    password: newPassword,
    sharedSecret,
    admin: Boolean(o.admin),
    displayname: o.displayName,
    userType: o.userType,
  })
}

// --- devices ---------------------------------------------------------------------------------------------------

const deviceTimes = <T>(ctx: RunContext, data: T) => (ctx.options.datetime ? withDateTimes(data, ['last_seen_ts']) : data)

export async function devicesList(ctx: RunContext<typeof spec.devicesList>) {
  const users = await api(ctx)
  return deviceTimes(ctx, await users.devices(await ctx.userId(ctx.args.user_id)))
}

export async function devicesShow(ctx: RunContext<typeof spec.devicesShow>) {
  const users = await api(ctx)
  return deviceTimes(ctx, await users.device(await ctx.userId(ctx.args.user_id), ctx.args.device_id))
}

export async function devicesCreate(ctx: RunContext<typeof spec.devicesCreate>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const reply = await users.createDevice(userId, ctx.args.device_id)
  tell(ctx, `Device ${ctx.args.device_id} of ${userId} created.`)
  return reply
}

export async function devicesRename(ctx: RunContext<typeof spec.devicesRename>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const deviceId = ctx.args.device_id
  await users.device(userId, deviceId)
  const reply = await users.renameDevice(userId, deviceId, ctx.args.display_name)
  tell(ctx, `Device ${deviceId} of ${userId} renamed.`)
  return reply
}

export async function devicesDelete(ctx: RunContext<typeof spec.devicesDelete>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  // the device typed is the one deleted, whatever the reply names
  const deviceId = ctx.args.device_id
  const device = await users.device(userId, deviceId)
  await ctx.confirm(`Delete device ${deviceId} of ${userId}? Its session ends and its encryption keys are lost.`, withDateTimes(device, ['last_seen_ts']))
  return users.deleteDevice(userId, deviceId)
}

export async function devicesDeleteMany(ctx: RunContext<typeof spec.devicesDeleteMany>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const wanted = [...new Set(ctx.args.device_ids)]
  const { devices } = await users.devices(userId)
  const missing = wanted.filter((id) => !devices.some((d) => d.device_id === id))
  // Synapse ignores unknown device IDs; a typo should not pass silently.
  if (missing.length) throw new SynadmError('notFound', `${userId} has no device ${missing.join(', ')}`, { hint: `its devices: ${devices.map((d) => d.device_id).join(', ') || 'none'}` })
  const chosen = devices.filter((d) => wanted.includes(d.device_id))
  await ctx.confirm(`Delete these ${chosen.length} devices of ${userId}? Their sessions end and their encryption keys are lost.`, withDateTimes(chosen, ['last_seen_ts']))
  return users.deleteDevices(userId, wanted)
}

// --- rate limit override ---------------------------------------------------------------------------------------

export async function ratelimitGet(ctx: RunContext<typeof spec.ratelimitGet>) {
  const users = await api(ctx)
  const reply = await users.ratelimit(await ctx.userId(ctx.args.user_id))
  if (Object.keys(reply).length === 0) tell(ctx, 'No override: the server-wide rate limits apply.')
  return reply
}

export async function ratelimitSet(ctx: RunContext<typeof spec.ratelimitSet>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  return users.setRatelimit(userId, { messages_per_second: ctx.options.messagesPerSecond, burst_count: ctx.options.burstCount })
}

export async function ratelimitDelete(ctx: RunContext<typeof spec.ratelimitDelete>) {
  const { userId, users } = await existingUser(ctx, ctx.args.user_id)
  const reply = await users.deleteRatelimit(userId)
  tell(ctx, `Rate limit override of ${userId} removed.`)
  return reply
}
