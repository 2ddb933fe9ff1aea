// One case on each side of a comparison, across every attempt (`--repeat`), reduced to a class.
// The rules a reviewer would apply: a candidate is only as good as its worst boot unless the
// baseline is just as unstable; a baseline that never ran a case vouches for nothing. Pure.
import type { CaseStatus, DiffClass } from '../domain.js';

const GOOD: ReadonlySet<CaseStatus> = new Set(['pass', 'skip']);

export const isGoodStatus = (s: CaseStatus): boolean => GOOD.has(s);

/** Classes that mean the candidate got worse: any of them makes the run exit 1. */
export const WORSE: ReadonlySet<DiffClass> = new Set(['regression', 'crash', 'hang', 'blocked', 'missing']);

/** Statuses of a case on one side, one per attempt that reached it or was cut short before it. */
export interface Side {
  statuses: CaseStatus[];
  detail?: string;
  /** Guest durations of the attempts that passed. */
  durationsMs: number[];
}

/** How many attempts ended in each status, for rows whose attempts disagree. */
export type Tally = Partial<Record<CaseStatus, number>>;

export function tally(statuses: readonly CaseStatus[]): Tally {
  const out: Tally = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

/** What a candidate status turns into when it is worse than what the baseline vouched for. */
function worseClass(candidate: CaseStatus): DiffClass {
  switch (candidate) {
    case 'crash':
      return 'crash';
    case 'timeout':
      return 'hang';
    case 'blocked':
      return 'blocked';
    default:
      return 'regression';
  }
}

/** A status the case really ran to: `blocked` means the boot ended before the case started. */
const ran = (s: CaseStatus | undefined): s is CaseStatus => s !== undefined && s !== 'blocked';

/** One attempt each side. `fix` needs a baseline that ran the case and did not pass it. */
export function classify(baseline: CaseStatus | undefined, candidate: CaseStatus | undefined): DiffClass {
  if (candidate === undefined) return 'missing';
  if (!ran(baseline)) {
    // Nothing on the baseline side to measure against: a failing candidate is still a failure.
    if (candidate === 'blocked') return baseline === undefined ? 'blocked' : 'both-fail';
    return GOOD.has(candidate) ? 'new' : worseClass(candidate);
  }
  if (baseline === candidate) return GOOD.has(baseline) ? 'same' : 'both-fail';
  const baselineGood = GOOD.has(baseline);
  const candidateGood = GOOD.has(candidate);
  if (baselineGood && candidateGood) {
    // A test that stops running no longer proves equivalence; one that starts running does.
    return candidate === 'skip' ? 'regression' : 'fix';
  }
  if (!baselineGood && candidateGood) return 'fix';
  if (!baselineGood && !candidateGood) return 'both-fail';
  return worseClass(candidate);
}

function worstOf(statuses: readonly CaseStatus[]): CaseStatus | undefined {
  const rank: Record<CaseStatus, number> = { crash: 0, timeout: 1, fail: 2, blocked: 3, skip: 4, pass: 5 };
  return [...statuses].sort((a, b) => rank[a] - rank[b])[0];
}

export interface SidesClass {
  class: DiffClass;
  baseline?: CaseStatus;
  candidate?: CaseStatus;
  /** Present when either side's attempts disagree: the tally per side. */
  attempts?: { baseline: Tally; candidate: Tally };
}

/**
 * Every attempt of both sides. Repeats never weaken the gate: a candidate that is bad in any boot
 * is worse than a baseline good in every boot, and one bad in every boot is worse than a baseline
 * that passed at least once. Only a candidate no less stable than its baseline is `flaky`.
 */
export function classifySides(b: Side | undefined, c: Side | undefined): SidesClass {
  const bs = b?.statuses ?? [];
  const cs = c?.statuses ?? [];
  const baseline = worstOf(bs);
  const candidate = worstOf(cs);
  const out: SidesClass = { class: classify(baseline, candidate) };
  if (baseline !== undefined) out.baseline = baseline;
  if (candidate !== undefined) out.candidate = candidate;
  const disagree = (xs: readonly CaseStatus[]) => new Set(xs).size > 1;
  if (!disagree(bs) && !disagree(cs)) return out;
  out.attempts = { baseline: tally(bs), candidate: tally(cs) };
  const good = (xs: readonly CaseStatus[]) => xs.filter((s) => GOOD.has(s)).length;
  const baselineRan = bs.some(ran);
  const baselineAllGood = bs.length > 0 && good(bs) === bs.length;
  const candidateAllGood = cs.length > 0 && good(cs) === cs.length;
  if (candidateAllGood) {
    // Stable in the candidate: only the baseline wavered.
    out.class = baselineAllGood || !baselineRan ? classify(baseline, candidate) : good(bs) > 0 ? 'flaky' : 'fix';
    return out;
  }
  if (candidate === undefined) return out;
  if (!baselineRan || baselineAllGood || (good(bs) > 0 && good(cs) === 0)) {
    out.class = worseClass(candidate);
    return out;
  }
  out.class = good(bs) === 0 && good(cs) === 0 ? classify(baseline, candidate) : 'flaky';
  return out;
}
