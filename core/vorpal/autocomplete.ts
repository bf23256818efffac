/**
 * vorpal's completion sources (an array, a function, or an object with `data`, as vorpal-autocomplete-fs gives)
 * as synadm word completers. Completion never waits: an answer that comes later (a callback or a promise) is
 * kept and offered from the next Tab on.
 */
import { isThenable } from '../kernel/async.js'
import type { WordCompleter } from '../cli/registry.js'
import { stripColor } from './chalk.js'

type SourceFn = (input: string, callback?: (values: unknown) => void) => unknown
export type AutocompleteSource = readonly string[] | SourceFn | { data: SourceFn }

const toList = (values: unknown): string[] => (Array.isArray(values) ? values.map((v) => stripColor(String(v))) : [])

export function wordCompleter(source: AutocompleteSource): WordCompleter {
  const fn: SourceFn = Array.isArray(source) ? () => source : typeof source === 'function' ? (source as SourceFn) : (source as { data: SourceFn }).data
  const later = new Map<string, string[]>()
  return (word) => {
    let now: string[] | undefined
    let asking = true
    const take = (values: unknown) => {
      if (asking) now = toList(values)
      else later.set(word, toList(values))
    }
    try {
      const result = fn.length < 2 ? fn(word) : fn(word, take)
      if (isThenable(result)) result.then(take, () => undefined)
      else if (fn.length < 2) take(result)
    } catch {
      // completion is best effort
    }
    asking = false
    // As in vorpal, values complete the part after the last `/` (file names in a folder).
    const folder = word.slice(0, word.lastIndexOf('/') + 1)
    return (now ?? later.get(word) ?? []).map((value) => folder + value)
  }
}
