// Reads the fault dump a Cortex-M Zephyr guest prints (arch/arm/core/cortex_m/fault.c and
// kernel/fatal.c) out of its console lines. Pure: lines in, registers and names out. Works with
// and without log prefixes (`E: `, `[00:00:00.010,000] <err> os: `).
import { CURRENT_THREAD, FATAL, FATAL_HANDLED, FAULTING_PC, FAULT_HEADER, fatalReason } from '../ztest/grammar.js';

export interface FaultDump {
  fault?: string;
  details: string[];
  registers: Record<string, string>;
  bfar?: string;
  mmfar?: string;
  thread?: { address?: string; name?: string };
  /** The `>>> ZEPHYR FATAL ERROR <code>: <reason>` line: 3 `Kernel oops`, 0 `CPU exception`. */
  fatal?: { code: number; reason: string };
  /** 1-based line numbers of the fatal line and of the faulting-PC line. */
  fatalLine?: number;
  pcLine?: number;
}

/** `r0/a1:  0x00000000`, `r12/ip:  0x…`, `r14/lr:  0x…`, ` xpsr:  0x…`. */
const REGISTER = /\b(r0|r1|r2|r3|r12|r14|xpsr)(?:\/(?:a[1-4]|ip|lr))?:\s+(0x[0-9a-fA-F]+)/g;
const FAULT_ADDRESS = /\b(BFAR|MMFAR) Address: (0x[0-9a-fA-F]+)/;
/** The text after a log prefix, for the indented detail lines under a fault header. */
const DETAIL = /(?:^|: )\s{2,}(\S.*?)\s*$/;
const REGISTER_NAMES: Record<string, string> = { r14: 'lr' };

/** The last fault dump in the console that was not handled by a test's error hook. */
export function readFaultDump(lines: readonly string[]): FaultDump | undefined {
  let current: FaultDump | undefined;
  let last: FaultDump | undefined;
  let afterFatal = false;
  const open = (): FaultDump => (current ??= { details: [], registers: {} });
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r+$/, '');
    const n = i + 1;
    let m: RegExpExecArray | null;
    if ((m = FAULT_HEADER.exec(line))) {
      // A new header after a finished dump starts the next fault.
      if (afterFatal) current = undefined;
      afterFatal = false;
      open().fault = m[1]!.trim();
      return;
    }
    if ((m = FATAL.exec(line))) {
      open().fatalLine = n;
      current!.fatal = { code: Number(m[1]), reason: fatalReason(m[2]!) };
      afterFatal = true;
      last = current;
      return;
    }
    if (FATAL_HANDLED.test(line)) {
      // ztest expected this fault: it is not the crash.
      current = undefined;
      last = undefined;
      afterFatal = false;
      return;
    }
    if (afterFatal && current && (m = CURRENT_THREAD.exec(line))) {
      const address = /^0x/i.test(m[1]!) ? m[1]! : undefined;
      const name = m[2] ?? (address ? undefined : m[1]);
      current.thread = { ...(address ? { address } : {}), ...(name ? { name } : {}) };
      return;
    }
    if ((m = FAULTING_PC.exec(line))) {
      if (afterFatal) current = undefined;
      afterFatal = false;
      const d = open();
      d.registers.pc = m[1]!.toLowerCase();
      d.pcLine = n;
      return;
    }
    if ((m = FAULT_ADDRESS.exec(line))) {
      const d = open();
      if (m[1] === 'BFAR') d.bfar = m[2]!.toLowerCase();
      else d.mmfar = m[2]!.toLowerCase();
      return;
    }
    const regs = [...line.matchAll(REGISTER)];
    if (regs.length) {
      if (afterFatal) current = undefined;
      afterFatal = false;
      const d = open();
      for (const r of regs) d.registers[REGISTER_NAMES[r[1]!] ?? r[1]!] = r[2]!.toLowerCase();
      return;
    }
    // Indented lines right under a header name the cause (`  Attempt to execute undefined instruction`).
    if (current && !afterFatal && current.fault && Object.keys(current.registers).length === 0) {
      const d = DETAIL.exec(line);
      if (d) current.details.push(d[1]!);
    }
  });
  return last;
}

const FRAME_REGISTERS = ['r0', 'r1', 'r2', 'r3', 'r12', 'lr', 'pc', 'xpsr'];

/**
 * A dump whose exception frame is all zero: no frame the CPU pushed (a stacked xPSR always has the
 * Thumb bit set), so its pc is no faulting instruction. Zephyr prints such a frame for a fatal
 * error raised without a real exception (Renode's kernel oops of issue 17).
 */
export function hasEmptyFrame(dump: Pick<FaultDump, 'registers'>): boolean {
  const printed = FRAME_REGISTERS.filter((r) => dump.registers[r] !== undefined);
  return printed.includes('pc') && printed.every((r) => parseInt(dump.registers[r]!, 16) === 0);
}
