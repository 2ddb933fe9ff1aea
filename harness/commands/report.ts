// `tandem report <run-dir>`: re-render every report from the run record, its diff and verdict
// derived again from its results by the same differ and judge a run uses.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { writeReports } from '../report/index.js';
import { interruptibleWrite } from '../report/atomic-write.js';
import { RUN_LOCK_FILE, describeOwner, liveHolder } from '../run/lock.js';
import { rederive } from '../run/rederive.js';
import { UsageError, display, exitOf, formatsOf, loadRecord, printSummary } from './common.js';
import { setRunFolder } from './internal-error.js';

export async function cmdReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length !== 1) throw new UsageError('tandem report takes one run folder, e.g. tandem report reports/<run-id>');
  const runDir = resolve(positionals[0]!);
  // A run still writing its folder has no record yet; rebuilding one from half a journal would lie.
  const holder = liveHolder(join(runDir, RUN_LOCK_FILE));
  if (holder) throw new UsageError(`${display(runDir)} is still being written by ${describeOwner(holder)}: wait for it to finish, then run tandem report again`);
  const stored = await loadRecord(runDir);
  const { record, diffChanged } = rederive(stored);
  if (diffChanged) console.error(`tandem: ${display(join(runDir, 'run.json'))}: its stored diff did not match its results; the reports use the diff derived again from the results`);
  setRunFolder(runDir);
  const written = await interruptibleWrite(() => writeReports(runDir, record, formatsOf(values.format)));
  if (!values.quiet) {
    printSummary(record, runDir, process.stdout);
    console.log(`wrote ${written.map(display).join(', ')}`);
  }
  return exitOf(record);
}
