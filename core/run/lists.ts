/**
 * What a list command prints, as records: every page with --all, or its one reply, with --where applied as the
 * records stream by. The executor prints them for one command; a bulk run of a list command, for each target.
 */
import type { RunContext } from '../contract/run-context.js'
import type { Action, PagedSpec } from '../contract/spec.js'
import { compileWhere } from '../cli/where.js'
import { listItems } from '../cli/options.js'
import { ALL_CONCURRENCY, nextToken, pages, type Page } from './paginate.js'

export interface ListPage {
  /** the records of a page that --where holds for */
  items: unknown[]
  /** the server has more pages than the run follows (one page, without --all) */
  more: boolean
}

/** The records a list command's run prints, page by page. */
export async function* listPages(ctx: RunContext, action: Action, every = ctx.options.all === true): AsyncGenerator<ListPage> {
  const keep = compileWhere(ctx.options.where as string[] | undefined)
  const kept = (items: unknown[]) => (keep ? items.filter(keep) : items)
  const spec = ctx.command.paged
  if (spec && every) {
    for await (const page of allPages(ctx, action, spec)) yield { items: kept(recordsOf(page, spec.items)), more: false }
    return
  }
  const reply = await action(ctx)
  yield { items: kept(recordsOf(reply, listItems(ctx.command) ?? '')), more: spec !== undefined && nextToken(reply as Page, spec) !== undefined }
}

/** --all: every page, at the page size the endpoint serves best unless -l is given, from -f's token when given. */
function allPages(ctx: RunContext, action: Action, spec: PagedSpec): AsyncGenerator<Page> {
  const fromKey = spec.from ?? 'from'
  const limitKey = spec.limit ?? 'limit'
  const all = spec.pageSize && !ctx.given.has(limitKey) ? { ...ctx.options, [limitKey]: spec.pageSize } : ctx.options
  const fetchPage = async (token: unknown) => {
    const options = token === undefined ? all : { ...all, [fromKey]: token }
    return (await action({ ...ctx, options })) as Page
  }
  const first = ctx.given.has(fromKey) ? all[fromKey] : undefined
  return pages(fetchPage, spec, { first, concurrency: ALL_CONCURRENCY })
}

/**
 * One reply of a list command with --where applied to its records, printed whole: its other fields (a page's total
 * and next token) stay the server's.
 */
export function filteredReply(ctx: RunContext, reply: unknown): unknown {
  const keep = compileWhere(ctx.options.where as string[] | undefined)
  const key = listItems(ctx.command)
  if (!keep || key === undefined) return reply
  if (key === '') return Array.isArray(reply) ? reply.filter(keep) : reply
  const records = (reply as Record<string, unknown> | undefined)?.[key]
  return Array.isArray(records) ? { ...(reply as Record<string, unknown>), [key]: records.filter(keep) } : reply
}

function recordsOf(reply: unknown, key: string): unknown[] {
  const records = key === '' ? reply : (reply as Record<string, unknown> | undefined)?.[key]
  return Array.isArray(records) ? records : []
}
