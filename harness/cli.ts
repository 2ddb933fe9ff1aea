// Command line: parse arguments, call the run/report functions, map outcomes to exit codes.
// Exit codes: 0 no regression, 1 the candidate regressed, 2 usage or configuration error,
// 130 interrupted.
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadScenario } from './scenario/scenario.js';
import { ConfigError } from './scenario/yaml-reader.js';
import { createBuilder } from './build/index.js';
import { createEmulators, closeEmulators } from './emulators/registry.js';
import { killAllGroups } from './emulators/process-group.js';
import { defaultConcurrency, executeRun, newRunId } from './run/run.js';
import { REPO_ROOT, TANDEM_VERSION } from './version.js';
import type { RunRecord } from './domain.js';

export const EXIT = { ok: 0, regressed: 1, usage: 2, interrupted: 130 } as const;

class UsageError extends Error {}

const HELP = `tandem ${TANDEM_VERSION} — run Zephyr ztest images in emulators and diff variants per test case

Usage:
  tandem run <scenario.yaml> [options]   build, boot, parse, diff, report
  tandem help

Options for run:
  --out DIR            run folder (default: reports/<run-id>)
  --jobs N             emulators at once (default: CPU cores = ${defaultConcurrency()})
  --build-jobs N       builds at once (default: 1; each build uses every core)
  --platform NAME      only this platform (repeatable, globs allowed)
  --suite NAME         only this suite (repeatable, globs allowed)
  --variant NAME       only this variant (repeatable, globs allowed)
  --repeat N           run every job N times (flakiness)
  --quiet              print only the final summary
  -h, --help           this text
  --version            print the version

Exit codes: 0 no regression, 1 the candidate regressed, 2 usage/config error, 130 interrupted.`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} needs a whole number ≥ 1 (got '${value}')`);
  return n;
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
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('tandem run takes exactly one scenario file, e.g. tandem run scenarios/demo.yaml');
  const scenario = loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] });
  const jobs = positiveInt('jobs', values.jobs, defaultConcurrency());
  const runId = newRunId();
  const runDir = resolve(values.out ?? join('reports', runId));
  mkdirSync(runDir, { recursive: true });

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ntandem: ${sig}: stopping emulators and writing what finished to ${relative(process.cwd(), runDir) || runDir} (again to kill at once)\n`);
      controller.abort();
    } else {
      killAllGroups();
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const emulators = await createEmulators({ workers: jobs, repoRoot: REPO_ROOT });
  const quiet = Boolean(values.quiet);
  let done = 0;
  let total = 0;
  let record: RunRecord;
  try {
    record = await executeRun(scenario, {
      runDir,
      runId,
      jobs,
      buildJobs: positiveInt('build-jobs', values['build-jobs'], 1),
      selection: {
        platforms: values.platform,
        suites: values.suite,
        variants: values.variant,
        repeat: positiveInt('repeat', values.repeat, 1),
      },
      signal: controller.signal,
      builder: createBuilder(scenario),
      emulators,
      observer: {
        planned: (refs) => {
          total = refs.length;
          if (!quiet) console.log(`tandem: ${scenario.name}: ${total} jobs, ${jobs} at once → ${relative(process.cwd(), runDir) || runDir}`);
        },
        jobEnded: (r) => {
          done++;
          if (quiet) return;
          const counts = r.cases.reduce<Record<string, number>>((acc, c) => ((acc[c.status] = (acc[c.status] ?? 0) + 1), acc), {});
          const caseText = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ');
          console.log(`[${done}/${total}] ${r.verdict.toUpperCase().padEnd(8)} ${r.job.id} (${(r.wallMs / 1000).toFixed(1)} s)${caseText ? ` ${caseText}` : ''}${r.reason && r.verdict !== 'passed' ? ` — ${r.reason}` : ''}`);
        },
      },
    });
  } finally {
    await closeEmulators(emulators);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  writeFileSync(join(runDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(plainSummary(record, runDir));
  if (record.interrupted) return EXIT.interrupted;
  return record.summary.regressed ? EXIT.regressed : EXIT.ok;
}

function plainSummary(record: RunRecord, runDir: string): string {
  const lines = [`diff: ${Object.entries(record.summary.diff).map(([k, v]) => `${v} ${k}`).join(', ') || 'nothing to compare'}`];
  for (const d of record.diff.filter((d) => d.class !== 'same')) {
    lines.push(`  ${d.class.padEnd(10)} ${d.platform} ${d.suite} ${d.case}: ${d.baseline ?? '-'} → ${d.candidate ?? '-'}${d.detail ? `  (${d.detail})` : ''}`);
  }
  lines.push(`report: ${relative(process.cwd(), runDir) || runDir}`);
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await cmdRun(rest);
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
