// `tandem run <scenario>`: plan, build, boot, diff and report, with live progress and Ctrl-C handling.
import { parseArgs } from 'node:util';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadScenario } from '../scenario/scenario.js';
import { createBuilder } from '../build/index.js';
import { createEmulators, closeEmulators } from '../emulators/registry.js';
import { killAllGroups } from '../emulators/process-group.js';
import { defaultConcurrency, executeRun, newRunId, type RunObserver } from '../run/run.js';
import { REPO_ROOT } from '../version.js';
import type { RunRecord } from '../domain.js';
import { writeReports } from '../report/index.js';
import { interruptibleWrite } from '../report/atomic-write.js';
import { RUN_LOCK_FILE, describeOwner, tryLock } from '../run/lock.js';
import { createProgress } from '../report/progress.js';
import { shouldUseColor } from '../report/terminal.js';
import { renderTapJob, tapFooter, tapHeader } from '../report/tap.js';
import { EXIT, UsageError, display, formatsOf, positiveInt, printSummary } from './common.js';
import { HELP } from './help.js';

/** reports/latest → the newest run, so `open reports/latest/index.html` always works. */
function pointLatestAt(runDir: string): void {
  const link = join(dirname(runDir), 'latest');
  try {
    rmSync(link, { force: true });
    symlinkSync(basename(runDir), link);
  } catch {
    // a convenience only: a file system without symlinks loses nothing else
  }
}

function shardOf(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard needs I/N with 1 ≤ I ≤ N, e.g. --shard 2/4 (got '${value}')`);
  return { index, count };
}


export async function cmdRun(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'build-jobs': { type: 'string' },
      platform: { type: 'string', multiple: true },
      suite: { type: 'string', multiple: true },
      variant: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      shard: { type: 'string' },
      rebuild: { type: 'boolean' },
      format: { type: 'string' },
      tap: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('tandem run takes exactly one scenario file, e.g. tandem run scenarios/demo.yaml');
  const jobs = positiveInt('jobs', values.jobs, defaultConcurrency());
  const buildJobs = positiveInt('build-jobs', values['build-jobs'], 1);
  const repeat = positiveInt('repeat', values.repeat, 1);
  const formats = formatsOf(values.format);
  const shard = shardOf(values.shard);
  const scenario = loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
  const runId = newRunId();
  const runDir = resolve(values.out ?? join('reports', runId));
  mkdirSync(runDir, { recursive: true });
  const outLock = tryLock(join(runDir, RUN_LOCK_FILE), `tandem run ${runId}`);
  if ('heldBy' in outLock) {
    throw new UsageError(`${display(runDir)} is in use by ${describeOwner(outLock.heldBy)}: two runs cannot write one folder; choose another --out, or wait for that run to end`);
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ntandem: ${sig}: stopping emulators and writing what finished to ${display(runDir)} (again to kill at once)\n`);
      controller.abort();
    } else {
      killAllGroups();
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // With --tap, stdout belongs to TAP; people read progress on stderr.
  const human = values.tap ? process.stderr : process.stdout;
  const tty = Boolean(human.isTTY) && process.env.CI !== 'true';
  const color = shouldUseColor(process.env, Boolean(human.isTTY));
  const observer = makeObserver({ quiet: Boolean(values.quiet), verbose: Boolean(values.verbose), tap: Boolean(values.tap), tty, color, jobs, human, scenarioName: scenario.name, runDir });

  const emulators = createEmulators({ workers: jobs, repoRoot: REPO_ROOT });
  let record: RunRecord;
  try {
    record = await executeRun(scenario, {
      runDir,
      runId,
      jobs,
      buildJobs,
      selection: { platforms: values.platform, suites: values.suite, variants: values.variant, repeat, ...(shard ? { shard } : {}) },
      signal: controller.signal,
      builder: createBuilder(scenario, { noCache: Boolean(values.rebuild) }),
      emulators,
      observer,
    });
  } finally {
    observer.close();
    await closeEmulators(emulators);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (values.tap) process.stdout.write(tapFooter(record.results.length, { planned: true }));
  await interruptibleWrite(() => writeReports(runDir, record, formats));
  outLock.release();
  if (values.out === undefined) pointLatestAt(runDir);
  printSummary(record, runDir, human);
  if (record.interrupted) return EXIT.interrupted;
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

interface ObserverOptions {
  quiet: boolean;
  verbose: boolean;
  tap: boolean;
  tty: boolean;
  color: boolean;
  jobs: number;
  human: NodeJS.WriteStream;
  scenarioName: string;
  runDir: string;
}

function makeObserver(o: ObserverOptions): RunObserver & { close(): void } {
  let progress: ReturnType<typeof createProgress> | undefined;
  let index = 0;
  return {
    planned(refs) {
      if (o.tap) process.stdout.write(tapHeader(refs.length));
      if (o.quiet) return;
      o.human.write(`tandem: ${o.scenarioName}: ${refs.length} jobs, ${o.jobs} at once → ${display(o.runDir)}\n`);
      // --verbose wants every line kept in the scrollback, not a block redrawn in place.
      progress = createProgress({ total: refs.length, stream: o.human, tty: o.tty && !o.verbose, concurrency: o.jobs, color: o.color });
    },
    jobStarted: (job) => progress?.jobStarted(job),
    caseEnded: (job, c) => progress?.caseEnded(job, c),
    jobEnded(result) {
      if (o.tap) process.stdout.write(renderTapJob(result, ++index));
      progress?.jobEnded(result);
      if (o.verbose && result.provenance.emulator?.command) {
        o.human.write(`    $ ${result.provenance.emulator.command.join(' ')}\n`);
      }
    },
    close: () => progress?.close(),
  };
}

