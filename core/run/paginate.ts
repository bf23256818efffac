/**
 * The one paginator: follows a page's next token until there is none. The next page is always on its way while
 * the caller handles the current one; for offset paging with a known total, several pages are on their way at
 * once (bounded), and pages still come out in order. At most `concurrency + 1` pages are held at any time.
 */
import type { PagedSpec } from '../contract/spec.js'
import type { Invocation } from '../contract/run-context.js'

export interface Page {
  [key: string]: unknown
}

export interface PageOptions {
  /** the token of the first page (undefined: the endpoint's start) */
  first?: unknown
  /** pages fetched side by side where the paging allows it (offset with a total); default 1: prefetch only */
  concurrency?: number
}

/** The formats that export a list: one record a line, for files and other programs. */
const EXPORT_FORMATS: readonly string[] = ['csv', 'jsonl']

/**
 * Whether a paged command prints every page: with --all, and for an export (`-o csv`, `-o jsonl`) unless a page
 * option (the page size or where to start) is given: a file of the first 100 users is never what an export meant.
 */
export function everyPage(spec: PagedSpec, { options, given }: Pick<Invocation, 'options' | 'given'>, format: string): boolean {
  if (options.all) return true
  return EXPORT_FORMATS.includes(format) && !given.has(spec.limit ?? 'limit') && !given.has(spec.from ?? 'from')
}

/** Pages fetched at once by `--all` where the endpoint's paging allows it (measured: BENCHMARKS.md). */
export const ALL_CONCURRENCY = 2

/** The next page's token, or undefined when this page is the last. */
export function nextToken(page: Page | undefined, spec: PagedSpec): unknown {
  const next = page?.[spec.next ?? 'next_token']
  return next === null || next === '' ? undefined : next
}

/** A promise whose rejection is only reported when someone awaits it (a prefetched page the caller never takes). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** Yields every page; `fetchPage(token)` gets the page that starts at token (undefined = the first). */
export async function* pages(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec, options: PageOptions = {}): AsyncGenerator<Page> {
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const seen = new Set<string>()
  // Pages on their way, in the order they are yielded.
  let window: { token: unknown; page: Promise<Page> }[] = []
  const launch = (token: unknown) => window.push({ token, page: quiet(fetchPage(token)) })
  let plan: OffsetPlan | undefined
  launch(options.first)
  for (;;) {
    const current = window.shift()
    if (!current) return
    const page = await current.page
    const next = nextToken(page, spec)
    // A server that repeats a token would loop forever; stop instead.
    if (next === undefined || seen.has(String(next))) {
      yield page
      return
    }
    seen.add(String(next))
    // One token seen: this is the first page, which the plan starts from.
    if (seen.size === 1) plan = offsetPlan(page, spec, options.first, next, concurrency)
    if (window.length && String(window[0].token) !== String(next)) {
      // The data moved under us (accounts created or removed): what was fetched ahead no longer lines up.
      window = []
      plan = undefined
    }
    if (plan) for (; window.length < concurrency && plan.offset < plan.total; plan.offset += plan.step) launch(plan.offset)
    // Past the planned pages (the list grew) or without a plan: the next page, while this one is handled.
    if (!window.length) launch(next)
    yield page
  }
}

interface OffsetPlan {
  /** the next offset to fetch */
  offset: number
  step: number
  total: number
}

/**
 * For offset paging with a total: where the pages after the first start. The step is what the first page
 * advanced, so an endpoint that caps the page size still lines up.
 */
function offsetPlan(page: Page, spec: PagedSpec, first: unknown, next: unknown, concurrency: number): OffsetPlan | undefined {
  if (spec.style !== 'offset' || !spec.total || concurrency < 2) return undefined
  const total = Number(page[spec.total])
  const start = Number(first ?? 0)
  const offset = Number(next)
  const step = offset - start
  if (![total, start, offset].every(Number.isSafeInteger) || step <= 0) return undefined
  return { offset, step, total }
}

/** Every item of every page, one at a time. */
export async function* items<T = unknown>(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec, options?: PageOptions): AsyncGenerator<T> {
  for await (const page of pages(fetchPage, spec, options)) yield* ((page[spec.items] as T[]) ?? [])
}
