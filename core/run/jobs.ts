/** --wait: polls a server-side job until it completes or fails, with progress on stderr. */
import type { Writable } from 'node:stream'
import { sleep } from '../kernel/async.js'
import { SynadmError } from '../kernel/errors.js'

export interface WaitOptions<T> {
  /** what is being waited on, for messages: `room deletion abc` */
  what: string
  poll: () => Promise<T>
  status: (reply: T) => string
  /** how to check later, printed when waiting is stopped */
  checkLater: string
  done?: string[]
  failed?: string[]
  intervalMs?: number
  signal?: AbortSignal
  progress: Writable
  interactive: boolean
}

/** Returns the final reply when the job completed; throws jobFailed (with the reply) when it failed. */
export async function waitForJob<T>(o: WaitOptions<T>): Promise<T> {
  const done = o.done ?? ['complete']
  const failed = o.failed ?? ['failed']
  const started = Date.now()
  let last = ''
  const stopped = () => {
    if (o.interactive) o.progress.write('\n')
    return new SynadmError('cancelled', `stopped waiting for ${o.what}; the server goes on with it`, { hint: `check on it with: ${o.checkLater}` })
  }
  for (let interval = o.intervalMs ?? 500; ; interval = Math.min(interval * 1.5, 5000)) {
    if (o.signal?.aborted) throw stopped()
    let reply: T
    try {
      reply = await o.poll()
    } catch (error) {
      // Ctrl-C during a status request stops the waiting, not the job.
      if (o.signal?.aborted) throw stopped()
      throw error
    }
    const status = o.status(reply) ?? 'unknown'
    const elapsed = ((Date.now() - started) / 1000).toFixed(0)
    if (o.interactive) o.progress.write(`\r${o.what}: ${status} (${elapsed} s)\x1b[K`)
    else if (status !== last) o.progress.write(`${o.what}: ${status}\n`)
    last = status
    if (done.includes(status) || failed.includes(status)) {
      if (o.interactive) o.progress.write('\n')
      if (failed.includes(status)) {
        const reason = (reply as { error?: string })?.error
        throw Object.assign(new SynadmError('jobFailed', `${o.what} failed${reason ? `: ${reason}` : ''}`), { reply })
      }
      return reply
    }
    await sleep(interval, o.signal)
  }
}
