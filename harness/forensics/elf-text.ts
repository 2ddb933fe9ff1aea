// The text the binutils (or llvm) tools print about an ELF, turned into data. Pure: every function
// takes the tool's output and returns plain values, so it is tested without running a tool.
import type { Instruction } from '../domain.js';

export interface ElfSymbol {
  address: number;
  size?: number;
  /** nm's type letter: t/T code, d/D/b/B/r/R data. */
  type: string;
  name: string;
}

/** `nm -S -n --defined-only` lines: `00001ee4 00000034 T k_sem_give` (size absent for some). */
export function parseNm(text: string): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]+)(?:\s+([0-9a-fA-F]+))?\s+([a-zA-Z])\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    // ARM mapping symbols ($t, $d, $a) mark code/data ranges, they are not names.
    if (m[4]!.startsWith('$')) continue;
    const sym: ElfSymbol = { address: parseInt(m[1]!, 16), type: m[3]!, name: m[4]! };
    if (m[2] !== undefined) sym.size = parseInt(m[2], 16);
    out.push(sym);
  }
  return out.sort((a, b) => a.address - b.address);
}

const CODE = /^[tTwW]$/;
const DATA = /^[dDbBrRgGsSvV]$/;

/**
 * The symbol an address falls in. Code: the closest function at or below it (sizes vary by
 * toolchain and some are absent). Data: only a symbol whose extent contains it.
 */
export function symbolAt(symbols: readonly ElfSymbol[], address: number, kind: 'code' | 'data'): { symbol: ElfSymbol; offset: number } | undefined {
  const wanted = kind === 'code' ? CODE : DATA;
  let best: ElfSymbol | undefined;
  for (const s of symbols) {
    if (!wanted.test(s.type)) continue;
    // Thumb function symbols carry bit 0 in some tools' output; compare on the halfword.
    const start = kind === 'code' ? s.address & ~1 : s.address;
    if (start > address) break;
    const inside = s.size === undefined || s.size === 0 ? kind === 'code' : address < start + s.size;
    if (inside) best = s;
    else if (best && best.size !== undefined && best.size > 0 && address >= (best.address & ~1) + best.size) best = undefined;
  }
  return best ? { symbol: best, offset: address - (kind === 'code' ? best.address & ~1 : best.address) } : undefined;
}

/**
 * The code of a ztest case: `ZTEST(suite, test)` defines `<suite>_<test>`, which compilers usually
 * inline into its wrapper (`z_ztest_wrapper_<suite>_<test>` here, `_<suite>_<test>_wrapper` in
 * Zephyr 4.x), so the wrapper is the function to break on when the body has no symbol of its own.
 */
export function caseFunction(symbols: readonly ElfSymbol[], suite: string | undefined, test: string): ElfSymbol | undefined {
  const code = symbols.filter((s) => CODE.test(s.type));
  const body = suite ? `${suite}_${test}` : undefined;
  const exact = code.find((s) => s.name === body) ?? code.find((s) => s.name === test);
  if (exact) return exact;
  const named = (s: ElfSymbol) => (body ? s.name.includes(body) : new RegExp(`(^|_)${test}(_|$)`).test(s.name));
  return code.find((s) => named(s) && !/wrapper/.test(s.name)) ?? code.find((s) => named(s) && /wrapper/.test(s.name));
}

export interface Frame {
  function: string;
  file?: string;
  line?: number;
}

/**
 * `addr2line -a -f -i -e elf A B…`: an address line, then (function, file:line) pairs, innermost
 * first. Returns the frames per address, in the order asked.
 */
export function parseAddr2line(text: string): Map<string, Frame[]> {
  const out = new Map<string, Frame[]>();
  let current: Frame[] | undefined;
  const lines = text.split('\n').map((l) => l.trimEnd());
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^0x[0-9a-fA-F]+$/.test(line)) {
      current = [];
      out.set(normalizeAddress(line), current);
      continue;
    }
    if (!current || line === '') continue;
    const where = lines[i + 1] ?? '';
    i++;
    const frame: Frame = { function: line };
    const m = /^(.*?):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(where);
    if (m && m[1] !== '??' && m[1] !== '') frame.file = m[1]!;
    if (m && m[2] !== '?' && Number(m[2]) > 0) frame.line = Number(m[2]);
    if (frame.function === '??' && !frame.file) continue;
    current.push(frame);
  }
  return out;
}

/**
 * objdump's disassembly, GNU (`    1f06:\tde00      \tudf\t#0`) or llvm (`    1f06: 00 de   udf #0`).
 * Labels, blank lines and headers are skipped.
 */
export function parseDisassembly(text: string): Instruction[] {
  const out: Instruction[] = [];
  for (const line of text.split('\n')) {
    const gnu = /^\s*([0-9a-fA-F]+):\t([0-9a-fA-F ]+?)\s*\t(.*)$/.exec(line);
    const llvm = gnu ? undefined : /^\s*([0-9a-fA-F]+):\s((?:[0-9a-fA-F]{2} ?)+)\s+(\S.*)$/.exec(line);
    const m = gnu ?? llvm;
    if (!m) continue;
    const text = m[3]!.replace(/\t/g, ' ').replace(/\s+/g, ' ').trim();
    out.push({ address: `0x${parseInt(m[1]!, 16).toString(16).padStart(8, '0')}`, bytes: m[2]!.trim(), text: text || '(no text)' });
  }
  return out;
}

/** The instruction at `address` with `around` instructions either side. */
export function windowAround(instructions: readonly Instruction[], address: number, around = 2): { at?: Instruction; window: Instruction[] } {
  const i = instructions.findIndex((x) => parseInt(x.address, 16) === address);
  if (i < 0) return { window: [] };
  return { at: instructions[i]!, window: instructions.slice(Math.max(0, i - around), i + around + 1) };
}

export function normalizeAddress(a: string | number): string {
  const n = typeof a === 'number' ? a : parseInt(a, 16);
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
