// GNU ld's map file (`-Wl,-Map=`): which object or library member each input section came from.
// Zephyr writes zephyr.map next to zephyr.elf. Pure.

export interface MapSection {
  section: string;
  address: number;
  size: number;
  /** `zephyr/kernel/libkernel.a(sem.c.obj)` or an object path. */
  object: string;
}

/**
 * Input sections of the memory map. A section line is ` .text.name 0xADDR 0xSIZE object`, or the
 * name alone with the numbers on the next line when the name is long.
 */
export function parseMapFile(text: string): MapSection[] {
  const start = text.indexOf('Linker script and memory map');
  const body = start >= 0 ? text.slice(start) : text;
  const out: MapSection[] = [];
  let pending: string | undefined;
  for (const line of body.split('\n')) {
    const full = /^ (\.[^\s]+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*?)\s*$/.exec(line);
    if (full) {
      add(out, full[1]!, full[2]!, full[3]!, full[4]!);
      pending = undefined;
      continue;
    }
    const name = /^ (\.[^\s]+)\s*$/.exec(line);
    if (name) {
      pending = name[1]!;
      continue;
    }
    const rest = pending ? /^\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*?)\s*$/.exec(line) : null;
    if (rest && pending) add(out, pending, rest[1]!, rest[2]!, rest[3]!);
    pending = undefined;
  }
  return out.sort((a, b) => a.address - b.address);
}

const NOT_LOADED = /^\.(debug|comment|ARM\.attributes|stab|note|gnu\.attributes|line|zdebug)/;

function add(out: MapSection[], section: string, address: string, size: string, object: string): void {
  const s = parseInt(size, 16);
  const a = parseInt(address, 16);
  // Zero-sized sections own nothing; debug and note sections have offsets, not addresses.
  if (s === 0 || NOT_LOADED.test(section) || /^load address|^\(size before relaxing\)/.test(object)) return;
  out.push({ section, address: a, size: s, object });
}

export function sectionAt(sections: readonly MapSection[], address: number): MapSection | undefined {
  let found: MapSection | undefined;
  for (const s of sections) {
    if (s.address > address) break;
    if (address < s.address + s.size) found = s;
  }
  return found;
}

/** `…/libkernel.a(sem.c.obj)` → `libkernel.a(sem.c.obj)`; a long object path keeps its last parts. */
export function shortObject(object: string): string {
  const lib = /([^/]+\.a\([^)]+\))$/.exec(object);
  if (lib) return lib[1]!;
  const parts = object.split('/');
  return parts.slice(-3).join('/');
}
