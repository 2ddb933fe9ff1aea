// The comparisons a measurement room compares: the judge's pairs of baseline and candidate results
// per platform and suite (judge/pairs.ts), and the fields that name one in a room's rows. Pure.
import type { Comparison, RunResult } from '../domain.js';
import { comparedPairs, type PairFacts } from '../judge/pairs.js';

export function measuredPairs(results: readonly RunResult[], comparisons: readonly Comparison[]): PairFacts[] {
  return comparedPairs({ results: [...results], comparisons: [...comparisons], diff: [], interrupted: false });
}

/** Where a row belongs: platform, suite and the two variants compared. */
export function rowPlace(p: PairFacts): { platform: string; suite: string; baselineVariant: string; candidateVariant: string } {
  return { platform: p.platform, suite: p.suite, baselineVariant: p.baseline, candidateVariant: p.candidate };
}
