// The judge's reasons as every report lists them: why the run is red, incomplete or invalid, each
// reason with the first few jobs or rows it names. Pure.
import type { JudgeReason, Judgement } from '../domain.js';

export interface ReasonLine {
  /** Which list it belongs to: what decided the exit code first. */
  group: 'invalid' | 'regressed' | 'incomplete';
  reason: JudgeReason;
  /** The first items, for one-line renderings. */
  shown: string[];
  /** How many items were left out of `shown`. */
  more: number;
}

export const GROUP_TITLE: Record<ReasonLine['group'], string> = {
  invalid: 'Invalid (exit 2)',
  regressed: 'Regressed (exit 1)',
  incomplete: 'Not compared (exit 3)',
};

/** Every reason, the group that decides the exit code first; `worse` rows are listed by the diff sections already when `skipWorse`. */
export function reasonLines(j: Judgement, opts: { items?: number; skipWorse?: boolean } = {}): ReasonLine[] {
  const n = opts.items ?? 3;
  const out: ReasonLine[] = [];
  const add = (group: ReasonLine['group'], reasons: readonly JudgeReason[]) => {
    for (const reason of reasons) {
      if (opts.skipWorse && reason.kind === 'worse') continue;
      const items = reason.items ?? [];
      out.push({ group, reason, shown: items.slice(0, n), more: Math.max(0, items.length - n) });
    }
  };
  add('invalid', j.invalid);
  add('regressed', j.regressed);
  add('incomplete', j.incomplete);
  return out;
}

/** `candidate not booted: renode not found … — nucleo_g474re/wasm/sem, … (+3 more)` */
export function reasonText(line: ReasonLine): string {
  const items = line.shown.length ? ` — ${line.shown.join(', ')}${line.more ? ` (+${line.more} more)` : ''}` : '';
  return `${line.reason.message}${items}`;
}
