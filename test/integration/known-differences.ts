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
