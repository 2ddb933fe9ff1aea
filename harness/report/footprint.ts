// What each image weighs, baseline against candidate, in every report (pure): a line per candidate
// in the terminal and TAP, a table and the largest changes in summary.md and index.html (sortable),
// junit properties, and twister.json's used_/available_ fields. The differ decided; this only shows.
import type { FootprintDiff, ItemDelta, RunRecord, RunResult } from '../domain.js';
import { bytes, signedBytes, signedPct } from '../measure/format.js';

type Esc = (s: string, max?: number) => string;

const diffsOf = (record: RunRecord): FootprintDiff[] => record.measures?.footprint ?? [];
const where = (d: FootprintDiff) => `${d.platform}/${d.suite}`;
const region = (name: string, delta: FootprintDiff['ram']) => `${name} ${signedBytes(delta.delta)} (${signedPct(delta.pct)})`;

/** `wasm-mutex: RAM +65,536 B (+48 %) · flash +1,204 B (+1.9 %)`: each candidate's largest change. */
export function footprintTerminalLines(record: RunRecord): string[] | undefined {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return undefined;
  const lines = ['Footprint, candidate against baseline (largest change per candidate; every image in the report):'];
  for (const candidate of [...new Set(diffs.map((d) => d.candidateVariant))]) {
    const mine = diffs.filter((d) => d.candidateVariant === candidate);
    const top = [...mine].sort((a, b) => Math.abs(b.ram.delta) + Math.abs(b.flash.delta) - (Math.abs(a.ram.delta) + Math.abs(a.flash.delta)))[0]!;
    const of = mine.length > 1 ? ` — ${where(top)}, largest of ${mine.length} images` : ` — ${where(top)}`;
    lines.push(`  ${candidate}: ${region('RAM', top.ram)} · ${region('flash', top.flash)}${of}`);
  }
  return lines;
}

function itemText(i: ItemDelta): string {
  const was = i.below !== undefined ? ` (or under ${bytes(i.below)} before)` : '';
  return `${i.name} ${i.change} ${signedBytes(i.delta)}${i.kind ? ` ${i.kind}` : ''}${i.change === 'new' || i.change === 'gone' ? was : ''}`;
}

export function footprintMarkdown(record: RunRecord, esc: Esc, maxRows: number): string | undefined {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return undefined;
  const rows = diffs.slice(0, maxRows).map((d) =>
    `| ${esc(d.platform)} | ${esc(d.suite)} | ${esc(d.candidateVariant)} | ${bytes(d.flash.candidate)} | ${signedBytes(d.flash.delta)} (${signedPct(d.flash.pct)}) | ${bytes(d.ram.candidate)} | ${signedBytes(d.ram.delta)} (${signedPct(d.ram.pct)}) | ${esc(largest(d))} |`,
  );
  const more = diffs.length > rows.length ? `\n… and ${diffs.length - rows.length} more in run.json\n` : '';
  return `### Footprint\n\nFlash and RAM of each candidate image against its baseline, every section counted where it lives (\`.data\` in both).\n\n| platform | suite | candidate | flash | Δ flash | RAM | Δ RAM | largest change |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n${more}`;
}

/** The change that explains most of a comparison: an object's when zephyr.map was read, else a symbol's. */
function largest(d: FootprintDiff): string {
  const i = d.objects[0] ?? d.symbols[0];
  return i ? itemText(i) : d.sections[0] ? `${d.sections[0].name} ${signedBytes(d.sections[0].delta)}` : '—';
}

/** index.html: a sortable table of every comparison, then each one's sections, objects and symbols. */
export function footprintHtmlSection(record: RunRecord, esc: Esc): string {
  const diffs = diffsOf(record);
  if (diffs.length === 0) return '';
  const num = (n: number | undefined, text: string) => `<td data-v="${n ?? 0}">${esc(text)}</td>`;
  const rows = diffs.map(
    (d) =>
      `<tr><td>${esc(d.platform)}</td><td>${esc(d.suite)}</td><td>${esc(d.candidateVariant)}</td>${num(d.flash.baseline, bytes(d.flash.baseline))}${num(d.flash.candidate, bytes(d.flash.candidate))}${num(d.flash.delta, signedBytes(d.flash.delta))}${num(d.flash.pct, signedPct(d.flash.pct))}${num(d.ram.baseline, bytes(d.ram.baseline))}${num(d.ram.candidate, bytes(d.ram.candidate))}${num(d.ram.delta, signedBytes(d.ram.delta))}${num(d.ram.pct, signedPct(d.ram.pct))}</tr>`,
  );
  const details = diffs.map((d) => {
    const items = (title: string, list: readonly ItemDelta[]) =>
      list.length ? `<h4>${title}</h4><table><tbody>${list.map((i) => `<tr><td>${esc(i.name)}</td><td>${esc(i.change)}</td><td>${esc(i.kind ?? '')}</td><td>${esc(signedBytes(i.delta))}</td><td>${esc(`${bytes(i.baseline)} → ${bytes(i.candidate)}`)}${i.below !== undefined ? esc(` (not listed under ${bytes(i.below)})`) : ''}</td></tr>`).join('')}</tbody></table>` : '';
    const kinds = d.kinds.map((k) => `<tr><td>${esc(k.kind)}</td><td>${esc(k.region)}</td><td>${esc(bytes(k.baseline))}</td><td>${esc(bytes(k.candidate))}</td><td>${esc(signedBytes(k.delta))}</td></tr>`).join('');
    return `<details><summary>${esc(`${d.platform}/${d.suite}: ${d.candidateVariant} against ${d.baselineVariant}`)}</summary><table><thead><tr><th>kind</th><th>in</th><th>${esc(d.baselineVariant)}</th><th>${esc(d.candidateVariant)}</th><th>Δ</th></tr></thead><tbody>${kinds}</tbody></table>${items('Objects (zephyr.map)', d.objects)}${items('Symbols', d.symbols)}</details>`;
  });
  return `<section id="footprint"><h2>Footprint</h2><p class="note">Bytes of flash and RAM per image, every section counted where it lives (<code>.data</code> in both); Δ is the candidate against its baseline. Click a column to sort.</p><table class="sortable"><thead><tr><th data-sort="t">platform</th><th data-sort="t">suite</th><th data-sort="t">candidate</th><th data-sort="n">flash before</th><th data-sort="n">flash</th><th data-sort="n">Δ flash</th><th data-sort="n">%</th><th data-sort="n">RAM before</th><th data-sort="n">RAM</th><th data-sort="n">Δ RAM</th><th data-sort="n">%</th></tr></thead><tbody>${rows.join('')}</tbody></table>${details.join('')}</section>`;
}

/** junit properties of a job: what its image weighs, and against its baseline when it is a candidate. */
export function footprintProperties(record: RunRecord, r: RunResult): Array<[string, string | number | undefined]> {
  const f = r.footprint;
  if (!f) return [];
  const d = diffsOf(record).find((x) => x.platform === r.job.platform && x.suite === r.job.suite && x.candidateVariant === r.job.variant);
  return [
    ['used_rom', f.flash],
    ['used_ram', f.ram],
    ['available_rom', f.flashAvailable],
    ['available_ram', f.ramAvailable],
    ['footprint_delta', d ? `${region('RAM', d.ram)} · ${region('flash', d.flash)} against ${d.baselineVariant}` : undefined],
  ];
}

/** twister.json's footprint fields, as twister's json_report writes them (bytes; absent when 0). */
export function twisterFootprint(r: RunResult): { used_ram?: number; used_rom?: number; available_ram?: number; available_rom?: number } {
  const f = r.footprint;
  if (!f) return {};
  return {
    ...(f.ram ? { used_ram: f.ram } : {}),
    ...(f.flash ? { used_rom: f.flash } : {}),
    ...(f.ramAvailable ? { available_ram: f.ramAvailable } : {}),
    ...(f.flashAvailable ? { available_rom: f.flashAvailable } : {}),
  };
}
