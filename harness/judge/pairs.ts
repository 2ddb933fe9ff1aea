// The judge's view of each comparison (platform × suite × baseline/candidate) and of the jobs no
// comparison covers: what was really compared, what could not be, and why. Pure.
import type { JudgeReason, RunResult } from '../domain.js';
import type { JudgeInput } from './judge.js';

export interface PairFacts {
  platform: string;
  suite: string;
  baseline: string;
  candidate: string;
  baselineResults: RunResult[];
  candidateResults: RunResult[];
  /** The baseline was part of the plan (selected, applies to this suite and platform). */
  baselinePlanned: boolean;
}

const key = (platform: string, suite: string, variant: string) => `${platform}\u0000${suite}\u0000${variant}`;
const jobName = (r: RunResult) => r.job.id;

/** A job tandem was told not to boot: twister's static filters and build-only scenarios. */
export function notApplicable(r: RunResult): boolean {
  return r.verdict === 'skipped' && /^(filtered|build only)/.test(r.reason ?? '');
}

/** Every (platform, suite) on which a comparison's candidate was planned or has a result. */
export function comparedPairs(input: JudgeInput): PairFacts[] {
  const results = new Map<string, RunResult[]>();
  for (const r of input.results) {
    const k = key(r.job.platform, r.job.suite, r.job.variant);
    results.set(k, [...(results.get(k) ?? []), r]);
  }
  const planned = new Set((input.plan?.jobs ?? []).map((j) => key(j.platform, j.suite, j.variant)));
  const places = new Map<string, [string, string]>();
  for (const r of input.results) places.set(`${r.job.platform}\u0000${r.job.suite}`, [r.job.platform, r.job.suite]);
  for (const j of input.plan?.jobs ?? []) places.set(`${j.platform}\u0000${j.suite}`, [j.platform, j.suite]);
  const pairs: PairFacts[] = [];
  for (const cmp of input.comparisons) {
    for (const [platform, suite] of places.values()) {
      const candidateResults = results.get(key(platform, suite, cmp.candidate)) ?? [];
      if (candidateResults.length === 0) continue; // planned without a result: plan.ts says so
      pairs.push({
        platform,
        suite,
        baseline: cmp.baseline,
        candidate: cmp.candidate,
        baselineResults: results.get(key(platform, suite, cmp.baseline)) ?? [],
        candidateResults,
        baselinePlanned: planned.has(key(platform, suite, cmp.baseline)),
      });
    }
  }
  return pairs;
}

/**
 * Why a pair compared less than it should have, and whether it compared anything meaningful at all.
 * `uncompared`: candidate jobs that had no baseline to stand against (judged alone when the
 * incompleteness is accepted, so that accepting it never turns a failed job green).
 */
export function judgePair(p: PairFacts, input: JudgeInput): { incomplete: JudgeReason[]; invalid: JudgeReason[]; uncompared?: RunResult[] } {
  const incomplete: JudgeReason[] = [];
  const invalid: JudgeReason[] = [];
  const candidate = p.candidateResults.filter((r) => r.verdict !== 'skipped');
  if (candidate.length === 0) {
    if (!p.candidateResults.every(notApplicable)) {
      for (const r of p.candidateResults) incomplete.push({ kind: 'not-run', message: `candidate not booted: ${r.reason ?? 'skipped'}`, items: [jobName(r)] });
    }
    return { incomplete, invalid };
  }
  const errored = candidate.filter((r) => r.verdict === 'emulator-error');
  if (errored.length) incomplete.push({ kind: 'not-run', message: 'candidate boots that ended in an emulator error, not a guest verdict', items: errored.map((r) => `${jobName(r)}: ${r.reason ?? 'emulator error'}`) });

  const items = candidate.map(jobName);
  const baseline = p.baselineResults.filter((r) => r.verdict !== 'skipped');
  if (p.baselineResults.length === 0) {
    if (!p.baselinePlanned) {
      incomplete.push({ kind: 'no-baseline', message: `no ${p.baseline} result to compare with (not selected, not in the --from-twister file, or its suites:/platforms: leave the suite out)`, items });
    }
    return { incomplete, invalid, uncompared: candidate };
  }
  if (baseline.length === 0) {
    const why = [...new Set(p.baselineResults.map((r) => r.reason ?? 'skipped'))].join('; ');
    incomplete.push({ kind: 'no-baseline', message: `baseline not booted: ${why}`, items });
    return { incomplete, invalid, uncompared: candidate };
  }
  const ran = baseline.filter((r) => r.verdict !== 'build-error' && r.verdict !== 'emulator-error');
  if (ran.length === 0) {
    incomplete.push({ kind: 'no-baseline', message: 'baseline did not build or boot: nothing to compare the candidate with', items: baseline.map((r) => `${jobName(r)}: ${r.reason ?? r.verdict}`) });
    return { incomplete, invalid, uncompared: candidate };
  }
  const candidateCases = candidate.some((r) => r.cases.length > 0);
  if (candidateCases && ran.every((r) => r.cases.length === 0)) {
    incomplete.push({ kind: 'no-baseline', message: 'the baseline printed no test case: the candidate\'s cases were compared with nothing', items });
  }
  const rows = input.diff.filter((d) => d.platform === p.platform && d.suite === p.suite && d.baselineVariant === p.baseline && d.candidateVariant === p.candidate);
  const unreached = rows.filter((d) => d.class === 'new' && d.baseline === 'blocked');
  if (unreached.length) {
    incomplete.push({ kind: 'baseline-cut-short', message: 'candidate cases the baseline never reached (it stopped before them): not compared', items: unreached.map((d) => `${p.platform}/${p.candidate}/${p.suite}: ${d.case}`) });
  }
  if (rows.length === 0) incomplete.push({ kind: 'not-run', message: 'nothing compared: neither side printed a test case', items });

  const baselineImages = new Set(ran.map((r) => r.provenance.imageSha256).filter(Boolean));
  const same = candidate.find((r) => r.provenance.imageSha256 !== undefined && baselineImages.has(r.provenance.imageSha256));
  if (same && input.policy?.allowIdentical !== true) {
    invalid.push({
      kind: 'identical',
      message: `baseline ${p.baseline} and candidate ${p.candidate} booted the same image: nothing was compared (an images: template without {variant}?); set allow_identical: true in the scenario if that is intended`,
      items: [`${p.platform}/${p.suite}: sha256 ${same.provenance.imageSha256!.slice(0, 12)}…`],
    });
  }
  return { incomplete, invalid };
}

/** Jobs no comparison speaks for: a scenario with one variant, a variant outside every comparison, a rerun. */
export function jobsAlone(input: JudgeInput, strict: boolean): RunResult[] {
  if (strict) return [...input.results];
  const compared = new Set(input.comparisons.flatMap((c) => [c.baseline, c.candidate]));
  return input.results.filter((r) => !compared.has(r.job.variant));
}

/** A job on its own is as good as its verdict, the way twister judges it. */
export function judgeAlone(results: readonly RunResult[]): { regressed: JudgeReason[]; incomplete: JudgeReason[] } {
  const regressed: JudgeReason[] = [];
  const incomplete: JudgeReason[] = [];
  const failed = results.filter((r) => ['failed', 'crashed', 'timeout', 'build-error'].includes(r.verdict));
  if (failed.length) {
    regressed.push({ kind: 'job-failed', message: 'jobs with no baseline that did not pass', items: failed.map((r) => `${jobName(r)}: ${r.verdict}${r.reason ? ` — ${r.reason}` : ''}`) });
  }
  for (const r of results) {
    if (r.verdict === 'emulator-error') incomplete.push({ kind: 'not-run', message: 'boots that ended in an emulator error, not a guest verdict', items: [`${jobName(r)}: ${r.reason ?? 'emulator error'}`] });
    else if (r.verdict === 'skipped' && !notApplicable(r)) incomplete.push({ kind: 'not-run', message: `not booted: ${r.reason ?? 'skipped'}`, items: [jobName(r)] });
  }
  return { regressed, incomplete };
}
