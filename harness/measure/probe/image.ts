// The parts of an image a probe plan is made from, read from nm's and objdump's text: function
// bodies, which of them a scenario names, the exception vectors and the ztest cases. Pure.
import type { Instruction } from '../../domain.js';
import { parseDisassembly, type ElfSymbol } from '../../forensics/elf-text.js';
import { globMatch } from '../../scenario/expand.js';

export interface ImageCode {
  symbols: ElfSymbol[];
  instructions: Instruction[];
  /** Exception handler addresses from the vector table (Thumb bit cleared), reset excluded. */
  vectors: number[];
}

/** A function's code in the image: one symbol's extent. */
export interface Body {
  name: string;
  start: number;
  end: number;
}

const CODE = /^[tTwW]$/;
/** GCC's copies of a function: `foo.isra.0`, `foo.constprop.1`, `foo.part.0`, `foo.cold`. */
const CLONE = /\.(isra|constprop|part|cold|lto_priv)(\.\d+)*$/;

/** The function a symbol is a copy of: `k_mutex_unlock.isra.0` → `k_mutex_unlock`. */
export function baseName(symbol: string): string {
  let name = symbol;
  while (CLONE.test(name)) name = name.replace(CLONE, '');
  return name;
}

/** `objdump -d` text → the image's code (instructions) and exception vectors. */
export function readImageCode(symbols: ElfSymbol[], objdump: string): ImageCode {
  return { symbols, instructions: parseDisassembly(objdump), vectors: parseVectors(objdump, symbols) };
}

/** Every code symbol as a body, its end from its size or else the next symbol. */
export function bodies(symbols: readonly ElfSymbol[]): Body[] {
  const code = symbols.filter((s) => CODE.test(s.type)).map((s) => ({ ...s, address: s.address & ~1 })).sort((a, b) => a.address - b.address);
  const out: Body[] = [];
  for (let i = 0; i < code.length; i++) {
    const s = code[i]!;
    const next = code.slice(i + 1).find((n) => n.address > s.address)?.address;
    const end = s.size ? s.address + s.size : next ?? s.address + 2;
    if (end > s.address) out.push({ name: s.name, start: s.address, end });
  }
  // One body per address: an alias (`z_arm_int_exit` = `z_arm_exc_exit`) is the same code.
  return out.filter((b, i) => i === 0 || out[i - 1]!.start !== b.start);
}

/** The bodies a spec names, by function (clones and repeated static copies under one name). */
export function namedBodies(all: readonly Body[], patterns: readonly string[]): { functions: Map<string, Body[]>; missing: string[] } {
  const functions = new Map<string, Body[]>();
  const missing: string[] = [];
  for (const pattern of patterns) {
    const hits = all.filter((b) => globMatch(pattern, baseName(b.name)));
    if (!hits.length) missing.push(pattern);
    for (const b of hits) {
      const name = baseName(b.name);
      const list = functions.get(name) ?? [];
      if (!list.some((x) => x.start === b.start)) list.push(b);
      functions.set(name, list);
    }
  }
  return { functions, missing };
}

/** The body holding an address, if any. */
export function bodyAt(all: readonly Body[], address: number): Body | undefined {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.start <= address) lo = mid + 1;
    else hi = mid;
  }
  const b = all[lo - 1];
  return b && address < b.end ? b : undefined;
}

/** The instructions of one body, in order. */
export function instructionsOf(instructions: readonly Instruction[], body: Body): Instruction[] {
  let lo = 0;
  let hi = instructions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (parseInt(instructions[mid]!.address, 16) < body.start) lo = mid + 1;
    else hi = mid;
  }
  const out: Instruction[] = [];
  for (let i = lo; i < instructions.length && parseInt(instructions[i]!.address, 16) < body.end; i++) out.push(instructions[i]!);
  return out;
}

/**
 * ztest's cases from the unit-test records it registers (`z_ztest_unit_test__<suite>__<test>`), each
 * with the function it runs the case through: `_<suite>_<test>_wrapper` (Zephyr 4) or
 * `z_ztest_wrapper_<suite>_<test>` (tandem's demo), the body itself when it has its own symbol.
 */
export function ztestCases(symbols: readonly ElfSymbol[], all: readonly Body[]): Array<{ case: string; wrapper: Body }> {
  const byName = new Map(all.map((b) => [b.name, b]));
  const out: Array<{ case: string; wrapper: Body }> = [];
  for (const s of symbols) {
    const m = /^z_ztest_unit_test__(.+?)__(.+)$/.exec(s.name);
    if (!m) continue;
    const [suite, test] = [m[1]!, m[2]!];
    const wrapper = byName.get(`_${suite}_${test}_wrapper`) ?? byName.get(`z_ztest_wrapper_${suite}_${test}`) ?? byName.get(`${suite}_${test}`);
    if (wrapper) out.push({ case: `${suite}.${test}`, wrapper });
  }
  return out;
}

/**
 * The vector table as objdump dumps it (data between mapping symbols: `addr:\thh hh …  ascii`, a
 * run of zeros shown as `...`), read from `_vector_table` (and Zephyr's `_irq_vector_table`).
 */
export function parseVectors(objdump: string, symbols: readonly ElfSymbol[]): number[] {
  const bytes = new Map<number, number>();
  let inTable = false;
  for (const line of objdump.split('\n')) {
    const label = /^[0-9a-f]+ <([^>]+)>:$/i.exec(line);
    if (label) {
      inTable = label[1] === '_vector_table' || label[1] === '_irq_vector_table';
      continue;
    }
    if (!inTable) continue;
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)/i.exec(line);
    if (!m) continue;
    const at = parseInt(m[1]!, 16);
    m[2]!.trim().split(' ').forEach((h, i) => bytes.set(at + i, parseInt(h, 16)));
  }
  const table = symbols.find((s) => s.name === '_vector_table');
  if (!table || !bytes.size) return [];
  const last = Math.max(...bytes.keys());
  const code = bodies(symbols);
  const out = new Set<number>();
  // Word 0 is the initial stack pointer and word 1 the reset handler: neither is an exception.
  for (let at = (table.address & ~3) + 8; at + 3 <= last; at += 4) {
    const word = [0, 1, 2, 3].reduce((v, i) => v + (bytes.get(at + i) ?? 0) * 2 ** (8 * i), 0);
    const handler = word & ~1;
    if (word & 1 && bodyAt(code, handler)?.start === handler) out.add(handler);
  }
  return [...out].sort((a, b) => a - b);
}
