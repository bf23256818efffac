/** The mas commands: each returns what MAS answered (resources flat, lists as pages); people's messages go to stderr. */
import { daysFromNow, SynadmError, usageError, type RunContext } from '../../core/index.js'
import type { MasPage, MasSession, PageQuery, SessionKind } from './api.js'
import { ADMIN_API, ADMIN_SCOPE } from './client.js'
import type * as spec from './index.js'

const mas = (ctx: RunContext) => ctx.use('mas')

/** A line for people reading human output; scripts asking for json/yaml get data only. */
function tell(ctx: RunContext, message: string) {
  if (ctx.format === 'human' || ctx.interactive) ctx.note(message)
}

/** The page a list command asks for: the items after --from; the count only for the first page of a listing. */
const pageQuery = (ctx: RunContext): PageQuery => ({ after: ctx.options.from as string | undefined, first: ctx.options.limit as number, count: ctx.options.from === undefined })

/** A page as the list commands print it: the items under their name, the total, and the cursor of the next page. */
function listing<T>(key: string, page: MasPage<T>) {
  return { [key]: page.items, ...(page.total === undefined ? {} : { total: page.total }), ...(page.next ? { next_cursor: page.next } : {}) }
}

/** A user option's MAS user ID (undefined when not given). */
async function userIdOf(ctx: RunContext, value: string | undefined): Promise<string | undefined> {
  return value === undefined ? undefined : (await (await mas(ctx)).userOf(value)).id
}

/** Seconds until a token made now expires: -d DAYS or --expire DATE; undefined: it never expires. */
function expiresIn(ctx: RunContext<typeof spec.personalAdd> | RunContext<typeof spec.personalRegenerate>): number | undefined {
  const at = ctx.options.expireDays !== undefined ? daysFromNow(ctx.options.expireDays) : ctx.options.expire
  if (at === undefined) return undefined
  const seconds = Math.ceil((at - Date.now()) / 1000)
  if (seconds <= 0) throw usageError('the expiry is in the past')
  return seconds
}

/** An ms timestamp option as MAS's date-time; -1 (where allowed) as null. */
const isoTime = (ms: number) => (ms === -1 ? null : new Date(ms).toISOString())

// --- users -----------------------------------------------------------------------------------------------------

export async function usersList(ctx: RunContext<typeof spec.usersList>) {
  const o = ctx.options
  const filter = { search: o.search, status: o.status, admin: o.admins, 'legacy-guest': o.legacyGuests }
  return listing('users', await (await mas(ctx)).listUsers(filter, pageQuery(ctx)))
}

export async function usersDetails(ctx: RunContext<typeof spec.usersDetails>) {
  return (await mas(ctx)).userOf(ctx.args.username)
}

export async function usersAdd(ctx: RunContext<typeof spec.usersAdd>) {
  const o = ctx.options
  const api = await mas(ctx)
  const username = await api.localpart(ctx.args.username)
  const user = await api.addUser({
    username,
    ...(o.displayName === undefined ? {} : { displayname: o.displayName }),
    ...(o.avatarUrl === undefined ? {} : { avatar_url: o.avatarUrl }),
    ...(o.skipHomeserverCheck ? { skip_homeserver_check: true } : {}),
  })
  tell(ctx, `MAS user ${username} created (${user.id}); MAS provisioned it in Synapse. A password: synadm mas users set-password ${username}`)
  return user
}

export async function usersLock(ctx: RunContext<typeof spec.usersLock>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  if (user.locked_at) {
    tell(ctx, `${user.username} is locked already (since ${user.locked_at}).`)
    return user
  }
  await ctx.confirm(`Lock ${user.username}? No logins, and every session of theirs is refused until unlocked.`, user)
  const locked = await api.lockUser(user.id)
  tell(ctx, `${user.username} locked.`)
  return locked
}

export async function usersUnlock(ctx: RunContext<typeof spec.usersUnlock>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const unlocked = await api.unlockUser(user.id)
  tell(ctx, `${user.username} unlocked.`)
  return unlocked
}

export async function usersDeactivate(ctx: RunContext<typeof spec.usersDeactivate>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const erase = Boolean(ctx.options.gdprErase)
  if (user.deactivated_at && !erase) {
    tell(ctx, `${user.username} is deactivated already (since ${user.deactivated_at}).`)
    return user
  }
  const effect = ['every session ends', 'e-mail addresses removed', `MAS has Synapse deactivate @${user.username}${erase ? ' and GDPR-erase it' : ''}`].join('; ')
  await ctx.confirm(erase ? `Deactivate and GDPR-erase ${user.username}? The erasure cannot be undone.` : `Deactivate ${user.username}?`, { ...user, effect })
  const deactivated = await api.deactivateUser(user.id, !erase)
  tell(ctx, `${user.username} ${erase ? 'deactivated and GDPR-erased' : 'deactivated'}.`)
  return deactivated
}

export async function usersReactivate(ctx: RunContext<typeof spec.usersReactivate>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const reactivated = await api.reactivateUser(user.id)
  tell(ctx, `${user.username} reactivated.`)
  return reactivated
}

export async function usersSetPassword(ctx: RunContext<typeof spec.usersSetPassword>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const o = ctx.options
  const password = await ctx.secret({ typed: o.password, file: o.passwordFile, envVar: 'SYNADM_PASSWORD', what: 'password', fileOption: '--password-file', repeat: true })
  await api.setPassword(user.id, password, Boolean(o.skipCheck))
  tell(ctx, `Password of ${user.username} set in MAS.`)
  return { id: user.id, username: user.username, password_set: true }
}

export async function usersSetAdmin(ctx: RunContext<typeof spec.usersSetAdmin>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const admin = !ctx.options.unset
  const changed = await api.setAdmin(user.id, admin)
  tell(ctx, `${user.username} ${admin ? 'may now request' : 'may no longer request'} admin rights.`)
  return changed
}

// --- sessions --------------------------------------------------------------------------------------------------

const KIND_NAMES: Record<SessionKind, string> = { compat: 'compatibility', oauth2: 'OAuth 2.0', browser: 'browser' }

export async function sessionsList(ctx: RunContext<typeof spec.sessionsList>) {
  const o = ctx.options
  const api = await mas(ctx)
  const filter = { user: await userIdOf(ctx, o.user), status: o.status }
  return listing('sessions', await api.listSessions(o.kind as SessionKind, filter, pageQuery(ctx)))
}

/** The session an ID names, of the kind given or found by asking each kind. */
async function sessionOf(ctx: RunContext<typeof spec.sessionsDetails> | RunContext<typeof spec.sessionsFinish>): Promise<{ kind: SessionKind; session: MasSession }> {
  const api = await mas(ctx)
  const kind = ctx.options.kind as SessionKind | undefined
  return kind ? { kind, session: await api.session(kind, ctx.args.session_id) } : api.findSession(ctx.args.session_id)
}

export async function sessionsDetails(ctx: RunContext<typeof spec.sessionsDetails>) {
  const { kind, session } = await sessionOf(ctx)
  return { kind, ...session }
}

export async function sessionsFinish(ctx: RunContext<typeof spec.sessionsFinish>) {
  const { kind, session } = await sessionOf(ctx)
  if (session.finished_at) {
    tell(ctx, `The ${KIND_NAMES[kind]} session ${session.id} is finished already (since ${session.finished_at}).`)
    return { kind, ...session }
  }
  await ctx.confirm(`Finish the ${KIND_NAMES[kind]} session ${session.id}? Its tokens stop working${kind === 'browser' ? '' : ' and its device goes'}.`, { kind, ...session })
  const finished = await (await mas(ctx)).finishSession(kind, session.id)
  tell(ctx, `Session ${session.id} finished.`)
  return { kind, ...finished }
}

export async function personalList(ctx: RunContext<typeof spec.personalList>) {
  const o = ctx.options
  const filter = { actor_user: await userIdOf(ctx, o.actor), owner_user: await userIdOf(ctx, o.owner), status: o.status, scope: o.scope }
  return listing('personal_sessions', await (await mas(ctx)).listPersonalSessions(filter, pageQuery(ctx)))
}

export async function personalDetails(ctx: RunContext<typeof spec.personalDetails>) {
  return (await mas(ctx)).personalSession(ctx.args.session_id)
}

export async function personalAdd(ctx: RunContext<typeof spec.personalAdd>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const seconds = expiresIn(ctx)
  const session = await api.addPersonalSession({ actor_user_id: user.id, human_name: ctx.options.name, scope: (ctx.options.scope ?? []).join(' '), ...(seconds === undefined ? {} : { expires_in: seconds }) })
  tell(ctx, `Personal session ${session.id} acts as ${user.username}; its token is shown only now.`)
  return session
}

export async function personalRevoke(ctx: RunContext<typeof spec.personalRevoke>) {
  const api = await mas(ctx)
  const session = await api.personalSession(ctx.args.session_id)
  if (session.revoked_at) {
    tell(ctx, `Personal session ${session.id} is revoked already (since ${session.revoked_at}).`)
    return session
  }
  await ctx.confirm(`Revoke the personal session ${session.id} ('${session.human_name}')? Its token stops working.`, session)
  const revoked = await api.revokePersonalSession(session.id)
  tell(ctx, `Personal session ${session.id} revoked.`)
  return revoked
}

export async function personalRegenerate(ctx: RunContext<typeof spec.personalRegenerate>) {
  const session = await (await mas(ctx)).regeneratePersonalSession(ctx.args.session_id, expiresIn(ctx))
  tell(ctx, `Personal session ${session.id} has a new token (shown only now); the old one no longer works.`)
  return session
}

// --- e-mails, upstream links and providers, OAuth 2.0 clients ---------------------------------------------------

export async function emailsList(ctx: RunContext<typeof spec.emailsList>) {
  const filter = { user: await userIdOf(ctx, ctx.options.user), email: ctx.options.email }
  return listing('emails', await (await mas(ctx)).listEmails(filter, pageQuery(ctx)))
}

export async function emailsDetails(ctx: RunContext<typeof spec.emailsDetails>) {
  return (await mas(ctx)).email(ctx.args.email_id)
}

export async function emailsAdd(ctx: RunContext<typeof spec.emailsAdd>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const email = await api.addEmail(user.id, ctx.args.email)
  tell(ctx, `${email.email} added to ${user.username}.`)
  return email
}

export async function emailsDelete(ctx: RunContext<typeof spec.emailsDelete>) {
  const api = await mas(ctx)
  const email = await api.email(ctx.args.email_id)
  await ctx.confirm(`Remove the address ${email.email} from its user?`, email)
  await api.deleteEmail(email.id)
  tell(ctx, `${email.email} removed.`)
  return { ...email, deleted: true }
}

export async function linksList(ctx: RunContext<typeof spec.linksList>) {
  const o = ctx.options
  const filter = { user: await userIdOf(ctx, o.user), provider: o.provider, subject: o.subject }
  return listing('links', await (await mas(ctx)).listLinks(filter, pageQuery(ctx)))
}

export async function linksDetails(ctx: RunContext<typeof spec.linksDetails>) {
  return (await mas(ctx)).link(ctx.args.link_id)
}

export async function linksAdd(ctx: RunContext<typeof spec.linksAdd>) {
  const api = await mas(ctx)
  const user = await api.userOf(ctx.args.username)
  const name = ctx.options.accountName
  return api.addLink({ user_id: user.id, provider_id: ctx.args.provider_id, subject: ctx.args.subject, ...(name === undefined ? {} : { human_account_name: name }) })
}

export async function linksDelete(ctx: RunContext<typeof spec.linksDelete>) {
  const api = await mas(ctx)
  const link = await api.link(ctx.args.link_id)
  await ctx.confirm(`Remove the link ${link.id}? Its user can no longer log in with that upstream account.`, link)
  await api.deleteLink(link.id)
  tell(ctx, `Link ${link.id} removed.`)
  return { ...link, deleted: true }
}

export async function providersList(ctx: RunContext<typeof spec.providersList>) {
  return listing('providers', await (await mas(ctx)).listProviders({ enabled: ctx.options.enabled }, pageQuery(ctx)))
}

export async function providersDetails(ctx: RunContext<typeof spec.providersDetails>) {
  return (await mas(ctx)).provider(ctx.args.provider_id)
}

export async function clientsList(ctx: RunContext<typeof spec.clientsList>) {
  const o = ctx.options
  const filter = { 'client-kind': o.kind, 'client-name': o.name, 'grant-type': o.grantType }
  return listing('clients', await (await mas(ctx)).listClients(filter, pageQuery(ctx)))
}

export async function clientsDetails(ctx: RunContext<typeof spec.clientsDetails>) {
  return (await mas(ctx)).oauth2Client(ctx.args.client_id)
}

// --- registration tokens ---------------------------------------------------------------------------------------

export async function tokensList(ctx: RunContext<typeof spec.tokensList>) {
  const o = ctx.options
  const filter = { valid: o.valid, used: o.used, revoked: o.revoked, expired: o.expired }
  return listing('tokens', await (await mas(ctx)).listTokens(filter, pageQuery(ctx)))
}

export async function tokensDetails(ctx: RunContext<typeof spec.tokensDetails>) {
  return (await mas(ctx)).registrationToken(ctx.args.token_id)
}

export async function tokensAdd(ctx: RunContext<typeof spec.tokensAdd>) {
  const o = ctx.options
  const expiry = o.expiryTs ?? o.expireAt
  return (await mas(ctx)).addToken({
    ...(o.token === undefined ? {} : { token: o.token }),
    ...(o.usageLimit === undefined ? {} : { usage_limit: o.usageLimit }),
    ...(expiry === undefined ? {} : { expires_at: isoTime(expiry)! }),
  })
}

export async function tokensEdit(ctx: RunContext<typeof spec.tokensEdit>) {
  const o = ctx.options
  const expiry = o.expiryTs ?? o.expireAt
  // MAS: a field left out stays as it is; null lifts the limit or the expiry.
  return (await mas(ctx)).editToken(ctx.args.token_id, {
    ...(o.usageLimit === undefined ? {} : { usage_limit: o.usageLimit === -1 ? null : o.usageLimit }),
    ...(expiry === undefined ? {} : { expires_at: isoTime(expiry) }),
  })
}

export async function tokensRevoke(ctx: RunContext<typeof spec.tokensRevoke>) {
  const api = await mas(ctx)
  const token = await api.registrationToken(ctx.args.token_id)
  if (token.revoked_at) {
    tell(ctx, `The token ${token.id} is revoked already (since ${token.revoked_at}).`)
    return token
  }
  return api.revokeToken(token.id)
}

export async function tokensUnrevoke(ctx: RunContext<typeof spec.tokensUnrevoke>) {
  const api = await mas(ctx)
  const token = await api.registrationToken(ctx.args.token_id)
  if (!token.revoked_at) {
    tell(ctx, `The token ${token.id} is not revoked.`)
    return token
  }
  return api.unrevokeToken(token.id)
}

// --- MAS itself ------------------------------------------------------------------------------------------------

export async function policyShow(ctx: RunContext<typeof spec.policyShow>) {
  const api = await mas(ctx)
  return ctx.args.policy_data_id === undefined ? api.latestPolicyData() : api.policyData(ctx.args.policy_data_id)
}

export async function policySet(ctx: RunContext<typeof spec.policySet>) {
  let data: unknown
  try {
    data = JSON.parse(await ctx.readFile(ctx.args.file))
  } catch (error) {
    if (SynadmError.is(error)) throw error
    throw usageError(`${ctx.args.file} is not JSON: ${(error as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw usageError(`${ctx.args.file} holds no JSON object: MAS's policy data is one`)
  const api = await mas(ctx)
  let current: unknown = null
  try {
    current = (await api.latestPolicyData()).data
  } catch (error) {
    if (!SynadmError.is(error) || error.kind !== 'notFound') throw error
  }
  await ctx.confirm("Replace the data MAS's policy runs with?", { current, new: data })
  return api.setPolicyData(data)
}

export async function siteConfig(ctx: RunContext<typeof spec.siteConfig>) {
  return (await mas(ctx)).siteConfig()
}

export async function version(ctx: RunContext<typeof spec.version>) {
  return (await mas(ctx)).version()
}

export async function info(ctx: RunContext<typeof spec.info>) {
  const api = await mas(ctx)
  const settings = await ctx.settings()
  const found = await api.delegation()
  const url = settings.mas_url || found.issuer?.replace(/\/+$/, '')
  return {
    base_url: settings.base_url,
    delegated: found.delegated,
    issuer: found.issuer ?? null,
    ...(found.problem ? { problem: found.problem } : {}),
    mas_url: url ?? null,
    mas_url_from: settings.mas_url ? 'mas_url' : url ? 'the server' : null,
    admin_api: url ? `${url}/${ADMIN_API}` : null,
    admin_token: settings.mas_client_id ? `client credentials of ${settings.mas_client_id} (scope ${ADMIN_SCOPE})` : `the access token (it needs the scope ${ADMIN_SCOPE})`,
  }
}
