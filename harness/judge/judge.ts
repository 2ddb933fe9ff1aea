// The one judge: a run's results, diff, plan and gate findings in; its outcome, exit code and every
// reason for them out. Every command and report asks this function and nothing else. Pure.
//
//   0  every candidate job was compared and none did worse than its baseline
//   1  the candidate regressed (or, with nothing to compare, a job failed on its own)
//   2  the run is meaningless as configured (baseline and candidate booted the same image)
//   3  incomplete: something that should have been compared was not (--allow-incomplete accepts it)
//   130 interrupted
import type { ExitCode, JudgeReason, Judgement, Outcome, RunRecord, RunResult } from '../domain.js';
import { WORSE } from '../diff/sides.js';
import { comparedPairs, jobsAlone, judgeAlone, judgePair, type PairFacts } from './pairs.js';
import { planReasons } from './plan.js';

export type JudgeInput = Pick<RunRecord, 'results' | 'comparisons' | 'diff' | 'interrupted'> &
  Partial<Pick<RunRecord, 'plan' | 'policy' | 'gates' | 'rerunOf'>>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function judge(input: JudgeInput): Judgement {
  const regressed: JudgeReason[] = [];
  const incomplete: JudgeReason[] = [];
  const invalid: JudgeReason[] = [];

  const worse = input.diff.filter((d) => WORSE.has(d.class));
  if (worse.length) {
    const byClass = new Map<string, number>();
    for (const d of worse) byClass.set(d.class, (byClass.get(d.class) ?? 0) + 1);
    regressed.push({
      kind: 'worse',
      message: `${plural(worse.length, 'case')} worse than the baseline (${[...byClass].map(([c, n]) => `${n} ${c}`).join(' · ')})`,
      items: worse.map((d) => `${d.platform}/${d.candidateVariant}/${d.suite}: ${d.case} ${d.baseline ?? 'absent'} → ${d.candidate ?? 'absent'}`),
    });
  }
  for (const g of input.gates ?? []) regressed.push({ kind: 'gate', message: `${g.measure} gate: ${g.message}`, items: [g.subject] });

  // A rerun asks "does it pass now": every job it booted stands on its own.
  const strict = input.rerunOf !== undefined;
  const pairs: PairFacts[] = strict ? [] : comparedPairs(input);
  const uncompared: RunResult[] = [];
  for (const p of pairs) {
    const found = judgePair(p, input);
    incomplete.push(...found.incomplete);
    invalid.push(...found.invalid);
    uncompared.push(...(found.uncompared ?? []));
  }
  // Accepting what was not compared accepts the gap, not a candidate that failed on its own.
  if (input.policy?.allowIncomplete === true) regressed.push(...judgeAlone(uncompared).regressed);
  const alone = jobsAlone(input, strict);
  const aloneFound = judgeAlone(alone);
  regressed.push(...aloneFound.regressed);
  incomplete.push(...aloneFound.incomplete);
  incomplete.push(...planReasons(input, strict));
  if (input.interrupted) incomplete.push({ kind: 'interrupted', message: 'the run was interrupted (Ctrl-C, or killed and rebuilt from its journal): only what finished was judged' });
  // Everything filtered, build-only or otherwise not applicable: nothing at all was tested.
  if (incomplete.length === 0 && regressed.length === 0) {
    const booted = input.results.some((r) => r.verdict !== 'skipped');
    if (!booted) incomplete.push({ kind: 'not-run', message: 'no job booted: every job was filtered out or build-only' });
    else if (pairs.length > 0 && input.diff.length === 0 && alone.every((r) => r.verdict === 'skipped')) incomplete.push({ kind: 'not-run', message: 'no test case was compared' });
  }

  const merged = { regressed: mergeKinds(regressed), incomplete: mergeKinds(incomplete), invalid: mergeKinds(invalid) };
  const accepted = merged.incomplete.length > 0 && input.policy?.allowIncomplete === true;
  const comparing = !strict && input.comparisons.length > 0;
  let outcome: Outcome;
  let exitCode: ExitCode;
  if (input.interrupted) [outcome, exitCode] = ['interrupted', 130];
  else if (merged.invalid.length) [outcome, exitCode] = ['invalid', 2];
  else if (merged.regressed.length) [outcome, exitCode] = [comparing && merged.regressed.some((r) => r.kind !== 'job-failed') ? 'regressed' : 'failed', 1];
  else if (merged.incomplete.length && !accepted) [outcome, exitCode] = ['incomplete', 3];
  else [outcome, exitCode] = ['passed', 0];
  const judgement: Judgement = { outcome, exitCode, ...merged };
  // Said only where it decided the exit code: with a regression the gaps are listed, not accepted.
  if (accepted && exitCode === 0) judgement.incompleteAccepted = true;
  return judgement;
}

/** Reasons of one kind with the same message are one reason with all their items. */
function mergeKinds(reasons: readonly JudgeReason[]): JudgeReason[] {
  const out = new Map<string, JudgeReason>();
  for (const r of reasons) {
    const key = `${r.kind}\u0000${r.message}`;
    const seen = out.get(key);
    if (!seen) out.set(key, { ...r, ...(r.items ? { items: [...r.items] } : {}) });
    else if (r.items) seen.items = [...new Set([...(seen.items ?? []), ...r.items])];
  }
  return [...out.values()];
}
