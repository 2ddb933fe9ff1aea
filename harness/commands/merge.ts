// `tandem merge <dir>…`: join the shard runs of one scenario, logs included.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../domain.js';
import { newRunId } from '../run/run.js';
import { writeReports } from '../report/index.js';
import { MergeError, copyLogs, mergeRecords } from '../run/merge.js';
import { UsageError, exitOf, formatsOf, loadRecord, makeOutFolder, printSummary } from './common.js';
import { setRunFolder } from './internal-error.js';

export async function cmdMerge(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length < 1) throw new UsageError('tandem merge takes the run folders of a sharded run: tandem merge <dir> <dir>… [--out DIR]');
  const sources = await Promise.all(positionals.map(async (p) => ({ dir: resolve(p), record: await loadRecord(resolve(p)) })));
  let record: RunRecord;
  try {
    record = mergeRecords(sources.map((s) => s.record), newRunId());
  } catch (err) {
    if (err instanceof MergeError) throw new UsageError(err.message);
    throw err;
  }
  const outDir = resolve(values.out ?? join('reports', `merged-${record.runId}`));
  makeOutFolder(outDir);
  setRunFolder(outDir);
  copyLogs(sources, outDir);
  await writeReports(outDir, record, formatsOf(values.format));
  if (!values.quiet) printSummary(record, outDir, process.stdout);
  return exitOf(record);
}

