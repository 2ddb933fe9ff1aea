// The run folder as a journal: plan.json when the run starts, one results.jsonl line per finished
// job. If tandem is killed before it writes run.json, the record is rebuilt from these two files.
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Comparison, RunRecord, RunResult } from '../domain.js';
import { assembleRecord } from './record.js';
import { storageFailure } from '../storage-error.js';

export interface RunPlan {
  runId: string;
  scenario: RunRecord['scenario'];
  comparisons: Comparison[];
  startedAt: string;
  host: RunRecord['host'];
  tandemVersion: string;
  jobs: string[];
  /** The whole plan with shard facts, the judge's policy, the known list: a rebuilt record is judged as the run would have been. */
  facts?: RunRecord['plan'];
  policy?: RunRecord['policy'];
  known?: RunRecord['known'];
  rerunOf?: RunRecord['rerunOf'];
}

export const PLAN_FILE = 'plan.json';
export const JOURNAL_FILE = 'results.jsonl';

export function startJournal(runDir: string, plan: RunPlan): void {
  for (const [file, text] of [[PLAN_FILE, `${JSON.stringify(plan, null, 2)}\n`], [JOURNAL_FILE, '']] as const) {
    try {
      writeFileSync(join(runDir, file), text);
    } catch (err) {
      throw storageFailure(err, join(runDir, file), runDir);
    }
  }
}

export function journalResult(runDir: string, result: RunResult): void {
  // One write per line keeps each record whole even if the process dies right after.
  const file = join(runDir, JOURNAL_FILE);
  let before: number | undefined;
  try {
    before = statSync(file).size;
    appendFileSync(file, `${JSON.stringify(result)}\n`);
  } catch (err) {
    // A full disk may take part of the line: cut it off, so the journal ends on a whole record.
    if (before !== undefined) {
      try {
        truncateSync(file, before);
      } catch {
        // recoverRecord skips a cut last line anyway
      }
    }
    throw storageFailure(err, file, runDir);
  }
}

/** Rebuilds an interrupted run's record; undefined when the folder holds no journal. */
export function recoverRecord(runDir: string): RunRecord | undefined {
  const planFile = join(runDir, PLAN_FILE);
  const journalFile = join(runDir, JOURNAL_FILE);
  if (!existsSync(planFile) || !existsSync(journalFile)) return undefined;
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as RunPlan;
  const results: RunResult[] = [];
  for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      results.push(JSON.parse(line) as RunResult);
    } catch {
      // a line cut by the crash that interrupted the run: everything before it still counts
    }
  }
  const last = results.reduce((t, r) => Math.max(t, Date.parse(r.startedAt) + r.wallMs), Date.parse(plan.startedAt));
  return assembleRecord(
    {
      runId: plan.runId,
      scenario: plan.scenario,
      comparisons: plan.comparisons,
      startedAt: plan.startedAt,
      finishedAt: new Date(last).toISOString(),
      wallMs: last - Date.parse(plan.startedAt),
      host: plan.host,
      tandemVersion: plan.tandemVersion,
      interrupted: true,
      ...(plan.facts ? { plan: plan.facts } : {}),
      ...(plan.policy ? { policy: plan.policy } : {}),
      ...(plan.known ? { known: plan.known } : {}),
      ...(plan.rerunOf ? { rerunOf: plan.rerunOf } : {}),
    },
    results,
  );
}
