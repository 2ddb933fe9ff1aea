// TAP version 14: one subtest per job, one test point per ztest case. The streaming pieces
// (header, one job's block, footer) let `--tap` print each job as it ends; `renderTap` joins them
// for a finished run, worse-first. Pure.
import { stringify } from 'yaml';
import { forensicsHeadline, forensicsLines } from '../forensics/render.js';
import { reasonLines, reasonText } from './judgement.js';
import type { RunRecord, RunResult, Verdict } from '../domain.js';
import {
  CLASS_ORDER,
  attemptsText,
  judgementOf,
  overallHeadline,
  VERDICT_TALLY,
  buildView,
  caseKey,
  formatCounts,
  isWorse,
  jobLabel,
  oneLine,
  type CaseView,
  type JobView,
} from './common.js';
import { accessText } from './unmodelled.js';
import { footprintTerminalLines } from './footprint.js';
import { recordTerminalLines } from './records.js';
import { costTapComments } from './cost.js';

const NOT_OK_VERDICTS: ReadonlySet<Verdict> = new Set(['failed', 'crashed', 'timeout', 'build-error', 'emulator-error']);

/** `#` starts a directive and `\` escapes in a TAP description; both are escaped. */
export function tapDescription(s: string): string {
  return oneLine(s, 200).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function yamlBlock(data: Record<string, unknown>, indent: string): string {
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
  const body = stringify(clean, { lineWidth: 0 }).trimEnd();
  return [`${indent}  ---`, ...body.split('\n').map((l) => `${indent}  ${l}`), `${indent}  ...`].join('\n');
}

function casePoint(c: CaseView, n: number, r: RunResult): string {
  const s = c.case.status;
  const desc = tapDescription(`${c.case.suite}.${c.case.name}`);
  const time = c.case.durationMs === undefined ? '' : ` # time=${c.case.durationMs}ms`;
  if (s === 'pass') return `    ok ${n} - ${desc}${time}`;
  if (s === 'skip') return `    ok ${n} - ${desc} # SKIP ${tapDescription(c.case.detail ?? 'skipped by the test')}`;
  const d = c.diff;
  const diag: Record<string, unknown> = {
    status: s,
    detail: c.case.detail === undefined ? undefined : oneLine(c.case.detail, 1000),
    line: c.case.detailLine ?? c.case.line,
    duration_ms: c.case.durationMs,
  };
  if (d && d.class !== 'same') {
    diag['diff'] = d.class;
    diag['baseline'] = `${d.baselineVariant}: ${d.baseline ?? 'absent'}`;
  }
  if (c.synthetic) diag['note'] = 'never reached: the run was cut short before this case';
  if (s === 'crash' && r.forensics) Object.assign(diag, forensicsDiag(r));
  return `    not ok ${n} - ${desc}\n${yamlBlock(diag, '    ')}`;
}

/** The resolved crash for TAP's YAML diagnostics: a headline and the full view line by line. */
function forensicsDiag(r: RunResult): Record<string, unknown> {
  const f = r.forensics!;
  return { crash_site: oneLine(forensicsHeadline(f), 1000), forensics: forensicsLines(f).map((l) => oneLine(l, 1000)) };
}

function jobPoint(r: RunResult, index: number): string {
  const desc = tapDescription(jobLabel(r));
  if (r.verdict === 'skipped') return `ok ${index} - ${desc} # SKIP ${tapDescription(r.reason ?? 'skipped')}`;
  const unmodelled = r.unmodelled?.length ? r.unmodelled.map((a) => accessText(a, r.job.platform)) : undefined;
  // A passing job that touched a missing peripheral keeps its `ok`, with the warning beside it.
  if (!NOT_OK_VERDICTS.has(r.verdict)) return unmodelled ? `ok ${index} - ${desc}\n${yamlBlock({ unmodelled }, '')}` : `ok ${index} - ${desc}`;
  const diag: Record<string, unknown> = {
    verdict: r.verdict,
    reason: r.reason === undefined ? undefined : oneLine(r.reason, 1000),
    fatal: r.fatal ? oneLine(r.fatal.line, 1000) : undefined,
    fault: r.fatal?.fault,
    pc: r.fatal?.pc,
    ...(r.forensics ? forensicsDiag(r) : {}),
    wall_ms: r.wallMs,
    log: r.log,
    unmodelled,
  };
  return `not ok ${index} - ${desc}\n${yamlBlock(diag, '')}`;
}

/** `TAP version 14`, with the plan when the number of jobs is known up front. */
export function tapHeader(plannedJobs?: number): string {
  return `TAP version 14\n${plannedJobs === undefined ? '' : `1..${plannedJobs}\n`}`;
}

/**
 * One job as a subtest block: `# Subtest`, its cases indented four spaces, then the job's own
 * test point (`index` is 1-based). A finished job's block never changes, so it can stream.
 */
export function renderTapJob(job: RunResult | JobView, index: number): string {
  // A job streamed as it ends has no diff yet: its cases go out in console order.
  const view: JobView =
    'result' in job ? job : { result: job, cases: job.cases.map((c) => ({ case: c, key: caseKey(c), synthetic: false })) };
  const r = view.result;
  const lines = [`# Subtest: ${oneLine(jobLabel(r), 200)}`];
  lines.push(`    1..${view.cases.length}`);
  view.cases.forEach((c, i) => lines.push(casePoint(c, i + 1, r)));
  lines.push(jobPoint(r, index));
  return `${lines.join('\n')}\n`;
}

/** Closing plan (when the header had none) and a one-line summary comment. */
export function tapFooter(jobCount: number, opts: { planned?: boolean; summary?: string } = {}): string {
  const plan = opts.planned ? '' : `1..${jobCount}\n`;
  return `${plan}${opts.summary ? `# ${oneLine(opts.summary, 500)}\n` : ''}`;
}

export function renderTap(record: RunRecord): string {
  const view = buildView(record);
  const worse = view.changes.filter((d) => isWorse(d.class));
  // Comments before the first subtest: a reader of raw TAP sees what got worse before anything else.
  const head = worse
    .slice(0, 20)
    .map((d) => `# ${d.class}: ${oneLine(`${d.platform} ${d.suite} ${d.case} ${d.baseline ?? 'absent'} -> ${d.candidate ?? 'absent'}${attemptsText(d)}${d.detail ? ` (${d.detail})` : ''}`, 400)}`);
  if (worse.length > 20) head.push(`# ... and ${worse.length - 20} more`);
  // Cross-platform disagreements are findings too, though they do not fail the run by default.
  for (const p of (record.platforms ?? []).filter((x) => x.class === 'disagree').slice(0, 20)) {
    head.push(`# platforms disagree: ${oneLine(`${p.variant} ${p.suite} ${p.case} ${Object.entries(p.statuses).map(([k, v]) => `${k}=${v}`).join(' ')}`, 400)}`);
  }
  for (const line of [...(footprintTerminalLines(record) ?? []), ...(recordTerminalLines(record) ?? [])]) head.push(`# ${oneLine(line.trim(), 400)}`);
  head.push(...costTapComments(record));
  for (const line of reasonLines(judgementOf(record), { items: 5, skipWorse: true })) head.push(`# ${line.group === 'incomplete' ? 'not compared' : line.group}: ${oneLine(reasonText(line), 400)}`);
  const s = record.summary;
  const summary = `tandem ${overallHeadline(record)}: ${s.jobs} jobs (${formatCounts(s.verdicts, VERDICT_TALLY, ', ')}); cases ${formatCounts(s.diff, CLASS_ORDER, ', ') || 'not compared'}`;
  return [
    tapHeader(view.jobs.length),
    head.length ? `${head.join('\n')}\n` : '',
    ...view.jobs.map((j, i) => renderTapJob(j, i + 1)),
    tapFooter(view.jobs.length, { planned: true, summary }),
  ].join('');
}
