// An ELF's symbol table typed the way `nm` types it, from tandem's own ELF reader (elf/). Forensics
// needs the function at the PC and the objects at the thread and fault addresses, the probe plan
// every function's extent; GNU nm took ~70 ms of CPU per call here (its start-up loads the linker
// plugins, even for a 100 KB image), more than the rest of a crash's forensics and more than a short
// suite's whole boot. Reading .symtab is a few ms.
import { readElfFile } from '../elf/file.js';
import { EM_ARM, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, SHT_SYMTAB, STT_FUNC, STT_OBJECT, type ElfImage, type ElfSection } from '../elf/tables.js';
import type { ElfSymbol } from './elf-text.js';

const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const STT_SECTION = 3;
const STT_FILE = 4;
const STB_LOCAL = 0;
const STB_WEAK = 2;

/**
 * The defined symbols of an ELF file, sorted by address, as `nm -S -n --defined-only` lists them;
 * undefined when it cannot be read as one or has no symbol table (then nm is asked instead).
 */
export function readElfSymbols(path: string): ElfSymbol[] | undefined {
  try {
    return nmSymbols(readElfFile(path));
  } catch {
    return undefined;
  }
}

/** Pure: an image's symbols with nm's type letters; undefined without a symbol table. */
export function nmSymbols(elf: ElfImage): ElfSymbol[] | undefined {
  if (!elf.sections.some((s) => s.type === SHT_SYMTAB)) return undefined;
  const thumb = elf.machine === EM_ARM;
  const out: ElfSymbol[] = [];
  for (const s of elf.symbols) {
    if (s.section === SHN_UNDEF || s.type === STT_SECTION || s.type === STT_FILE) continue;
    // ARM mapping symbols ($t, $d, $a) mark code/data ranges, they are not names.
    if (!s.name || s.name.startsWith('$')) continue;
    const type = nmType(s.bind, s.type, s.section, elf.sections[s.section]);
    if (!type) continue;
    // A Thumb function's value carries bit 0 (the instruction set); nm shows the address without it.
    const address = thumb && s.type === STT_FUNC ? (s.value & ~1) >>> 0 : s.value;
    out.push({ address, ...(s.size ? { size: s.size } : {}), type, name: s.name });
  }
  return out.sort((a, b) => a.address - b.address);
}

/** nm's letter: t code, d data, b zero-initialised, r read-only, a absolute; upper case when global, w/v when weak. */
function nmType(bind: number, kind: number, shndx: number, section: ElfSection | undefined): string | undefined {
  let letter: string;
  if (shndx === SHN_ABS) letter = 'a';
  else if (shndx >= SHN_LORESERVE || !section || !(section.flags & SHF_ALLOC)) return undefined;
  else if (kind === STT_FUNC || section.flags & SHF_EXECINSTR) letter = 't';
  else if (section.type === SHT_NOBITS) letter = 'b';
  else if (section.flags & SHF_WRITE) letter = 'd';
  else letter = 'r';
  if (bind === STB_WEAK) return letter === 't' ? 'W' : kind === STT_OBJECT ? 'V' : 'W';
  return bind === STB_LOCAL ? letter : letter.toUpperCase();
}
