// An image's footprint from its ELF tables and, when there is one, its map file: flash and RAM by
// section, each counted where it lives, per input object and the largest symbols. Pure.
import type { Footprint, FootprintObject, FootprintSection, FootprintSymbol, SectionKind } from '../../domain.js';
import { SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, STT_FUNC, STT_OBJECT, loadAddress, type ElfImage, type ElfSection } from '../../elf/tables.js';
import { byText } from '../format.js';
import { memoryRegions, parseMapFile, sectionAt, shortObject, type MapSection } from '../../forensics/map-file.js';

/** How many objects and symbols a footprint keeps (largest first); the counts say how many there were. */
export const LIST_MAX = 40;

/** Cortex-M's architectural map: the Code region (flash) below 0x20000000, SRAM and the rest above. */
const SRAM_REGION = 0x20000000;

type Region = 'flash' | 'ram';

export interface PlatformSize {
  flashKb?: number;
  ramKb?: number;
}

export function readFootprint(elf: ElfImage, map?: { file: string; text: string }, platform: PlatformSize = {}): Footprint {
  const regions = map ? memoryRegions(map.text) : [];
  const regionOf = (address: number): Region => {
    const r = regions.find((m) => address >= m.origin && address < m.origin + m.length);
    return r ? (/w/i.test(r.attributes) ? 'ram' : 'flash') : address < SRAM_REGION ? 'flash' : 'ram';
  };

  const placed = new Map<number, FootprintSection>();
  elf.sections.forEach((s, index) => {
    if (!(s.flags & SHF_ALLOC) || s.size === 0) return;
    const runsIn = s.type === SHT_NOBITS ? 'ram' : regionOf(s.addr);
    const lma = loadAddress(s, elf.segments);
    // Stored in flash when its bytes are loaded from there (text, rodata, .data's initial values).
    const stored = s.type !== SHT_NOBITS && regionOf(lma ?? s.addr) === 'flash';
    placed.set(index, { name: s.name, kind: kindOf(s, runsIn), flash: stored ? s.size : 0, ram: runsIn === 'ram' ? s.size : 0 });
  });
  const sections = [...placed.values()];
  const footprint: Footprint = {
    flash: sum(sections.map((s) => s.flash)),
    ram: sum(sections.map((s) => s.ram)),
    sections,
    symbols: [],
    symbolCount: 0,
    regions: regions.length ? 'map' : 'architecture',
  };
  if (platform.flashKb !== undefined) footprint.flashAvailable = platform.flashKb * 1024;
  if (platform.ramKb !== undefined) footprint.ramAvailable = platform.ramKb * 1024;

  const inputs = map ? parseMapFile(map.text) : [];
  if (map) {
    footprint.map = map.file;
    footprint.objects = objectsOf(inputs, new Map([...placed.values()].map((s) => [s.name, s])));
  }

  // Local statics of the same name in several files are one line: the bytes that name costs.
  const bySymbol = new Map<string, FootprintSymbol & { address: number }>();
  for (const sym of elf.symbols) {
    // What takes bytes: functions and objects with a size.
    if ((sym.type !== STT_FUNC && sym.type !== STT_OBJECT) || sym.size === 0) continue;
    const section = placed.get(sym.section);
    if (!section) continue;
    const seen = bySymbol.get(sym.name);
    if (seen) seen.bytes += sym.size;
    else bySymbol.set(sym.name, { name: sym.name, bytes: sym.size, kind: section.kind, address: sym.type === STT_FUNC ? sym.value & ~1 : sym.value });
  }
  footprint.symbolCount = bySymbol.size;
  const largest = [...bySymbol.values()].sort((a, b) => b.bytes - a.bytes || byText(a.name, b.name)).slice(0, LIST_MAX);
  // Only the symbols kept are looked up in the map.
  footprint.symbols = largest.map(({ address, ...s }) => {
    const from = inputs.length ? sectionAt(inputs, address) : undefined;
    return from ? { ...s, object: shortObject(from.object) } : s;
  });
  return footprint;
}

/** By flags and by where it runs: code, read-only data, initialised data, zeroed data, noinit. */
function kindOf(s: ElfSection, runsIn: Region): SectionKind {
  if (s.flags & SHF_EXECINSTR) return 'text';
  if (s.type === SHT_NOBITS) return /noinit/i.test(s.name) ? 'noinit' : 'bss';
  return runsIn === 'ram' ? 'data' : 'rodata';
}

/** Per object, what its input sections add to each output section, counted where that lives. */
function objectsOf(inputs: readonly MapSection[], outputs: ReadonlyMap<string, FootprintSection>): FootprintObject[] {
  const objects = new Map<string, FootprintObject>();
  // Many input sections per object: each object's path is shortened once.
  const names = new Map<string, string>();
  for (const input of inputs) {
    const out = input.output === undefined ? undefined : outputs.get(input.output);
    if (!out) continue;
    let name = names.get(input.object);
    if (name === undefined) names.set(input.object, (name = shortObject(input.object)));
    const o = objects.get(name) ?? { name, flash: 0, ram: 0, kinds: {} };
    if (out.flash) o.flash += input.size;
    if (out.ram) o.ram += input.size;
    o.kinds[out.kind] = (o.kinds[out.kind] ?? 0) + input.size;
    objects.set(name, o);
  }
  return [...objects.values()].sort((a, b) => b.flash + b.ram - (a.flash + a.ram) || byText(a.name, b.name));
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

