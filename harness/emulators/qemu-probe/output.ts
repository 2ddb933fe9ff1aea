// The files the QEMU probe plugin reads and writes: its plan (one line per watched address) and
// its output (a header, the block counters, then fixed-size records; layout in tandem-probe.c).
// Pure apart from the file access of readProbeOutput.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ProbeLog, ProbePlan, ProbeRecord } from '../../domain.js';

const MAGIC = 0x31424f5250444e54n;
const HEADER = 64;
const RECORD = 24;
/** Site roles as the plugin's kinds: e record, m record with its memory address, w window, c counter. */
const KIND = { entry: 'e', follow: 'e', vector: 'e', switch: 'm', window: 'w', block: 'c' } as const;

/** `<kind> <hex address> <id>` per site, in plan order (the plugin keeps it for equal addresses). */
export function planText(plan: ProbePlan): string {
  return plan.sites.map((s) => `${KIND[s.role]} ${s.address.toString(16)} ${s.id}\n`).join('');
}

/** Parses the output file's bytes: what the plugin recorded, plus the counts since the last window. */
export function parseProbeOutput(read: (offset: number, length: number) => Buffer): ProbeLog {
  const head = read(0, HEADER);
  if (head.length < HEADER || head.readBigUInt64LE(0) !== MAGIC) return { method: 'qemu-plugin', records: [], problem: 'the QEMU probe plugin did not start' };
  const count = Number(head.readBigUInt64LE(8));
  const dropped = Number(head.readBigUInt64LE(24));
  const counters = Number(head.readBigUInt64LE(32));
  const counts = read(HEADER, counters * 8);
  const body = read(HEADER + counters * 8, count * RECORD);
  const records: ProbeRecord[] = [];
  const flushed = new Array<number>(counters).fill(0);
  // Two 32-bit halves instead of BigInt: a boot's records run to tens of thousands.
  const u64 = (b: Buffer, at: number) => b.readUInt32LE(at + 4) * 0x100000000 + b.readUInt32LE(at);
  for (let i = 0; i + RECORD <= body.length; i += RECORD) {
    const id = body.readUInt32LE(i);
    const flags = body.readUInt32LE(i + 4);
    const n = u64(body, i + 8);
    if (flags === 2) {
      records.push({ kind: 'hits', id, count: n });
      if (id < counters) flushed[id]! += n;
    } else if (flags === 1) {
      // No memory access seen (all ones): no key.
      const unseen = body.readUInt32LE(i + 16) === 0xffffffff && body.readUInt32LE(i + 20) === 0xffffffff;
      records.push(unseen ? { kind: 'site', id, count: n } : { kind: 'site', id, count: n, key: u64(body, i + 16) });
    } else records.push({ kind: 'site', id, count: n });
  }
  // A boot ends with SIGKILL: what the counters gathered since the last window is still in the file.
  for (let id = 0; id < counters && (id + 1) * 8 <= counts.length; id++) {
    const rest = u64(counts, id * 8) - flushed[id]!;
    if (rest > 0) records.push({ kind: 'hits', id, count: rest });
  }
  return { method: 'qemu-plugin', records, ...(dropped ? { dropped } : {}) };
}

export function readProbeOutput(file: string): ProbeLog {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { method: 'qemu-plugin', records: [], problem: 'the QEMU probe plugin wrote no output' };
  }
  try {
    return parseProbeOutput((offset, length) => {
      const buf = Buffer.alloc(length);
      const n = length ? readSync(fd, buf, 0, length, offset) : 0;
      return buf.subarray(0, n);
    });
  } finally {
    closeSync(fd);
  }
}
