// junit.xml for CI test views (Jenkins, GitLab, GitHub test reporters). One <testsuite> per job,
// one <testcase> per ztest case. Pure.
import type { RunRecord, RunResult } from '../domain.js';
import { ASSERTION } from '../ztest/grammar.js';
import { forensicsLines } from '../forensics/render.js';
import {
  crashSite,
  buildView,
  cleanText,
  excerpt,
  excerptText,
  oneLine,
  seconds,
  toConsoleLog,
  type CaseView,
  type ConsoleLog,
  type JobView,
  type LogSource,
} from './common.js';
import { accessText } from './unmodelled.js';
import { platformJunitSuite } from './platforms.js';
import { footprintProperties } from './footprint.js';
import { recordProperties } from './records.js';
import { costProperties } from './cost.js';

export interface JunitOptions {
  logs?: LogSource;
}

/** Text content: markup characters escaped, and nothing XML 1.0 forbids (UART garbage included). */
export function xmlText(s: string): string {
  return cleanText(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value: as text, plus quotes, and whitespace kept as references so parsers keep it. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** `platform.variant.suite` (`#n` for repeats): what CI views group cases by. */
export function junitClassname(r: RunResult): string {
  const j = r.job;
  return `${j.platform}.${j.variant}.${j.suite}${j.attempt > 1 ? `#${j.attempt}` : ''}`;
}

/** Name of the stand-in case that carries a job-level outcome no ztest case explains. */
export const JOB_CASE_NAME = '(job)';

type Outcome =
  | { kind: 'pass' }
  | { kind: 'failure' | 'error' | 'skipped'; message: string; type: string; body?: string };

interface Row {
  name: string;
  time: string;
  outcome: Outcome;
}

function diffNote(c: CaseView): string | undefined {
  const d = c.diff;
  if (!d || d.class === 'same') return undefined;
  const from = d.baseline === undefined ? 'absent' : d.baseline;
  const to = d.candidate === undefined ? 'absent' : d.candidate;
  return `${d.class}: ${from} on ${d.baselineVariant} -> ${to} on ${d.candidateVariant}`;
}

/** The resolved fault (function, line, instruction) ahead of the console excerpt. */
function forensicsBlock(r: RunResult): string | undefined {
  return r.forensics ? forensicsLines(r.forensics).map(cleanText).join('\n') : undefined;
}

function bodyFor(c: CaseView, log: ConsoleLog | undefined, r: RunResult): string | undefined {
  const parts: string[] = [];
  const note = diffNote(c);
  if (note) parts.push(note);
  const resolved = c.case.status === 'crash' ? forensicsBlock(r) : undefined;
  if (resolved) parts.push(resolved);
  const e = log ? excerpt(log, c.case) : undefined;
  if (e) parts.push(excerptText(e));
  else if (c.case.detail) parts.push(cleanText(c.case.detail));
  return parts.length ? parts.join('\n\n') : undefined;
}

function caseOutcome(c: CaseView, log: ConsoleLog | undefined, r: RunResult): Outcome {
  const detail = c.case.detail === undefined ? undefined : oneLine(c.case.detail, 1000);
  const body = bodyFor(c, log, r);
  const site = crashSite(r);
  const withBody = <T extends Outcome>(o: T): T => (body === undefined ? o : { ...o, body });
  // A known difference is listed, not gating: CI test-report actions fail a check on failures.
  if (c.diff?.class === 'known' && c.diff.known) {
    return withBody({ kind: 'skipped', message: `known difference (${c.diff.known.source}): ${oneLine(c.diff.known.reason, 500)}${detail ? ` — ${detail}` : ''}`, type: 'known' });
  }
  switch (c.case.status) {
    case 'pass':
      return { kind: 'pass' };
    case 'fail':
      return withBody({
        kind: 'failure',
        message: detail ?? 'test failed',
        type: detail !== undefined && ASSERTION.test(c.case.detail!) ? 'assertion' : 'fail',
      });
    case 'crash':
      return withBody({ kind: 'error', message: site ? oneLine(site, 1000) : (detail ?? 'crashed'), type: 'crash' });
    case 'timeout':
      return withBody({ kind: 'error', message: `Timeout${detail ? `: ${detail}` : ''}`, type: 'timeout' });
    case 'skip':
      return withBody({ kind: 'skipped', message: detail ?? 'skipped by the test', type: 'skip' });
    case 'blocked':
      return withBody({ kind: 'skipped', message: `blocked: not reached${detail ? ` (${detail})` : ''}`, type: 'blocked' });
  }
}

/**
 * A job that failed without a ztest case to blame (a boot crash, a build error, a framework error)
 * or that never ran (emulator missing) still needs one row, or CI would show it as green or empty.
 */
function jobRow(job: JobView, log: ConsoleLog | undefined): Row | undefined {
  const r = job.result;
  // Blocked cases are reported as skipped, so they cannot carry the job's failure.
  const blamed = job.cases.some((c) => c.case.status === 'fail' || c.case.status === 'crash' || c.case.status === 'timeout');
  const reason = oneLine(crashSite(r) ?? r.reason ?? r.verdict, 1000);
  const around = r.fatal && log ? excerpt(log, { detailLine: r.fatal.lineNumber }) : undefined;
  const text = around ? excerptText(around) : r.reason === undefined ? undefined : cleanText(r.reason);
  const resolved = forensicsBlock(r);
  const body = resolved && text ? `${resolved}\n\n${text}` : (resolved ?? text);
  let outcome: Outcome | undefined;
  switch (r.verdict) {
    case 'passed':
      return undefined;
    case 'skipped':
      if (job.cases.length > 0) return undefined;
      outcome = { kind: 'skipped', message: reason, type: 'skipped' };
      break;
    case 'failed':
      if (blamed) return undefined;
      outcome = { kind: 'failure', message: reason, type: 'failed' };
      break;
    default:
      if (blamed) return undefined;
      outcome = { kind: 'error', message: reason, type: r.verdict };
  }
  return { name: JOB_CASE_NAME, time: seconds(r.wallMs), outcome: body === undefined ? outcome : { ...outcome, body } };
}

function renderRow(row: Row, classname: string): string {
  const open = `    <testcase name="${xmlAttr(row.name)}" classname="${xmlAttr(classname)}" time="${row.time}"`;
  const o = row.outcome;
  if (o.kind === 'pass') return `${open}/>`;
  const attrs = `message="${xmlAttr(o.message)}" type="${xmlAttr(o.type)}"`;
  const child = o.body === undefined ? `<${o.kind} ${attrs}/>` : `<${o.kind} ${attrs}>${xmlText(o.body)}</${o.kind}>`;
  return `${open}>\n      ${child}\n    </testcase>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countRows(rows: readonly Row[]): Counts {
  const k = (kind: Outcome['kind']) => rows.filter((r) => r.outcome.kind === kind).length;
  return { tests: rows.length, failures: k('failure'), errors: k('error'), skipped: k('skipped') };
}

function counts(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;
}

function properties(r: RunResult, measured: Array<[string, string | number | undefined]>): string {
  const props: Array<[string, string | number | undefined]> = [
    ['verdict', r.verdict],
    ['reason', r.reason],
    ['emulator', r.job.emulator],
    ['attempt', r.job.attempt],
    ['zephyr_version', r.provenance.zephyrVersion],
    ['image_sha256', r.provenance.imageSha256],
    ['virtual_ms', r.virtualMs],
    ['log', r.log],
    ['unmodelled', r.unmodelled?.length ? r.unmodelled.map((a) => accessText(a, r.job.platform)).join('; ') : undefined],
    ...measured,
  ];
  return props
    .filter((p): p is [string, string | number] => p[1] !== undefined)
    .map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(String(value))}"/>`)
    .join('\n');
}

function isTimestamp(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(s);
}

export function renderJunit(record: RunRecord, opts: JunitOptions = {}): string {
  const view = buildView(record);
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const suites = view.jobs.map((job, i) => {
    const r = job.result;
    const log = opts.logs && r.verdict !== 'passed' ? toConsoleLog(opts.logs(r)) : undefined;
    const rows: Row[] = job.cases.map((c) => ({
      name: `${c.case.suite}.${c.case.name}`,
      time: seconds(c.case.durationMs),
      outcome: caseOutcome(c, log, r),
    }));
    const extra = jobRow(job, log);
    // The job-level row explains everything after it, so it goes after the cases it did not blame.
    if (extra) rows.push(extra);
    const c = countRows(rows);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
    const classname = junitClassname(r);
    const stamp = isTimestamp(r.startedAt) ? ` timestamp="${xmlAttr(r.startedAt)}"` : '';
    return [
      `  <testsuite name="${xmlAttr(classname)}" id="${i}" ${counts(c)} time="${seconds(r.wallMs)}"${stamp} hostname="${xmlAttr(record.host.hostname)}">`,
      `    <properties>\n${properties(r, [...footprintProperties(record, r), ...recordProperties(record, r), ...costProperties(record, r)])}\n    </properties>`,
      ...rows.map((row) => renderRow(row, classname)),
      '  </testsuite>',
    ].join('\n');
  });
  // The same suite and variant on several platforms: the disagreements as a suite of their own.
  const across = platformJunitSuite(record, xmlAttr);
  if (across) {
    suites.push(across.xml);
    total.tests += across.tests;
    total.skipped += across.skipped;
  }
  const stamp = isTimestamp(record.startedAt) ? ` timestamp="${xmlAttr(record.startedAt)}"` : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`tandem ${record.scenario.name} ${record.runId}`)}" ${counts(total)} time="${seconds(record.wallMs)}"${stamp}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
