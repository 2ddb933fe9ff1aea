// One place that turns results plus run metadata into a RunRecord: a finished run, a run rebuilt
// from its journal and merged shards all get the same schema stamp, diff and summary.
import type { RunRecord, RunResult } from '../domain.js';
import { RUN_SCHEMA_VERSION } from '../domain.js';
import { diffResults, summarize } from '../diff/differ.js';
import { comparePlatforms, summarizePlatforms } from '../diff/platforms.js';

export type RecordMeta = Omit<RunRecord, 'schema' | 'schemaVersion' | 'results' | 'diff' | 'summary'>;

export function assembleRecord(meta: RecordMeta, results: RunResult[]): RunRecord {
  const diff = diffResults(results, meta.comparisons);
  const platforms = comparePlatforms(results);
  const summary = summarize(results, diff);
  if (platforms.length === 0) return { schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...meta, results, diff, summary };
  return { schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...meta, results, diff, platforms, summary: { ...summary, platforms: summarizePlatforms(platforms) } };
}
