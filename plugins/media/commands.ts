import { daysFromNow, localDateTime, usageError, withDateTimes, type RunContext } from '../../core/index.js'
import type * as spec from './index.js'

interface MediaOptions {
  mediaId?: string
  mxcUri?: string
  serverName?: string
  roomId?: string
  userId?: string
}

const MXC = /^mxc:\/\/([^/]+)\/([^/]+)$/

/** `mxc://<server>/<media_id>` → its parts. */
function parseMxc(uri: string): { serverName: string; mediaId: string } {
  const match = MXC.exec(uri)
  if (!match) throw usageError(`'${uri}' is not an MXC URI of the form mxc://<server>/<media_id>`)
  return { serverName: match[1], mediaId: match[2] }
}

/** The media item an -i/-s or -U pair names; without -s it is local media (the server name from whoami or config). */
async function mediaItem(ctx: RunContext, { mediaId, mxcUri, serverName }: MediaOptions): Promise<{ serverName: string; mediaId: string }> {
  if (mxcUri !== undefined) {
    if (mediaId !== undefined || serverName !== undefined) throw usageError('-U/--mxc-uri names both server and media ID: leave out -i and -s')
    return parseMxc(mxcUri)
  }
  if (mediaId === undefined) throw usageError('a media ID (-i) or MXC URI (-U) is required')
  return { serverName: serverName ?? (await ctx.serverName()), mediaId }
}

/** The cut-off of -d/--before-days, -b/--before or -t/--before-ts, in ms (0 is a valid value). */
function cutOff(options: { beforeDays?: number; before?: number; beforeTs?: number }): number {
  if (options.beforeDays !== undefined) return daysFromNow(-options.beforeDays)
  return (options.before ?? options.beforeTs)!
}

const media = (ctx: RunContext) => ctx.use('media')

export async function list(ctx: RunContext<typeof spec.list>) {
  const o = ctx.options
  const api = await media(ctx)
  // As in synadm, -r wins when both are given.
  if (o.roomId !== undefined) {
    if (o.all) throw usageError('--all pages through the media of a user (-u); the media of a room come in one reply')
    return api.roomMedia(o.roomId)
  }
  const users = await ctx.use('user')
  const page = await users.media(await ctx.userId(o.userId!), {
    from: o.from,
    limit: o.limit,
    order_by: o.sort,
    dir: o.reverse ? 'b' : undefined,
  })
  return o.datetime ? withDateTimes(page, ['created_ts', 'last_access_ts']) : page
}

export async function details(ctx: RunContext<typeof spec.details>) {
  const value = ctx.args.media
  const serverName = ctx.options.serverName
  const item = await mediaItem(ctx, value.startsWith('mxc://') ? { mxcUri: value, serverName } : { mediaId: value, serverName })
  return (await media(ctx)).details(item.serverName, item.mediaId)
}

export async function quarantine(ctx: RunContext<typeof spec.quarantine>) {
  const o = ctx.options
  const api = await media(ctx)
  if (o.roomId !== undefined || o.userId !== undefined) {
    if (o.serverName !== undefined) throw usageError('-s/--server-name applies to -i/--media-id only')
    return o.roomId !== undefined ? api.quarantineInRoom(o.roomId) : api.quarantineByUser(await ctx.userId(o.userId!))
  }
  const item = await mediaItem(ctx, o)
  return api.quarantine(item.serverName, item.mediaId)
}

export async function unquarantine(ctx: RunContext<typeof spec.unquarantine>) {
  const item = await mediaItem(ctx, ctx.options)
  return (await media(ctx)).unquarantine(item.serverName, item.mediaId)
}

export async function protect(ctx: RunContext<typeof spec.protect>) {
  return (await media(ctx)).protect(ctx.args.media_id)
}

export async function unprotect(ctx: RunContext<typeof spec.unprotect>) {
  return (await media(ctx)).unprotect(ctx.args.media_id)
}

export async function quarantineChanges(ctx: RunContext<typeof spec.quarantineChanges>) {
  return (await media(ctx)).quarantineChanges(ctx.options.from)
}

export async function deleteMedia(ctx: RunContext<typeof spec.deleteMedia>) {
  const o = ctx.options
  const api = await media(ctx)
  if (o.mediaId !== undefined) {
    if (o.size !== undefined || o.deleteProfiles) throw usageError('--size and --delete-profiles select media by age; they do not combine with -i/--media-id')
    // Synapse deletes only media of its own server name, so it comes from whoami (or config), never discovery.
    const serverName = await ctx.serverName()
    const preview = await api.details(serverName, o.mediaId)
    await ctx.confirm(`Delete LOCAL media ID ${o.mediaId}? This is an irreversible destructive operation!`, preview)
    return api.delete(serverName, o.mediaId)
  }
  const beforeTs = cutOff(o)
  const query = { before_ts: beforeTs, size_gt: o.size === undefined ? undefined : o.size * 1024, keep_profiles: o.deleteProfiles ? false : undefined }
  await ctx.confirm('Delete all LOCAL media matching these criteria? This is an irreversible destructive operation!', {
    last_accessed_before: localDateTime(beforeTs),
    ...(query.size_gt === undefined ? {} : { larger_than_bytes: query.size_gt }),
    avatars_in_use: o.deleteProfiles ? 'deleted too' : 'kept',
    note: 'Synapse also deletes its local copies of remote media that match',
  })
  return api.deleteOld(query)
}

export async function purge(ctx: RunContext<typeof spec.purge>) {
  return (await media(ctx)).purgeRemoteCache(cutOff(ctx.options))
}
