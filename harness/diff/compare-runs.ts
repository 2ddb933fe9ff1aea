// `tandem diff <a> <b>`: two runs of the same scenario as one record whose diff is run-to-run.
// Each side's jobs are renamed `<variant>@<run id>` so reports can tell the two runs apart.
import { RUN_SCHEMA_VERSION, type RunRecord, type RunResult } from '../domain.js';
import { diffRuns } from './differ.js';
import { finishRecord, metaOf } from '../run/record.js';

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
  // The plan, shard facts and judgement of either run do not describe this comparison.
  const { summary: _s, judgement: _j, plan: _p, platforms: _pl, measures: _m, gates: _g, rerunOf: _r, mergedFrom: _f, knownReport: _k, known: _kn, ...meta } = b;
  return finishRecord({
    ...meta,
    runId,
    scenario: { ...b.scenario, name: `${b.scenario.name}: ${a.runId} → ${b.runId}` },
    comparisons: variants.map((v) => ({ baseline: `${v}@${a.runId}`, candidate: `${v}@${b.runId}` })),
    startedAt: now,
    finishedAt: now,
    wallMs: 0,
    interrupted: a.interrupted || b.interrupted,
    runToRun: { before: a.runId, after: b.runId },
    // The same image on both sides is what a rerun or a second run of a scenario boots.
    policy: { ...b.policy, allowIdentical: true },
    results,
    diff,
  });
}

/** A `tandem diff` record derived again from its own results (`tandem report`). */
export function rederiveRunToRun(record: RunRecord & { runToRun: { before: string; after: string } }): RunRecord {
  const side = (runId: string): RunRecord => {
    const suffix = `@${runId}`;
    const results = record.results
      .filter((r) => r.job.variant.endsWith(suffix))
      .map((r) => ({ ...r, job: { ...r.job, variant: r.job.variant.slice(0, -suffix.length) } }));
    return { ...record, runId, results };
  };
  return finishRecord({ schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...metaOf(record), results: record.results, diff: diffRuns(side(record.runToRun.before), side(record.runToRun.after)) });
}
