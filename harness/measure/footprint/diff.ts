// Footprint, baseline image against candidate image: per region, per section kind, per ELF
// section, and the largest changes per object and per symbol; and the size gate, which decides
// here (the renderers only show what it found). Pure.
import type { Footprint, FootprintDiff, GateFinding, GatePolicy, ItemDelta, SectionKind, SizeDelta } from '../../domain.js';
import { SECTION_KINDS } from '../../domain.js';
import { pairLabel, type Pair } from '../pairs.js';
import { byText, bytes, signedBytes, signedPct } from '../format.js';

/** How many object and symbol changes a comparison keeps, largest first. */
export const CHANGES_MAX = 20;

export function sizeDelta(baseline: number, candidate: number): SizeDelta {
  const d: SizeDelta = { baseline, candidate, delta: candidate - baseline };
  if (baseline > 0) d.pct = Math.round(((candidate - baseline) / baseline) * 1e6) / 1e4;
  return d;
}

export function diffFootprints(pair: Pair<Footprint>): FootprintDiff {
  const [a, b] = [pair.baseline[0]!, pair.candidate[0]!];
  const out: FootprintDiff = {
    platform: pair.platform,
    suite: pair.suite,
    baselineVariant: pair.baselineVariant,
    candidateVariant: pair.candidateVariant,
    flash: sizeDelta(a.flash, b.flash),
    ram: sizeDelta(a.ram, b.ram),
    kinds: [],
    sections: [],
    objects: [],
    symbols: [],
  };
  const image = pair.result.provenance.image;
  if (typeof image === 'string') out.image = image;
  if (b.flashAvailable !== undefined) out.flashAvailable = b.flashAvailable;
  if (b.ramAvailable !== undefined) out.ramAvailable = b.ramAvailable;

  for (const kind of SECTION_KINDS) {
    for (const region of ['flash', 'ram'] as const) {
      const total = (f: Footprint) => f.sections.filter((s) => s.kind === kind).reduce((n, s) => n + s[region], 0);
      const [x, y] = [total(a), total(b)];
      if (x || y) out.kinds.push({ kind, region, ...sizeDelta(x, y) });
    }
  }

  const size = (s: { flash: number; ram: number }) => Math.max(s.flash, s.ram);
  const sections = new Map<string, { kind: SectionKind; a: number; b: number }>();
  for (const s of a.sections) sections.set(s.name, { kind: s.kind, a: size(s), b: 0 });
  for (const s of b.sections) sections.set(s.name, { kind: s.kind, a: sections.get(s.name)?.a ?? 0, b: size(s) });
  out.sections = [...sections]
    .map(([name, s]) => ({ name, kind: s.kind, ...sizeDelta(s.a, s.b) }))
    .filter((s) => s.delta !== 0)
    .sort(byChange);

  if (a.objects && b.objects) {
    const weight = (o: { kinds: Partial<Record<SectionKind, number>> }) => Object.values(o.kinds).reduce((n, v) => n + (v ?? 0), 0);
    const before = a.objects.map((o) => ({ name: o.name, bytes: weight(o), kind: largestKind(o.kinds) }));
    const after = b.objects.map((o) => ({ name: o.name, bytes: weight(o), kind: largestKind(o.kinds) }));
    out.objects = itemChanges(before, samePlaces(before, after), { complete: true }, { complete: true });
  }
  out.symbols = itemChanges(a.symbols, b.symbols, listed(a.symbols, a.symbolCount), listed(b.symbols, b.symbolCount));
  return out;
}

interface Item {
  name: string;
  bytes: number;
  kind?: SectionKind;
}

/** Whether a side's list holds every item, and if not, the smallest one it kept. */
type Listing = { complete: true } | { complete: false; floor: number };

function listed(items: readonly Item[], count: number): Listing {
  return items.length >= count ? { complete: true } : { complete: false, floor: items[items.length - 1]?.bytes ?? 0 };
}

function itemChanges(before: readonly Item[], after: readonly Item[], beforeList: Listing, afterList: Listing): ItemDelta[] {
  const a = new Map(before.map((i) => [i.name, i]));
  const b = new Map(after.map((i) => [i.name, i]));
  const out: ItemDelta[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(name);
    const y = b.get(name);
    const d: ItemDelta = { name, ...sizeDelta(x?.bytes ?? 0, y?.bytes ?? 0), change: !x ? 'new' : !y ? 'gone' : (y.bytes > x.bytes ? 'grown' : 'shrunk') };
    if (d.delta === 0) continue;
    const kind = y?.kind ?? x?.kind;
    if (kind) d.kind = kind;
    // Absent from a list that was cut: it may be there below the list's smallest item. Smaller
    // than that, nothing can be said; larger, it is new (or grew from under that size).
    const cut = !x ? beforeList : !y ? afterList : undefined;
    if (cut && !cut.complete) {
      if (Math.abs(d.delta) <= cut.floor) continue;
      d.below = cut.floor;
    }
    out.push(d);
  }
  return out.sort(byChange).slice(0, CHANGES_MAX);
}

/**
 * Two builds from different trees name the same library differently (Zephyr names a module's
 * library after its relative path: `lib..__modules__hal__stm32__stm32cube.a` against
 * `lib..__..__zsrc__modules__…`). A candidate object no baseline object is named like takes the
 * baseline's name when they are the one member of that name left on either side.
 */
function samePlaces(before: readonly Item[], after: readonly Item[]): Item[] {
  const member = (name: string) => /\(([^)]+)\)$/.exec(name)?.[1] ?? name.slice(name.lastIndexOf('/') + 1);
  const named = new Set(before.map((i) => i.name));
  const afterNames = new Set(after.map((i) => i.name));
  const lonely = (items: readonly Item[], others: ReadonlySet<string>) => {
    const by = new Map<string, Item[]>();
    for (const i of items) if (!others.has(i.name)) by.set(member(i.name), [...(by.get(member(i.name)) ?? []), i]);
    return by;
  };
  const left = lonely(before, afterNames);
  const right = lonely(after, named);
  return after.map((i) => {
    const m = member(i.name);
    const [x] = left.get(m) ?? [];
    return !named.has(i.name) && left.get(m)?.length === 1 && right.get(m)?.length === 1 ? { ...i, name: x!.name } : i;
  });
}

function largestKind(kinds: Partial<Record<SectionKind, number>>): SectionKind | undefined {
  let best: SectionKind | undefined;
  for (const k of SECTION_KINDS) if ((kinds[k] ?? 0) > (best ? kinds[best] ?? 0 : 0)) best = k;
  return best;
}

function byChange(x: { delta: number; name: string }, y: { delta: number; name: string }): number {
  return Math.abs(y.delta) - Math.abs(x.delta) || byText(x.name, y.name);
}

/**
 * The size gate: a region that grew by more than its limit is a finding, in the words of gale's
 * size job ("overhead N % exceeds the 10 % threshold"), naming the image, the region and the bytes.
 */
export function sizeGate(diffs: readonly FootprintDiff[], policy: GatePolicy['size']): GateFinding[] {
  if (!policy) return [];
  const findings: GateFinding[] = [];
  for (const d of diffs) {
    for (const [region, limit, delta] of [['RAM', policy.ramPct, d.ram], ['flash', policy.flashPct, d.flash]] as const) {
      if (limit === undefined || delta.delta <= 0) continue;
      if (delta.pct !== undefined && delta.pct <= limit) continue;
      const subject = pairLabel(d);
      findings.push({
        measure: 'size',
        subject,
        message: `${subject}: ${region} overhead ${signedPct(delta.pct)} (${signedBytes(delta.delta)}: ${bytes(delta.candidate)} against ${bytes(delta.baseline)} for ${d.baselineVariant}) exceeds the ${limit} % threshold${d.image ? `; image ${d.image}` : ''}`,
      });
    }
  }
  return findings;
}
