// Figures the consoles printed (record patterns), baseline against candidate, in every report
// (pure): the largest ratio per candidate in the terminal and TAP, a table in summary.md and a
// sortable one in index.html, junit properties, and twister.json's `recording`. Figures that read
// 0 where the emulator models no cycle counter carry its note.
import type { RecordDelta, RecordDiff, RecordSpec, RunRecord, RunResult } from '../domain.js';
import { ratio } from '../measure/format.js';
import { oneLine } from './common.js';

type Esc = (s: string, max?: number) => string;

const diffsOf = (record: RunRecord): RecordDiff[] => record.measures?.records ?? [];
const value = (v: number | undefined) => (v === undefined ? '—' : String(v));
const rowName = (r: RecordDelta) => (r.key ? `${r.key} ${r.figure}` : r.figure);

/** Each note once, with the comparisons it explains. */
function notes(diffs: readonly RecordDiff[]): Array<{ note: string; where: string[] }> {
  const byNote = new Map<string, Set<string>>();
  for (const d of diffs) if (d.note) byNote.set(d.note, (byNote.get(d.note) ?? new Set()).add(d.platform));
  return [...byNote].map(([note, where]) => ({ note, where: [...where] }));
}

export function recordTerminalLines(record: RunRecord): string[] | undefined {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return undefined;
  const lines = ['Recorded figures, candidate against baseline (median; the largest ratio per candidate):'];
  for (const candidate of [...new Set(diffs.map((d) => d.candidateVariant))]) {
    const rows = diffs.filter((d) => d.candidateVariant === candidate).flatMap((d) => d.rows.map((r) => ({ d, r })));
    const top = rows.filter((x) => x.r.ratio !== undefined).sort((a, b) => b.r.ratio! - a.r.ratio!)[0];
    // Row names are console text: made inert for a terminal like every other line from a UART.
    lines.push(top ? `  ${candidate}: ${oneLine(rowName(top.r), 120)} ${value(top.r.baseline)} → ${value(top.r.candidate)} (${ratio(top.r.ratio)}) — ${top.d.platform}/${top.d.suite}; ${rows.length} figures` : `  ${candidate}: ${rows.length} figures, none with a ratio (a side is missing or reads 0)`);
  }
  for (const n of notes(diffs)) lines.push(`  ${n.where.join(', ')}: ${oneLine(n.note, 300)}`);
  return lines;
}

export function recordMarkdown(record: RunRecord, esc: Esc, maxRows: number): string | undefined {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return undefined;
  const all = diffs.flatMap((d) => d.rows.map((r) => ({ d, r })));
  const rows = all.slice(0, maxRows).map(({ d, r }) => `| ${esc(d.platform)} | ${esc(d.suite)} | ${esc(d.candidateVariant)} | ${esc(rowName(r))} | ${esc(value(r.baseline))} | ${esc(value(r.candidate))} | ${esc(ratio(r.ratio))} | ${r.gate === undefined ? '' : `${r.over ? '**over** ' : ''}≤ ${r.gate}×`} |`);
  const more = all.length > rows.length ? `\n… and ${all.length - rows.length} more in run.json\n` : '';
  const said = notes(diffs).map((n) => `\n> ${esc(n.where.join(', '))}: ${esc(n.note, 400)}\n`).join('');
  return `### Recorded figures\n\nWhat the consoles printed for the record patterns (the median when printed more than once), candidate against baseline.\n\n| platform | suite | candidate | figure | baseline | candidate | ratio | gate |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n${more}${said}`;
}

export function recordHtmlSection(record: RunRecord, esc: Esc): string {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return '';
  const num = (n: number | undefined, text: string) => `<td data-v="${n ?? -1}">${esc(text)}</td>`;
  const rows = diffs.flatMap((d) =>
    d.rows.map((r) => `<tr${r.over ? ' class="slower"' : ''}><td>${esc(d.platform)}</td><td>${esc(d.suite)}</td><td>${esc(d.candidateVariant)}</td><td>${esc(r.key)}</td><td>${esc(r.figure)}</td>${num(r.baseline, value(r.baseline))}${num(r.candidate, value(r.candidate))}${num(r.ratio, ratio(r.ratio))}<td>${r.gate === undefined ? '' : esc(`${r.over ? 'over ' : ''}≤ ${r.gate}×`)}</td></tr>`),
  );
  const said = notes(diffs).map((n) => `<p class="note">${esc(`${n.where.join(', ')}: ${n.note}`)}</p>`).join('');
  return `<section id="records"><h2>Recorded figures</h2><p class="note">What the consoles printed for the record patterns (the median when printed more than once), candidate against baseline. Click a column to sort.</p>${said}<table class="sortable"><thead><tr><th data-sort="t">platform</th><th data-sort="t">suite</th><th data-sort="t">candidate</th><th data-sort="t">row</th><th data-sort="t">figure</th><th data-sort="n">baseline</th><th data-sort="n">candidate value</th><th data-sort="n">ratio</th><th data-sort="t">gate</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** junit properties: a job's recorded rows, and as a candidate each figure against its baseline. */
export function recordProperties(record: RunRecord, r: RunResult): Array<[string, string | number | undefined]> {
  if (!r.records) return [];
  const d = diffsOf(record).find((x) => x.platform === r.job.platform && x.suite === r.job.suite && x.candidateVariant === r.job.variant);
  return [
    ['records', r.records.rows.length],
    ['records_note', r.records.note],
    ...(d?.rows ?? []).map((x): [string, string] => [`record ${rowName(x)}`, `${value(x.baseline)} → ${value(x.candidate)} (${ratio(x.ratio)}) against ${d!.baselineVariant}`]),
  ];
}

/**
 * twister.json's `recording`: one object per matched line, or with `record.merge` one object
 * whose repeated keys hold lists; `as_json` keys parsed as JSON (twister keeps an ERROR object for
 * text that is not). Absent when nothing was recorded, as in twister.
 */
export function twisterRecording(r: RunResult): Array<Record<string, unknown>> | undefined {
  const rows = r.records?.rows ?? [];
  if (rows.length === 0) return undefined;
  const specs = ((r.provenance['console'] as { records?: RecordSpec[] } | undefined)?.records ?? []);
  const asJson = new Set(specs.flatMap((s) => s.asJson ?? []));
  const translate = (values: Record<string, string>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asJson.has(k) ? json(v) : v]));
  if (!specs.some((s) => s.merge)) return rows.map((row) => translate(row.values));
  const merged: Record<string, unknown> = {};
  for (const row of rows) {
    for (const [k, v] of Object.entries(translate(row.values))) {
      if (!(k in merged)) merged[k] = v;
      else merged[k] = Array.isArray(merged[k]) ? [...(merged[k] as unknown[]), v] : [merged[k], v];
    }
  }
  return [merged];
}

function json(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return { ERROR: { msg: (err as Error).message, doc: text } };
  }
}
