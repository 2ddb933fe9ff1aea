// Longest first: what earlier runs say each job takes, and a pool that starts the longest waiting
// job the moment a slot frees. A run's wall time is bounded below by its longest job; starting it
// last (a 30 s schedule_api behind twenty short suites) wastes the other slots' time.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../domain.js';

/** Expected wall ms of a boot, by `<platform>\0<image sha256>` and, as a fallback, by job id. */
export interface DurationIndex {
  byImage: Map<string, number>;
  byJob: Map<string, number>;
}

/** How many earlier run folders of a reports root are read (newest first). */
const RECENT_RUNS = 20;

export function emptyDurations(): DurationIndex {
  return { byImage: new Map(), byJob: new Map() };
}

/** Pure: adds a record's boots; later calls win, so feed records oldest first. */
export function addDurations(index: DurationIndex, record: Pick<RunRecord, 'results'>): DurationIndex {
  for (const r of record.results ?? []) {
    if (r.verdict === 'skipped' || r.verdict === 'build-error' || !(r.wallMs > 0)) continue;
    const sha = r.provenance?.imageSha256;
    if (sha) index.byImage.set(`${r.job.platform}\u0000${sha}`, r.wallMs);
    index.byJob.set(r.job.id.replace(/#\d+$/, ''), r.wallMs);
  }
  return index;
}

/** Pure: the expected ms of a job, undefined when no earlier run had it. */
export function expectedMs(index: DurationIndex, jobId: string, platform: string, sha?: string): number | undefined {
  return (sha !== undefined ? index.byImage.get(`${platform}\u0000${sha}`) : undefined) ?? index.byJob.get(jobId.replace(/#\d+$/, ''));
}

function readRecord(file: string): Pick<RunRecord, 'results'> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined; // a half-written or foreign file teaches nothing
  }
}

/** Durations from the newest run folders under `reportsRoot` (except `exclude`) and from `files`. */
export function loadDurations(reportsRoot: string | undefined, files: readonly string[] = [], exclude?: string): DurationIndex {
  const index = emptyDurations();
  if (reportsRoot && existsSync(reportsRoot)) {
    const runs = readdirSync(reportsRoot)
      .filter((d) => d !== 'latest')
      .map((d) => join(reportsRoot, d, 'run.json'))
      .filter((f) => f !== (exclude && join(exclude, 'run.json')) && existsSync(f))
      .map((f) => ({ f, t: statSync(f).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(0, RECENT_RUNS)
      .reverse();
    for (const { f } of runs) {
      const rec = readRecord(f);
      if (rec) addDurations(index, rec);
    }
  }
  for (const f of files) {
    const rec = readRecord(f);
    if (rec) addDurations(index, rec);
  }
  return index;
}

export interface Gathering {
  /** Jobs that will each arrive once: by asking for a slot, or by `arrived` when they never will. */
  jobs: number;
  /** The longest the first slot waits for the rest to arrive. */
  maxMs: number;
}

/**
 * p-limit with priorities: at most `slots` tasks at once; a freed slot goes to the waiting task
 * with the highest priority (expected duration), ties in arrival order. Unknown jobs (priority
 * Infinity) start first: they may be the long ones.
 */
export function priorityLimit(slots: number, gathering?: Gathering) {
  let running = 0;
  const waiting: Array<{ priority: number; seq: number; start: () => void }> = [];
  let seq = 0;
  // Jobs get ready one by one (an image hashed, a build done): a slot given to the first that is
  // ready would start a short job while a long one is a few milliseconds from ready. With known
  // durations the first slots wait until every job has arrived, or `maxMs`.
  const arrivedJobs = new Set<number>();
  let held = gathering !== undefined && gathering.jobs > 0;
  const release = () => {
    if (!held) return;
    held = false;
    clearTimeout(timer);
    for (let i = 0; i < slots; i++) next();
  };
  const timer = held ? setTimeout(release, gathering!.maxMs) : undefined;
  timer?.unref();
  const next = () => {
    if (held || running >= slots || waiting.length === 0) return;
    let best = 0;
    for (let i = 1; i < waiting.length; i++) {
      const w = waiting[i]!;
      const b = waiting[best]!;
      if (w.priority > b.priority || (w.priority === b.priority && w.seq < b.seq)) best = i;
    }
    const [task] = waiting.splice(best, 1);
    running++;
    task!.start();
  };
  const arrived = (job: number) => {
    arrivedJobs.add(job);
    if (held && arrivedJobs.size >= gathering!.jobs) queueMicrotask(release);
  };
  const run = function run<T>(priority: number, fn: () => Promise<T>, job?: number): Promise<T> {
    if (job !== undefined) arrived(job);
    return new Promise<T>((resolve, reject) => {
      waiting.push({
        priority,
        seq: seq++,
        start: () => {
          fn().then(resolve, reject).finally(() => {
            running--;
            next();
          });
        },
      });
      // Let every task that is ready in this turn queue up before the first slot is given out.
      queueMicrotask(next);
    });
  };
  return Object.assign(run, { arrived });
}
