/** The one paginator: follows a page's next token until there is none. */
import type { PagedSpec } from './spec.js'

export interface Page {
  [key: string]: unknown
}

/** Yields every page; `fetchPage(token)` gets the page that starts at token (undefined = the first). */
export async function* pages(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec, first?: unknown): AsyncGenerator<Page> {
  let token = first
  const seen = new Set<string>()
  for (;;) {
    const page = await fetchPage(token)
    yield page
    const next = page[spec.next ?? 'next_token']
    // A server that repeats a token would loop forever; stop instead.
    if (next === undefined || next === null || next === '' || seen.has(String(next))) return
    seen.add(String(next))
    token = next
  }
}

/** Every item of every page, one at a time. */
export async function* items<T = unknown>(fetchPage: (token: unknown) => Promise<Page>, spec: PagedSpec): AsyncGenerator<T> {
  for await (const page of pages(fetchPage, spec)) yield* ((page[spec.items] as T[]) ?? [])
}
