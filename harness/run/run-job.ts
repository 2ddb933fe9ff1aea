// One boot of one image: stream the console to disk and through the parser, and end the session the
// moment a verdict is known — PROJECT EXECUTION line, fatal error (after a short grace for the dump),
// silence, wall clock, emulator exit or abort. No fixed waits after the verdict.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CaseResult, Job, JobRef, ProbeLog, ProbePlan, Provenance, RunEnd, RunResult, Snapshot, UnmodelledAccess } from '../domain.js';
import type { Emulator, ExitInfo, Session } from '../emulators/emulator.js';
import { ZtestParser, describeEnd } from '../ztest/parser.js';
import { verdictOf } from './verdict.js';
import { LineSplitter } from './line-splitter.js';
import { ConsoleLog } from './console-log.js';
import { storageFailure } from '../storage-error.js';
import { stuckOn, withDevicetree } from './unmodelled.js';
import { BootLimits } from './clock.js';
import { ConsoleWatch } from './console-watch.js';

/** A line the emulator itself printed about a failure, as opposed to the guest's console. */
const EMULATOR_COMPLAINT = /^(qemu[\w-]*|renode)\b.*\b(fatal|error|could not|cannot)\b/i;
/** Start-up notes on the emulator's stderr, which may reach us after the guest's first lines. */
const EMULATOR_WARNING = /^(qemu[\w-]*|renode)\b[^:]*: warning:/i;

export interface JobHooks {
  caseEnded?(job: JobRef, result: CaseResult): void;
}

export interface RunJobOptions {
  runDir: string;
  signal: AbortSignal;
  hooks?: JobHooks;
  provenance: Provenance;
  /** Save the emulator's state when the job crashes or times out (Renode); default off. */
  snapshot?: boolean;
  /** Called once the emulator is done with (stopped, its unmodelled accesses read), before the log is closed. */
  emulatorDone?: () => void;
  /** Cost and reach: the addresses to watch, and where the emulator's records go after the boot. */
  probe?: { plan: ProbePlan; collect(log: ProbeLog): void };
}

export function jobRef(job: Job): JobRef {
  return {
    id: job.id,
    suite: job.suite.name,
    variant: job.variant.name,
    platform: job.platform.name,
    emulator: job.platform.emulator,
    attempt: job.attempt,
  };
}

/** `logs/<platform>/<variant>/<suite>.log`, `…/<suite>.attempt2.log` for repeats. */
export function logPathOf(job: Job, kind: 'console' | 'build' = 'console'): string {
  const attempt = job.attempt > 1 ? `.attempt${job.attempt}` : '';
  const ext = kind === 'console' ? 'log' : 'build.log';
  return join('logs', job.platform.name, job.variant.name, `${job.suite.name}${attempt}.${ext}`);
}

/** A result for a job that never booted (build error, emulator missing, run interrupted first). */
export function resultWithoutBoot(job: Job, end: RunEnd, provenance: Provenance, extra: Partial<RunResult> = {}): RunResult {
  return {
    job: jobRef(job),
    verdict: verdictOf(end, []),
    reason: describeEnd(end),
    end,
    cases: [],
    startedAt: new Date().toISOString(),
    wallMs: 0,
    provenance,
    ...extra,
  };
}

export async function runJob(job: Job, emulator: Emulator, options: RunJobOptions): Promise<RunResult> {
  if (!job.image) throw new Error(`job ${job.id} has no image`);
  const startedAt = new Date();
  const t0 = performance.now();
  const logRel = logPathOf(job);
  const logAbs = join(options.runDir, logRel);
  mkdirSync(dirname(logAbs), { recursive: true });
  const log = new ConsoleLog(logAbs);
  // Created by the emulators that need one (Renode's UART file); QEMU needs none.
  const workDir = join(options.runDir, '.work', job.id.replace(/[/#]/g, '_'));

  const parser = new ZtestParser();
  const watch = job.console ? new ConsoleWatch(job.console) : undefined;
  const ref = jobRef(job);
  const { timeouts } = job;
  let end: RunEnd | undefined;
  let resolveEnd!: (e: RunEnd) => void;
  const ended = new Promise<RunEnd>((r) => (resolveEnd = r));
  const finishWith = (e: RunEnd) => {
    if (end) return;
    end = e;
    resolveEnd(e);
  };

  let grace: NodeJS.Timeout | undefined;
  let fatalReason = 'fatal error';

  // The emulator's own complaint (`qemu: fatal: Lockup…`, `could not load kernel`) explains an exit.
  let emulatorComplaint: string | undefined;
  // An emulator killed from outside or crashing says nothing of its own: its last output is the clue.
  let lastWords: string | undefined;
  const onLine = (line: string) => {
    if (end) return;
    if (line.trim() && !EMULATOR_WARNING.test(line)) lastWords = line;
    if (EMULATOR_COMPLAINT.test(line)) emulatorComplaint ??= line.trim();
    for (const ev of parser.push(line)) {
      switch (ev.type) {
        case 'case-end':
          options.hooks?.caseEnded?.(ref, ev.result);
          break;
        case 'suite-end':
          // The summary and the verdict line follow at once: a slot is waiting for this boot to end.
          session?.hurryConsole?.();
          break;
        case 'project-end':
          finishWith(watch?.projectEnd(ev.success) ?? { kind: 'project', success: ev.success });
          break;
        case 'fatal':
          session?.hurryConsole?.();
          fatalReason = ev.fatal.reason;
          // Keep reading briefly: the thread line and ztest's error hook come after the fatal line.
          if (grace) clearTimeout(grace);
          grace = setTimeout(() => finishWith({ kind: 'fatal', reason: fatalReason }), timeouts.crashGraceSeconds * 1000);
          break;
        case 'fatal-handled':
          if (grace) clearTimeout(grace);
          grace = undefined;
          break;
        case 'halt':
          finishWith({ kind: 'fatal', reason: fatalReason });
          break;
      }
    }
    const decided = end ? undefined : watch?.line(line);
    if (decided) finishWith(decided);
  };
  const splitter = new LineSplitter(onLine);

  const abort = () => finishWith({ kind: 'aborted' });
  if (options.signal.aborted) abort();
  options.signal.addEventListener('abort', abort, { once: true });
  let session: Session | undefined;
  let limits: BootLimits | undefined;

  let exit: ExitInfo | undefined;
  let unmodelled: UnmodelledAccess[] = [];
  let snapshot: Snapshot | undefined;
  try {
    try {
      // Ctrl-C during a slow boot (a Renode's first start) must not wait for the boot to finish.
      session = await emulator.boot(job.image, job.platform, { signal: options.signal, workDir, guestClock: timeouts.clock !== 'host', ...(options.probe ? { probe: options.probe.plan } : {}) });
    } catch (err) {
      finishWith({ kind: 'emulator-error', message: (err as Error).message });
    }
    if (session) {
      // The guest's limits start when it does: a Renode's first start-up (seconds of mono and C#
      // compilation) is not the guest's time. Boot itself is bounded by the emulator's own timeouts.
      const s = session;
      limits = new BootLimits({ timeouts, ...(s.guestClock ? { guestClock: s.guestClock } : {}), workMs: () => s.guestMs?.(), drain: () => s.drainConsole?.(), onEnd: finishWith });
      limits.start();
      const pump = (async () => {
        for await (const chunk of session.console) {
          log.write(chunk);
          if (end) continue;
          limits!.output();
          splitter.push(chunk);
        }
        splitter.flush();
      })();
      void session.exited.then(async (info) => {
        // Let the last bytes reach the parser before judging an exit without a verdict.
        await pump.catch(() => undefined);
        finishWith({ kind: 'exit', code: info.code, signal: info.signal });
      });
      const how = await ended;
      if (options.snapshot && session.saveState && (how.kind === 'fatal' || how.kind === 'silence' || how.kind === 'wall')) {
        snapshot = await saveSnapshot(session, options.runDir, logRel);
      }
      exit = await session.stop();
      await pump.catch(() => undefined);
      // Before the work folder goes: QEMU's log is read from it.
      unmodelled = await Promise.resolve(session.unmodelled?.()).catch(() => undefined) ?? [];
      if (options.probe) {
        const none = (problem: string): ProbeLog => ({ method: emulator.kind, records: [], problem });
        options.probe.collect(session.probeLog ? await Promise.resolve(session.probeLog()).catch((err: Error) => none(err.message)) : none(`${emulator.kind} has no probe`));
      }
    }
  } finally {
    options.emulatorDone?.();
    options.signal.removeEventListener('abort', abort);
    limits?.stop();
    if (grace) clearTimeout(grace);
    await log.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  if (log.error) throw storageFailure(log.error, logAbs, options.runDir);

  const finalEnd = end ?? { kind: 'aborted' };
  const parsed = parser.finish(finalEnd);
  const watched = watch?.finish(finalEnd, parsed.cases, job.suite.twister?.id ?? job.suite.name, session?.noCycleCounter);
  const cases = watched?.cases ?? parsed.cases;
  const result: RunResult = {
    job: ref,
    verdict: verdictOf(finalEnd, cases),
    end: finalEnd,
    cases,
    log: logRel,
    startedAt: startedAt.toISOString(),
    wallMs: Math.round(performance.now() - t0),
    provenance: {
      ...options.provenance,
      ...(session ? { emulator: { ...(options.provenance.emulator ?? { kind: job.platform.emulator }), command: session.command } } : {}),
      ...(parsed.zephyrVersion ? { zephyrVersion: parsed.zephyrVersion } : {}),
    },
  };
  if (parsed.fatal) result.fatal = parsed.fatal;
  if (watched?.records) result.records = watched.records;
  if (snapshot) result.snapshot = snapshot;
  if (exit?.virtualMs !== undefined) result.virtualMs = exit.virtualMs;
  if (unmodelled.length) result.unmodelled = withDevicetree(unmodelled, job.image.path);
  const stuck = stuckOn(finalEnd, result.unmodelled ?? [], job.platform.name);
  // A guest that went quiet after touching a missing peripheral did run: that leads, and the
  // "did not boot" hint would send the reader the wrong way.
  let reason = stuck
    ? `${stuck}; ${parsed.booted ? reasonOf(result, parsed.errors, parsed.booted) : describeEnd(finalEnd)}`
    : reasonOf(result, parsed.errors, parsed.booted);
  if (emulatorComplaint && finalEnd.kind === 'exit') reason = `${emulatorComplaint} (${reason})`;
  else if (lastWords && finalEnd.kind === 'exit') reason = `${reason}; its last output: ${lastWordsOf(lastWords)}`;
  if (reason) result.reason = reason;
  return result;
}

/** The failed state next to the console log (`<suite>.renode-state`); a failed save is a note. */
async function saveSnapshot(session: Session, runDir: string, logRel: string): Promise<Snapshot> {
  const file = logRel.replace(/\.log$/, '.renode-state');
  const t0 = performance.now();
  try {
    await session.saveState!(join(runDir, file));
    return { file, bytes: statSync(join(runDir, file)).size, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { error: `snapshot not saved: ${(err as Error).message.split('\n')[0]}`, ms: Math.round(performance.now() - t0) };
  }
}

function reasonOf(result: RunResult, errors: string[], booted: boolean): string | undefined {
  if (result.verdict === 'passed') return undefined;
  if (!booted && (result.end.kind === 'silence' || result.end.kind === 'wall' || result.end.kind === 'exit')) {
    // The commonest first-day mistake: an image for another board, or a console on another UART.
    return `${describeEnd(result.end)}; no Zephyr boot banner was seen: the image did not boot on ${result.job.platform}, or its console is on another UART`;
  }
  if (result.verdict === 'crashed' && result.fatal) {
    const where = result.fatal.thread ? ` in ${result.fatal.thread}` : '';
    const fault = result.fatal.fault ? `${result.fatal.fault}: ` : '';
    return `${fault}${result.fatal.line}${where}`;
  }
  if (result.verdict === 'failed') {
    const failed = result.cases.filter((c) => c.status === 'fail' || c.status === 'crash');
    if (failed.length) return `${failed.length} failed: ${failed.slice(0, 3).map((c) => `${c.suite}.${c.name}`).join(', ')}${failed.length > 3 ? ', …' : ''}`;
    if (errors.length) return errors[0];
  }
  return describeEnd(result.end, result.fatal);
}

/** One console line, fit for a reason: control bytes shown as escapes, at most 200 characters. */
function lastWordsOf(line: string): string {
  // eslint-disable-next-line no-control-regex
  const shown = JSON.stringify(line.trim()).slice(1, -1);
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}
