/**
 * Look-alikes for a mistyped word (a command word, an option): the candidates closest to it by edit distance,
 * closest first, as git and click suggest them. A swap of two neighbouring letters counts as one edit
 * (`detials` → `details`), and an unfinished word (`deact`) matches what it starts.
 */

/** Edits between two words: insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) rows[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}

/** Suggestions shown at most. */
const MAX_SUGGESTIONS = 5

/**
 * The candidates that look like `word`, closest first: within a third of its length in edits (at least one), or
 * starting with it (three letters or more); only the closest tier and the one after it, so a near miss is not
 * buried under far ones. Leading dashes of options are compared too, so `--limt` finds `--limit`.
 */
export function lookAlikes(word: string, candidates: Iterable<string>): string[] {
  const bare = (s: string) => s.replace(/^-+/, '')
  const typed = bare(word)
  const within = Math.max(1, Math.floor(typed.length / 3))
  const scored: { value: string; score: number; distance: number }[] = []
  for (const value of new Set(candidates)) {
    if (value === word) continue
    const distance = editDistance(typed, bare(value))
    const unfinished = typed.length >= 3 && bare(value).startsWith(typed)
    if (distance <= within || unfinished) scored.push({ value, distance, score: Math.min(distance, unfinished ? 1 : Infinity) })
  }
  scored.sort((a, b) => a.score - b.score || a.distance - b.distance || a.value.localeCompare(b.value))
  const best = scored[0]?.score
  return scored.filter((s) => s.score <= best + 1).slice(0, MAX_SUGGESTIONS).map((s) => s.value)
}
