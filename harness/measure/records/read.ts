// Figures from the console: every line a record regex matches becomes a row of its named groups
// (twister's `record:` — Python's groupdict, values stripped, unmatched groups ""). A streaming
// reader, line by line, so a live boot and a log on disk are read the same way. Pure.
import type { RecordRow, RecordSpec, Records } from '../../domain.js';
import { pythonRegex } from '../../zephyr/python-regex.js';

/** Rows kept per boot; a console that prints more keeps the first ones and counts the rest. */
export const ROWS_MAX = 10_000;
/** Characters kept per value: a figure is short, a 64 KiB line is noise. */
const VALUE_MAX = 256;

interface Compiled {
  regex: RegExp[];
  end?: RegExp;
  ended: boolean;
}

export class RecordReader {
  private readonly specs: Compiled[];
  private readonly rows: RecordRow[] = [];
  private dropped = 0;

  constructor(specs: readonly RecordSpec[]) {
    this.specs = specs.map((s) => ({ regex: s.regex.map(pythonRegex), ...(s.end !== undefined ? { end: pythonRegex(s.end) } : {}), ended: false }));
  }

  /** One console line (1-based number `n`). */
  push(line: string, n: number): void {
    for (const spec of this.specs) {
      if (spec.ended) continue;
      if (spec.end?.test(line)) {
        spec.ended = true;
        continue;
      }
      for (const regex of spec.regex) {
        const m = regex.exec(line);
        if (!m) continue;
        if (this.rows.length >= ROWS_MAX) {
          this.dropped++;
          continue;
        }
        const values: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups ?? {})) values[k] = (v ?? '').trim().slice(0, VALUE_MAX);
        this.rows.push({ line: n, values });
      }
    }
  }

  /** Every spec that has an end line has seen it (and at least one has one). */
  get ended(): boolean {
    const withEnd = this.specs.filter((s) => s.end);
    return withEnd.length > 0 && withEnd.every((s) => s.ended);
  }

  result(): Records {
    return { rows: [...this.rows], ...(this.dropped ? { dropped: this.dropped } : {}) };
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A row's numbers (the figures) and the rest (its labels, which name the row). */
export function splitRow(values: Record<string, string>): { key: string; figures: Array<[string, number]> } {
  const labels: string[] = [];
  const figures: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(values)) {
    if (NUMBER.test(v)) figures.push([k, Number(v)]);
    else labels.push(`${k}=${v}`);
  }
  return { key: labels.join(' '), figures };
}

/** Whether any figure of these records reads 0 (a cycle counter an emulator does not model). */
export function readsZero(records: Records): boolean {
  return records.rows.some((r) => splitRow(r.values).figures.some(([, v]) => v === 0));
}
