// GNU ld's map file (`-Wl,-Map=`): which object or library member each input section came from,
// into which output section, and the memory regions of the link. Zephyr writes zephyr.map next to
// zephyr.elf. Pure.

export interface MapSection {
  section: string;
  address: number;
  size: number;
  /** `zephyr/kernel/libkernel.a(sem.c.obj)` or an object path. */
  object: string;
  /** The output section it went into (`text`, `datas`, `.bss`). */
  output?: string;
}

/** A `MEMORY` region of the link (`FLASH 0x0 0x40000 xr`). */
export interface MemoryRegion {
  name: string;
  origin: number;
  length: number;
  attributes: string;
}

/**
 * Input sections of the memory map. A section line is ` .text.name 0xADDR 0xSIZE object`, or the
 * name alone with the numbers on the next line when the name is long; an output section starts in
 * the first column the same way.
 */
export function parseMapFile(text: string): MapSection[] {
  const start = text.indexOf('Linker script and memory map');
  const body = start >= 0 ? text.slice(start) : text;
  const out: MapSection[] = [];
  let pending: string | undefined;
  let pendingOutput: string | undefined;
  let output: string | undefined;
  for (const line of body.split('\n')) {
    // Most lines are symbols and linker-script echoes: the first characters rule them out cheaply.
    if (line[0] !== ' ' && line !== '') {
      const outFull = /^([^\s*][^\s]*)\s+0x[0-9a-fA-F]+\s+0x[0-9a-fA-F]+/.exec(line);
      const outName = outFull ? undefined : /^([._a-zA-Z][^\s]*)\s*$/.exec(line);
      if (outFull) output = outFull[1]!;
      pendingOutput = outName?.[1];
      pending = undefined;
      continue;
    }
    if (pendingOutput && /^\s+0x[0-9a-fA-F]+\s+0x[0-9a-fA-F]+\s*$/.test(line)) {
      output = pendingOutput;
      pendingOutput = undefined;
      continue;
    }
    pendingOutput = undefined;
    if (line[1] === '.' || line.startsWith(' COMMON')) {
      // Greedy to the end and trimmed after: a lazy `(.*?)\s*$` retries at every character.
      const full = /^ (\.[^\s]+|COMMON)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$/.exec(line);
      if (full) {
        add(out, full[1]!, full[2]!, full[3]!, full[4]!.trimEnd(), output);
        pending = undefined;
        continue;
      }
      const name = /^ (\.[^\s]+|COMMON)\s*$/.exec(line);
      if (name) {
        pending = name[1]!;
        continue;
      }
    }
    const rest = pending && line.startsWith('     ') ? /^\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$/.exec(line) : null;
    if (rest && pending) add(out, pending, rest[1]!, rest[2]!, rest[3]!.trimEnd(), output);
    pending = undefined;
  }
  return out.sort((a, b) => a.address - b.address);
}

/** The `Memory Configuration` table; empty when the map has none. */
export function memoryRegions(text: string): MemoryRegion[] {
  const start = text.indexOf('Memory Configuration');
  if (start < 0) return [];
  const end = text.indexOf('Linker script and memory map', start);
  const out: MemoryRegion[] = [];
  for (const line of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^(\S+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)(?:\s+(\S+))?\s*$/.exec(line);
    if (!m || m[1] === '*default*') continue;
    out.push({ name: m[1]!, origin: parseInt(m[2]!, 16), length: parseInt(m[3]!, 16), attributes: m[4] ?? '' });
  }
  return out;
}

const NOT_LOADED = /^\.(debug|comment|ARM\.attributes|stab|note|gnu\.attributes|line|zdebug)/;

function add(out: MapSection[], section: string, address: string, size: string, object: string, output: string | undefined): void {
  const s = parseInt(size, 16);
  const a = parseInt(address, 16);
  // Zero-sized sections own nothing; debug and note sections have offsets, not addresses.
  if (s === 0 || NOT_LOADED.test(section) || /^load address|^\(size before relaxing\)/.test(object)) return;
  out.push({ section, address: a, size: s, object, ...(output ? { output } : {}) });
}

/** The input section holding `address` (sections sorted by address, as parseMapFile returns them). */
export function sectionAt(sections: readonly MapSection[], address: number): MapSection | undefined {
  let lo = 0;
  let hi = sections.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sections[mid]!.address <= address) (last = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  // Sections may nest (a section inside a larger one at the same start): the innermost that holds it.
  for (let i = last; i >= 0 && i > last - 8; i--) {
    const s = sections[i]!;
    if (address < s.address + s.size) return s;
  }
  return undefined;
}

/** `…/libkernel.a(sem.c.obj)` → `libkernel.a(sem.c.obj)`; a long object path keeps its last parts. */
export function shortObject(object: string): string {
  const lib = /([^/]+\.a\([^)]+\))$/.exec(object);
  if (lib) return lib[1]!;
  const parts = object.split('/');
  return parts.slice(-3).join('/');
}
