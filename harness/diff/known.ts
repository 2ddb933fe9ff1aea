// Known differences: entries of a known file (or a twister quarantine list) turn matching diff
// rows into class `known` (shown, counted, not gating), and every entry is judged so the list
// shrinks: `stale` when nothing it names diverges any more, `expired` past its `until:` date (its
// rows gate again), `unmet` when its rows diverge but not as it expects. Pure.
import type { DiffClass, DiffEntry, KnownEntry, KnownList, KnownVerdict } from '../domain.js';
import { WORSE } from './differ.js';

/** Facts a row does not carry, by platform (architecture, emulator) and suite (twister scenario id). */
export interface KnownContext {
  /** YYYY-MM-DD the run is judged on (the run's start). */
  asOf: string;
  platforms?: Record<string, { arch?: string; emulator?: string }>;
  scenarioIds?: Record<string, string>;
}

/** Rows a known entry may stand for: the candidate got worse, or disagrees with itself. */
const DIVERGING: ReadonlySet<DiffClass> = new Set([...WORSE, 'flaky']);

function compile(pattern: string, syntax: KnownEntry['syntax']): RegExp {
  if (syntax === 'regex') return new RegExp(`^(?:${pattern})$`);
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function anyMatch(patterns: string[] | undefined, values: Array<string | undefined>, syntax: KnownEntry['syntax']): boolean {
  if (!patterns || patterns.length === 0) return true;
  const res = patterns.map((p) => compile(p, syntax));
  return values.some((v) => v !== undefined && res.some((re) => re.test(v)));
}

export function entryMatches(e: KnownEntry, d: DiffEntry, ctx: KnownContext): boolean {
  const facts = ctx.platforms?.[d.platform] ?? {};
  const test = d.case.slice(d.case.indexOf('.') + 1);
  return (
    anyMatch(e.platform, [d.platform], e.syntax) &&
    anyMatch(e.variant, [d.candidateVariant], e.syntax) &&
    anyMatch(e.suite, [d.suite, ctx.scenarioIds?.[d.suite]], e.syntax) &&
    // `<ztest suite>.<test>`, or the test alone, or with the test_ prefix dropped as twister does.
    anyMatch(e.case, [d.case, test, test.replace(/^test_/, '')], e.syntax) &&
    anyMatch(e.arch, [facts.arch], e.syntax) &&
    anyMatch(e.emulator, [facts.emulator], e.syntax)
  );
}

function expected(e: KnownEntry, d: DiffEntry): boolean {
  if (!e.expect || e.expect.length === 0) return DIVERGING.has(d.class);
  return DIVERGING.has(d.class) && e.expect.some((x) => x === d.class || x === d.candidate);
}

export function isExpired(e: KnownEntry, asOf: string): boolean {
  return e.until !== undefined && e.until < asOf;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The diff with known rows reclassified, and what became of each entry. First matching entry wins. */
export function applyKnown(diff: readonly DiffEntry[], list: KnownList, ctx: KnownContext): { diff: DiffEntry[]; report: KnownVerdict[] } {
  const out = diff.map((d) => ({ ...d }));
  const claimed = new Set<number>();
  const report = list.entries.map((e): KnownVerdict => {
    const base = { source: e.source, reason: e.reason, ...(e.until ? { until: e.until } : {}) };
    const matched = out.map((d, i) => [d, i] as const).filter(([d]) => entryMatches(e, d, ctx));
    const diverging = matched.filter(([d]) => DIVERGING.has(d.class));
    const fittingAll = diverging.filter(([d]) => expected(e, d));
    const fitting = fittingAll.filter(([, i]) => !claimed.has(i));
    if (isExpired(e, ctx.asOf)) {
      for (const [d, i] of fitting) {
        out[i] = { ...d, known: { reason: e.reason, source: e.source, was: d.class, until: e.until!, expired: true } };
        claimed.add(i);
      }
      return { ...base, state: 'expired', rows: fitting.length, message: `expired on ${e.until}: ${plural(fitting.length, 'row')} gate again (${e.reason})` };
    }
    if (diverging.length === 0) {
      const why = matched.length ? `its ${plural(matched.length, 'case')} now behave like the baseline` : 'it matches no case of this run';
      return { ...base, state: 'stale', rows: 0, message: `stale: ${why}; remove it from ${list.file}` };
    }
    if (fitting.length === 0 && fittingAll.length > 0) {
      return { ...base, state: 'stale', rows: 0, message: `stale: an earlier entry already covers its ${plural(fittingAll.length, 'row')}; remove it from ${list.file}` };
    }
    if (fitting.length === 0) {
      const got = [...new Set(diverging.map(([d]) => `${d.class} (${d.candidate ?? 'absent'})`))].join(', ');
      return { ...base, state: 'unmet', rows: 0, message: `unmet: its cases diverge as ${got}, not as it expects (${(e.expect ?? []).join(', ')}); they gate` };
    }
    for (const [d, i] of fitting) {
      out[i] = { ...d, class: 'known', known: { reason: e.reason, source: e.source, was: d.class, ...(e.until ? { until: e.until } : {}) } };
      claimed.add(i);
    }
    return { ...base, state: 'applied', rows: fitting.length, message: `${plural(fitting.length, 'row')} known: ${e.reason}` };
  });
  return { diff: out, report };
}
