// Pairs baseline and candidate results case by case and names what changed. Pure.
import type {
  CaseStatus,
  Comparison,
  DiffClass,
  DiffEntry,
  RunRecord,
  RunResult,
  RunSummary,
  Verdict,
} from '../domain.js';
import { compareDurations } from './durations.js';

/** Classes that mean the candidate got worse: any of them makes `tandem run` exit 1. */
export const WORSE: ReadonlySet<DiffClass> = new Set(['regression', 'crash', 'hang', 'blocked', 'missing']);

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

const GOOD: ReadonlySet<CaseStatus> = new Set(['pass', 'skip']);

export function classify(baseline: CaseStatus | undefined, candidate: CaseStatus | undefined): DiffClass {
  if (baseline === undefined) return 'new';
  if (candidate === undefined) return 'missing';
  if (baseline === candidate) return GOOD.has(baseline) ? 'same' : 'both-fail';
  const baselineGood = GOOD.has(baseline);
  const candidateGood = GOOD.has(candidate);
  if (baselineGood && candidateGood) {
    // A test that stops running no longer proves equivalence; one that starts running does.
    return candidate === 'skip' ? 'regression' : 'fix';
  }
  if (!baselineGood && candidateGood) return 'fix';
  if (!baselineGood && !candidateGood) return 'both-fail';
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

interface Side {
  statuses: CaseStatus[];
  detail?: string;
  /** Guest durations of the attempts that passed. */
  durationsMs: number[];
}

/** Statuses of every case on one side, across repeated attempts. */
function collect(results: readonly RunResult[], names: readonly string[]): Map<string, Side> {
  const sides = new Map<string, Side>();
  for (const result of results) {
    const seen = new Set<string>();
    for (const c of result.cases) {
      const name = `${c.suite}.${c.name}`;
      seen.add(name);
      const side = sides.get(name) ?? { statuses: [], durationsMs: [] };
      side.statuses.push(c.status);
      if (c.status === 'pass' && c.durationMs !== undefined) side.durationsMs.push(c.durationMs);
      if (side.detail === undefined && c.detail !== undefined && !GOOD.has(c.status)) side.detail = c.detail;
      sides.set(name, side);
    }
    if (CUT_SHORT.has(result.verdict)) {
      for (const name of names) {
        if (seen.has(name)) continue;
        const side = sides.get(name) ?? { statuses: [], durationsMs: [] };
        side.statuses.push('blocked');
        side.detail ??= result.reason;
        sides.set(name, side);
      }
    }
  }
  return sides;
}

function representative(side: Side | undefined): { status?: CaseStatus; flaky: boolean } {
  if (!side || side.statuses.length === 0) return { flaky: false };
  const distinct = new Set(side.statuses);
  const worst = side.statuses.find((s) => !GOOD.has(s)) ?? side.statuses[0]!;
  return { status: worst, flaky: distinct.size > 1 && side.statuses.some((s) => GOOD.has(s)) };
}

export function diffPairing(p: Pairing): DiffEntry[] {
  // Both sides skipped (emulator absent) or not run: nothing to compare, and not a regression.
  const usable = (rs: readonly RunResult[]) => rs.filter((r) => r.verdict !== 'skipped');
  const baseline = usable(p.baseline);
  const candidate = usable(p.candidate);
  if (baseline.length === 0 || candidate.length === 0) return [];
  const names: string[] = [];
  const add = (rs: readonly RunResult[]) => {
    for (const r of rs) for (const c of r.cases) {
      const n = `${c.suite}.${c.name}`;
      if (!names.includes(n)) names.push(n);
    }
  };
  add(baseline);
  add(candidate);
  const b = collect(baseline, names);
  const c = collect(candidate, names);
  return names.map((name) => {
    const bs = representative(b.get(name));
    const cs = representative(c.get(name));
    const cls: DiffClass = bs.flaky || cs.flaky ? 'flaky' : classify(bs.status, cs.status);
    const entry: DiffEntry = {
      platform: p.platform,
      suite: p.suite,
      case: name,
      baselineVariant: p.baselineVariant,
      candidateVariant: p.candidateVariant,
      class: cls,
    };
    if (bs.status !== undefined) entry.baseline = bs.status;
    if (cs.status !== undefined) entry.candidate = cs.status;
    const detail = c.get(name)?.detail ?? (cls === 'both-fail' ? b.get(name)?.detail : undefined);
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
