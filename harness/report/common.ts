// What every renderer needs to agree on: which finding comes first, which cases a job really has,
// how UART text is made safe to print, and how a console log is cut into excerpts. Pure.
import type { CaseResult, CaseStatus, DiffClass, DiffEntry, Judgement, Outcome, RunRecord, RunResult, Verdict } from '../domain.js';
import { judge } from '../judge/judge.js';
import { CUT_SHORT, WORSE } from '../diff/differ.js';
import { forensicsHeadline } from '../forensics/render.js';
import { trimTrailingCr } from '../ztest/grammar.js';

// ---------------------------------------------------------------------------------------------
// Ordering: a regression in the candidate is always the first thing a reader meets.

/** Most urgent first. Worse-than-baseline classes lead, in the order people should act on them. */
export const CLASS_ORDER: readonly DiffClass[] = [
  'regression',
  'crash',
  'hang',
  'blocked',
  'missing',
  'flaky',
  'both-fail',
  'new',
  'known',
  'fix',
  'same',
];

/** For counts people read left to right: the good news first, like a test runner's tally. */
export const VERDICT_TALLY: readonly Verdict[] = [
  'passed',
  'failed',
  'crashed',
  'timeout',
  'build-error',
  'emulator-error',
  'skipped',
];

/** Worst first: for sorting jobs. */
export const VERDICT_ORDER: readonly Verdict[] = [
  'crashed',
  'timeout',
  'failed',
  'build-error',
  'emulator-error',
  'skipped',
  'passed',
];

const NOT_RANKED = 1000;

export function classRank(c: DiffClass | undefined): number {
  return c === undefined ? NOT_RANKED : CLASS_ORDER.indexOf(c);
}

export function verdictRank(v: Verdict): number {
  return VERDICT_ORDER.indexOf(v);
}

/** Most urgent class first; within a class, the differ's order (platform, suite, console). */
export function sortDiff(diff: readonly DiffEntry[]): DiffEntry[] {
  return stableSort(diff, (a, b) => classRank(a.class) - classRank(b.class));
}

export function stableSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => cmp(a.item, b.item) || a.i - b.i)
    .map((x) => x.item);
}

// ---------------------------------------------------------------------------------------------
// Jobs and their cases as reports show them.

export interface CaseView {
  case: CaseResult;
  /** `<ztest suite>.<test name>`, the differ's case key. */
  key: string;
  /** The diff entry in which this job is the candidate side, when there is one. */
  diff?: DiffEntry;
  /**
   * True for a case the job never reached: the run was cut short and the case is known only from
   * the other side of the comparison. The differ counts these as blocked, so reports list them too.
   */
  synthetic: boolean;
}

export interface JobView {
  result: RunResult;
  /** Worse-first: cases the candidate regressed lead, otherwise console order. */
  cases: CaseView[];
  /** The most urgent diff class among cases where this job is the candidate. */
  worst?: DiffClass;
}

export interface RunView {
  record: RunRecord;
  /** Jobs with candidate regressions first, then by how badly the job ended, then run order. */
  jobs: JobView[];
  /** Changed diff entries (not `same`), most urgent first. */
  changes: DiffEntry[];
  /** Jobs by platform, suite and variant, for finding a diff entry's candidate quickly. */
  byKey: Map<string, JobView[]>;
}

/** Verdicts after which unreached cases count as blocked; mirrors the differ. */

const GOOD: ReadonlySet<CaseStatus> = new Set(['pass', 'skip']);

export function isGood(s: CaseStatus): boolean {
  return GOOD.has(s);
}

export function isWorse(c: DiffClass): boolean {
  return WORSE.has(c);
}

function jobKey(platform: string, suite: string, variant: string): string {
  return `${platform}\u0000${suite}\u0000${variant}`;
}

/**
 * The variant a diff side names. Comparisons of two runs (`diffRuns`) suffix it with `@<runId>`;
 * the suffix is dropped so those records still find their jobs.
 */
function baseVariant(v: string): string {
  const at = v.indexOf('@');
  return at < 0 ? v : v.slice(0, at);
}

export function caseKey(c: Pick<CaseResult, 'suite' | 'name'>): string {
  return `${c.suite}.${c.name}`;
}

/** Splits a differ case key back into ztest suite and test name (suites are C identifiers). */
export function splitCaseKey(key: string): { suite: string; name: string } {
  const dot = key.indexOf('.');
  return dot < 0 ? { suite: '', name: key } : { suite: key.slice(0, dot), name: key.slice(dot + 1) };
}

export function buildView(record: RunRecord): RunView {
  const asCandidate = new Map<string, Map<string, DiffEntry>>();
  // Case names are only needed for jobs that were cut short; insertion-ordered sets keep the
  // differ's case order without a quadratic membership test.
  const cutShort = new Set(
    record.results.filter((r) => CUT_SHORT.has(r.verdict)).map((r) => jobKey(r.job.platform, r.job.suite, r.job.variant)),
  );
  const names = new Map<string, Set<string>>();
  const note = (k: string, name: string) => {
    if (!cutShort.has(k)) return;
    const set = names.get(k) ?? new Set<string>();
    set.add(name);
    names.set(k, set);
  };
  for (const d of record.diff) {
    const ck = jobKey(d.platform, d.suite, baseVariant(d.candidateVariant));
    const byCase = asCandidate.get(ck) ?? new Map<string, DiffEntry>();
    // A variant can be the candidate of several comparisons; the worst verdict on a case stands.
    const seen = byCase.get(d.case);
    if (!seen || classRank(d.class) < classRank(seen.class)) byCase.set(d.case, d);
    asCandidate.set(ck, byCase);
    note(ck, d.case);
    note(jobKey(d.platform, d.suite, baseVariant(d.baselineVariant)), d.case);
  }

  const jobs = record.results.map((result): JobView => {
    const k = jobKey(result.job.platform, result.job.suite, result.job.variant);
    const entries = asCandidate.get(k);
    const cases: CaseView[] = result.cases.map((c) => {
      const key = caseKey(c);
      const view: CaseView = { case: c, key, synthetic: false };
      const d = entries?.get(key);
      if (d) view.diff = d;
      return view;
    });
    if (CUT_SHORT.has(result.verdict)) {
      const present = new Set(cases.map((c) => c.key));
      for (const key of names.get(k) ?? []) {
        if (present.has(key)) continue;
        const c: CaseResult = { ...splitCaseKey(key), status: 'blocked' };
        const detail = result.reason ?? `not reached: job ${result.verdict}`;
        c.detail = detail;
        const view: CaseView = { case: c, key, synthetic: true };
        const d = entries?.get(key);
        if (d) view.diff = d;
        cases.push(view);
      }
    }
    const anyWorse = cases.some((c) => c.diff !== undefined && isWorse(c.diff.class));
    const ordered = anyWorse ? stableSort(cases, (a, b) => worseRank(a.diff?.class) - worseRank(b.diff?.class)) : cases;
    const view: JobView = { result, cases: ordered };
    const worst = ordered[0]?.diff?.class;
    if (worst !== undefined && isWorse(worst)) view.worst = worst;
    return view;
  });

  const orderedJobs = stableSort(
    jobs,
    (a, b) => worseRank(a.worst) - worseRank(b.worst) || verdictRank(a.result.verdict) - verdictRank(b.result.verdict),
  );
  const byKey = new Map<string, JobView[]>();
  for (const j of orderedJobs) {
    const k = jobKey(j.result.job.platform, j.result.job.suite, j.result.job.variant);
    byKey.set(k, [...(byKey.get(k) ?? []), j]);
  }
  return { record, jobs: orderedJobs, changes: sortDiff(record.diff.filter((d) => d.class !== 'same')), byKey };
}

/** Only worse classes pull a case or job forward; fixes and the like keep their place. */
function worseRank(c: DiffClass | undefined): number {
  return c !== undefined && isWorse(c) ? classRank(c) : NOT_RANKED;
}

/** The candidate results a diff entry speaks of (several when the job was repeated). */
export function candidateJobs(view: RunView, d: DiffEntry): JobView[] {
  return view.byKey.get(jobKey(d.platform, d.suite, baseVariant(d.candidateVariant))) ?? [];
}

/** Where in which console a diff entry's explanation was printed, for links into logs. */
export function locate(view: RunView, d: DiffEntry): { job: JobView; line?: number } | undefined {
  const jobs = candidateJobs(view, d);
  let fallback: { job: JobView; line?: number } | undefined;
  for (const job of jobs) {
    const c = job.cases.find((x) => x.key === d.case);
    if (!c) continue;
    const line = c.case.detailLine ?? c.case.line ?? (c.synthetic ? job.result.fatal?.lineNumber : undefined);
    const here = line === undefined ? { job } : { job, line };
    if (!isGood(c.case.status)) return here;
    fallback ??= here;
  }
  return fallback ?? (jobs[0] ? { job: jobs[0] } : undefined);
}

export function countStatuses(cases: readonly CaseView[]): Partial<Record<CaseStatus, number>> {
  const out: Partial<Record<CaseStatus, number>> = {};
  for (const c of cases) out[c.case.status] = (out[c.case.status] ?? 0) + 1;
  return out;
}

/** `platform/variant/suite`, plus `#n` for repeats: the same words the run's log lines use. */
export function jobLabel(r: RunResult): string {
  const j = r.job;
  return `${j.platform}/${j.variant}/${j.suite}${j.attempt > 1 ? `#${j.attempt}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The run's overall word.

export type Overall = Outcome;

/** The judge's outcome (harness/judge/): every report shows the word the exit code follows. */
export function overall(record: RunRecord): Overall {
  return judgementOf(record).outcome;
}

/** The record's judgement; a record from before the judge is judged now, the same way. */
export function judgementOf(record: RunRecord): Judgement {
  return record.judgement ?? judge(record);
}

export const OVERALL_GLYPH: Record<Overall, string> = {
  regressed: '❌',
  failed: '❌',
  incomplete: '⚠️',
  invalid: '⛔',
  interrupted: '⏸️',
  passed: '✅',
};

export const OVERALL_WORD: Record<Overall, string> = {
  regressed: 'REGRESSED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
  invalid: 'INVALID',
  interrupted: 'INTERRUPTED',
  passed: 'NO REGRESSIONS',
};

/** `INCOMPLETE · exit 3`; an accepted incomplete run says so. */
export function overallHeadline(record: RunRecord): string {
  const j = judgementOf(record);
  const word = j.outcome === 'passed' && record.comparisons.length === 0 ? 'PASSED' : OVERALL_WORD[j.outcome];
  return `${word}${j.incompleteAccepted ? ' (incomplete, accepted by --allow-incomplete)' : ''} · exit ${j.exitCode}`;
}

/** ` [attempts: candidate 1 pass · 2 crash, baseline 3 pass]` for a row whose repeated attempts disagree. */
export function attemptsText(d: DiffEntry): string {
  if (!d.attempts) return '';
  const side = (t: Partial<Record<CaseStatus, number>>) => formatCounts(t, CASE_ORDER) || 'none';
  return ` [attempts: candidate ${side(d.attempts.candidate)}, baseline ${side(d.attempts.baseline)}]`;
}

/** `3 regression · 1 crash`: counts in the given order, zeros left out. */
export function formatCounts<K extends string>(
  counts: Partial<Record<K, number>>,
  order: readonly K[],
  sep = ' · ',
): string {
  return order
    .filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => `${counts[k]} ${k}`)
    .join(sep);
}

/** One glyph per verdict, shared by the Markdown and HTML matrices. */
export const VERDICT_GLYPH: Record<Verdict, string> = {
  passed: '✅',
  failed: '❌',
  crashed: '💥',
  timeout: '⏱️',
  'build-error': '🔨',
  'emulator-error': '⚠️',
  skipped: '⏭️',
};

export const CASE_ORDER: readonly CaseStatus[] = ['pass', 'fail', 'crash', 'timeout', 'blocked', 'skip'];

// ---------------------------------------------------------------------------------------------
// Text from a UART: anything may arrive, including escape sequences and bytes no format allows.

const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// C0 except tab and newline, DEL, C1, the two XML-1.0 non-characters, and unpaired surrogates.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes console text safe for every output format: colour codes go, carriage returns go, and any
 * other control character becomes a visible `\xNN` so garbage is seen rather than interpreted.
 */
export function cleanText(s: string): string {
  return s
    .replace(ANSI, '')
    .replace(/\r/g, '')
    .replace(UNPRINTABLE, (c) => {
      const code = c.charCodeAt(0);
      if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
      return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
    });
}

/** One line, cleaned and cut to `max` characters. */
export function oneLine(s: string, max = 300): string {
  const flat = cleanText(s).replace(/[\t\n]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// ---------------------------------------------------------------------------------------------
// Console logs. Renderers are pure: the caller hands them the text (the writer reads the files).

/**
 * A console log as kept for reports. A huge log is kept as its head and its tail; each part knows
 * the console line number it starts at, so excerpts and anchors match the full log's numbering.
 */
export interface ConsoleLog {
  parts: Array<{ firstLine: number; text: string }>;
  /** Bytes of the log that were dropped between parts (0 when the log is whole). */
  omittedBytes: number;
}

/** Gives a job's console log, or nothing when there is none or it should not be shown. */
export type LogSource = (result: RunResult) => ConsoleLog | string | undefined;

export function toConsoleLog(log: ConsoleLog | string | undefined): ConsoleLog | undefined {
  if (log === undefined) return undefined;
  return typeof log === 'string' ? { parts: [{ firstLine: 1, text: log }], omittedBytes: 0 } : log;
}

export interface LogLine {
  n: number;
  text: string;
}

/** Lines as the parser numbered them: split on `\n`, trailing `\r` dropped, 1-based. */
export function logLines(log: ConsoleLog): Array<LogLine | { gap: number }> {
  const out: Array<LogLine | { gap: number }> = [];
  log.parts.forEach((part, i) => {
    if (i > 0) out.push({ gap: log.omittedBytes });
    const lines = part.text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    lines.forEach((text, k) => out.push({ n: part.firstLine + k, text: trimTrailingCr(text) }));
  });
  return out;
}

export interface Excerpt {
  firstLine: number;
  lines: string[];
}

/**
 * About twenty lines that explain a case: around its detail line (a fault dump precedes the fatal
 * line, so more context is taken before than after, but not before the case's START), or from its
 * START line when that is all we have (a hang prints nothing after it).
 */
export function excerpt(log: ConsoleLog, c: Pick<CaseResult, 'line' | 'detailLine'>, size = 20): Excerpt | undefined {
  const anchor = c.detailLine ?? c.line;
  if (anchor === undefined) return undefined;
  const before = Math.ceil(size * 0.6);
  // Lines before the case's own START belong to other cases and only distract.
  const from = c.detailLine !== undefined ? Math.max(anchor - before, c.line ?? 1) : anchor;
  const to = c.detailLine !== undefined ? anchor + (size - before) + 1 : from + size;
  const lines: string[] = [];
  let first: number | undefined;
  for (const part of log.parts) {
    const partLines = part.text.split('\n');
    const lo = Math.max(from, part.firstLine);
    const hi = Math.min(to, part.firstLine + partLines.length);
    for (let n = lo; n < hi; n++) {
      first ??= n;
      lines.push(trimTrailingCr(partLines[n - part.firstLine] ?? ''));
    }
  }
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return first === undefined || lines.length === 0 ? undefined : { firstLine: first, lines };
}

/** The excerpt as plain text, cleaned, each line prefixed by its console line number. */
export function excerptText(e: Excerpt): string {
  const width = String(e.firstLine + e.lines.length - 1).length;
  return e.lines.map((l, i) => `${String(e.firstLine + i).padStart(width)}| ${cleanText(l)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Numbers.

export function seconds(ms: number | undefined, digits = 3): string {
  return ((ms ?? 0) / 1000).toFixed(digits);
}

export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// Crash forensics, as every report names it.

/** `USAGE FAULT at k_sem_give+0x22 (src/kernel/sem_wasm.c:25): udf #0`, when the job has forensics. */
export function crashSite(r: RunResult): string | undefined {
  return r.forensics ? forensicsHeadline(r.forensics) : undefined;
}

/** The crash site behind a diff entry whose candidate crashed. */
export function entryCrashSite(view: RunView, d: DiffEntry): string | undefined {
  if (d.candidate !== 'crash') return undefined;
  for (const j of candidateJobs(view, d)) {
    const site = crashSite(j.result);
    if (site) return site;
  }
  return undefined;
}
