// `tandem diff <a> <b>`: two runs of the same scenario as one record whose diff is run-to-run.
// Each side's jobs are renamed `<variant>@<run id>` so reports can tell the two runs apart.
import type { RunRecord, RunResult } from '../domain.js';
import { diffRuns, summarize } from './differ.js';

function tagged(record: RunRecord): RunResult[] {
  return record.results.map((r) => {
    const variant = `${r.job.variant}@${record.runId}`;
    const copy: RunResult = { ...r, job: { ...r.job, variant, id: `${r.job.platform}/${variant}/${r.job.suite}${r.job.attempt > 1 ? `#${r.job.attempt}` : ''}` } };
    // Console logs live in the other run folders; the reports of a diff show results, not logs.
    delete copy.log;
    delete copy.buildLog;
    return copy;
  });
}

export function compareRuns(a: RunRecord, b: RunRecord, runId: string): RunRecord {
  const results = [...tagged(a), ...tagged(b)];
  const diff = diffRuns(a, b);
  const now = new Date().toISOString();
  const variants = [...new Set([...a.results, ...b.results].map((r) => r.job.variant))];
  return {
    ...b,
    runId,
    scenario: { ...b.scenario, name: `${b.scenario.name}: ${a.runId} → ${b.runId}` },
    comparisons: variants.map((v) => ({ baseline: `${v}@${a.runId}`, candidate: `${v}@${b.runId}` })),
    startedAt: now,
    finishedAt: now,
    wallMs: 0,
    interrupted: a.interrupted || b.interrupted,
    results,
    diff,
    summary: summarize(results, diff),
  };
}
