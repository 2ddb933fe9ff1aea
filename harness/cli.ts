// Command line: parse arguments, call the run/report functions, map outcomes to exit codes.
// Exit codes: 0 no regression, 1 the candidate regressed, 2 usage or configuration error,
// 130 interrupted.
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadScenario } from './scenario/scenario.js';
import { ConfigError } from './scenario/yaml-reader.js';
import { createBuilder } from './build/index.js';
import { createEmulators, closeEmulators } from './emulators/registry.js';
import { killAllGroups } from './emulators/process-group.js';
import { defaultConcurrency, executeRun, newRunId, type RunObserver } from './run/run.js';
import { REPO_ROOT, TANDEM_VERSION } from './version.js';
import type { RunRecord } from './domain.js';
import { ALL_FORMATS, readRunRecord, writeReports, type ReportFormat } from './report/index.js';
import { RunJsonError } from './report/json.js';
import { createProgress } from './report/progress.js';
import { renderTerminalSummary, shouldUseColor } from './report/terminal.js';
import { renderTapJob, tapFooter, tapHeader } from './report/tap.js';
import { compareRuns } from './diff/compare-runs.js';
import { doctor } from './doctor.js';
import { recoverRecord } from './run/journal.js';
import { MergeError, copyLogs, mergeRecords } from './run/merge.js';

export const EXIT = { ok: 0, regressed: 1, usage: 2, interrupted: 130 } as const;

class UsageError extends Error {}

const HELP = `tandem ${TANDEM_VERSION} — run Zephyr ztest images in emulators and diff variants per test case

Usage:
  tandem run <scenario.yaml> [options]   build, boot, parse, diff and report
  tandem report <run-dir> [--format …]   re-render every report from run-dir/run.json
  tandem diff <run-a> <run-b> [--out DIR] compare two runs (a = before, b = after)
  tandem merge <run-dir>… [--out DIR]    join the shards of one run (see --shard)
  tandem doctor                          which emulators and tools this machine has
  tandem help | --version

Options for run:
  --out DIR            run folder (default: reports/<run-id>)
  -j, --jobs N         emulators at once (default: CPU cores = ${defaultConcurrency()})
  --build-jobs N       builds at once (default: 1; each build uses every core)
  --platform NAME      only this platform (repeatable, globs allowed)
  --suite NAME         only this suite (repeatable, globs allowed)
  --variant NAME       only this variant (repeatable, globs allowed)
  --repeat N           run every job N times; disagreeing attempts are 'flaky'
  --shard I/N          run only part I of N (split by platform and suite; join with tandem merge)
  --rebuild            build every image even if the build cache has it (keys are still recorded)
  --format LIST        reports to write: ${ALL_FORMATS.join(',')} (default: all; run.json always)
  --tap                stream TAP 14 to stdout as jobs finish (progress goes to stderr)
  -q, --quiet          only the final summary
  -v, --verbose        every job and failing case as it finishes, with emulator command lines

Exit codes: 0 no regression, 1 the candidate regressed, 2 usage/config error, 130 interrupted.
Environment: TANDEM_QEMU, TANDEM_RENODE (emulator binaries), NO_COLOR, CI.`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a whole number ≥ 1 (got '${value}')`);
  return n;
}

function formatsOf(value: string | undefined): ReportFormat[] {
  if (value === undefined) return [...ALL_FORMATS];
  const wanted = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of wanted) {
    if (!ALL_FORMATS.includes(f as ReportFormat)) throw new UsageError(`--format: unknown format '${f}' (choose from ${ALL_FORMATS.join(', ')})`);
  }
  // run.json is the record every other output and `tandem report` is made from.
  return [...new Set<ReportFormat>(['json', ...(wanted as ReportFormat[])])];
}

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

const display = (p: string) => relative(process.cwd(), p) || p;

/** The one-screen summary, coloured only for a person at a terminal; ends with the report folder. */
function printSummary(record: RunRecord, reportDir: string, stream: NodeJS.WriteStream): void {
  const color = shouldUseColor(process.env, Boolean(stream.isTTY));
  stream.write(`${renderTerminalSummary(record, { color, reportDir: display(reportDir), width: stream.columns ?? 160 })}\n`);
}

async function cmdRun(argv: string[]): Promise<number> {
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
  await writeReports(runDir, record, formats);
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

async function cmdReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length !== 1) throw new UsageError('tandem report takes one run folder, e.g. tandem report reports/<run-id>');
  const runDir = resolve(positionals[0]!);
  const record = await loadRecord(runDir);
  const written = await writeReports(runDir, record, formatsOf(values.format));
  if (!values.quiet) {
    printSummary(record, runDir, process.stdout);
    console.log(`wrote ${written.map(display).join(', ')}`);
  }
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

async function cmdDiff(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, format: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } });
  if (positionals.length !== 2) throw new UsageError('tandem diff takes two run folders: tandem diff <before> <after>');
  const [a, b] = await Promise.all(positionals.map((p) => loadRecord(resolve(p))));
  const record = compareRuns(a!, b!, newRunId());
  const outDir = resolve(values.out ?? join('reports', `diff-${a!.runId}-vs-${b!.runId}`));
  mkdirSync(outDir, { recursive: true });
  await writeReports(outDir, record, formatsOf(values.format));
  if (!values.quiet) printSummary(record, outDir, process.stdout);
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

async function cmdMerge(argv: string[]): Promise<number> {
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
  mkdirSync(outDir, { recursive: true });
  copyLogs(sources, outDir);
  await writeReports(outDir, record, formatsOf(values.format));
  if (!values.quiet) printSummary(record, outDir, process.stdout);
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

/** run.json, or for a run killed before writing it, the record rebuilt from its journal. */
async function loadRecord(runDir: string): Promise<RunRecord> {
  try {
    return await readRunRecord(runDir);
  } catch (err) {
    if (!(err instanceof RunJsonError)) throw err;
    const recovered = existsSync(join(runDir, 'run.json')) ? undefined : recoverRecord(runDir);
    if (recovered) {
      console.error(`tandem: ${display(runDir)} has no run.json (the run was killed); rebuilt it from results.jsonl`);
      return recovered;
    }
    throw new UsageError(err.message);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(rest);
      case 'report':
        return await cmdReport(rest);
      case 'diff':
        return await cmdDiff(rest);
      case 'merge':
        return await cmdMerge(rest);
      case 'doctor':
        return await doctor(REPO_ROOT);
      case undefined:
      case 'help':
      case '-h':
      case '--help':
        console.log(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      case '--version':
        console.log(TANDEM_VERSION);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command '${command}' (try: tandem help)`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      console.error(`tandem: ${err.message}`);
      return EXIT.usage;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`tandem: ${(err as Error).message}`);
      return EXIT.usage;
    }
    throw err;
  }
}

/** Entry point of bin/tandem.js. */
export function runCli(argv = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`tandem: internal error: ${(err as Error).stack ?? String(err)}`);
      killAllGroups();
      process.exitCode = 70;
    },
  );
}
