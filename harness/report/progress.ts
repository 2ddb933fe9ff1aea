// Live progress of a run. On a terminal: a small block redrawn in place, with failures printed
// above it as they happen. Elsewhere (CI, pipes): one plain line per finished job, which reads
// well in a log that nobody watches live. The block itself is a pure function of the state.
import type { CaseResult, CaseStatus, JobRef, RunResult, Verdict } from '../domain.js';
import { CASE_ORDER, VERDICT_ORDER, VERDICT_TALLY, crashSite, formatCounts, oneLine } from './common.js';
import { painter, type Painter } from './terminal.js';
import { unmodelledSummary } from './unmodelled.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  total: number;
  stream: ProgressStream;
  tty: boolean;
  /** Jobs run at once, for the ETA; taken from what is observed when absent. */
  concurrency?: number;
  color?: boolean;
  /** Clock, milliseconds; tests pass their own. */
  now?: () => number;
}

export interface Progress {
  jobStarted(job: JobRef): void;
  caseEnded(job: JobRef, c: CaseResult): void;
  jobEnded(result: RunResult): void;
  close(): void;
}

export interface RunningJob {
  job: JobRef;
  startedAt: number;
  cases: Partial<Record<CaseStatus, number>>;
}

export interface ProgressState {
  total: number;
  done: number;
  verdicts: Partial<Record<Verdict, number>>;
  running: Map<string, RunningJob>;
  /** Sum and count of finished jobs' wall times, for the mean. */
  finishedMs: number;
  finished: number;
  concurrency?: number;
  /** Most jobs seen running at once: the concurrency when none was given. */
  maxRunning: number;
}

export function initialState(total: number, concurrency?: number): ProgressState {
  const s: ProgressState = { total, done: 0, verdicts: {}, running: new Map(), finishedMs: 0, finished: 0, maxRunning: 0 };
  if (concurrency !== undefined) s.concurrency = concurrency;
  return s;
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  crashed: 'CRASH',
  timeout: 'TIMEOUT',
  'build-error': 'BUILD-ERROR',
  'emulator-error': 'EMULATOR-ERROR',
  skipped: 'SKIP',
};

const VERDICT_TONE: Record<Verdict, 'good' | 'bad' | 'warn'> = {
  passed: 'good',
  failed: 'bad',
  crashed: 'bad',
  timeout: 'bad',
  'build-error': 'bad',
  'emulator-error': 'bad',
  skipped: 'warn',
};

function label(job: JobRef): string {
  return `${job.platform}/${job.variant}/${job.suite}${job.attempt > 1 ? `#${job.attempt}` : ''}`;
}

function caseCounts(cases: readonly CaseResult[]): Partial<Record<CaseStatus, number>> {
  const out: Partial<Record<CaseStatus, number>> = {};
  for (const c of cases) out[c.status] = (out[c.status] ?? 0) + 1;
  return out;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Mean finished-job time × jobs left ÷ jobs at once; unknown until one job has finished. */
export function eta(state: ProgressState): number | undefined {
  if (state.finished === 0) return undefined;
  const mean = state.finishedMs / state.finished;
  const lanes = Math.max(1, state.concurrency ?? state.maxRunning);
  return (mean * Math.max(0, state.total - state.done)) / lanes;
}

/**
 * `[ 3/12] FAIL qemu_cortex_m3/wasm/mutex (1.2 s) 5 pass, 1 fail`, then a line per failing case
 * (the first few) so a CI log shows what broke without opening the report.
 */
export function jobLines(result: RunResult, done: number, total: number, paint: Painter = painter(false)): string[] {
  const w = String(total).length;
  const counts = formatCounts(caseCounts(result.cases), CASE_ORDER, ', ');
  // A resolved crash says where it happened; the fatal line is on the case line below.
  const site = crashSite(result);
  const why = site ? `${site}${result.fatal?.thread ? ` in ${result.fatal.thread}` : ''}` : result.reason;
  const fidelity = result.verdict === 'passed' && result.unmodelled?.length ? ` — ${oneLine(unmodelledSummary(result), 200)}` : '';
  const reason = result.verdict !== 'passed' && why ? ` — ${oneLine(why, 200)}` : fidelity;
  const head = `[${String(done).padStart(w)}/${total}] ${paint(VERDICT_TONE[result.verdict], VERDICT_LABEL[result.verdict])} ${label(result.job)} (${(result.wallMs / 1000).toFixed(1)} s)${counts ? ` ${counts}` : ''}${reason}`;
  const bad = result.cases.filter((c) => c.status === 'fail' || c.status === 'crash' || c.status === 'timeout');
  const pad = ' '.repeat(w * 2 + 4);
  const lines = [head];
  for (const c of bad.slice(0, 5)) {
    lines.push(`${pad}${c.status} ${c.suite}.${c.name}${c.detail ? `: ${oneLine(c.detail, 200)}` : ''}`);
  }
  if (bad.length > 5) lines.push(`${pad}… and ${bad.length - 5} more`);
  return lines;
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function cut(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s;
}

const MAX_RUNNING_LINES = 6;

/** The redrawn block: progress line, then the running jobs with their elapsed time. */
export function renderProgressBlock(
  state: ProgressState,
  now: number,
  opts: { width?: number; color?: boolean } = {},
): string[] {
  const width = Math.max(20, (opts.width ?? 80) - 1);
  const paint = painter(opts.color ?? false);
  const w = String(state.total).length;
  const pct = state.total > 0 ? Math.floor((state.done / state.total) * 100) : 100;
  const left = eta(state);
  const verdicts = formatCounts(state.verdicts, VERDICT_TALLY);
  const head = `[${String(state.done).padStart(w)}/${state.total}] ${bar(state.done, state.total, 20)} ${String(pct).padStart(3)}%  ${verdicts}${left === undefined ? '' : `  ETA ${formatDuration(left)}`}`.trimEnd();
  const failed = state.total === 0 ? 0 : VERDICT_ORDER.filter((v) => v !== 'passed' && v !== 'skipped').reduce((n, v) => n + (state.verdicts[v] ?? 0), 0);
  const lines = [failed > 0 ? paint('bad', cut(head, width)) : cut(head, width)];
  const running = [...state.running.values()].sort((a, b) => a.startedAt - b.startedAt);
  for (const r of running.slice(0, MAX_RUNNING_LINES)) {
    const elapsed = `${Math.max(0, Math.floor((now - r.startedAt) / 1000))} s`;
    const counts = formatCounts(r.cases, CASE_ORDER, ', ');
    lines.push(paint('dim', cut(`  ▸ ${label(r.job)}  ${elapsed}${counts ? `  ${counts}` : ''}`, width)));
  }
  if (running.length > MAX_RUNNING_LINES) lines.push(paint('dim', `  … and ${running.length - MAX_RUNNING_LINES} more running`));
  return lines;
}

/** Records a finished job. Skipped jobs take no time, so they stay out of the mean. */
export function finish(state: ProgressState, result: RunResult): void {
  state.running.delete(result.job.id);
  state.done++;
  state.verdicts[result.verdict] = (state.verdicts[result.verdict] ?? 0) + 1;
  if (result.verdict !== 'skipped') {
    state.finishedMs += Math.max(0, result.wallMs);
    state.finished++;
  }
}

/** Redraws at most this often; a live run can end many cases per second. */
const MIN_REDRAW_MS = 100;
/** Elapsed seconds tick even when nothing happens. */
const TICK_MS = 1000;

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? (() => Date.now());
  const state = initialState(opts.total, opts.concurrency);
  const paint = painter(opts.color ?? false);
  const out = opts.stream;
  let closed = false;

  if (!opts.tty) {
    return {
      jobStarted(job) {
        state.running.set(job.id, { job, startedAt: now(), cases: {} });
      },
      caseEnded() {},
      jobEnded(result) {
        finish(state, result);
        if (!closed) out.write(`${jobLines(result, state.done, state.total, paint).join('\n')}\n`);
      },
      close() {
        closed = true;
      },
    };
  }

  let drawn = 0;
  let lastDraw = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const ticker = setInterval(() => schedule(), TICK_MS);
  ticker.unref?.();

  const clear = () => (drawn > 0 ? `\r\u001b[${drawn}A\u001b[J` : '');
  function draw(): void {
    pending = undefined;
    if (closed) return;
    lastDraw = now();
    const lines = renderProgressBlock(state, lastDraw, { width: out.columns ?? 80, color: opts.color ?? false });
    out.write(`${clear()}${lines.join('\n')}\n`);
    drawn = lines.length;
  }
  function schedule(): void {
    if (closed || pending) return;
    const wait = MIN_REDRAW_MS - (now() - lastDraw);
    if (wait <= 0) return draw();
    pending = setTimeout(draw, wait);
    pending.unref?.();
  }
  /** Text printed above the block stays in the scrollback; the block is redrawn under it. */
  function above(lines: string[]): void {
    if (closed) return;
    out.write(`${clear()}${lines.join('\n')}\n`);
    drawn = 0;
    schedule();
  }

  return {
    jobStarted(job) {
      state.running.set(job.id, { job, startedAt: now(), cases: {} });
      state.maxRunning = Math.max(state.maxRunning, state.running.size);
      schedule();
    },
    caseEnded(job, c) {
      const r = state.running.get(job.id);
      if (r) r.cases[c.status] = (r.cases[c.status] ?? 0) + 1;
      if (c.status === 'fail' || c.status === 'crash' || c.status === 'timeout') {
        const detail = c.detail ? `: ${oneLine(c.detail, 200)}` : '';
        above([`${paint('bad', c.status.toUpperCase())} ${label(job)} ${c.suite}.${c.name}${detail}`]);
      } else {
        schedule();
      }
    },
    jobEnded(result) {
      finish(state, result);
      if (result.verdict !== 'passed') above([jobLines(result, state.done, state.total, paint)[0]!]);
      else schedule();
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      if (pending) clearTimeout(pending);
      pending = undefined;
      out.write(clear());
      drawn = 0;
    },
  };
}
