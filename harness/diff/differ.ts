// Pairs baseline and candidate results case by case and names what changed. Pure.
import type {
  CaseStatus,
  Comparison,
  DiffEntry,
  RunRecord,
  RunResult,
  RunSummary,
  Verdict,
} from '../domain.js';
import { compareDurations } from './durations.js';
import { WORSE, classifySides, isGoodStatus, type Side } from './sides.js';

export { WORSE, classify } from './sides.js';

/** One (platform, suite) compared across two sides; several results per side when repeated. */
export interface Pairing {
  platform: string;
  suite: string;
  baselineVariant: string;
  candidateVariant: string;
  baseline: readonly RunResult[];
  candidate: readonly RunResult[];
}

/** Verdicts after which cases that never printed a result count as blocked, not missing. */
export const CUT_SHORT: ReadonlySet<Verdict> = new Set(['crashed', 'timeout', 'emulator-error', 'build-error']);

/**
 * The row of a boot that went wrong after (or without) its cases: every case passed, then the guest
 * hung, faulted or printed `PROJECT EXECUTION FAILED`. Named like a case so every report lists it.
 */
export const RUN_END_CASE = '(end of run)';

const END_STATUS: Record<Verdict, CaseStatus | undefined> = {
  passed: 'pass',
  failed: 'fail',
  crashed: 'crash',
  timeout: 'timeout',
  'build-error': 'fail',
  'emulator-error': 'blocked',
  skipped: undefined,
};

/**
 * A boot that did not pass although none of its cases says why: no case failed, and none was cut
 * short (a boot that stopped before cases the other side ran shows them as blocked).
 */
export function unexplainedEnd(r: RunResult, names: readonly string[]): boolean {
  if (r.verdict === 'passed' || r.verdict === 'skipped') return false;
  if (r.cases.some((c) => !isGoodStatus(c.status))) return false;
  if (!CUT_SHORT.has(r.verdict)) return true;
  const printed = new Set(r.cases.map((c) => `${c.suite}.${c.name}`));
  return names.every((n) => printed.has(n));
}

/** Statuses of every case on one side, across repeated attempts. */
function collect(results: readonly RunResult[], names: readonly string[], withEnd: boolean): Map<string, Side> {
  const sides = new Map<string, Side>();
  const sideOf = (name: string) => {
    const side = sides.get(name) ?? { statuses: [], durationsMs: [] };
    sides.set(name, side);
    return side;
  };
  for (const result of results) {
    const seen = new Set<string>();
    for (const c of result.cases) {
      const name = `${c.suite}.${c.name}`;
      seen.add(name);
      const side = sideOf(name);
      side.statuses.push(c.status);
      if (c.status === 'pass' && c.durationMs !== undefined) side.durationsMs.push(c.durationMs);
      if (side.detail === undefined && c.detail !== undefined && !isGoodStatus(c.status)) side.detail = c.detail;
    }
    if (CUT_SHORT.has(result.verdict)) {
      for (const name of names) {
        if (seen.has(name) || name === RUN_END_CASE) continue;
        const side = sideOf(name);
        side.statuses.push('blocked');
        side.detail ??= result.reason;
      }
    }
    const end = END_STATUS[result.verdict];
    if (withEnd && end !== undefined) {
      const side = sideOf(RUN_END_CASE);
      side.statuses.push(end);
      if (end !== 'pass' && side.detail === undefined) side.detail = `after the last case: ${result.reason ?? result.verdict}`;
    }
  }
  return sides;
}

export function diffPairing(p: Pairing): DiffEntry[] {
  // Both sides skipped (emulator absent) or not run: nothing to compare here; the judge says so.
  const usable = (rs: readonly RunResult[]) => rs.filter((r) => r.verdict !== 'skipped');
  const baseline = usable(p.baseline);
  const candidate = usable(p.candidate);
  if (baseline.length === 0 || candidate.length === 0) return [];
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of [...baseline, ...candidate]) {
    for (const c of r.cases) {
      const n = `${c.suite}.${c.name}`;
      if (!seen.has(n)) names.push(n);
      seen.add(n);
    }
  }
  const withEnd = [...baseline, ...candidate].some((r) => unexplainedEnd(r, names));
  if (withEnd) names.push(RUN_END_CASE);
  const b = collect(baseline, names, withEnd);
  const c = collect(candidate, names, withEnd);
  return names.map((name) => {
    const sides = classifySides(b.get(name), c.get(name));
    const entry: DiffEntry = {
      platform: p.platform,
      suite: p.suite,
      case: name,
      baselineVariant: p.baselineVariant,
      candidateVariant: p.candidateVariant,
      class: sides.class,
    };
    if (sides.baseline !== undefined) entry.baseline = sides.baseline;
    if (sides.candidate !== undefined) entry.candidate = sides.candidate;
    if (sides.attempts) entry.attempts = sides.attempts;
    const cls = sides.class;
    const detail = c.get(name)?.detail ?? (cls === 'both-fail' || cls === 'fix' ? b.get(name)?.detail : undefined);
    if (detail !== undefined && cls !== 'same') entry.detail = detail;
    return Object.assign(entry, compareDurations(b.get(name)?.durationsMs ?? [], c.get(name)?.durationsMs ?? []));
  });
}

/** Pairs the variants of one run as the scenario's comparisons ask. */
export function diffResults(results: readonly RunResult[], comparisons: readonly Comparison[]): DiffEntry[] {
  const byKey = new Map<string, RunResult[]>();
  for (const r of results) {
    const k = `${r.job.platform}\u0000${r.job.suite}\u0000${r.job.variant}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const platformsAndSuites = uniqueBy(results.map((r) => [r.job.platform, r.job.suite] as const));
  const entries: DiffEntry[] = [];
  for (const cmp of comparisons) {
    for (const [platform, suite] of platformsAndSuites) {
      const baseline = byKey.get(`${platform}\u0000${suite}\u0000${cmp.baseline}`) ?? [];
      const candidate = byKey.get(`${platform}\u0000${suite}\u0000${cmp.candidate}`) ?? [];
      // A suite one variant does not apply to (variant `suites:` filter) is no comparison.
      if (baseline.length === 0 || candidate.length === 0) continue;
      entries.push(...diffPairing({ platform, suite, baselineVariant: cmp.baseline, candidateVariant: cmp.candidate, baseline, candidate }));
    }
  }
  return entries;
}

/** The same variants of two runs (before/after a change): run A is the baseline. */
export function diffRuns(a: RunRecord, b: RunRecord): DiffEntry[] {
  const key = (r: RunResult) => `${r.job.platform}\u0000${r.job.suite}\u0000${r.job.variant}`;
  const groups = new Map<string, { a: RunResult[]; b: RunResult[]; r: RunResult }>();
  for (const r of a.results) {
    const g = groups.get(key(r)) ?? { a: [], b: [], r };
    g.a.push(r);
    groups.set(key(r), g);
  }
  for (const r of b.results) {
    const g = groups.get(key(r)) ?? { a: [], b: [], r };
    g.b.push(r);
    groups.set(key(r), g);
  }
  const entries: DiffEntry[] = [];
  for (const g of groups.values()) {
    const variant = g.r.job.variant;
    const pairing: Pairing = {
      platform: g.r.job.platform,
      suite: g.r.job.suite,
      baselineVariant: `${variant}@${a.runId}`,
      candidateVariant: `${variant}@${b.runId}`,
      baseline: g.a,
      candidate: g.b,
    };
    if (g.a.length === 0 || g.b.length === 0) {
      // A job one run has and the other lacks: every case is new or missing.
      const only = g.a.length ? g.a : g.b;
      for (const r of only) for (const c of r.cases) {
        const entry: DiffEntry = {
          platform: pairing.platform,
          suite: pairing.suite,
          case: `${c.suite}.${c.name}`,
          baselineVariant: pairing.baselineVariant,
          candidateVariant: pairing.candidateVariant,
          class: g.a.length ? 'missing' : 'new',
        };
        if (g.a.length) entry.baseline = c.status;
        else entry.candidate = c.status;
        entries.push(entry);
      }
      continue;
    }
    entries.push(...diffPairing(pairing));
  }
  return entries;
}

export function summarize(results: readonly RunResult[], diff: readonly DiffEntry[]): RunSummary {
  const summary: RunSummary = { jobs: results.length, verdicts: {}, cases: {}, diff: {}, regressed: false };
  for (const r of results) {
    summary.verdicts[r.verdict] = (summary.verdicts[r.verdict] ?? 0) + 1;
    for (const c of r.cases) summary.cases[c.status] = (summary.cases[c.status] ?? 0) + 1;
  }
  for (const d of diff) summary.diff[d.class] = (summary.diff[d.class] ?? 0) + 1;
  summary.regressed = diff.some((d) => WORSE.has(d.class));
  return summary;
}

function uniqueBy(pairs: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
  const seen = new Set<string>();
  const out: Array<readonly [string, string]> = [];
  for (const p of pairs) {
    const k = `${p[0]}\u0000${p[1]}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}
