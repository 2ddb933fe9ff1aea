// The summary printed when a run ends. It has to fit one screen, so it names the first few
// things that got worse and points at the report folder for the rest. Pure.
import { platformTerminalLines } from './platforms.js';
import { durationTerminalLines } from './durations.js';
import { footprintTerminalLines } from './footprint.js';
import { recordTerminalLines } from './records.js';
import { costTerminalLines } from './cost.js';
import type { DiffClass, DiffEntry, RunRecord } from '../domain.js';
import {
  CASE_ORDER,
  CLASS_ORDER,
  attemptsText,
  judgementOf,
  overallHeadline,
  VERDICT_TALLY,
  buildView,
  entryCrashSite,
  formatCounts,
  jobLabel,
  oneLine,
  overall,
  type Overall,
} from './common.js';
import { unmodelledSummary } from './unmodelled.js';
import { reasonLines, reasonText } from './judgement.js';

export interface TerminalOptions {
  color?: boolean;
  /** Where the reports were written; printed last so it is the line people copy. */
  reportDir?: string;
  /** Characters per line; longer lines are cut. */
  width?: number;
  /** The whole summary stays within this many lines. */
  maxLines?: number;
}

/**
 * Colour only for a person at a terminal: never when NO_COLOR is set (no-color.org), not on CI
 * (logs keep the escapes as noise) and not when output is piped. FORCE_COLOR, for CI systems
 * that do render colour, overrides the last two but never NO_COLOR.
 */
export function shouldUseColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false') return true;
  if (env['CI'] === 'true' || env['CI'] === '1') return false;
  return isTTY;
}

type Tone = 'bad' | 'good' | 'warn' | 'dim' | 'bold';

const SGR: Record<Tone, string> = { bad: '31', good: '32', warn: '33', dim: '2', bold: '1' };

export interface Painter {
  (tone: Tone, s: string): string;
}

export function painter(color: boolean): Painter {
  return (tone, s) => (color && s ? `\u001b[${SGR[tone]}m${s}\u001b[0m` : s);
}

const TONE_OF: Record<Overall, Tone> = { regressed: 'bad', failed: 'bad', invalid: 'bad', incomplete: 'warn', interrupted: 'warn', passed: 'good' };

const LIST: ReadonlyArray<{ cls: DiffClass; title: string; max: number }> = [
  { cls: 'regression', title: 'Regressions', max: 6 },
  { cls: 'crash', title: 'Crashes', max: 3 },
  { cls: 'hang', title: 'Hangs', max: 3 },
  { cls: 'missing', title: 'Missing', max: 2 },
];

/** Cuts to `width` visible characters before colour is added, so escapes are never cut. */
function fit(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s;
}

function entryLine(d: DiffEntry, site?: string): string {
  const change = `${d.baseline ?? '—'}→${d.candidate ?? '—'}${attemptsText(d)}`;
  const text = site ?? d.detail;
  const detail = text ? `  ${oneLine(text, 200)}` : '';
  return `  ${oneLine(`${d.platform}/${d.candidateVariant}/${d.suite}`, 80)} ${oneLine(d.case, 80)} ${change}${detail}`;
}

export function renderTerminalSummary(record: RunRecord, opts: TerminalOptions = {}): string {
  const width = opts.width ?? 100;
  const maxLines = opts.maxLines ?? 30;
  const paint = painter(opts.color ?? false);
  const view = buildView(record);
  const o = overall(record);
  const s = record.summary;

  const head: string[] = [];
  const title = `tandem · ${oneLine(record.scenario.name, 60)} · run ${oneLine(record.runId, 40)} · ${(record.wallMs / 1000).toFixed(1)} s${record.interrupted ? ' · INTERRUPTED' : ''}`;
  head.push(paint('dim', fit(title, width)));
  const diff = formatCounts(s.diff, CLASS_ORDER.filter((c) => c !== 'same'));
  const word = overallHeadline(record);
  head.push(`${paint(TONE_OF[o], paint('bold', word))}  ${fit(diff || 'no changes', Math.max(10, width - word.length - 2))}`);
  // Why the exit code is what it is, before any detail: the rows below are listed by class already.
  const reasons = reasonLines(judgementOf(record), { items: 2, skipWorse: true });
  for (const line of reasons.slice(0, 6)) {
    head.push(paint(line.group === 'incomplete' ? 'warn' : 'bad', fit(`  ${line.group === 'incomplete' ? 'not compared' : line.group}: ${oneLine(reasonText(line), 400)}`, width)));
  }
  if (reasons.length > 6) head.push(paint('dim', `  … and ${reasons.length - 6} more reasons in the report`));
  head.push(fit(`jobs   ${s.jobs}: ${formatCounts(s.verdicts, VERDICT_TALLY) || 'none'}`, width));
  const totalCases = Object.values(s.cases).reduce((a, b) => a + (b ?? 0), 0);
  head.push(fit(`cases  ${totalCases}: ${formatCounts(s.cases, CASE_ORDER) || 'none'}`, width));

  const tail: string[] = [];
  if (opts.reportDir !== undefined) tail.push(fit(`Report: ${opts.reportDir}`, width));

  // Sections in priority order; each is dropped or shortened only if the screen is full.
  const sections: string[][] = [];
  for (const { cls, title: name, max } of LIST) {
    const entries = view.changes.filter((d) => d.class === cls);
    if (entries.length === 0) continue;
    const lines = [paint('bad', `${name} (${entries.length}):`)];
    for (const d of entries.slice(0, max)) lines.push(fit(entryLine(d, entryCrashSite(view, d)), width));
    if (entries.length > max) lines.push(paint('dim', `  … and ${entries.length - max} more`));
    sections.push(lines);
  }
  const across = platformTerminalLines(record);
  if (across) sections.push(across.map((l, i) => (i === 0 ? paint(record.summary.platforms?.disagree ? 'warn' : 'dim', fit(l, width)) : fit(l, width))));
  for (const measured of [footprintTerminalLines(record), recordTerminalLines(record)]) {
    if (measured) sections.push(measured.map((l, i) => (i === 0 ? paint('dim', fit(l, width)) : fit(l, width))));
  }
  const slower = durationTerminalLines(record);
  if (slower) sections.push(slower.map((l, i) => (i === 0 ? paint('dim', fit(l, width)) : fit(l, width))));
  const cost = costTerminalLines(record);
  if (cost) sections.push(cost.map((l, i) => (i === 0 ? paint('dim', fit(l, width)) : fit(l, width))));
  const blocked = view.changes.filter((d) => d.class === 'blocked');
  if (blocked.length > 0) {
    const jobs = new Set(blocked.map((d) => `${d.platform}/${d.candidateVariant}/${d.suite}`));
    sections.push([paint('bad', fit(`Blocked: ${blocked.length} cases in ${jobs.size} job${jobs.size === 1 ? '' : 's'} never ran (cut short by a crash, hang or error)`, width))]);
  }
  const notRun = view.jobs.filter((j) => ['skipped', 'build-error', 'emulator-error'].includes(j.result.verdict));
  if (notRun.length > 0) {
    const lines = [paint('warn', `Not run (${notRun.length}):`)];
    for (const j of notRun.slice(0, 4)) {
      lines.push(fit(`  ${jobLabel(j.result)} ${j.result.verdict}: ${oneLine(j.result.reason ?? '', 200)}`, width));
    }
    if (notRun.length > 4) lines.push(paint('dim', `  … and ${notRun.length - 4} more`));
    sections.push(lines);
  }

  const touched = view.jobs.filter((j) => j.result.unmodelled?.length);
  if (touched.length > 0) {
    const lines = [paint('warn', `Unmodelled accesses (${touched.length} job${touched.length === 1 ? '' : 's'}; every address in run.json):`)];
    for (const j of touched.slice(0, 3)) lines.push(fit(`  ${jobLabel(j.result)} ${j.result.verdict}: ${oneLine(unmodelledSummary(j.result), 200)}`, width));
    if (touched.length > 3) lines.push(paint('dim', `  … and ${touched.length - 3} more`));
    sections.push(lines);
  }

  let room = maxLines - head.length - tail.length;
  const body: string[] = [];
  for (const section of sections) {
    if (room <= 0) break;
    if (section.length <= room) {
      body.push(...section);
      room -= section.length;
    } else {
      body.push(...section.slice(0, Math.max(1, room - 1)));
      if (room > 1) body.push(paint('dim', '  … (more in the report)'));
      room = 0;
    }
  }
  return `${[...head, ...body, ...tail].join('\n')}\n`;
}
