/**
 * The regtok commands on a server that delegates auth to MAS: Synapse has no registration tokens then (its endpoints
 * answer 404), MAS has its own, so the commands do their job through MAS's admin API (`ctx.use('mas')`), taking and
 * printing tokens as they do on Synapse (README: Servers that delegate auth to MAS).
 */
import { randomInt } from 'node:crypto'
import { SynadmError, type RunContext } from '../../core/index.js'
import type { MasApi, MasFilter, MasRegistrationToken } from '../mas/api.js'
import type { NewTokenBody, RegistrationToken, TokenUpdate } from './api.js'

const masApi = (ctx: RunContext) => ctx.use('mas')

/** The server delegates auth to MAS (asked once per session). */
export const onMas = async (ctx: RunContext) => (await masApi(ctx)).onMas()

/** A MAS token as Synapse shows one (`completed` is MAS's times_used; MAS has no pending uses), with MAS's own fields. */
export function synapseShaped(t: MasRegistrationToken): RegistrationToken & Record<string, unknown> {
  return {
    token: t.token,
    uses_allowed: t.usage_limit,
    pending: 0,
    completed: t.times_used,
    expiry_time: t.expires_at === null ? null : Date.parse(t.expires_at),
    id: t.id,
    valid: t.valid,
    revoked_at: t.revoked_at,
    created_at: t.created_at,
    last_used_at: t.last_used_at,
  }
}

const msToMas = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString())

/** Every MAS token the filter keeps, through core's paginator (1000 a page). */
function everyToken(ctx: RunContext, api: MasApi, filter: MasFilter): AsyncGenerator<MasRegistrationToken> {
  return ctx.items<MasRegistrationToken>((after) => api.listTokens(filter, { after: after as string | undefined, first: 1000, count: false }), { items: 'items', next: 'next' })
}

/** Every token, or the valid or invalid ones only. */
export async function listOnMas(ctx: RunContext, valid: boolean | undefined) {
  const tokens: ReturnType<typeof synapseShaped>[] = []
  for await (const t of everyToken(ctx, await masApi(ctx), { valid })) tokens.push(synapseShaped(t))
  return { registration_tokens: tokens }
}

/** The MAS token with this text (MAS finds tokens by ID only: the list is read); not found is exit 7, as on Synapse. */
export async function tokenOnMas(ctx: RunContext, token: string): Promise<MasRegistrationToken> {
  for await (const t of everyToken(ctx, await masApi(ctx), {})) if (t.token === token) return t
  throw new SynadmError('notFound', `MAS has no registration token ${token}`, { status: 404, hint: 'synadm regtok list shows them' })
}

/** Synapse generates a token of `length` when none is given; MAS knows no length, so synadm makes one of that length. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const generated = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')

export async function createOnMas(ctx: RunContext, body: NewTokenBody, lengthGiven: boolean) {
  const token = body.token ?? (lengthGiven && body.length !== undefined ? generated(body.length) : undefined)
  const created = await (await masApi(ctx)).addToken({
    ...(token === undefined ? {} : { token }),
    ...(body.uses_allowed === null || body.uses_allowed === undefined ? {} : { usage_limit: body.uses_allowed }),
    ...(body.expiry_time === null || body.expiry_time === undefined ? {} : { expires_at: msToMas(body.expiry_time)! }),
  })
  return synapseShaped(created)
}

/** Synapse's changes as MAS's: null lifts the limit or the expiry there too. */
export async function updateOnMas(ctx: RunContext, token: string, changes: TokenUpdate) {
  const found = await tokenOnMas(ctx, token)
  const edited = await (await masApi(ctx)).editToken(found.id, {
    ...('uses_allowed' in changes ? { usage_limit: changes.uses_allowed } : {}),
    ...('expiry_time' in changes ? { expires_at: msToMas(changes.expiry_time) } : {}),
  })
  return synapseShaped(edited)
}

/** MAS deletes no registration token: revoking it is what ends its use (and can be taken back). */
export async function removeOnMas(ctx: RunContext, token: string) {
  const found = await tokenOnMas(ctx, token)
  await ctx.confirm(`Revoke registration token ${token}? MAS keeps revoked tokens; none can register with it.`, synapseShaped(found))
  const revoked = found.revoked_at ? found : await (await masApi(ctx)).revokeToken(found.id)
  ctx.note(`Registration token ${token} revoked in MAS (synadm mas tokens unrevoke ${found.id} takes it back).`)
  return synapseShaped(revoked)
}
