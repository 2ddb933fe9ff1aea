// `tandem run <scenario>`: plan, build, boot, diff and report, with live progress and Ctrl-C handling.
import { parseArgs } from 'node:util';
import { rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadScenario } from '../scenario/scenario.js';
import { createBuilder } from '../build/index.js';
import { createEmulators, closeEmulators } from '../emulators/registry.js';
import { defaultConcurrency, executeRun, newRunId, type RunObserver } from '../run/run.js';
import { loadDurations } from '../run/longest-first.js';
import { REPO_ROOT } from '../version.js';
import type { GatePolicy, RunRecord } from '../domain.js';
import { writeReports } from '../report/index.js';
import { interruptibleWrite } from '../report/atomic-write.js';
import { RUN_LOCK_FILE, describeOwner, tryLock } from '../run/lock.js';
import { createProgress } from '../report/progress.js';
import { shouldUseColor } from '../report/terminal.js';
import { renderTapJob, tapFooter, tapHeader } from '../report/tap.js';
import { EXIT, REPEAT_LIMIT, UsageError, catchInterrupts, concurrencyLimit, display, exitOf, formatsOf, makeOutFolder, positiveInt, printSummary } from './common.js';
import { setRunFolder } from './internal-error.js';
import { HELP } from './help.js';
import { readKnownFile } from '../scenario/known-file.js';
import { loadTwisterBaseline, variantsToRun, withTwisterBaseline } from './from-twister.js';

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


/** `--gate-cost 2.5`: a positive number, the most a candidate may cost per call relative to its baseline. */
function positiveRatio(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} takes a positive number (a ratio such as 1.5), got '${value}'`);
  return n;
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
      'build-root': { type: 'string' },
      'from-twister': { type: 'string' },
      known: { type: 'string' },
      'no-snapshot': { type: 'boolean' },
      'gate-platforms': { type: 'boolean' },
      'gate-size': { type: 'string' },
      'gate-record': { type: 'string', multiple: true },
      'gate-cost': { type: 'string' },
      'allow-incomplete': { type: 'boolean' },
      durations: { type: 'string', multiple: true },
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
  const atOnce = concurrencyLimit(defaultConcurrency());
  const jobs = positiveInt('jobs', values.jobs, defaultConcurrency(), atOnce);
  const buildJobs = positiveInt('build-jobs', values['build-jobs'], 1, atOnce);
  const repeat = positiveInt('repeat', values.repeat, 1, REPEAT_LIMIT);
  const formats = formatsOf(values.format);
  const shard = shardOf(values.shard);
  const scenario = loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
  // Builds of a scenario read from a read-only place (an installed package) go where asked.
  if (values['build-root'] !== undefined && scenario.build.kind !== 'prebuilt') scenario.build.buildRoot = resolve(values['build-root']);
  if (values.known !== undefined) scenario.known = readKnownFile(values.known);
  const twisterFile = values['from-twister'] ?? scenario.baselineFromTwister;
  const twisterBase = twisterFile === undefined ? undefined : loadTwisterBaseline(twisterFile, scenario);
  const variants = twisterBase ? variantsToRun(scenario, twisterBase, values.variant) : values.variant;
  const runId = newRunId();
  const runDir = resolve(values.out ?? join('reports', runId));
  makeOutFolder(runDir);
  setRunFolder(runDir);
  const outLock = tryLock(join(runDir, RUN_LOCK_FILE), `tandem run ${runId}`);
  if ('heldBy' in outLock) {
    throw new UsageError(`${display(runDir)} is in use by ${describeOwner(outLock.heldBy)}: two runs cannot write one folder; choose another --out, or wait for that run to end`);
  }

  const interrupts = catchInterrupts(runDir);
  const controller = { signal: interrupts.signal };

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
      selection: { platforms: values.platform, suites: values.suite, variants, repeat, ...(shard ? { shard } : {}) },
      signal: controller.signal,
      builder: createBuilder(scenario, { noCache: Boolean(values.rebuild) }),
      emulators,
      observer,
      snapshot: !values['no-snapshot'],
      // Longest first, from earlier runs in the same reports root and any --durations run.json.
      durations: loadDurations(dirname(runDir), values.durations ?? [], runDir, (f, why) => console.error(`tandem: ignoring ${display(f)} for the longest-first order: ${why}`)),
      policy: {
        ...(values['allow-incomplete'] ? { allowIncomplete: true } : {}),
        ...(values['gate-platforms'] ? { platforms: true } : {}),
        ...gateFlags(values['gate-size'], values['gate-record']),
        ...(values['gate-cost'] !== undefined ? { cost: { ratio: positiveRatio('gate-cost', values['gate-cost']) } } : {}),
      },
      selectionText: selectionText(values),
    });
  } finally {
    observer.close();
    await closeEmulators(emulators);
    interrupts.release();
  }
  if (twisterBase) record = withTwisterBaseline(record, twisterBase);
  if (values.tap) process.stdout.write(tapFooter(record.results.length, { planned: true }));
  await interruptibleWrite(() => writeReports(runDir, record, formats));
  outLock.release();
  if (values.out === undefined) pointLatestAt(runDir);
  printSummary(record, runDir, human);
  return exitOf(record);
}

/** `--gate-size ram=10,flash=5` (or `10` for both) and `--gate-record cyc=4`: over the scenario's. */
export function gateFlags(size: string | undefined, records: string[] | undefined): Pick<GatePolicy, 'size' | 'records'> {
  const out: Pick<GatePolicy, 'size' | 'records'> = {};
  const number = (flag: string, text: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min) throw new UsageError(`${flag} ${text}: expected ${flag === '--gate-size' ? 'ram=PCT,flash=PCT or one PCT for both (e.g. --gate-size ram=10,flash=10)' : 'FIGURE=RATIO (e.g. --gate-record cyc=4)'}`);
    return n;
  };
  if (size !== undefined) {
    if (/^[\d.]+$/.test(size)) out.size = { ramPct: number('--gate-size', size, size, 0), flashPct: number('--gate-size', size, size, 0) };
    else {
      out.size = {};
      for (const part of size.split(',')) {
        const [k, v] = part.split('=');
        if (k === 'ram') out.size.ramPct = number('--gate-size', size, v, 0);
        else if (k === 'flash') out.size.flashPct = number('--gate-size', size, v, 0);
        else number('--gate-size', size, undefined, 0);
      }
    }
  }
  for (const part of (records ?? []).flatMap((r) => r.split(','))) {
    const [k, v] = part.split('=');
    if (!k || !/^[A-Za-z_]\w*$/.test(k)) number('--gate-record', part, undefined, 0);
    (out.records ??= {})[k!] = number('--gate-record', part, v, Number.MIN_VALUE);
  }
  return out;
}

/** `--suite nosuch --variant wasm`: what narrowed the plan, for the judge's messages. */
function selectionText(values: { platform?: string[]; suite?: string[]; variant?: string[]; shard?: string }): string | undefined {
  const parts: string[] = [];
  for (const flag of ['platform', 'suite', 'variant'] as const) for (const v of values[flag] ?? []) parts.push(`--${flag} ${v}`);
  if (values.shard) parts.push(`--shard ${values.shard}`);
  return parts.length ? parts.join(' ') : undefined;
}

export interface ObserverOptions {
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

export function makeObserver(o: ObserverOptions): RunObserver & { close(): void } {
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

