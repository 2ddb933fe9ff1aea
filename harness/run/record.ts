// One place that turns results plus run metadata into a RunRecord: a finished run, a run rebuilt
// from its journal and merged shards all get the same schema stamp, diff and summary.
import type { RunRecord, RunResult } from '../domain.js';
import { RUN_SCHEMA_VERSION } from '../domain.js';
import { diffResults, summarize } from '../diff/differ.js';

export type RecordMeta = Omit<RunRecord, 'schema' | 'schemaVersion' | 'results' | 'diff' | 'summary'>;

export function assembleRecord(meta: RecordMeta, results: RunResult[]): RunRecord {
  const diff = diffResults(results, meta.comparisons);
  return { schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...meta, results, diff, summary: summarize(results, diff) };
}
