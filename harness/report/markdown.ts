// summary.md for a GitHub job summary or a PR comment: the verdict, then what got worse, then the
// matrix. GitHub refuses comments over 65,536 characters, so the output is fitted under a byte
// budget by showing fewer rows per table; cutting at a line is the last resort. Pure.
import { platformMarkdown } from './platforms.js';
import { durationMarkdown } from './durations.js';
import { footprintMarkdown } from './footprint.js';
import { recordMarkdown } from './records.js';
import { costMarkdown } from './cost.js';
import { GROUP_TITLE, reasonLines, reasonText } from './judgement.js';
import type { DiffClass, DiffEntry, RunRecord, RunResult } from '../domain.js';
import { knownMarkdown } from './known-section.js';
import { forensicsLines } from '../forensics/render.js';
import {
  CASE_ORDER,
  CLASS_ORDER,
  OVERALL_GLYPH,
  attemptsText,
  judgementOf,
  overallHeadline,
  VERDICT_TALLY,
  buildView,
  cleanText,
  countStatuses,
  entryCrashSite,
  formatCounts,
  jobLabel,
  oneLine,
  overall,
  stableSort,
  utf8Bytes,
  verdictRank,
  VERDICT_GLYPH,
  type JobView,
  type RunView,
} from './common.js';
import { accessText } from './unmodelled.js';

export interface MarkdownOptions {
  /** Upper bound of the output in UTF-8 bytes. */
  maxBytes?: number;
}

/** Leaves a margin under GitHub's 65,536-character comment limit. */
export const MARKDOWN_MAX_BYTES = 60_000;

/**
 * Text from a UART or a scenario, made inert in Markdown: no table breaks, no code spans, no
 * emphasis or links, no raw HTML, no @-mentions; one line.
 */
export function mdEscape(s: string, max = 300): string {
  // Backslash escapes first: the entities added after them contain `#`, which must stay bare.
  return oneLine(s, max)
    .replace(/[\\`*_[\]~|#!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

interface Limits {
  /** Rows per findings table. */
  rows: number;
  /** Suites per platform in the matrix, and platforms shown. */
  matrixRows: number;
  platforms: number;
  detail: number;
}

const STEPS: readonly Limits[] = [
  { rows: 50, matrixRows: 100, platforms: 20, detail: 200 },
  { rows: 25, matrixRows: 50, platforms: 10, detail: 160 },
  { rows: 10, matrixRows: 25, platforms: 8, detail: 120 },
  { rows: 5, matrixRows: 10, platforms: 5, detail: 80 },
  { rows: 3, matrixRows: 5, platforms: 3, detail: 60 },
  { rows: 1, matrixRows: 0, platforms: 0, detail: 40 },
];

const SECTIONS: ReadonlyArray<{ cls: DiffClass; title: string }> = [
  { cls: 'regression', title: 'Regressions' },
  { cls: 'crash', title: 'Crashes' },
  { cls: 'hang', title: 'Hangs' },
  { cls: 'blocked', title: 'Blocked' },
  { cls: 'missing', title: 'Missing' },
  { cls: 'flaky', title: 'Flaky' },
];

function more(n: number, what: string): string {
  return `\n… and ${n} more ${what}\n`;
}

function verdictLine(record: RunRecord): string {
  const o = overall(record);
  const s = record.summary;
  const diff = formatCounts(s.diff, CLASS_ORDER.filter((c) => c !== 'same'), ', ');
  const jobs = formatCounts(s.verdicts, VERDICT_TALLY, ', ');
  const parts = [`${OVERALL_GLYPH[o]} **${overallHeadline(record)}**`, diff || 'no changes', `${s.jobs} jobs (${jobs || 'none'})`];
  if (record.interrupted) parts.push('**interrupted**');
  return parts.join(' — ');
}

/** The judge's reasons: why the exit code is what it is, worse rows aside (they have their sections). */
function reasonsSection(record: RunRecord, limits: Limits): string | undefined {
  const lines = reasonLines(judgementOf(record), { items: Math.max(3, Math.ceil(limits.rows / 4)), skipWorse: true });
  if (lines.length === 0) return undefined;
  return lines.map((l) => `- **${GROUP_TITLE[l.group]}**: ${mdEscape(reasonText(l), limits.detail * 2)}`).join('\n');
}

function runLine(record: RunRecord): string {
  const cmp = record.comparisons.map((c) => `${mdEscape(c.candidate)} vs ${mdEscape(c.baseline)}`).join(', ');
  const cases = formatCounts(record.summary.cases, CASE_ORDER, ', ');
  return `Scenario **${mdEscape(record.scenario.name)}** · run ${mdEscape(record.runId)} · ${cmp || 'no comparisons'} · cases: ${cases || 'none'} · ${(record.wallMs / 1000).toFixed(1)} s`;
}

function status(s: string | undefined): string {
  return s ?? '—';
}

function findingsTable(view: RunView, entries: readonly DiffEntry[], limits: Limits): string {
  const rows = entries.slice(0, limits.rows).map((d) => {
    const change = `${mdEscape(d.baselineVariant)}: ${status(d.baseline)} → ${mdEscape(d.candidateVariant)}: ${status(d.candidate)}${mdEscape(attemptsText(d))}`;
    const detail = entryCrashSite(view, d) ?? d.detail;
    return `| ${mdEscape(d.platform)} | ${mdEscape(d.suite)} | ${mdEscape(d.case)} | ${change} | ${detail ? mdEscape(detail, limits.detail) : ''} |`;
  });
  const table = ['| platform | suite | case | baseline → candidate | detail |', '|---|---|---|---|---|', ...rows].join('\n');
  return `${table}\n${entries.length > rows.length ? more(entries.length - rows.length, 'cases') : ''}`;
}

function findings(view: RunView, limits: Limits): string[] {
  const out: string[] = [];
  for (const { cls, title } of SECTIONS) {
    const entries = view.changes.filter((d) => d.class === cls);
    if (entries.length === 0) continue;
    out.push(`### ${title} (${entries.length})\n\n${findingsTable(view, entries, limits)}`);
  }
  return out;
}

/** Jobs whose verdict says they did not test anything, with why: these hide gaps in coverage. */
function notRun(view: RunView, limits: Limits): string | undefined {
  const jobs = view.jobs.filter((j) => ['skipped', 'build-error', 'emulator-error'].includes(j.result.verdict));
  if (jobs.length === 0) return undefined;
  const rows = jobs.slice(0, limits.rows).map((j) => {
    const r = j.result;
    return `| ${VERDICT_GLYPH[r.verdict]} ${r.verdict} | ${mdEscape(jobLabel(r))} | ${mdEscape(r.reason ?? '', limits.detail)} |`;
  });
  const table = ['| verdict | job | reason |', '|---|---|---|', ...rows].join('\n');
  return `### Not run (${jobs.length})\n\n${table}\n${jobs.length > rows.length ? more(jobs.length - rows.length, 'jobs') : ''}`;
}

/**
 * Jobs that touched addresses with no model. Failing ones are in the open (their reason already
 * leads with it); passing ones are folded away: a fidelity warning, not a finding.
 */
function unmodelledSection(view: RunView, limits: Limits): string | undefined {
  const jobs = view.jobs.filter((j) => j.result.unmodelled?.length);
  if (jobs.length === 0) return undefined;
  const table = (list: readonly JobView[]) => {
    const rows = list.slice(0, limits.rows).map((j) => {
      const r = j.result;
      const accesses = (r.unmodelled ?? []).slice(0, 3).map((a) => mdEscape(accessText(a, r.job.platform), limits.detail));
      const more = (r.unmodelled?.length ?? 0) > 3 ? `, … (${r.unmodelled!.length} in all)` : '';
      return `| ${VERDICT_GLYPH[r.verdict]} ${r.verdict} | ${mdEscape(jobLabel(r))} | ${accesses.join(', ')}${more} |`;
    });
    return `| verdict | job | accesses |\n|---|---|---|\n${rows.join('\n')}\n${list.length > rows.length ? more(list.length - rows.length, 'jobs') : ''}`;
  };
  const passing = jobs.filter((j) => j.result.verdict === 'passed');
  const other = jobs.filter((j) => j.result.verdict !== 'passed');
  const parts = [`### Unmodelled accesses (${jobs.length} job${jobs.length === 1 ? '' : 's'})\n\nAddresses the guest read or wrote that no model of the platform answers; on silicon they reach real hardware.`];
  if (other.length) parts.push(table(other));
  if (passing.length) {
    parts.push(`<details><summary>${passing.length} passing job${passing.length === 1 ? '' : 's'} touched unmodelled addresses (fidelity warning)</summary>\n\n${table(passing)}\n</details>`);
  }
  return parts.join('\n\n');
}

function cell(jobs: readonly JobView[]): string {
  if (jobs.length === 0) return '';
  const worst = jobs.reduce((a, b) => (verdictRank(b.result.verdict) < verdictRank(a.result.verdict) ? b : a));
  const c = countStatuses(worst.cases);
  const total = worst.cases.length;
  const counts = total > 0 ? ` ${c.pass ?? 0}/${total}` : '';
  const repeats = jobs.length > 1 ? ` ×${jobs.length}` : '';
  return `${VERDICT_GLYPH[worst.result.verdict]}${counts}${repeats}`;
}

function matrix(view: RunView, limits: Limits): string | undefined {
  if (limits.matrixRows === 0 || view.jobs.length === 0) return undefined;
  const byPlatform = new Map<string, JobView[]>();
  for (const j of view.jobs) {
    const list = byPlatform.get(j.result.job.platform) ?? [];
    list.push(j);
    byPlatform.set(j.result.job.platform, list);
  }
  const platformWorst = (p: string) => byPlatform.get(p)!.reduce((n, j) => Math.min(n, verdictRank(j.result.verdict)), Infinity);
  const platforms = stableSort([...byPlatform.keys()].sort(), (a, b) => platformWorst(a) - platformWorst(b));
  const blocks = platforms.slice(0, limits.platforms).map((platform) => {
    const jobs = byPlatform.get(platform)!;
    const variants = unique(inRunOrder(view.record.results, jobs).map((r) => r.job.variant));
    // When rows must be dropped, the suites that did not pass everywhere are the ones to keep.
    const worst = new Map<string, number>();
    for (const j of jobs) worst.set(j.result.job.suite, Math.min(worst.get(j.result.job.suite) ?? Infinity, verdictRank(j.result.verdict)));
    const worstOf = (suite: string) => worst.get(suite)!;
    const suites = stableSort(unique(inRunOrder(view.record.results, jobs).map((r) => r.job.suite)), (a, b) => worstOf(a) - worstOf(b));
    const rows = suites.slice(0, limits.matrixRows).map((suite) => {
      const cells = variants.map((v) => cell(jobs.filter((j) => j.result.job.suite === suite && j.result.job.variant === v)));
      return `| ${mdEscape(suite)} | ${cells.join(' | ')} |`;
    });
    const header = `| suite | ${variants.map((v) => mdEscape(v)).join(' | ')} |\n|---|${variants.map(() => '---|').join('')}`;
    const hidden = suites.slice(rows.length);
    const allPassed = hidden.every((suite) => worstOf(suite) === verdictRank('passed'));
    const tail = hidden.length > 0 ? more(hidden.length, `suites${allPassed ? ', all passed' : ''}`) : '';
    return `#### ${mdEscape(platform)}\n\n${header}\n${rows.join('\n')}\n${tail}`;
  });
  const tail = platforms.length > blocks.length ? more(platforms.length - blocks.length, 'platforms') : '';
  const legend = Object.entries(VERDICT_GLYPH)
    .map(([v, g]) => `${g} ${v}`)
    .join(' · ');
  return `### Matrix\n\nCells: verdict, passed/total cases (worst attempt when repeated). ${legend}\n\n${blocks.join('\n')}${tail}`;
}

function inRunOrder(all: readonly RunResult[], jobs: readonly JobView[]): RunResult[] {
  const mine = new Set(jobs.map((j) => j.result));
  return all.filter((r) => mine.has(r));
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Each resolved crash as a code block: function, line, instruction and its neighbours. */
function crashForensics(view: RunView, limits: Limits): string | undefined {
  const crashed = view.jobs.filter((j) => j.result.forensics).slice(0, Math.max(1, Math.ceil(limits.rows / 5)));
  if (crashed.length === 0 || limits.matrixRows === 0) return undefined;
  const blocks = crashed.map((j) => `**${mdEscape(jobLabel(j.result))}**\n\n\`\`\`\n${forensicsLines(j.result.forensics!).map((l) => cleanText(l).slice(0, 300).replace(/`{3,}/g, "'''")).join('\n')}\n\`\`\``);
  return `### Crash forensics\n\n${blocks.join('\n\n')}`;
}

function compose(view: RunView, limits: Limits): string {
  const parts = [verdictLine(view.record)];
  const reasons = reasonsSection(view.record, limits);
  if (reasons) parts.push(reasons);
  parts.push(runLine(view.record), ...findings(view, limits));
  const known = knownMarkdown(view.record, limits.rows);
  if (known) parts.push(known);
  const forensics = crashForensics(view, limits);
  if (forensics) parts.push(forensics);
  const across = platformMarkdown(view.record, (t) => mdEscape(t), limits.rows);
  if (across) parts.push(across);
  for (const measured of [footprintMarkdown, recordMarkdown]) {
    const section = measured(view.record, (t: string, max?: number) => mdEscape(t, max), limits.rows);
    if (section) parts.push(section);
  }
  const slower = durationMarkdown(view.record, (t) => mdEscape(t), limits.rows);
  if (slower) parts.push(slower);
  const cost = costMarkdown(view.record, (t) => mdEscape(t), limits.rows);
  if (cost) parts.push(cost);
  const skipped = notRun(view, limits);
  if (skipped) parts.push(skipped);
  const unmodelled = unmodelledSection(view, limits);
  if (unmodelled) parts.push(unmodelled);
  const fixes = view.record.summary.diff.fix ?? 0;
  if (fixes > 0) parts.push(`${fixes} case${fixes === 1 ? '' : 's'} fixed (failing in the baseline, passing in the candidate).`);
  const m = matrix(view, limits);
  if (m) parts.push(m);
  return `${parts.join('\n\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Cuts at a line boundary under `max` bytes: only reached when even the smallest layout is too big. */
function hardCut(text: string, max: number): string {
  const note = '\n\n… summary truncated to fit; see run.json for everything.\n';
  const budget = max - utf8Bytes(note);
  let out = '';
  for (const line of text.split('\n')) {
    if (utf8Bytes(out) + utf8Bytes(line) + 1 > budget) break;
    out += `${line}\n`;
  }
  return `${out.trimEnd()}${note}`;
}

export function renderMarkdown(record: RunRecord, opts: MarkdownOptions = {}): string {
  const max = opts.maxBytes ?? MARKDOWN_MAX_BYTES;
  const view = buildView(record);
  let text = '';
  for (const limits of STEPS) {
    text = compose(view, limits);
    if (utf8Bytes(text) <= max) return text;
  }
  return hardCut(text, max);
}
