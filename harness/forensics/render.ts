// Forensics as text, for every report that prints it (terminal, junit, TAP, Markdown, HTML). Pure.
import type { CodeSite, Forensics } from '../domain.js';

/** `/work/ws/zephyr/kernel/msg_q.c` → `zephyr/kernel/msg_q.c`: enough to find it, short enough to read. */
export function shortPath(file: string): string {
  const parts = file.split('/').filter(Boolean);
  return parts.length > 3 ? parts.slice(-3).join('/') : file;
}

function where(file: string | undefined, line: number | undefined): string | undefined {
  if (!file) return undefined;
  return `${shortPath(file)}${line ? `:${line}` : ''}`;
}

/** `k_sem_give+0x22 (src/kernel/sem_wasm.c:25)`, or the raw address when nothing resolved it. */
export function siteText(site: CodeSite): string {
  const name = site.symbol ? `${site.symbol}${site.offset ? `+0x${site.offset.toString(16)}` : ''}` : site.address;
  const at = where(site.file, site.line);
  return at ? `${name} (${at})` : name;
}

/** Everything known about one address, on one line. */
export function siteDetail(site: CodeSite): string {
  const parts = [siteText(site)];
  const inner = site.inlined?.[0];
  if (inner) parts.push(`inlined ${inner.function}${inner.file ? ` at ${where(inner.file, inner.line)}` : ''}`);
  if (site.object) parts.push(`from ${site.object}`);
  if (site.wasmLto) parts.push('wasm-LTO module');
  return parts.join(', ');
}

/** `USAGE FAULT at k_sem_give+0x22 (src/kernel/sem_wasm.c:25): udf #0` — the line a summary shows. */
export function forensicsHeadline(f: Forensics): string {
  if (f.noFrame) return `${whatFailed(f)} without an exception frame (the guest's own fatal error, not a CPU fault at a pc)`;
  const fault = f.fault ?? f.fatal?.reason ?? 'fault';
  if (!f.pc?.symbol) return f.registers.pc ? `${fault} at pc ${f.registers.pc} (unresolved)` : fault;
  const insn = f.instruction ? `: ${f.instruction.text}` : '';
  return `${fault} at ${siteText(f.pc)}${f.pc.wasmLto ? ' [wasm-LTO]' : ''}${insn}`;
}

/** `Kernel oops (fatal error 3)`, or the fault header when the dump had one. */
function whatFailed(f: Forensics): string {
  if (f.fault) return f.fault;
  return f.fatal ? `${f.fatal.reason} (fatal error ${f.fatal.code})` : 'fatal error';
}

/** The full resolved view, one fact a line. */
export function forensicsLines(f: Forensics): string[] {
  const lines: string[] = [];
  lines.push(`${f.noFrame ? whatFailed(f) : (f.fault ?? f.fatal?.reason ?? 'fault')}${f.details.length ? `: ${f.details.join('; ')}` : ''}`);
  if (f.noFrame) {
    lines.push('no exception frame: every register was printed as 0 (a frame the CPU pushes has the Thumb bit set in xpsr), so there is no faulting instruction to resolve; the thread and the console lines before the fatal error say where the guest stopped');
  } else if (f.pc) lines.push(`pc     ${f.pc.address}  ${siteDetail(f.pc)}`);
  else if (f.registers.pc) lines.push(`pc     ${f.registers.pc}`);
  if (f.lr) lines.push(`lr     ${f.lr.address}  ${siteDetail(f.lr)}`);
  if (f.thread) {
    const t = f.thread;
    lines.push(`thread ${[t.address, t.name, t.symbol && t.symbol !== t.name ? `(${t.symbol})` : undefined].filter(Boolean).join(' ')}`);
  }
  if (f.faultAddress) {
    const a = f.faultAddress;
    lines.push(`${a.register.padEnd(6)} ${a.address}${a.symbol ? `  ${a.symbol}${a.offset ? `+0x${a.offset.toString(16)}` : ''}` : ''}`);
  }
  if (f.instruction) {
    lines.push('instruction:');
    for (const i of f.instruction.window) {
      lines.push(`${i.address === f.instruction.address ? '  ->' : '    '} ${i.address}  ${i.bytes.padEnd(10)} ${i.text}`);
    }
  }
  const regs = f.noFrame ? [] : ['r0', 'r1', 'r2', 'r3', 'r12', 'xpsr'].filter((r) => f.registers[r]).map((r) => `${r}=${f.registers[r]}`);
  if (regs.length) lines.push(regs.join(' '));
  for (const u of f.unresolved ?? []) lines.push(`(not resolved: ${u})`);
  return lines;
}
