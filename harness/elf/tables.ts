// An ELF image's tables, the one reader of them in tandem: section headers, program headers (where
// a section is loaded from) and the symbol table. The footprint is made of them; forensics and the
// probe plan type the symbols as nm does (forensics/elf-symbols.ts). Pure: bytes come through
// `read`, so the caller decides how a file is read (only these tables, never the debug sections:
// file.ts) and tests pass a buffer. Malformed input throws an ElfError naming what is wrong.

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  /** Where it runs (VMA). */
  addr: number;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_*: STT_FUNC (2), STT_OBJECT (1), STT_SECTION, STT_FILE… */
  type: number;
  /** STB_*: local (0), global (1), weak (2). */
  bind: number;
  /** Index of its section (SHN_UNDEF, SHN_ABS and the other reserved indexes included). */
  section: number;
}

export interface ElfImage {
  /** e_machine: EM_ARM (40) for every image tandem boots. */
  machine: number;
  sections: ElfSection[];
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
const PT_LOAD = 1;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const EM_ARM = 40;
/** Tables past this are not believed: a header that claims more is damaged or hostile. */
const MAX_TABLE = 64 * 1024 * 1024;

export class ElfError extends Error {}

/** `read(offset, length)` returns exactly those bytes or fewer at the end of the file. */
export type ReadAt = (offset: number, length: number) => Uint8Array;

export function readElf(read: ReadAt, fileSize: number): ElfImage {
  const head = view(read(0, 64));
  if (head.byteLength < 52 || head.getUint32(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  const is64 = head.getUint8(4) === 2;
  const le = head.getUint8(5) === 1;
  if (is64 && head.byteLength < 64) throw new ElfError('truncated ELF header');
  const u16 = (v: DataView, o: number) => v.getUint16(o, le);
  const u32 = (v: DataView, o: number) => v.getUint32(o, le);
  const word = (v: DataView, o: number) => (is64 ? Number(v.getBigUint64(o, le)) : v.getUint32(o, le));

  const table = (offset: number, entsize: number, count: number, what: string): DataView => {
    const length = entsize * count;
    if (length > MAX_TABLE || offset + length > fileSize) throw new ElfError(`${what} (${count} × ${entsize} bytes at ${offset}) lies outside the ${fileSize}-byte file: a truncated or damaged image`);
    const bytes = view(read(offset, length));
    if (bytes.byteLength < length) throw new ElfError(`${what} could not be read whole`);
    return bytes;
  };

  const phoff = word(head, is64 ? 32 : 28);
  const shoff = word(head, is64 ? 40 : 32);
  const phentsize = u16(head, is64 ? 54 : 42);
  const phnum = u16(head, is64 ? 56 : 44);
  const shentsize = u16(head, is64 ? 58 : 46);
  const shnum = u16(head, is64 ? 60 : 48);
  const shstrndx = u16(head, is64 ? 62 : 50);
  if (shnum === 0) throw new ElfError('has no section headers (stripped of them?)');
  if (shentsize < (is64 ? 64 : 40) || (phnum > 0 && phentsize < (is64 ? 56 : 32))) throw new ElfError('has header entries smaller than the ELF format allows');

  const ph = phnum ? table(phoff, phentsize, phnum, 'the program header table') : undefined;
  const segments: ElfSegment[] = [];
  for (let i = 0; ph && i < phnum; i++) {
    const at = i * phentsize;
    if (u32(ph, at) !== PT_LOAD) continue;
    segments.push(
      is64
        ? { type: PT_LOAD, offset: word(ph, at + 8), vaddr: word(ph, at + 16), paddr: word(ph, at + 24), filesz: word(ph, at + 32), memsz: word(ph, at + 40) }
        : { type: PT_LOAD, offset: u32(ph, at + 4), vaddr: u32(ph, at + 8), paddr: u32(ph, at + 12), filesz: u32(ph, at + 16), memsz: u32(ph, at + 20) },
    );
  }

  const sh = table(shoff, shentsize, shnum, 'the section header table');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = i * shentsize;
    return {
      nameOffset: u32(sh, at),
      type: u32(sh, at + 4),
      flags: word(sh, at + 8),
      addr: word(sh, at + (is64 ? 16 : 12)),
      offset: word(sh, at + (is64 ? 24 : 16)),
      size: word(sh, at + (is64 ? 32 : 20)),
      link: u32(sh, at + (is64 ? 40 : 24)),
      entsize: word(sh, at + (is64 ? 56 : 36)),
    };
  });
  const strings = (index: number, what: string): Buffer => {
    const s = raw[index];
    if (!s) throw new ElfError(`${what} names section ${index}, which does not exist`);
    return bytesOf(table(s.offset, 1, s.size, what));
  };
  const shstr = strings(shstrndx, 'the section-name table');
  const sections: ElfSection[] = raw.map((s) => ({ name: cString(shstr, s.nameOffset), type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size }));

  const symbols: ElfSymbol[] = [];
  const symtab = raw.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    const entsize = symtab.entsize || (is64 ? 24 : 16);
    const count = Math.floor(symtab.size / entsize);
    const st = table(symtab.offset, entsize, count, 'the symbol table');
    const names = strings(symtab.link, 'the symbol table');
    for (let i = 1; i < count; i++) {
      const at = i * entsize;
      const info = st.getUint8(at + (is64 ? 4 : 12));
      symbols.push({
        name: cString(names, u32(st, at)),
        value: is64 ? Number(st.getBigUint64(at + 8, le)) : u32(st, at + 4),
        size: is64 ? Number(st.getBigUint64(at + 16, le)) : u32(st, at + 8),
        type: info & 0xf,
        bind: info >> 4,
        section: u16(st, at + (is64 ? 6 : 14)),
      });
    }
  }
  return { machine: u16(head, 18), sections, segments, symbols };
}

/**
 * Where a section's bytes are stored (its LMA): inside the loadable segment whose file bytes hold
 * it. Undefined for sections with no file bytes (bss) or outside every segment.
 */
export function loadAddress(section: ElfSection, segments: readonly ElfSegment[]): number | undefined {
  if (section.type === SHT_NOBITS) return undefined;
  const seg = segments.find((p) => p.filesz > 0 && section.offset >= p.offset && section.offset + section.size <= p.offset + p.filesz);
  return seg ? seg.paddr + (section.offset - seg.offset) : undefined;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bytesOf(v: DataView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function cString(table: Buffer, offset: number): string {
  if (offset >= table.length) return '';
  const end = table.indexOf(0, offset);
  return table.toString('latin1', offset, end < 0 ? table.length : end);
}
