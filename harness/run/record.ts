// One place that turns results plus run metadata into a RunRecord: a finished run, a run rebuilt
// from its journal, merged shards and a re-rendered report all get the same schema stamp, diff,
// measurements, summary and — from the one judge — verdict and exit code.
import type { DiffEntry, GateFinding, KnownVerdict, PlatformEntry, RunRecord, RunResult } from '../domain.js';
import { RUN_SCHEMA_VERSION } from '../domain.js';
import { diffResults, summarize } from '../diff/differ.js';
import { applyKnown, type KnownContext } from '../diff/known.js';
import { comparePlatforms, summarizePlatforms } from '../diff/platforms.js';
import { measureComparisons } from '../measure/index.js';
import { judge } from '../judge/judge.js';

export type RecordMeta = Omit<RunRecord, 'schema' | 'schemaVersion' | 'results' | 'diff' | 'summary' | 'knownReport' | 'platforms' | 'measures' | 'gates' | 'judgement'>;

export function assembleRecord(meta: RecordMeta, results: RunResult[]): RunRecord {
  let diff: DiffEntry[] = diffResults(results, meta.comparisons);
  let knownReport: KnownVerdict[] | undefined;
  if (meta.known) ({ diff, report: knownReport } = applyKnown(diff, meta.known, knownContext(meta, results)));
  return finishRecord({ schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...meta, results, diff, ...(knownReport ? { knownReport } : {}) });
}

/** A record's own facts without what is derived from its results: to derive them again. */
export function metaOf(record: RunRecord): RecordMeta {
  const { schema: _s, schemaVersion: _v, results: _r, diff: _d, summary: _m, knownReport: _k, platforms: _p, measures: _me, gates: _g, judgement: _j, ...meta } = record;
  return meta;
}

/** The parts every record derives from its results and diff: platforms, measurements, gates, summary, judgement. */
export function finishRecord(base: Omit<RunRecord, 'summary' | 'judgement' | 'platforms' | 'measures' | 'gates'>): RunRecord {
  const platforms = comparePlatforms(base.results);
  const measured = measureComparisons(base.results, base.comparisons, base.policy);
  const gates = [...platformGate(platforms, base.policy?.platforms === true), ...measured.findings];
  const record: Omit<RunRecord, 'summary' | 'judgement'> = {
    ...base,
    ...(platforms.length ? { platforms } : {}),
    ...(measured.measures ? { measures: measured.measures } : {}),
    ...(gates.length ? { gates } : {}),
  };
  const judgement = judge(record);
  const summary = { ...summarize(base.results, base.diff), regressed: judgement.exitCode === 1 };
  if (platforms.length) summary.platforms = summarizePlatforms(platforms);
  return { ...record, summary, judgement };
}

/** `--gate-platforms`: a case that disagrees across platforms gates like a regression. */
function platformGate(platforms: readonly PlatformEntry[], on: boolean): GateFinding[] {
  if (!on) return [];
  return platforms
    .filter((p) => p.class === 'disagree')
    .map((p) => ({
      measure: 'platforms' as const,
      subject: `${p.variant}/${p.suite}: ${p.case}`,
      message: `${p.variant}/${p.suite}: ${p.case} disagrees across platforms (${Object.entries(p.statuses).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    }));
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
