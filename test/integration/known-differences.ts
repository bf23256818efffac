/**
 * Where our `-o json` output may differ from the Python synadm 0.49.2 on the same server, and why.
 * Compatibility tests compare after applying these; each entry names the reference's behaviour we do not copy.
 */
export interface KnownDifference {
  /** command path, e.g. 'user list' */
  command: string
  /** why the outputs differ */
  reason: string
  /** rewrites the Python output so it can be compared with ours */
  normalizePython?: (data: any) => any
  /** rewrites our output so it can be compared */
  normalizeOurs?: (data: any) => any
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  // Entries are added next to the command's compatibility test, one per difference.
  {
    command: 'user details',
    reason:
      'HTTP error replies: the Python synadm prints the error JSON on stdout and exits 0 (cli-surface §3.1); we print ' +
      'a one-line error on stderr and exit with the error kind (7 for an unknown user). Compared only for exit codes.',
  },
  {
    command: 'user search',
    reason:
      "The Python synadm prints its headings (User search results for '…':) on stdout even with -o json, between " +
      'the two JSON documents; ours go to stderr. The test drops those lines from the Python output before parsing.',
  },
  {
    command: 'room state',
    reason:
      "Synapse computes each event's `age` (and `unsigned.age`) per request, as ms since the event was sent, so two " +
      'runs a moment apart never agree on it; the events themselves are equal.',
    normalizePython: (data) => withoutEventAge(data),
    normalizeOurs: (data) => withoutEventAge(data),
  },
]

export function differencesFor(command: string): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter((d) => d.command === command)
}

/** A `room state` reply without the per-request `age` fields. */
function withoutEventAge(data: { state: Record<string, any>[] }) {
  return {
    ...data,
    state: data.state.map(({ age: _age, unsigned, ...event }) => {
      const { age: _unsignedAge, ...rest } = unsigned ?? {}
      return { ...event, unsigned: rest }
    }),
  }
}
