// An ELF's symbol table read directly, typed the way `nm` types it. Forensics needs the function
// at the PC and the objects at the thread and fault addresses; GNU nm took ~70 ms of CPU per crash
// here (its start-up loads the linker plugins, even for a 100 KB image), more than the rest of a
// crash's forensics and more than a short suite's whole boot. Reading .symtab is a few ms.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ElfSymbol } from './elf-text.js';

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHF_WRITE = 0x1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_SECTION = 3;
const STT_FILE = 4;
const STB_LOCAL = 0;
const STB_WEAK = 2;
const EM_ARM = 40;
/** A symbol table larger than this is not read here (nm is asked instead). */
const MAX_READ = 64 * 1024 * 1024;

interface Section {
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** The defined symbols of an ELF file, sorted by address; undefined when it cannot be read as one. */
export function readElfSymbols(path: string): ElfSymbol[] | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const file = fd;
    // Only the headers, the symbol table and its strings: an image with debug info is megabytes.
    const read = (offset: number, length: number): Buffer => {
      if (length > MAX_READ) throw new Error('too large');
      const buf = Buffer.alloc(length);
      let at = 0;
      while (at < length) {
        const n = readSync(file, buf, at, length - at, offset + at);
        if (n <= 0) break;
        at += n;
      }
      return buf.subarray(0, at);
    };
    return elfSymbols(read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Pure but for `read` (bytes at an offset): the symbols of an ELF, 32 or 64-bit, either byte order. */
export function elfSymbols(read: (offset: number, length: number) => Buffer): ElfSymbol[] | undefined {
  const head = read(0, 64);
  if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = head[4] === 2;
  const le = head[5] === 1;
  const view = (b: Buffer) => ({
    u16: (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o)),
    u32: (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o)),
    addr: (o: number) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : le ? b.readUInt32LE(o) : b.readUInt32BE(o)),
  });
  const h = view(head);
  const thumb = h.u16(0x12) === EM_ARM;
  const shoff = h.addr(is64 ? 0x28 : 0x20);
  const shentsize = h.u16(is64 ? 0x3a : 0x2e);
  const shnum = h.u16(is64 ? 0x3c : 0x30);
  if (!shoff || !shnum || shentsize < (is64 ? 0x40 : 0x28)) return undefined;
  const table = read(shoff, shnum * shentsize);
  if (table.length < shnum * shentsize) return undefined;
  const t = view(table);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = i * shentsize;
    sections.push(
      is64
        ? { type: t.u32(o + 4), flags: t.addr(o + 8), offset: t.addr(o + 0x18), size: t.addr(o + 0x20), link: t.u32(o + 0x28), entsize: t.addr(o + 0x38) }
        : { type: t.u32(o + 4), flags: t.u32(o + 8), offset: t.u32(o + 0x10), size: t.u32(o + 0x14), link: t.u32(o + 0x18), entsize: t.u32(o + 0x24) },
    );
  }
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const strtab = symtab ? sections[symtab.link] : undefined;
  if (!symtab || !strtab) return undefined;
  const syms = read(symtab.offset, symtab.size);
  const strings = read(strtab.offset, strtab.size);
  if (syms.length < symtab.size || strings.length < strtab.size) return undefined;
  const y = view(syms);
  const entsize = symtab.entsize || (is64 ? 24 : 16);
  const out: ElfSymbol[] = [];
  for (let o = 0; o + entsize <= syms.length; o += entsize) {
    const nameAt = y.u32(o);
    const info = syms[is64 ? o + 4 : o + 12]!;
    const shndx = y.u16(is64 ? o + 6 : o + 14);
    const kind = info & 0xf;
    if (shndx === SHN_UNDEF || kind === STT_SECTION || kind === STT_FILE || nameAt === 0 || nameAt >= strings.length) continue;
    const end = strings.indexOf(0, nameAt);
    const name = strings.toString('latin1', nameAt, end < 0 ? strings.length : end);
    // ARM mapping symbols ($t, $d, $a) mark code/data ranges, they are not names.
    if (!name || name.startsWith('$')) continue;
    const type = nmType(info >> 4, kind, shndx, sections[shndx]);
    if (!type) continue;
    const value = y.addr(is64 ? o + 8 : o + 4);
    const size = y.addr(is64 ? o + 16 : o + 8);
    // A Thumb function's value carries bit 0 (the instruction set); nm shows the address without it.
    const address = thumb && kind === STT_FUNC ? (value & ~1) >>> 0 : value;
    out.push({ address, ...(size ? { size } : {}), type, name });
  }
  return out.sort((a, b) => a.address - b.address);
}

/** nm's letter: t code, d data, b zero-initialised, r read-only, a absolute; upper case when global, w/v when weak. */
function nmType(bind: number, kind: number, shndx: number, section: Section | undefined): string | undefined {
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
