// `tandem merge`: the run folders of one scenario's shards (or reruns) become one run folder.
// Results are concatenated, the diff is recomputed over all of them, console logs are copied in.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PlannedJob, RunPlanFacts, RunRecord, RunResult } from '../domain.js';
import { assembleRecord } from './record.js';

export class MergeError extends Error {}

/** Pure: the merged record. Throws MergeError when the runs are not parts of one scenario. */
export function mergeRecords(records: readonly RunRecord[], runId: string): RunRecord {
  const first = records[0];
  if (!first) throw new MergeError('nothing to merge');
  for (const r of records) {
    if (r.scenario.sha256 !== first.scenario.sha256) {
      throw new MergeError(`run ${r.runId} used a different scenario (${r.scenario.file}, sha256 ${r.scenario.sha256.slice(0, 12)}…) than run ${first.runId} (${first.scenario.sha256.slice(0, 12)}…)`);
    }
  }
  const seen = new Map<string, string>();
  const results: RunResult[] = [];
  for (const r of records) {
    for (const res of r.results) {
      const other = seen.get(res.job.id);
      if (other) throw new MergeError(`job ${res.job.id} is in both run ${other} and run ${r.runId}: were the shards overlapping?`);
      seen.set(res.job.id, r.runId);
      results.push(res);
    }
  }
  const plan = mergedPlan(records);
  const startedAt = records.map((r) => r.startedAt).sort()[0]!;
  const finishedAt = records.map((r) => r.finishedAt).sort().at(-1)!;
  return assembleRecord(
    {
      runId,
      scenario: first.scenario,
      comparisons: first.comparisons,
      startedAt,
      finishedAt,
      wallMs: Date.parse(finishedAt) - Date.parse(startedAt),
      host: first.host,
      tandemVersion: first.tandemVersion,
      interrupted: records.some((r) => r.interrupted),
      mergedFrom: records.map((r) => ({ runId: r.runId, hostname: r.host.hostname, jobs: r.results.length })),
      ...(first.known ? { known: first.known } : {}),
      ...(plan ? { plan } : {}),
      ...(first.policy ? { policy: first.policy } : {}),
    },
    results,
  );
}

/**
 * The whole plan the shards were cut from, and which shards are here: the judge names what is
 * missing. Shards of different splits (`--shard 1/2` with `--shard 2/3`) are no one run.
 */
function mergedPlan(records: readonly RunRecord[]): RunPlanFacts | undefined {
  const plans = records.map((r) => r.plan);
  if (plans.some((p) => p === undefined)) return undefined;
  const counts = new Set(plans.map((p) => p!.shard?.count ?? 1));
  if (counts.size > 1) throw new MergeError(`these runs are shards of different splits (${[...counts].map((n) => `${n} shards`).join(' and ')}): merge the shards of one run`);
  const jobs = new Map<string, PlannedJob>();
  for (const p of plans) for (const j of p!.jobs) if (!jobs.has(j.id)) jobs.set(j.id, j);
  const merged = [...new Set(plans.map((p) => p!.shard?.index).filter((i): i is number => i !== undefined))].sort((a, b) => a - b);
  const count = [...counts][0]!;
  return { jobs: [...jobs.values()], ...(merged.length ? { shards: { count, merged } } : {}) };
}

/** Copies each result's console and build logs from its run folder into the merged one. */
export function copyLogs(sources: ReadonlyArray<{ dir: string; record: RunRecord }>, outDir: string): void {
  for (const { dir, record } of sources) {
    for (const r of record.results) {
      for (const rel of [r.log, r.buildLog]) {
        if (!rel || !existsSync(join(dir, rel))) continue;
        mkdirSync(dirname(join(outDir, rel)), { recursive: true });
        cpSync(join(dir, rel), join(outDir, rel));
      }
    }
  }
}
