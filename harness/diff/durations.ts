// Per-case guest duration, baseline against candidate (ztest prints each case's duration in guest
// time). A case at least SLOWER_RATIO × slower in the candidate is flagged `slower`: informational,
// never gating — gale measures exactly this by hand on the board. Pure.

/** Candidate / baseline at or above this is `slower`. */
export const SLOWER_RATIO = 2;
/** …and only when the candidate takes this much longer (ztest prints ms: 1 ms → 2 ms is noise). */
export const SLOWER_MIN_EXTRA_MS = 10;

export interface DurationCompare {
  baselineMs?: number;
  candidateMs?: number;
  /** candidate / baseline, when both are known and the baseline is not 0. */
  durationRatio?: number;
  slower?: true;
}

export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Durations of the attempts on each side (repeats: the median of each). */
export function compareDurations(baseline: readonly number[], candidate: readonly number[]): DurationCompare {
  const out: DurationCompare = {};
  const b = median(baseline);
  const c = median(candidate);
  if (b !== undefined) out.baselineMs = b;
  if (c !== undefined) out.candidateMs = c;
  if (b !== undefined && c !== undefined && b > 0) {
    out.durationRatio = Math.round((c / b) * 100) / 100;
    if (c / b >= SLOWER_RATIO && c - b >= SLOWER_MIN_EXTRA_MS) out.slower = true;
  }
  return out;
}
