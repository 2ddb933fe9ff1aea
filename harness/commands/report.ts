// `tandem report <run-dir>`: re-render every report from the run record.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { writeReports } from '../report/index.js';
import { interruptibleWrite } from '../report/atomic-write.js';
import { EXIT, UsageError, display, formatsOf, loadRecord, printSummary } from './common.js';
import { setRunFolder } from './internal-error.js';

export async function cmdReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length !== 1) throw new UsageError('tandem report takes one run folder, e.g. tandem report reports/<run-id>');
  const runDir = resolve(positionals[0]!);
  const record = await loadRecord(runDir);
  setRunFolder(runDir);
  const written = await interruptibleWrite(() => writeReports(runDir, record, formatsOf(values.format)));
  if (!values.quiet) {
    printSummary(record, runDir, process.stdout);
    console.log(`wrote ${written.map(display).join(', ')}`);
  }
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

