// A whole run: jobs → builds (memoised per image) → run pool → results → diff → run.json.
// Every finished job is appended to results.jsonl at once, so an interrupted run loses nothing.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { hostname, cpus, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { expectedMs, priorityLimit, type DurationIndex } from './longest-first.js';
import type { GatePolicy, Image, Job, JobRef, ProbeLog, Provenance, RunEnd, RunPlanFacts, RunRecord, RunResult, CaseResult } from '../domain.js';
import type { Scenario } from '../scenario/scenario.js';
import { expandJobs, plannedJobs, type Selection } from '../scenario/expand.js';
import type { Builder } from '../build/builder.js';
import { buildKey } from '../build/builder.js';
import { buildDirOf } from '../build/index.js';
import { sha256File } from '../build/image-hash.js';
import { imageProblem } from '../build/image-check.js';
import type { EmulatorSet } from '../emulators/registry.js';
import { assembleRecord } from './record.js';
import { jobRef, logPathOf, resultWithoutBoot, runJob } from './run-job.js';
import { TANDEM_VERSION } from '../version.js';
import { journalResult, startJournal } from './journal.js';
import { twisterFactsOf } from '../zephyr/twister-names.js';
import { RunFolderError, storageFailure } from '../storage-error.js';
import { analyseCrash, wantsForensics } from '../forensics/index.js';
import { describeOwner, withLock } from './lock.js';
import { measureImage } from './footprint.js';
import { measurements, probeFor, watching } from './measure.js';

export interface RunObserver {
  planned?(jobs: readonly JobRef[]): void;
  jobStarted?(job: JobRef): void;
  caseEnded?(job: JobRef, result: CaseResult): void;
  jobEnded?(result: RunResult): void;
}

export interface RunOptions {
  runDir: string;
  runId: string;
  /** Emulators running at once (default: CPU cores). */
  jobs: number;
  /** Builds running at once. */
  buildJobs: number;
  selection: Selection;
  signal: AbortSignal;
  builder: Builder;
  emulators: EmulatorSet;
  observer?: RunObserver;
  /** Save Renode's machine state of crashed and timed-out jobs into the run folder (default on). */
  snapshot?: boolean;
  /** Expected boot durations from earlier runs: the longest start first (longest-first.ts). */
  durations?: DurationIndex;
  /** How the judge is to judge (--allow-incomplete, --gate-platforms, measurement gates). */
  policy?: GatePolicy;
  /** The selection as the user typed it, for the judge's messages. */
  selectionText?: string;
}

/** How long the first slots wait for every job's image to be ready (see priorityLimit). */
const GATHER_MS = 150;

export function defaultConcurrency(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function executeRun(scenario: Scenario, options: RunOptions): Promise<RunRecord> {
  // What twister.json needs to name the job as twister would (app path, scenario id).
  const zephyrBase = (scenario.build.kind === 'prebuilt' ? scenario.build.zephyrBase : scenario.build.env['ZEPHYR_BASE']) ?? process.env.ZEPHYR_BASE;
  return executeJobs(expandJobs(scenario, options.selection), {
    scenario: { name: scenario.name, file: scenario.file, sha256: scenario.sha256 },
    comparisons: scenario.comparisons,
    facts: {
      jobs: plannedJobs(scenario, options.selection),
      ...(options.selection.shard ? { shard: options.selection.shard } : {}),
      ...(options.selectionText ? { selection: options.selectionText } : {}),
    },
    policy: { ...(scenario.allowIdentical ? { allowIdentical: true } : {}), ...scenario.gates, ...(scenario.costGate ? { cost: { ratio: scenario.costGate } } : {}), ...options.policy },
    buildDirOf: (job) => buildDirOf(scenario, job.platform.name, job.variant.name, job.suite.name),
    twisterOf: (job) => ({ twister: twisterFactsOf(job, zephyrBase, scenario.dir), arch: job.platform.arch }),
    ...(scenario.known ? { known: scenario.known } : {}),
  }, options);
}

/** What a run of jobs needs besides the jobs: from a scenario (`tandem run`) or a record (`tandem rerun`). */
export interface JobsPlan {
  scenario: RunRecord['scenario'];
  comparisons: RunRecord['comparisons'];
  buildDirOf(job: Job): string | undefined;
  rerunOf?: RunRecord['rerunOf'];
  /** How twister would name the job (twister.json): app path and scenario id. */
  twisterOf(job: Job): Partial<Provenance>;
  known?: RunRecord['known'];
  /** Every job planned, all shards: what the judge and `tandem merge` check the results against. */
  facts?: RunPlanFacts;
  policy?: GatePolicy;
}

/** The one pool, runner, journal and record of every run; `selection` in options is not used here. */
export async function executeJobs(jobs: Job[], plan: JobsPlan, options: RunOptions): Promise<RunRecord> {
  const started = new Date();
  const t0 = performance.now();
  // A run folder that stops taking writes (a full disk) ends the whole run: every job is stopped.
  const storage = new AbortController();
  let storageError: unknown;
  const failed = (err: unknown) => {
    const f = storageFailure(err, undefined, options.runDir);
    if (!(f instanceof RunFolderError)) throw f;
    storageError ??= f;
    storage.abort();
  };
  options = { ...options, signal: AbortSignal.any([options.signal, storage.signal]) };
  try {
    mkdirSync(options.runDir, { recursive: true });
  } catch (err) {
    throw storageFailure(err, options.runDir);
  }
  const host = hostname();
  const hostInfo = { hostname: host, platform: `${process.platform}-${process.arch}`, cpus: defaultConcurrency(), node: process.version };
  const scenarioRef = plan.scenario;
  startJournal(options.runDir, {
    runId: options.runId,
    scenario: scenarioRef,
    comparisons: plan.comparisons,
    startedAt: started.toISOString(),
    host: hostInfo,
    tandemVersion: TANDEM_VERSION,
    jobs: jobs.map((j) => j.id),
    ...(plan.facts ? { facts: plan.facts } : {}),
    ...(plan.policy && Object.keys(plan.policy).length ? { policy: plan.policy } : {}),
    ...(plan.known ? { known: plan.known } : {}),
    ...(plan.rerunOf ? { rerunOf: plan.rerunOf } : {}),
  });
  options.observer?.planned?.(jobs.map(jobRef));

  const baseProvenance = (): Provenance => ({ tandemVersion: TANDEM_VERSION, host });
  const twisterOf = plan.twisterOf;
  // Longest first needs the long job in the queue when the first slot is given out.
  const durations = options.durations;
  const ordered = durations !== undefined && jobs.some((j) => !j.filtered && expectedMs(durations, j.id, j.platform.name) !== undefined);
  const runLimit = priorityLimit(Math.max(1, options.jobs), ordered ? { jobs: jobs.length, maxMs: GATHER_MS } : undefined);
  const buildLimit = pLimit(Math.max(1, options.buildJobs));
  const builds = new Map<string, Promise<{ image?: Image; error?: string; filtered?: boolean; buildLog: string }>>();

  const buildOnce = (job: Job) => {
    const key = buildKey(job);
    let pending = builds.get(key);
    if (!pending) {
      const buildLog = logPathOf({ ...job, attempt: 1 }, 'build');
      pending = buildLimit(async () => {
        if (options.signal.aborted) return { error: 'run interrupted', buildLog };
        mkdirSync(join(options.runDir, buildLog, '..'), { recursive: true });
        const buildDir = plan.buildDirOf(job) ?? '';
        const logFile = join(options.runDir, buildLog);
        const buildAndCheck = async () => {
          const out = await options.builder.build({ job, buildDir, logFile, signal: options.signal });
          if (!out.ok) return { error: out.message, filtered: out.kind === 'filtered', buildLog };
          // Before anything reads it whole (hashing a FIFO would block) or boots it.
          const problem = imageProblem(out.image.path, job.platform.arch);
          if (problem) return { error: problem, buildLog };
          out.image.sha256 ??= await sha256File(out.image.path);
          return { image: out.image, buildLog };
        };
        try {
          if (!buildDir) return await buildAndCheck();
          // Another tandem building the same folder (a shared build root) goes first; then ours is a cache hit.
          mkdirSync(dirname(buildDir), { recursive: true });
          const { value, waited } = await withLock(`${buildDir}.lock`, `tandem run ${options.runId} building ${job.id}`, options.signal, buildAndCheck);
          if (waited) appendFileSync(logFile, `tandem: waited ${(waited.ms / 1000).toFixed(1)} s for ${describeOwner(waited.owner)}, building in the same folder\n`);
          return value;
        } catch (err) {
          return { error: (err as Error).message, buildLog };
        }
      });
      builds.set(key, pending);
    }
    return pending;
  };

  const results: RunResult[] = new Array(jobs.length);
  const record = (i: number, r: RunResult) => {
    results[i] = r;
    if (storageError) return;
    journalResult(options.runDir, r);
    options.observer?.jobEnded?.(r);
  };

  // A storage failure in one job stops them all (see `failed`); any other error is a bug.
  const guarded = (fn: (job: Job, i: number) => Promise<void>) => (job: Job, i: number) => fn(job, i).catch(failed).finally(() => runLimit.arrived(i));
  await Promise.all(
    jobs.map(guarded(async (job, i) => {
      // twister's static filters: reported, never built.
      if (job.filtered) return record(i, resultWithoutBoot(job, { kind: 'skipped', reason: job.filtered }, { ...baseProvenance(), ...twisterOf(job) }));
      const emulator = options.emulators.get(job.platform.emulator);
      const availability = emulator
        ? await emulator.available()
        : { ok: false, reason: `no ${job.platform.emulator} backend in this tandem` };
      const provenance = { ...provenanceFor(job, baseProvenance(), availability.version), ...twisterOf(job) };
      if ((!availability.ok || !emulator) && !job.buildOnly) {
        return record(i, resultWithoutBoot(job, { kind: 'skipped', reason: availability.reason ?? 'unavailable' }, provenance));
      }
      const built = await buildOnce(job);
      if (built.error !== undefined || !built.image) {
        return record(i, resultWithoutBoot(job, unbuiltEnd(built, options.signal.aborted), provenance, { buildLog: built.buildLog }));
      }
      const image = built.image;
      const imageProvenance = {
        ...(image.sha256 ? { imageSha256: image.sha256 } : {}),
        image: image.path,
        imageOrigin: image.origin,
        ...(image.provenance ? { build: image.provenance } : {}),
      };
      // What the image weighs; one larger than its platform is a build error, never a boot.
      const { footprint, problem } = await measureImage(image, job.platform);
      const measured = footprint ? { footprint } : {};
      if (problem) return record(i, resultWithoutBoot(job, { kind: 'build-error', message: problem }, { ...provenance, ...imageProvenance }, { buildLog: built.buildLog, ...measured }));
      if (job.buildOnly || !emulator) {
        return record(i, resultWithoutBoot(job, { kind: 'skipped', reason: 'build only (testcase.yaml build_only: true)' }, { ...provenance, ...imageProvenance }, { buildLog: built.buildLog, ...measured }));
      }
      const expected = options.durations ? expectedMs(options.durations, job.id, job.platform.name, image.sha256) : undefined;
      // Cost and reach: the plan is made from the image before the job takes a slot.
      const probe = job.measure?.functions.length ? await probeFor(image, job.measure) : undefined;
      let probed: ProbeLog | undefined;
      const running = await runLimit(expected ?? Infinity, async () => {
        if (options.signal.aborted) {
          return { result: Promise.resolve(resultWithoutBoot(job, { kind: 'skipped', reason: 'not run: the run was interrupted' }, provenance)) };
        }
        options.observer?.jobStarted?.(jobRef(job));
        // The slot is the emulator's: the next job gets it once this one's emulator is done with,
        // while this one's log is still being closed (a few ms of file-system round trips on a busy
        // machine, after every boot) and its result put together.
        let done!: () => void;
        const emulatorDone = new Promise<void>((r) => (done = r));
        const result = runJob({ ...job, image }, emulator, {
          runDir: options.runDir,
          signal: options.signal,
          provenance: { ...provenance, ...imageProvenance },
          snapshot: options.snapshot !== false,
          hooks: { caseEnded: (ref, c) => options.observer?.caseEnded?.(ref, c) },
          emulatorDone: done,
          ...(probe ? watching(probe, (log) => (probed = log)) : {}),
        });
        await Promise.race([emulatorDone, result.then(() => undefined, () => undefined)]);
        return { result };
      }, i);
      const result = await running.result;
      if (image.origin !== 'prebuilt') result.buildLog = built.buildLog;
      if (footprint) result.footprint = footprint;
      if (probe) Object.assign(result, measurements(probe, probed));
      if (wantsForensics(result)) {
        const buildDir = typeof image.provenance?.buildDir === 'string' ? image.provenance.buildDir : undefined;
        const forensics = await analyseCrash(result, options.runDir, { path: image.path, ...(buildDir ? { buildDir } : {}) });
        if (forensics) result.forensics = forensics;
      }
      record(i, result);
    })),
  );
  if (storageError) throw storageError;

  rmSync(join(options.runDir, '.work'), { recursive: true, force: true });
  return assembleRecord(
    {
      runId: options.runId,
      scenario: scenarioRef,
      comparisons: plan.comparisons,
      ...(plan.rerunOf ? { rerunOf: plan.rerunOf } : {}),
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      wallMs: Math.round(performance.now() - t0),
      host: hostInfo,
      tandemVersion: TANDEM_VERSION,
      interrupted: options.signal.aborted,
      ...(plan.known ? { known: plan.known } : {}),
      ...(plan.facts ? { plan: plan.facts } : {}),
      ...(plan.policy && Object.keys(plan.policy).length ? { policy: plan.policy } : {}),
    },
    results,
  );
}

function provenanceFor(job: Job, base: Provenance, emulatorVersion: string | undefined): Provenance {
  return {
    ...base,
    emulator: {
      kind: job.platform.emulator,
      ...(emulatorVersion ? { version: emulatorVersion } : {}),
      ...(job.platform.renode ? { timing: job.platform.renode.timing } : {}),
    },
    arch: job.platform.arch,
    board: job.platform.board,
    platform: job.platform,
    timeouts: job.timeouts,
    // What the console was read for, so `tandem rerun` reads it the same way.
    ...(job.console ? { console: job.console } : {}),
    ...(job.measure ? { measure: job.measure } : {}),
  };
}

/** Why a job has no image: the run was interrupted, twister filtered it, or the build failed. */
function unbuiltEnd(built: { error?: string; filtered?: boolean }, aborted: boolean): RunEnd {
  if (aborted) return { kind: 'skipped', reason: 'not run: the run was interrupted' };
  if (built.filtered) return { kind: 'skipped', reason: built.error ?? 'filtered' };
  return { kind: 'build-error', message: built.error ?? 'no image' };
}
