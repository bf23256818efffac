/**
 * The account commands on a server that delegates auth to MAS: MAS keeps the passwords, the right to be an admin,
 * locks and activation, and Synapse refuses or would undo changes to them, so they go through MAS's admin API
 * (`ctx.use('mas')`); what has no MAS equivalent says so in one line (README: Servers that delegate auth to MAS).
 */
import { SynadmError, usageError, type RunContext } from '../../core/index.js'
import type { MasApi, MasSession, MasUser, SessionKind } from '../mas/api.js'

const masApi = (ctx: RunContext) => ctx.use('mas')

/** The server delegates auth to MAS (asked once per session). */
export const onMas = async (ctx: RunContext) => (await masApi(ctx)).onMas()

/** What Synapse's list takes for `guests`: on a MAS server false (Synapse refuses to list guests there), -g refused. */
export async function guestsFor(ctx: RunContext, asked: boolean | undefined): Promise<boolean | undefined> {
  if (!(await onMas(ctx))) return asked
  if (asked) throw usageError('-g/--guests: Synapse lists no guests when it delegates auth to MAS (it refuses guests=true)', "guest accounts from before MAS are MAS's: synadm mas users list --legacy-guests")
  return false
}

/** A command with no MAS equivalent: one line saying so, and what to use instead (exit 2); nothing is sent. */
export const noMasEquivalent = (what: string, instead: string) => usageError(`this server delegates auth to MAS: ${what}`, instead)

/** The MAS account of a user ID, looked up before anything is changed. */
export async function masAccount(ctx: RunContext, userId: string): Promise<{ api: MasApi; user: MasUser }> {
  const api = await masApi(ctx)
  return { api, user: await api.userOf(userId) }
}

/**
 * Ends a user's sessions as Synapse's logout of all devices does: every active compatibility, OAuth 2.0 and browser
 * session. Returns how many ended; one that fails stops it, saying how many ended before.
 */
export async function endSessions(ctx: RunContext, api: MasApi, user: MasUser): Promise<number> {
  const active: [SessionKind, string][] = []
  for (const kind of ['compat', 'oauth2', 'browser'] as const) {
    const fetchPage = (after: unknown) => api.listSessions(kind, { user: user.id, status: 'active' }, { after: after as string | undefined, first: 1000, count: false })
    for await (const session of ctx.items<MasSession>(fetchPage, { items: 'items', next: 'next' })) active.push([kind, session.id])
  }
  for (const [i, [kind, id]] of active.entries()) {
    try {
      await api.finishSession(kind, id)
    } catch (error) {
      throw alreadyDone(error, i ? [`${i} of ${active.length} sessions of ${user.username} ended`] : [])
    }
  }
  return active.length
}

/** An error after some steps were applied: the message says which, so nothing is half-done silently. */
export function alreadyDone(error: unknown, done: string[]): unknown {
  if (!SynadmError.is(error) || done.length === 0) return error
  return new SynadmError(error.kind, `${error.message}; already done: ${done.join(', ')}`, { hint: error.hint, status: error.status, errcode: error.errcode, cause: error })
}

/** One change of an account MAS makes, named for messages. */
export interface MasStep {
  what: string
  run: (api: MasApi, user: MasUser) => Promise<unknown>
}


/** The MAS steps of `user modify`'s account state changes, in the order they make sense: reactivate first, deactivate last. */
export function masSteps(ctx: RunContext, o: { activate?: boolean; deactivate?: boolean; admin?: boolean; lock?: boolean }, password?: string, logout = true): MasStep[] {
  const steps: MasStep[] = []
  if (o.activate) steps.push({ what: 'reactivated', run: (api, u) => api.reactivateUser(u.id) })
  if (password !== undefined) steps.push({ what: 'password set', run: (api, u) => api.setPassword(u.id, password) })
  if (password !== undefined && logout) steps.push({ what: 'sessions ended', run: (api, u) => endSessions(ctx, api, u) })
  if (o.admin !== undefined) steps.push({ what: o.admin ? 'may request admin rights' : 'may no longer request admin rights', run: (api, u) => api.setAdmin(u.id, o.admin!) })
  if (o.lock !== undefined) steps.push({ what: o.lock ? 'locked' : 'unlocked', run: (api, u) => (o.lock ? api.lockUser(u.id) : api.unlockUser(u.id)) })
  if (o.deactivate) steps.push({ what: 'deactivated', run: (api, u) => api.deactivateUser(u.id, true) })
  return steps
}

/** Runs the steps one after another; a failure names the steps done before it. */
export async function runSteps(api: MasApi, user: MasUser, steps: MasStep[], done: string[] = []): Promise<string[]> {
  for (const step of steps) {
    try {
      await step.run(api, user)
    } catch (error) {
      throw alreadyDone(error, done)
    }
    done.push(step.what)
  }
  return done
}

/** A MAS user's state as `user modify`'s confirmation shows it: the flags MAS keeps. */
export const masState = (u: MasUser) => ({ admin: u.admin, locked: u.locked_at !== null, deactivated: u.deactivated_at !== null })
