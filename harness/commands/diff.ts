// `tandem diff <before> <after>`: compare two runs of one scenario case by case.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareRuns } from '../diff/compare-runs.js';
import { newRunId } from '../run/run.js';
import { writeReports } from '../report/index.js';
import { UsageError, exitOf, formatsOf, loadRecord, printSummary } from './common.js';

export async function cmdDiff(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length !== 2) throw new UsageError('tandem diff takes two run folders: tandem diff <before> <after>');
  const [a, b] = await Promise.all(positionals.map((p) => loadRecord(resolve(p))));
  const record = compareRuns(a!, b!, newRunId());
  const outDir = resolve(values.out ?? join('reports', `diff-${a!.runId}-vs-${b!.runId}`));
  mkdirSync(outDir, { recursive: true });
  await writeReports(outDir, record, formatsOf(values.format));
  if (!values.quiet) printSummary(record, outDir, process.stdout);
  return exitOf(record);
}

