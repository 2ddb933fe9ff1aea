// An emulator loads whatever it is given: an empty or truncated file, an ELF for the host, a folder.
// Booted, each becomes a silent guest and a timeout many seconds later, or an emulator error that
// does not say why. So each image is looked at before anything reads it whole (hashing a FIFO
// would block forever) and before any emulator starts: the job gets a verdict that names the
// problem, and the run goes on with the others.
//
// `elfProblem` is pure (bytes in, words out); `imageProblem` is the file-system shell around it.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** ELF e_machine values tandem can name. */
const MACHINES: Readonly<Record<number, string>> = {
  3: 'x86 (i386)',
  8: 'MIPS',
  20: 'PowerPC',
  40: 'ARM (32-bit)',
  62: 'x86-64',
  94: 'Xtensa',
  183: 'AArch64 (64-bit ARM)',
  243: 'RISC-V',
};

/** The e_machine a platform's `arch` runs. Unknown arches are not checked. */
const ARCH_MACHINES: Readonly<Record<string, readonly number[]>> = {
  arm: [40],
  arm64: [183],
  riscv: [243],
  x86: [3, 62],
  xtensa: [94],
};

const PT_LOAD = 1;
const ET_REL = 1;
/** Enough for the ELF header and a Zephyr image's handful of program headers. */
const HEAD_BYTES = 4096;

export interface ElfFacts {
  /** Total file size in bytes (the head may be shorter). */
  size: number;
  /** The first bytes of the file. */
  head: Uint8Array;
}

/** What is wrong with these ELF bytes for `arch`; undefined when nothing is. Pure. */
export function elfProblem({ size, head }: ElfFacts, arch: string | undefined): string | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const cls = b[4];
  const data = b[5];
  if (cls !== 1 && cls !== 2) return `has an ELF signature but an unknown class (${cls}): a damaged file?`;
  if (data !== 1 && data !== 2) return `has an ELF signature but an unknown byte order (${data}): a damaged file?`;
  const is64 = cls === 2;
  const headerSize = is64 ? 64 : 52;
  if (size < headerSize) return `is truncated: ${size} bytes, shorter than an ELF header (${headerSize} bytes)`;
  const le = data === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const word = (o: number) => (is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(o));

  const machine = u16(18);
  const wanted = arch ? ARCH_MACHINES[arch] : undefined;
  if (wanted && !wanted.includes(machine)) {
    const what = MACHINES[machine] ?? `machine ${machine}`;
    return `is an ELF for ${what}${is64 ? ', 64-bit' : ''}, not for ${arch}: a host program, or an image built for another board?`;
  }
  if (u16(16) === ET_REL) return 'is a relocatable object file (.o), not a linked image: point at zephyr/zephyr.elf';

  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  if (phnum === 0) return 'has no program headers, so no loadable segments: nothing to run (a debug-only ELF or an object file?)';
  const tableEnd = phoff + phnum * phentsize;
  if (tableEnd > size) return `is truncated: its program headers end at byte ${tableEnd} but the file has ${size} bytes (an interrupted build or copy?)`;
  if (tableEnd > b.length) return undefined; // an unusual layout: let the emulator judge it
  let loadable = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (u32(at) !== PT_LOAD) continue;
    const offset = word(at + (is64 ? 8 : 4));
    const filesz = word(at + (is64 ? 32 : 16));
    const memsz = word(at + (is64 ? 40 : 20));
    if (filesz > 0 && offset + filesz > size) {
      return `is truncated: loadable segment ${i} ends at byte ${offset + filesz} but the file has ${size} bytes (an interrupted build or copy?)`;
    }
    if (filesz > 0 || memsz > 0) loadable++;
  }
  if (loadable === 0) return 'has no loadable segments: nothing to run (a debug-only ELF?)';
  return undefined;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function looksLikeElfName(path: string): boolean {
  return /\.elf$/i.test(path) || /zephyr(\.exe)?$/.test(path);
}

/**
 * Why the image at `path` cannot be booted on a platform of `arch`; undefined when it can (as far
 * as a look at its header can tell). Never blocks: only regular files are opened.
 */
export function imageProblem(path: string, arch?: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `image not found: ${path}` : `cannot read image ${path}: ${code ?? (err as Error).message}`;
  }
  if (st.isDirectory()) return `image ${path} is a folder, not a file (the template should name the .elf inside it)`;
  if (st.isFIFO()) return `image ${path} is a FIFO (named pipe), not a file: tandem does not read it`;
  if (st.isSocket()) return `image ${path} is a socket, not a file`;
  if (!st.isFile()) return `image ${path} is a device or special file, not an image`;
  if (st.size === 0) return `image ${path} is empty (0 bytes): did its build or copy fail?`;
  let head: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    head = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } catch (err) {
    return `cannot read image ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const isElf = head.length >= 4 && ELF_MAGIC.every((m, i) => head[i] === m);
  if (!isElf) return looksLikeElfName(path) ? `not an ELF file: ${path}` : undefined; // a raw .bin or .hex: the emulator's to load
  const problem = elfProblem({ size: st.size, head }, arch);
  return problem ? `image ${path} ${problem}` : undefined;
}
