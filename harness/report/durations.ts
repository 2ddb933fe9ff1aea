// Per-case guest durations, baseline against candidate, in the human reports (pure): the HTML
// table sorts by ratio on demand; summary.md and the terminal list the `slower` cases.
import type { DiffEntry, RunRecord } from '../domain.js';
import { oneLine } from './common.js';

type Esc = (s: string) => string;

const timed = (record: RunRecord): DiffEntry[] => record.diff.filter((d) => d.baselineMs !== undefined && d.candidateMs !== undefined);
const slowest = (a: DiffEntry, b: DiffEntry) => (b.durationRatio ?? 0) - (a.durationRatio ?? 0);
const ms = (n: number | undefined) => (n === undefined ? '—' : `${n} ms`);
const ratio = (d: DiffEntry) => (d.durationRatio === undefined ? '—' : `${d.durationRatio.toFixed(2)}×`);

export function slowerEntries(record: RunRecord): DiffEntry[] {
  return record.diff.filter((d) => d.slower).sort(slowest);
}

export function durationTerminalLines(record: RunRecord, max = 4): string[] | undefined {
  const slow = slowerEntries(record);
  if (slow.length === 0) return undefined;
  const lines = [`Slower in the candidate, ≥ 2× guest time (${slow.length}, informational):`];
  for (const d of slow.slice(0, max)) lines.push(`  ${oneLine(`${d.platform}/${d.candidateVariant}/${d.suite}`, 80)} ${oneLine(d.case, 80)} ${ms(d.baselineMs)} → ${ms(d.candidateMs)} (${ratio(d)})`);
  if (slow.length > max) lines.push(`  … and ${slow.length - max} more`);
  return lines;
}

export function durationMarkdown(record: RunRecord, esc: Esc, maxRows: number): string | undefined {
  const slow = slowerEntries(record);
  if (slow.length === 0) return undefined;
  const rows = slow.slice(0, maxRows).map((d) => `| ${esc(d.platform)} | ${esc(d.suite)} | ${esc(d.case)} | ${esc(ms(d.baselineMs))} | ${esc(ms(d.candidateMs))} | ${esc(ratio(d))} |`);
  const more = slow.length > rows.length ? `\n… and ${slow.length - rows.length} more in run.json\n` : '';
  return `### Slower in the candidate (${slow.length})\n\nGuest time ztest printed, ≥ 2× the baseline's; informational, not a failure.\n\n| platform | suite | case | baseline | candidate | ratio |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n${more}`;
}

/** Every case timed on both sides, slowest ratio first; the column headers re-sort (SCRIPT in html.ts). */
export function durationHtmlSection(record: RunRecord, esc: Esc, maxRows = 5000): string {
  const all = timed(record).sort(slowest);
  if (all.length === 0) return '';
  const rows = all.slice(0, maxRows).map(
    (d) => `<tr${d.slower ? ' class="slower"' : ''}><td>${esc(d.platform)}</td><td>${esc(d.suite)}</td><td>${esc(d.case)}</td><td>${esc(d.candidateVariant)}</td><td data-v="${d.baselineMs}">${esc(ms(d.baselineMs))}</td><td data-v="${d.candidateMs}">${esc(ms(d.candidateMs))}</td><td data-v="${d.durationRatio ?? 0}">${esc(ratio(d))}${d.slower ? ' slower' : ''}</td></tr>`,
  );
  const slow = all.filter((d) => d.slower).length;
  return `<section id="durations"><h2>Guest durations</h2><p class="note">Per case, the guest time ztest printed on each side; ${esc(String(slow))} at least 2× slower in the candidate (informational). Click a column to sort.</p><table id="durations-table" class="sortable"><thead><tr><th data-sort="t">platform</th><th data-sort="t">suite</th><th data-sort="t">case</th><th data-sort="t">candidate</th><th data-sort="n">baseline</th><th data-sort="n">candidate time</th><th data-sort="n">ratio</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}
