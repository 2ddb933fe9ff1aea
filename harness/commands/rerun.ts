// `tandem rerun <run-dir>`: boot the images of an earlier run again — no planning, no build — through
// the same pool, runner and reports as `tandem run`, then compare the new run with the earlier one
// case by case. The "did my fix work" loop.
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RunRecord } from '../domain.js';
import { createEmulators, closeEmulators } from '../emulators/registry.js';
import { defaultConcurrency, executeJobs, newRunId } from '../run/run.js';
import { checkRecordedImage, createRecordedBuilder } from '../build/recorded.js';
import { planRerun, caseMatches } from '../rerun/plan.js';
import { renderOutcomes, rerunOutcomes } from '../rerun/outcome.js';
import { compareRuns } from '../diff/compare-runs.js';
import { writeReports } from '../report/index.js';
import { shouldUseColor } from '../report/terminal.js';
import { REPO_ROOT } from '../version.js';
import { REPEAT_LIMIT, UsageError, catchInterrupts, concurrencyLimit, display, exitOf, formatsOf, loadRecord, makeOutFolder, positiveInt, printSummary } from './common.js';
import { reasonLines, reasonText } from '../report/judgement.js';
import { rederive } from '../run/rederive.js';
import { setRunFolder } from './internal-error.js';
import { makeObserver } from './run.js';

export async function cmdRerun(argv: string[]): Promise<number> {
  const commandStart = performance.now();
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      failed: { type: 'boolean' },
      job: { type: 'string', multiple: true },
      case: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      out: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      rebuilt: { type: 'boolean' },
      'no-snapshot': { type: 'boolean' },
      format: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('tandem rerun takes one run folder, e.g. tandem rerun reports/latest --failed');
  const earlierDir = resolve(positionals[0]!);
  // Planned from the diff and verdicts this tandem derives, not from whatever an older one stored.
  const earlier = rederive(await loadRecord(earlierDir)).record;
  const formats = formatsOf(values.format);
  const jobs = positiveInt('jobs', values.jobs, defaultConcurrency(), concurrencyLimit(defaultConcurrency()));
  const plan = planRerun(earlier, {
    failed: Boolean(values.failed),
    ...(values.job ? { jobs: values.job } : {}),
    ...(values.case ? { cases: values.case } : {}),
    repeat: positiveInt('repeat', values.repeat, 1, REPEAT_LIMIT),
  });
  if (plan.problems.length) throw new UsageError(`cannot rerun ${display(earlierDir)}:\n  ${plan.problems.join('\n  ')}`);
  if (plan.jobs.length === 0) {
    throw new UsageError(`nothing to rerun in ${display(earlierDir)}: ${values.failed ? 'no job failed' : 'no job matches'} (jobs there: ${[...new Set(earlier.results.map((r) => r.job.id))].join(', ')})`);
  }
  // Every image is checked before anything boots: a stale image is a mistake to hear about at once.
  const check = { acceptChanged: Boolean(values.rebuilt), runId: earlier.runId };
  const stale: string[] = [];
  const seen = new Set<string>();
  for (const job of plan.jobs) {
    if (!job.image || seen.has(job.image.path)) continue;
    seen.add(job.image.path);
    const r = await checkRecordedImage(job.image, check);
    if ('problem' in r) stale.push(r.problem);
  }
  if (stale.length) throw new UsageError(`cannot rerun ${display(earlierDir)}:\n  ${stale.join('\n  ')}`);

  const runId = newRunId();
  const runDir = resolve(values.out ?? join(dirname(earlierDir), `rerun-${runId}`));
  makeOutFolder(runDir);
  setRunFolder(runDir);
  const interrupts = catchInterrupts(runDir);
  const human = process.stdout;
  const quiet = Boolean(values.quiet);
  let firstBootMs: number | undefined;
  let firstBootAfterCommandMs: number | undefined;
  const base = makeObserver({ quiet, verbose: Boolean(values.verbose), tap: false, tty: Boolean(human.isTTY) && process.env.CI !== 'true', color: shouldUseColor(process.env, Boolean(human.isTTY)), jobs, human, scenarioName: `rerun of ${earlier.runId}`, runDir });
  const observer = { ...base, jobStarted: (j: Parameters<NonNullable<typeof base.jobStarted>>[0]) => { // performance.now() counts from the process's start: node's own start-up is included.
    firstBootMs ??= performance.now();
    firstBootAfterCommandMs ??= performance.now() - commandStart; base.jobStarted?.(j); } };
  const emulators = createEmulators({ workers: jobs, repoRoot: REPO_ROOT });
  let record: RunRecord;
  try {
    record = await executeJobs(
      plan.jobs,
      {
        scenario: earlier.scenario,
        comparisons: earlier.comparisons,
        buildDirOf: () => undefined,
        // Named as the earlier run named them (twister.json), judged against its known list.
        twisterOf: (job) => {
          const was = earlier.results.find((r) => r.job.id === job.id)?.provenance;
          return { ...(was?.twister ? { twister: was.twister } : {}), arch: job.platform.arch };
        },
        ...(earlier.known ? { known: earlier.known } : {}),
        rerunOf: { runId: earlier.runId, dir: earlierDir, jobs: [...new Set(plan.earlier.map((r) => r.job.id))] },
      },
      { runDir, runId, jobs, buildJobs: 1, selection: {}, signal: interrupts.signal, builder: createRecordedBuilder(check), emulators, observer, snapshot: !values['no-snapshot'] },
    );
  } finally {
    observer.close();
    await closeEmulators(emulators);
    interrupts.release();
  }
  await writeReports(runDir, record, formats);

  // The run-to-run comparison, as `tandem diff` makes it, over the jobs (and cases) rerun.
  const before: RunRecord = { ...earlier, results: plan.earlier };
  let compared = compareRuns(before, record, newRunId());
  if (values.case) compared = { ...compared, diff: compared.diff.filter((d) => caseMatches(values.case!, { suite: d.case.split('.')[0]!, name: d.case.split('.').slice(1).join('.') })) };
  const compareDir = join(runDir, 'compare');
  mkdirSync(compareDir, { recursive: true });
  await writeReports(compareDir, compared, formats);

  const outcomes = rerunOutcomes(plan.earlier, record, compared.diff);
  // The per-job words below say it shorter; the case-by-case comparison is in compare/ (and with -v here).
  if (values.verbose) printSummary(compared, compareDir, human);
  const imageNote = values.rebuilt ? 'images as they are now' : 'same images, sha256 checked';
  human.write(`tandem rerun: ${outcomes.length} job${outcomes.length === 1 ? '' : 's'} of run ${earlier.runId} (${imageNote}); first boot ${firstBootMs === undefined ? 'never started' : `started ${(firstBootMs / 1000).toFixed(2)} s after the process (${((firstBootAfterCommandMs ?? 0) / 1000).toFixed(2)} s after the command began)`}\n`);
  human.write(`${renderOutcomes(outcomes).join('\n')}\n`);
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.word, (counts.get(o.word) ?? 0) + 1);
  // The rerun's own record is judged job by job (every booted job must pass): the judge decides.
  const judged = record.judgement;
  human.write(`${judged.exitCode === 0 ? 'GREEN' : judged.outcome === 'incomplete' ? 'INCOMPLETE' : 'STILL RED'}  ${[...counts].map(([w, n]) => `${n} ${w}`).join(' · ')} · exit ${judged.exitCode}\n`);
  for (const line of reasonLines(judged, { items: 3, skipWorse: true })) human.write(`  ${line.group === 'incomplete' ? 'not compared' : line.group}: ${reasonText(line)}\n`);
  human.write(`Rerun: ${display(runDir)} · case-by-case comparison with run ${earlier.runId}: ${display(compareDir)}\n`);
  return exitOf(record);
}
