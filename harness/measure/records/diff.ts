// Recorded figures, baseline against candidate: per row key (its labels, `op=k_mutex_unlock`) and
// figure (`cyc`), the median of each side and their ratio; and the ratio gate. Pure.
import type { GateFinding, GatePolicy, RecordDelta, RecordDiff, Records } from '../../domain.js';
import { pairLabel, type Pair } from '../pairs.js';
import { ratio } from '../format.js';
import { splitRow } from './read.js';

/** `key\u0000figure` → every value printed, in order. */
function figuresOf(records: readonly Records[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of records) {
    for (const row of r.rows) {
      const { key, figures } = splitRow(row.values);
      for (const [figure, value] of figures) {
        const k = `${key}\u0000${figure}`;
        out.set(k, [...(out.get(k) ?? []), value]);
      }
    }
  }
  return out;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function diffRecords(pair: Pair<Records>, gate: GatePolicy['records'] = {}): RecordDiff {
  const a = figuresOf(pair.baseline);
  const b = figuresOf(pair.candidate);
  const rows: RecordDelta[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const [key, figure] = k.split('\u0000') as [string, string];
    const d: RecordDelta = { key, figure };
    const x = a.get(k);
    const y = b.get(k);
    if (x) d.baseline = median(x);
    if (y) d.candidate = median(y);
    if (d.baseline !== undefined && d.candidate !== undefined && d.baseline !== 0) d.ratio = Math.round((d.candidate / d.baseline) * 10000) / 10000;
    const limit = gate[figure];
    if (limit !== undefined) {
      d.gate = limit;
      if (d.ratio !== undefined && d.ratio > limit) d.over = true;
    }
    rows.push(d);
  }
  const diff: RecordDiff = { platform: pair.platform, suite: pair.suite, baselineVariant: pair.baselineVariant, candidateVariant: pair.candidateVariant, rows };
  const note = [...pair.candidate, ...pair.baseline].find((r) => r.note)?.note;
  if (note) diff.note = note;
  return diff;
}

/** Each figure over its ratio limit, naming the image, the row and both values. */
export function recordGate(diffs: readonly RecordDiff[]): GateFinding[] {
  return diffs.flatMap((d) =>
    d.rows
      .filter((r) => r.over)
      .map((r) => ({
        measure: 'record' as const,
        subject: pairLabel(d),
        message: `${pairLabel(d)}: ${r.key ? `${r.key} ` : ''}${r.figure} ${r.candidate} against ${r.baseline} for ${d.baselineVariant} (${ratio(r.ratio)}) exceeds the ${r.gate}× limit`,
      })),
  );
}
