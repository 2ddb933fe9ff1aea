// What a Thumb instruction does to control flow, read from the disassembler's text (GNU or llvm
// objdump, as harness/forensics/elf-text.ts parses it). Only what cost and reach need: where a
// basic block ends, where a function returns or leaves for another, and which load/store-multiple
// saves or restores a thread. Pure.
import type { Instruction } from '../../domain.js';

export type Flow =
  /** Returns to the caller: `bx lr`, `pop {…, pc}`, `ldr pc, [sp], #4`. */
  | { kind: 'return'; conditional: boolean }
  /** A direct branch, `b`/`b<cond>`/`cbz`/`cbnz`; `conditional` when execution may fall through. */
  | { kind: 'branch'; target: number; conditional: boolean }
  /** `bl <target>`: a call that comes back. */
  | { kind: 'call'; target: number }
  /** `blx rN`: a call through a register. */
  | { kind: 'indirect-call' }
  /** `bx rN`, `mov pc, rN`, `tbb`/`tbh`, `ldr pc, …`: a jump whose target the text does not say. */
  | { kind: 'indirect'; conditional: boolean }
  /** `udf`, `bkpt`, `svc`: raises an exception. */
  | { kind: 'trap' }
  | { kind: 'other' };

export interface Decoded {
  address: number;
  size: number;
  text: string;
  flow: Flow;
}

const CONDITIONS = '(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)';
const BRANCH = new RegExp(`^b(${CONDITIONS})?(?:\\.[nw])?\\s+(?:0x)?([0-9a-f]+)\\b`, 'i');
const COMPARE_BRANCH = /^cbn?z\s+\w+,\s*(?:0x)?([0-9a-f]+)\b/i;
const CALL = /^blx?(?:\.w)?\s+(?:0x)?([0-9a-f]+)\b/i;
const IT = /^it([te]{0,3})\s+\w+/i;
const MULTIPLE = new RegExp(`^(push|pop|stm|ldm)(ia|ea|db|fd)?${CONDITIONS}?(?:\\.w)?(?: (\\w+)!?,)? ?(\\{.*\\})`);

/** Registers of a `{r4, r5, …}` list, as numbers; `sl`, `fp`, `ip`, `sp`, `lr`, `pc` by their number. */
export function registerList(text: string): number[] | undefined {
  const m = /\{([^}]*)\}/.exec(text);
  if (!m) return undefined;
  const out: number[] = [];
  for (const part of m[1]!.split(',').map((p) => p.trim()).filter(Boolean)) {
    const range = /^(\w+)\s*-\s*(\w+)$/.exec(part);
    if (range) {
      const [a, b] = [registerNumber(range[1]!), registerNumber(range[2]!)];
      if (a === undefined || b === undefined) return undefined;
      for (let r = a; r <= b; r++) out.push(r);
      continue;
    }
    const r = registerNumber(part);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

const NAMED: Record<string, number> = { sb: 9, sl: 10, fp: 11, ip: 12, sp: 13, lr: 14, pc: 15 };

export function registerNumber(name: string): number | undefined {
  const n = name.trim().toLowerCase();
  if (n in NAMED) return NAMED[n];
  const m = /^r(\d{1,2})$/.exec(n);
  return m && Number(m[1]) <= 15 ? Number(m[1]) : undefined;
}

/**
 * A load/store-multiple of core registers: `push`/`pop`, `stm*`/`ldm*`. `lowest` gives the lowest
 * address it accesses as the base register's value plus an offset (before any writeback).
 */
export function multiple(text: string): { store: boolean; registers: number[]; base: number; offset: number } | undefined {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const m = MULTIPLE.exec(t);
  if (!m) return undefined;
  const registers = registerList(m[4]!);
  if (!registers) return undefined;
  const [op, mode = ''] = [m[1]!, m[2]];
  const store = op === 'push' || op === 'stm';
  const base = op === 'push' || op === 'pop' ? 13 : registerNumber(m[3] ?? '');
  if (base === undefined) return undefined;
  // Decrement-before (push, stmdb/stmfd, ldmdb/ldmea) starts 4 bytes per register below the base.
  const before = op === 'push' || (op === 'stm' && (mode === 'db' || mode === 'fd')) || (op === 'ldm' && (mode === 'db' || mode === 'ea'));
  return { store, registers, base, offset: before ? -4 * registers.length : 0 };
}

/** Decodes a function's instructions (data words left out), IT blocks included. */
export function decode(instructions: readonly Instruction[]): Decoded[] {
  const out: Decoded[] = [];
  let itLeft = 0;
  for (const ins of instructions) {
    const text = ins.text.trim();
    if (text.startsWith('.') || text === '(no text)') {
      itLeft = 0;
      continue;
    }
    const size = ins.bytes.replace(/\s+/g, '').length / 2;
    const inIt = itLeft > 0;
    if (itLeft > 0) itLeft--;
    const it = IT.exec(text);
    if (it) itLeft = 1 + it[1]!.length;
    out.push({ address: parseInt(ins.address, 16), size: size || 2, text, flow: flowOf(text, inIt) });
  }
  return out;
}

/** The control flow of one instruction; `inIt`: inside an IT block (so conditional). */
export function flowOf(text: string, inIt = false): Flow {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/^bx(\w\w)?(\.n)? lr$/.test(t) || /^mov(\w\w)? pc, lr$/.test(t)) return { kind: 'return', conditional: inIt };
  const multi = multiple(t);
  if (multi && !multi.store && multi.registers.includes(15)) return { kind: 'return', conditional: inIt };
  if (/^ldr(\w\w)?(\.w)? pc, \[sp\], #4$/.test(t)) return { kind: 'return', conditional: inIt };
  if (/^(udf|bkpt|svc)(\.[nw])?\b/.test(t)) return { kind: 'trap' };
  if (/^blx?(\.w)? (r\d+|sb|sl|fp|ip|lr)$/.test(t)) return /^blx/.test(t) ? { kind: 'indirect-call' } : { kind: 'indirect', conditional: inIt };
  if (/^bx(\w\w)?(\.n)? (r\d+|sb|sl|fp|ip)$/.test(t) || /^tb[bh](\.w)?\b/.test(t) || /^mov(\w\w)? pc, \w+$/.test(t) || /^ldr(\w\w)?(\.w)? pc,/.test(t)) {
    return { kind: 'indirect', conditional: inIt };
  }
  const call = CALL.exec(t);
  if (call && /^blx?(\.w)? /.test(t)) return { kind: 'call', target: parseInt(call[1]!, 16) };
  const cb = COMPARE_BRANCH.exec(t);
  if (cb) return { kind: 'branch', target: parseInt(cb[1]!, 16), conditional: true };
  const b = BRANCH.exec(t);
  if (b) return { kind: 'branch', target: parseInt(b[2]!, 16), conditional: b[1] !== undefined || inIt };
  return { kind: 'other' };
}
