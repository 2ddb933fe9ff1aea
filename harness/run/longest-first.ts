// Longest first: what earlier runs say each job takes, and a pool that starts the longest waiting
// job the moment a slot frees. A run's wall time is bounded below by its longest job; starting it
// last (a 30 s schedule_api behind twenty short suites) wastes the other slots' time.
import { readFileSync, readdirSync, statSync } from 'node:fs';
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Pure: why a parsed run.json cannot give durations (undefined when it can). Other runs' records
 * are edited, copied and half-written by people and tools; only what addDurations reads is checked.
 */
export function durationsProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  const results = value['results'];
  if (!Array.isArray(results)) return `'results' is ${results === undefined ? 'missing' : `not a list (${JSON.stringify(results)?.slice(0, 40)})`}`;
  for (let i = 0; i < results.length; i++) {
    const r: unknown = results[i];
    const at = `results[${i}]`;
    if (!isObject(r)) return `${at} is not an object`;
    const job = r['job'];
    if (!isObject(job)) return `${at}.job is ${JSON.stringify(job) ?? 'missing'}`;
    for (const k of ['id', 'platform']) if (typeof job[k] !== 'string') return `${at}.job.${k} is not a string`;
    if (typeof r['verdict'] !== 'string') return `${at}.verdict is not a string`;
    if (typeof r['wallMs'] !== 'number') return `${at}.wallMs is not a number`;
    const p = r['provenance'];
    if (p !== undefined && !isObject(p)) return `${at}.provenance is not an object`;
    if (isObject(p) && p['imageSha256'] !== undefined && typeof p['imageSha256'] !== 'string') return `${at}.provenance.imageSha256 is not a string`;
  }
  return undefined;
}

/** Says why a record was skipped: it only orders jobs, so a bad one never stops a run. */
export type DurationsWarning = (file: string, problem: string) => void;

function readRecord(file: string, warn: DurationsWarning): Pick<RunRecord, 'results'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    warn(file, err instanceof SyntaxError ? `not JSON (${err.message})` : code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (err as Error).message})`);
    return undefined;
  }
  const problem = durationsProblem(value);
  if (problem) {
    warn(file, problem);
    return undefined;
  }
  return value as Pick<RunRecord, 'results'>;
}

/** run.json of each earlier run folder under `reportsRoot`, newest first; none when it cannot be listed. */
function recentRecords(reportsRoot: string, exclude: string | undefined): string[] {
  let names: string[];
  try {
    names = readdirSync(reportsRoot);
  } catch {
    return [];
  }
  const runs: Array<{ f: string; t: number }> = [];
  for (const d of names) {
    const f = join(reportsRoot, d, 'run.json');
    if (d === 'latest' || f === (exclude && join(exclude, 'run.json'))) continue;
    try {
      runs.push({ f, t: statSync(f).mtimeMs });
    } catch {
      // no record in that folder (yet): not a finished run
    }
  }
  return runs.sort((a, b) => b.t - a.t).slice(0, RECENT_RUNS).map((r) => r.f);
}

/** Durations from the newest run folders under `reportsRoot` (except `exclude`) and from `files`. */
export function loadDurations(reportsRoot: string | undefined, files: readonly string[] = [], exclude?: string, warn: DurationsWarning = () => undefined): DurationIndex {
  const index = emptyDurations();
  // Oldest first: a later run's time wins.
  const earlier = reportsRoot ? recentRecords(reportsRoot, exclude).reverse() : [];
  for (const f of [...earlier, ...files]) {
    const rec = readRecord(f, warn);
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
        // The slot is handed on before the task's own caller resumes: the next task starts in
        // this same turn, not after whatever the finished one's caller does next.
        start: () => {
          const handOn = () => {
            running--;
            next();
          };
          fn().then(
            (value) => {
              handOn();
              resolve(value);
            },
            (err: unknown) => {
              handOn();
              reject(err);
            },
          );
        },
      });
      // Let every task that is ready in this turn queue up before the first slot is given out.
      queueMicrotask(next);
    });
  };
  return Object.assign(run, { arrived });
}
