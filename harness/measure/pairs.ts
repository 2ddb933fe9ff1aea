// The images a measurement compares: per comparison, each (platform, suite) measured on both
// sides (footprint, records), or the judge's pairs of results (cost, reach). Every attempt of a repeated job is kept (records take their median); the footprint of an
// image is the same in each. Pure.
import type { Comparison, MeasuredPair, RunResult } from '../domain.js';
import { comparedPairs, type PairFacts } from '../judge/pairs.js';
import { byText } from './format.js';

export interface Pair<T> extends MeasuredPair {
  /** One value per attempt that carried the measurement, in run order. */
  baseline: T[];
  candidate: T[];
  /** The candidate's first such result. */
  result: RunResult;
}

export function measuredPairs<T>(results: readonly RunResult[], comparisons: readonly Comparison[], pick: (r: RunResult) => T | undefined): Pair<T>[] {
  const measured = new Map<string, { values: T[]; result: RunResult }>();
  const keyOf = (platform: string, variant: string, suite: string) => `${platform}\u0000${variant}\u0000${suite}`;
  for (const r of results) {
    const value = pick(r);
    if (value === undefined) continue;
    const key = keyOf(r.job.platform, r.job.variant, r.job.suite);
    const seen = measured.get(key);
    if (seen) seen.values.push(value);
    else measured.set(key, { values: [value], result: r });
  }
  const out: Pair<T>[] = [];
  for (const c of comparisons) {
    for (const cand of measured.values()) {
      const { platform, variant, suite } = cand.result.job;
      if (variant !== c.candidate) continue;
      const base = measured.get(keyOf(platform, c.baseline, suite));
      if (!base) continue;
      out.push({ platform, suite, baselineVariant: c.baseline, candidateVariant: c.candidate, baseline: base.values, candidate: cand.values, result: cand.result });
    }
  }
  return out.sort((a, b) => byText(a.candidateVariant, b.candidateVariant) || byText(a.platform, b.platform) || byText(a.suite, b.suite));
}

/** `qemu_cortex_m3/wasm/mutex`: the candidate image a finding is about. */
export function pairLabel(p: MeasuredPair): string {
  return `${p.platform}/${p.candidateVariant}/${p.suite}`;
}

/** The judge's pairs of baseline and candidate results per platform and suite (judge/pairs.ts). */
export function judgedPairs(results: readonly RunResult[], comparisons: readonly Comparison[]): PairFacts[] {
  return comparedPairs({ results: [...results], comparisons: [...comparisons], diff: [], interrupted: false });
}

/** Where a row belongs: platform, suite and the two variants compared. */
export function rowPlace(p: PairFacts): { platform: string; suite: string; baselineVariant: string; candidateVariant: string } {
  return { platform: p.platform, suite: p.suite, baselineVariant: p.baseline, candidateVariant: p.candidate };
}
