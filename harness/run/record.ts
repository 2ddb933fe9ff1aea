// One place that turns results plus run metadata into a RunRecord: a finished run, a run rebuilt
// from its journal and merged shards all get the same schema stamp, diff and summary.
import type { DiffEntry, KnownVerdict, RunRecord, RunResult } from '../domain.js';
import { RUN_SCHEMA_VERSION } from '../domain.js';
import { diffResults, summarize } from '../diff/differ.js';
import { applyKnown, type KnownContext } from '../diff/known.js';
import { comparePlatforms, summarizePlatforms } from '../diff/platforms.js';

export type RecordMeta = Omit<RunRecord, 'schema' | 'schemaVersion' | 'results' | 'diff' | 'summary' | 'knownReport'>;

export function assembleRecord(meta: RecordMeta, results: RunResult[]): RunRecord {
  let diff: DiffEntry[] = diffResults(results, meta.comparisons);
  let knownReport: KnownVerdict[] | undefined;
  if (meta.known) ({ diff, report: knownReport } = applyKnown(diff, meta.known, knownContext(meta, results)));
  const platforms = comparePlatforms(results);
  const summary = summarize(results, diff);
  const base: Omit<RunRecord, 'summary'> = { schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...meta, results, diff, ...(knownReport ? { knownReport } : {}) };
  if (platforms.length === 0) return { ...base, summary };
  return { ...base, platforms, summary: { ...summary, platforms: summarizePlatforms(platforms) } };
}

/** What known entries match on besides the row: the run's date, each platform's arch and emulator. */
function knownContext(meta: RecordMeta, results: readonly RunResult[]): KnownContext {
  const platforms: NonNullable<KnownContext['platforms']> = {};
  const scenarioIds: Record<string, string> = {};
  for (const r of results) {
    const arch = r.provenance['arch'];
    platforms[r.job.platform] ??= { emulator: r.job.emulator, ...(typeof arch === 'string' ? { arch } : {}) };
    const id = (r.provenance['twister'] as { scenario?: unknown } | undefined)?.scenario;
    if (typeof id === 'string') scenarioIds[r.job.suite] ??= id;
  }
  return { asOf: meta.startedAt.slice(0, 10), platforms, scenarioIds };
}
