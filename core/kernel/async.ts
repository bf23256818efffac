/** Small promise helpers core and the vorpal facade share. */

/** Waits `ms`, or less when `signal` aborts: it resolves then too, and the caller decides what an abort means. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** A promise, or anything with a then() (jQuery-era libraries that vorpal extensions use return those). */
export const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as PromiseLike<unknown>)?.then === 'function'
