// Calls and instructions per call as an exact distribution, so attempts, cases and suites merge
// without approximating a median. Pure.
import type { CallStats, CostFigure } from '../../domain.js';

export function statsOf(instructions: readonly number[]): CallStats {
  const counts = new Map<number, number>();
  for (const n of instructions) counts.set(n, (counts.get(n) ?? 0) + 1);
  return fromValues([...counts]);
}

/** Merges distributions (repeated attempts, or every case of a suite). */
export function mergeStats(list: ReadonlyArray<CallStats | undefined>): CallStats | undefined {
  const counts = new Map<number, number>();
  for (const s of list) for (const [v, n] of s?.values ?? []) counts.set(v, (counts.get(v) ?? 0) + n);
  return counts.size ? fromValues([...counts]) : undefined;
}

/** The median is the lower middle call: always an instruction count some call really took. */
function fromValues(pairs: Array<[number, number]>): CallStats {
  const values = pairs.sort((a, b) => a[0] - b[0]);
  const calls = values.reduce((t, [, n]) => t + n, 0);
  const middle = Math.floor((calls - 1) / 2);
  let seen = 0;
  let median = values[0]?.[0] ?? 0;
  for (const [v, n] of values) {
    if (seen + n > middle) {
      median = v;
      break;
    }
    seen += n;
  }
  return { calls, min: values[0]?.[0] ?? 0, median, max: values[values.length - 1]?.[0] ?? 0, values };
}

export function figure(s: CallStats | undefined): CostFigure | undefined {
  return s ? { calls: s.calls, min: s.min, median: s.median, max: s.max } : undefined;
}

/** Candidate median / baseline median, to two decimals; undefined without both. */
export function ratioOf(baseline: CostFigure | undefined, candidate: CostFigure | undefined): number | undefined {
  if (!baseline || !candidate || baseline.median <= 0) return undefined;
  return Math.round((candidate.median / baseline.median) * 100) / 100;
}
