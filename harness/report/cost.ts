// Cost and reach in the text reports (pure): the terminal lines, summary.md's tables, junit
// properties, TAP comments and twister.json's per-suite figures. The HTML is html-cost.ts.
import type { CostDiff, CostFigure, ReachSide, RunRecord, RunResult } from '../domain.js';
import { mergeStats } from '../measure/cost/stats.js';
import { oneLine } from './common.js';

type Esc = (s: string) => string;

const byRatio = (a: CostDiff, b: CostDiff) => (b.ratio ?? 0) - (a.ratio ?? 0);
export const ratioText = (r: number | undefined) => (r === undefined ? '—' : `${r.toFixed(r >= 10 ? 0 : 1)}×`);
export const figureText = (f: CostFigure | undefined) => (f ? `${f.median}` : '—');
export const where = (b: { file?: string; line?: number; address: string }) => (b.file ? `${b.file.split('/').slice(-2).join('/')}:${b.line ?? '?'}` : b.address);
const place = (d: { platform: string; candidateVariant: string; suite: string }) => `${d.platform}/${d.candidateVariant}/${d.suite}`;

/** Compared rows, costliest candidate first. */
export function costRows(record: RunRecord): CostDiff[] {
  return [...(record.measures?.cost ?? [])].sort(byRatio);
}

/** `k_mutex_unlock  118 → 472 instr/call (4.0×) · 9 cases`, with the job when there are several. */
export function costLine(d: CostDiff, withPlace: boolean): string {
  const cases = `${d.casesCompared} case${d.casesCompared === 1 ? '' : 's'}`;
  return `${d.function}  ${figureText(d.baseline)} → ${figureText(d.candidate)} instr/call (${ratioText(d.ratio)}) · ${cases}${withPlace ? ` · ${place(d)}` : ''}`;
}

/** A function's unreached blocks in a few words: `3 of 14 blocks no case reached (mutex_wasm.c:58 …)`. */
export function unreachedText(side: ReachSide): string | undefined {
  const paths = side.unreached.filter((b) => !b.assert);
  const asserts = side.unreached.length - paths.length;
  if (!paths.length) return undefined;
  const first = paths.slice(0, 2).map(where).join(', ');
  return `${paths.length} of ${side.blocks} blocks no case reached (${first}${paths.length > 2 ? ', …' : ''})${asserts ? `, + ${asserts} assertion path${asserts === 1 ? '' : 's'}` : ''}`;
}

/**
 * Rows that say the same on several platforms (the same figures for the same suite and variants)
 * as one, listing the platforms: the terminal has room for findings, not repeats.
 */
function grouped<T extends { platform: string; suite: string; baselineVariant: string; candidateVariant: string; function: string }>(rows: readonly T[], sameness: (r: T) => string): Array<{ row: T; platforms: string[] }> {
  const out = new Map<string, { row: T; platforms: string[] }>();
  for (const r of rows) {
    const k = `${r.function}\u0000${r.suite}\u0000${r.baselineVariant}\u0000${r.candidateVariant}\u0000${sameness(r)}`;
    const g = out.get(k);
    if (g) g.platforms.push(r.platform);
    else out.set(k, { row: r, platforms: [r.platform] });
  }
  return [...out.values()];
}

const placeOf = (g: { row: { candidateVariant: string; suite: string }; platforms: string[] }) => `${g.row.candidateVariant}/${g.row.suite} on ${g.platforms.join(', ')}`;

export function costTerminalLines(record: RunRecord, max = 6): string[] | undefined {
  const rows = grouped(costRows(record).filter((d) => d.baseline || d.candidate), (d) => `${figureText(d.baseline)} ${figureText(d.candidate)} ${d.casesCompared}`);
  // The candidate's unreached paths first where the baseline reached all of its own.
  const reach = grouped(
    (record.measures?.reach ?? []).filter((r) => r.candidate && unreachedText(r.candidate)),
    (r) => unreachedText(r.candidate!)!,
  ).sort((a, b) => Number(Boolean(a.row.baseline && unreachedText(a.row.baseline))) - Number(Boolean(b.row.baseline && unreachedText(b.row.baseline))));
  if (!rows.length && !reach.length) return undefined;
  const several = new Set(rows.map((g) => placeOf(g))).size > 1;
  const lines = ['Cost, baseline → candidate (median instructions per call; informational):'];
  for (const g of rows.slice(0, max)) lines.push(`  ${costLine(g.row, false)}${several ? ` · ${placeOf(g)}` : ''}`);
  if (rows.length > max) lines.push(`  … and ${rows.length - max} more in the report`);
  for (const g of reach.slice(0, 3)) lines.push(`  reach ${g.row.function} (${placeOf(g)}): ${unreachedText(g.row.candidate!)}`);
  if (reach.length > 3) lines.push(`  … and ${reach.length - 3} more with unreached blocks in the report`);
  return lines;
}

export function costMarkdown(record: RunRecord, esc: Esc, maxRows: number): string | undefined {
  const rows = costRows(record);
  const reach = record.measures?.reach ?? [];
  if (!rows.length && !reach.length) return undefined;
  const parts: string[] = [];
  if (rows.length) {
    const table = rows.slice(0, maxRows).map((d) => `| ${esc(d.function)} | ${esc(place(d))} | ${esc(figureText(d.baseline))} | ${esc(figureText(d.candidate))} | ${esc(ratioText(d.ratio))} | ${d.baseline?.calls ?? 0} / ${d.candidate?.calls ?? 0} | ${d.casesCompared} |`);
    parts.push(`### Cost (${rows.length})\n\nMedian instructions per call, everything the function called included; other threads and interrupt handlers excluded. Informational${record.policy?.cost ? `; gate at ${record.policy.cost.ratio}×` : ''}.\n\n| function | job | baseline | candidate | ratio | calls | cases |\n|---|---|---|---|---|---|---|\n${table.join('\n')}${rows.length > maxRows ? `\n\n… and ${rows.length - maxRows} more in run.json` : ''}`);
  }
  const unreached = reach.flatMap((r) => (['baseline', 'candidate'] as const).flatMap((side) => {
    const s = r[side];
    const text = s && unreachedText(s);
    return text ? [`- ${esc(r.function)} (${esc(side === 'baseline' ? `${r.platform}/${r.baselineVariant}/${r.suite}` : place(r))}): ${esc(text)}`] : [];
  }));
  if (unreached.length) parts.push(`### Reach\n\nBlocks of the measured functions that no test case executed:\n\n${unreached.slice(0, maxRows).join('\n')}`);
  return parts.join('\n\n');
}

/** One job's figures as junit properties: `cost.<function>`, `reach.<function>`, and the ratio on a candidate. */
export function costProperties(record: RunRecord, r: RunResult): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const fn of r.cost?.functions ?? []) {
    const all = mergeStats((r.cost?.cases ?? []).map((c) => c.functions[fn.name]));
    if (all) out.push([`cost.${fn.name}`, `${all.calls} calls, ${all.min}/${all.median}/${all.max} instructions per call (min/median/max)`]);
  }
  for (const d of record.measures?.cost ?? []) {
    if (d.platform === r.job.platform && d.suite === r.job.suite && d.candidateVariant === r.job.variant && d.ratio !== undefined) {
      out.push([`cost_ratio.${d.function}`, `${d.ratio} (${figureText(d.baseline)} → ${figureText(d.candidate)} vs ${d.baselineVariant})`]);
    }
  }
  for (const f of r.reach?.functions ?? []) {
    const reached = f.blocks.filter((b) => b.cases.length).length;
    const missing = f.blocks.filter((b) => !b.cases.length).map(where);
    out.push([`reach.${f.function}`, `${reached} of ${f.blocks.length} blocks reached${missing.length ? `; not: ${missing.join(', ')}` : ''}`]);
  }
  for (const note of r.cost?.notes ?? []) out.push(['cost.note', note]);
  return out;
}

/** `# cost: …` lines for the head of results.tap. */
export function costTapComments(record: RunRecord, max = 20): string[] {
  return costRows(record)
    .filter((d) => d.ratio !== undefined)
    .slice(0, max)
    .map((d) => `# cost: ${oneLine(`${costLine(d, true)}`, 400)}`);
}

/** twister.json's suite gets its measured figures as a tandem extra (`tandem_cost`). */
export function twisterCost(r: RunResult): Record<string, { calls: number; min: number; median: number; max: number }> | undefined {
  if (!r.cost?.functions.length) return undefined;
  const out: Record<string, { calls: number; min: number; median: number; max: number }> = {};
  for (const fn of r.cost.functions) {
    const all = mergeStats(r.cost.cases.map((c) => c.functions[fn.name]));
    if (all) out[fn.name] = { calls: all.calls, min: all.min, median: all.median, max: all.max };
  }
  return Object.keys(out).length ? out : undefined;
}
