// What a rerun says per job, from the run-to-run diff: fixed, unchanged, worse… Pure.
import type { DiffEntry, RunRecord, RunResult } from '../domain.js';
import { WORSE } from '../diff/differ.js';
import { forensicsHeadline } from '../forensics/render.js';
import { oneLine } from '../report/common.js';

export type RerunWord = 'fixed' | 'partly fixed' | 'unchanged' | 'worse' | 'flaky' | 'passing';

export interface JobOutcome {
  job: string;
  word: RerunWord;
  before: string;
  after: string;
  /** What the new run says about it: the crash site, the first failing case, the timeout. */
  detail?: string;
}

function wordOf(entries: readonly DiffEntry[]): RerunWord {
  const classes = new Set(entries.map((d) => d.class));
  if ([...classes].some((c) => WORSE.has(c))) return 'worse';
  if (classes.has('flaky')) return 'flaky';
  if (classes.has('fix')) return classes.has('both-fail') ? 'partly fixed' : 'fixed';
  if (classes.has('both-fail')) return 'unchanged';
  return 'passing';
}

/** One outcome per rerun job; `earlier` and `now` are the results of the two runs. */
export function rerunOutcomes(earlier: readonly RunResult[], now: RunRecord, diff: readonly DiffEntry[]): JobOutcome[] {
  const out: JobOutcome[] = [];
  const seen = new Set<string>();
  for (const r of now.results) {
    const k = `${r.job.platform}/${r.job.variant}/${r.job.suite}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const entries = diff.filter((d) => d.platform === r.job.platform && d.suite === r.job.suite && d.candidateVariant.split('@')[0] === r.job.variant);
    const before = earlier.find((e) => `${e.job.platform}/${e.job.variant}/${e.job.suite}` === k);
    const attempts = attemptsOf(now, k);
    const after = [...new Set(attempts.map((x) => x.verdict))].join('/');
    // A job whose verdict changed with no case to show it (a boot that now crashes early) still
    // changed; one that did not pass is never `passing`, whatever its cases say.
    let word = wordOf(entries);
    const failing = attemptsOf(now, k).some((x) => x.verdict !== 'passed');
    if (word === 'passing' && before && before.verdict !== r.verdict) word = r.verdict === 'passed' ? 'fixed' : 'worse';
    if ((word === 'passing' || word === 'fixed') && failing) word = before && before.verdict !== 'passed' ? 'unchanged' : 'worse';
    const worst = attempts.find((x) => x.verdict !== 'passed') ?? r;
    const outcome: JobOutcome = { job: k, word, before: before?.verdict ?? 'absent', after };
    const detail = worst.verdict === 'passed' ? undefined : worst.forensics ? forensicsHeadline(worst.forensics) : worst.reason;
    if (detail) outcome.detail = detail;
    out.push(outcome);
  }
  return out;
}

function attemptsOf(now: RunRecord, k: string): RunResult[] {
  return now.results.filter((x) => `${x.job.platform}/${x.job.variant}/${x.job.suite}` === k);
}

export function renderOutcomes(outcomes: readonly JobOutcome[]): string[] {
  const width = Math.max(...outcomes.map((o) => o.word.length), 0);
  const jobWidth = Math.max(...outcomes.map((o) => o.job.length), 0);
  return outcomes.map((o) => `  ${o.word.padEnd(width)}  ${o.job.padEnd(jobWidth)}  ${o.before} → ${o.after}${o.detail ? `  ${oneLine(o.detail, 200)}` : ''}`);
}
