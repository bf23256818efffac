import { usageError, type HttpClient, type Method, type OptionsOf, type RunContext } from '../../core/index.js'
import type * as spec from './index.js'

/** Both commands send through the functions below: they read only the options and argument the two share. */
type RequestContext = RunContext<typeof spec.adminRaw> | RunContext<typeof spec.matrixRaw>

/** -m's choices as sent on the wire (a choice added to the declaration must be added here, or this fails to compile) */
const METHODS: Record<OptionsOf<typeof spec.adminRaw>['method'], Method> = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE' }

/** The JSON body of -d/--data or -f/--data-file (`-` = stdin); GET requests have none. */
async function body(ctx: RequestContext, method: Method): Promise<unknown> {
  const { data, dataFile } = ctx.options
  if (method === 'GET') {
    if (ctx.given.has('data') || dataFile !== undefined) throw usageError('GET requests carry no body', 'choose another method with -m post|put|delete')
    return undefined
  }
  const [text, source] = dataFile === undefined ? [data, '-d/--data'] : [await ctx.readFile(dataFile), dataFile === '-' ? 'stdin' : dataFile]
  try {
    return JSON.parse(text)
  } catch (error) {
    throw usageError(`the body from ${source} is not JSON: ${(error as Error).message}`)
  }
}

/**
 * URLs resolve `..` and `%2e%2e` segments, so `raw ../../_matrix/…` would leave the Admin API: refused unless the
 * admin says --allow-outside.
 */
function checkPrefix(ctx: RequestContext, client: HttpClient, endpoint: string) {
  const prefix = new URL(client.options.baseURL).pathname.replace(/\/+$/, '')
  const resolved = new URL(client.url(endpoint)).pathname
  if (resolved.startsWith(prefix + '/') || ctx.options.allowOutside) return
  throw usageError(`ENDPOINT '${endpoint}' resolves to ${resolved}, outside ${prefix}`, 'add --allow-outside to send it anyway')
}

/** ENDPOINT is appended to the API's base URL exactly as typed (the user handles URL encoding). */
async function send(ctx: RequestContext, client: HttpClient, token?: string) {
  const method = METHODS[ctx.options.method]
  const endpoint = ctx.args.endpoint
  checkPrefix(ctx, client, endpoint)
  // A token in the query is the one meant: Synapse refuses a request that also carries an Authorization header.
  const tokenInQuery = token === undefined && /[?&]access_token=/.test(endpoint)
  return client.request(method, endpoint, { body: await body(ctx, method), token: tokenInQuery ? null : token })
}

export async function adminRaw(ctx: RunContext<typeof spec.adminRaw>) {
  return send(ctx, await ctx.admin())
}

/** Token precedence as in synadm: --prompt, then --token, then $MTOKEN, then the configured admin token. */
export async function matrixRaw(ctx: RunContext<typeof spec.matrixRaw>) {
  const { prompt, token } = ctx.options
  let userToken = token ?? (ctx.env.MTOKEN || undefined)
  if (prompt) {
    if (!ctx.interactive) throw usageError('--prompt needs a terminal (and no --batch)', 'set $MTOKEN instead, e.g. with `read -s MTOKEN; export MTOKEN`')
    userToken = await ctx.prompts.password('Matrix token')
  }
  return send(ctx, await ctx.matrix(), userToken)
}
