// Accesses a guest made to addresses the emulator has no model for, read from what the emulator
// logs about them. Pure: log lines in, tallies out. A guest that waits forever on such a peripheral
// prints nothing more, so these lines are the only account of why it stopped.
//
// Renode (SystemBus, logged at Warning):
//   [cpu: 0x8001A2C] WriteDoubleWord to non existing peripheral at 0x50060800, value 0x4.
//   [cpu: 0x8001A30] ReadDoubleWord from non existing peripheral at 0x50060804.
//   [cpu: 0x…] (tag: 'NAME') ReadDoubleWord from non existing peripheral at 0x…, returning 0x0.
// behind its log prefix (`12:00:00.1234 [WARNING] sysbus: `); identical entries in a row are
// collapsed into one more line ending in ` (N)`, N the repeats.
// A Renode platform with tandem's counter (boards/models/UnmodelledSpace.cs) logs none of these:
// the counter answers every unmapped address and reports per address at the end of the boot,
//   unmodelled write 4 0x50000000 8600000 0x80001e4 0x0
// QEMU 7.2 (`-d unimp,guest_errors`; offsets are relative to the named region):
//   hibernation: unimplemented device read  (size 4, offset 0x010)
//   hibernation: unimplemented device write (size 4, offset 0x000, value 0x00000040)
//   Invalid write at addr 0x10, size 4, region 'ssys', reason: rejected
import type { UnmodelledAccess } from '../domain.js';
import type { Devicetree } from '../zephyr/dts.js';
import { nodeAt, type DtsNode } from '../zephyr/dts.js';

/** One reported access (or a run of identical ones), before tallying. */
export interface RawAccess {
  access: 'read' | 'write';
  width: number;
  /** Absolute address, when the emulator gave one. */
  address?: number;
  /** Offset into `region` (QEMU), when the address is relative. */
  offset?: number;
  region?: string;
  pc?: number;
  value?: number;
  count: number;
}

const RENODE_WIDTH: Record<string, number> = { Byte: 1, Word: 2, DoubleWord: 4, QuadWord: 8 };

const RENODE_LINE =
  /(?:\[[^\]:]+: 0x([0-9A-Fa-f]+)\] )?(?:\(tag: '([^']*)'\) )?(Read|Write)(Byte|Word|DoubleWord|QuadWord) (?:from|to) non existing peripheral at 0x([0-9A-Fa-f]+)(?:, value 0x([0-9A-Fa-f]+))?[^\n]*?(?: \((\d+)\))?\s*$/;

export function parseRenodeLogLine(line: string): RawAccess | undefined {
  const m = RENODE_LINE.exec(line);
  if (!m) return undefined;
  const [, pc, tag, dir, width, address, value, repeats] = m;
  const raw: RawAccess = {
    access: dir === 'Read' ? 'read' : 'write',
    width: RENODE_WIDTH[width!]!,
    address: parseInt(address!, 16),
    count: repeats ? Number(repeats) : 1,
  };
  if (pc) raw.pc = parseInt(pc, 16);
  if (tag) raw.region = tag;
  if (value) raw.value = parseInt(value, 16);
  return raw;
}

/** `unmodelled write 4 0x50000000 8600000 0x80001e4 0x0` (count, first PC, first value; `-` for none). */
const COUNTER_LINE = /^unmodelled (read|write) (1|2|4|8) 0x([0-9a-f]+) (\d+) (?:0x([0-9a-f]+)|-) (?:0x([0-9a-f]+)|-)$/;

/** The report of tandem's UnmodelledSpace model: one access kind a line, the least recent first. */
export function parseCounterReport(text: string): RawAccess[] {
  const out: RawAccess[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = COUNTER_LINE.exec(line.trim());
    if (!m) continue;
    const raw: RawAccess = { access: m[1] as 'read' | 'write', width: Number(m[2]), address: parseInt(m[3]!, 16), count: Number(m[4]) };
    if (m[5]) raw.pc = parseInt(m[5], 16);
    if (m[6]) raw.value = parseInt(m[6], 16);
    out.push(raw);
  }
  return out;
}

const QEMU_UNIMP = /^(.+?): unimplemented device (read|write) +\(size (\d+), offset 0x([0-9A-Fa-f]+)(?:, value 0x([0-9A-Fa-f]+))?\)/;
const QEMU_INVALID = /^Invalid (read|write) at addr 0x([0-9A-Fa-f]+), size (\d+), region '([^']*)', reason: /;

export function parseQemuLogLine(line: string): RawAccess | undefined {
  let m = QEMU_UNIMP.exec(line);
  if (m) {
    const raw: RawAccess = { access: m[2] as 'read' | 'write', width: Number(m[3]), region: m[1]!, offset: parseInt(m[4]!, 16), count: 1 };
    if (m[5]) raw.value = parseInt(m[5], 16);
    return raw;
  }
  m = QEMU_INVALID.exec(line);
  if (!m) return undefined;
  const access = m[1] as 'read' | 'write';
  // No region name: the access missed every region of the address space, so `addr` is the address.
  if (m[4] === '(null)') return { access, width: Number(m[3]), address: parseInt(m[2]!, 16), count: 1 };
  return { access, width: Number(m[3]), region: m[4]!, offset: parseInt(m[2]!, 16), count: 1 };
}

export interface MemoryRegion {
  name: string;
  start: number;
  /** Inclusive, as QEMU prints it. */
  end: number;
}

/**
 * The regions of `info mtree -f`, each once. The monitor's echo of the command can run into the
 * first lines, so every region line of every flat view is read and duplicates (the same region in
 * the CPU's and the system's view) are dropped.
 */
export function parseMtree(text: string): MemoryRegion[] {
  const regions = new Map<string, MemoryRegion>();
  for (const m of text.matchAll(/([0-9a-f]{8,16})-([0-9a-f]{8,16}) \(prio -?\d+, [^)]+\): (\S+)( @[0-9a-f]+)?/g)) {
    // A region shown again from an offset (`nvic_sysregs @00000000000000f0`) is a piece of one shown before.
    if (m[4]) continue;
    const region = { name: m[3]!, start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16) };
    regions.set(`${region.name}@${region.start}`, region);
  }
  return [...regions.values()];
}

/** A QEMU region-relative access made absolute, when exactly one region has that name. */
export function resolveRegion(raw: RawAccess, regions: readonly MemoryRegion[]): RawAccess {
  if (raw.address !== undefined || raw.region === undefined || raw.offset === undefined) return raw;
  const named = regions.filter((r) => r.name === raw.region);
  return named.length === 1 ? { ...raw, address: named[0]!.start + raw.offset } : raw;
}

/** Distinct (address, direction, width) entries kept per boot; a runaway guest cannot grow it past this. */
export const MAX_DISTINCT = 64;

interface Entry {
  raw: RawAccess;
  count: number;
  /** Order of the latest report: the guest stopped after the last one. */
  last: number;
}

/** Tallies a boot's reports by address, direction and width. */
export class UnmodelledTally {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;

  add(raw: RawAccess): void {
    const where = raw.address !== undefined ? `a${raw.address}` : `r${raw.region}+${raw.offset}`;
    const key = `${where}/${raw.access}/${raw.width}`;
    const seen = this.entries.get(key);
    this.seq++;
    if (seen) {
      seen.count += raw.count;
      seen.last = this.seq;
    } else if (this.entries.size < MAX_DISTINCT) this.entries.set(key, { raw, count: raw.count, last: this.seq });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Most recent first: the access a stuck guest made last leads. */
  list(resolve: (raw: RawAccess) => RawAccess = (r) => r): UnmodelledAccess[] {
    return [...this.entries.values()].sort((a, b) => b.last - a.last).map((e) => toAccess(resolve(e.raw), e.count));
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;

function toAccess(raw: RawAccess, count: number): UnmodelledAccess {
  const out: UnmodelledAccess = {
    address: hex(raw.address ?? raw.offset ?? 0),
    access: raw.access,
    width: raw.width,
    count,
  };
  if (raw.pc !== undefined) out.pc = hex(raw.pc);
  if (raw.value !== undefined) out.value = hex(raw.value);
  if (raw.region !== undefined) out.region = raw.address === undefined ? `${raw.region}+${hex(raw.offset ?? 0)}` : raw.region;
  return out;
}

/** Each access with the devicetree node that owns its address. */
export function withNodes(accesses: readonly UnmodelledAccess[], tree: Devicetree): UnmodelledAccess[] {
  const named = accesses.map((a) => {
    // A region-relative offset is not an address: no node can be named for it.
    if (a.region?.includes('+')) return { a };
    const node = nodeAt(tree, Number(a.address));
    return node ? { a: { ...a, node: node.name, nodeStatus: node.status }, node } : { a };
  });
  // The board's own RAM or flash is no missing peripheral: on QEMU's mps2-an521 these are the
  // CPU's reset-time reads of the vector table through the secure alias, which QEMU rejects and
  // then serves from the loaded image — the guest never made them.
  return named.filter(({ node }) => !node || !isMemoryNode(node)).map(({ a }) => a);
}

function isMemoryNode(node: DtsNode): boolean {
  return node.compatible.some((c) => c === 'mmio-sram' || c === 'soc-nv-flash') || /^memory@/.test(node.name);
}

/** `rng@50060800`, not modelled on nucleo_g474re — what the address is, in a few words. */
export function whereOf(a: UnmodelledAccess, platform: string): string {
  if (a.node) {
    const disabled = a.nodeStatus && a.nodeStatus !== 'okay' ? ` (${a.nodeStatus} in the devicetree)` : '';
    return `\`${a.node}\`${disabled}, not modelled on ${platform}`;
  }
  if (a.region) return `${a.region}, not modelled on ${platform}`;
  return `no model on ${platform}`;
}

/** One access as a phrase: `wrote to 0x50060800 (…)`. */
export function accessPhrase(a: UnmodelledAccess, platform: string): string {
  return `${a.access === 'write' ? 'wrote to' : 'read from'} ${a.address} (${whereOf(a, platform)})`;
}

/**
 * The lead of a reason for a boot that ended without a verdict: the last unmodelled access, how
 * many other addresses the guest touched without a model, and what happened next.
 */
export function unmodelledLead(accesses: readonly UnmodelledAccess[], platform: string, then: string): string | undefined {
  const [last] = accesses;
  if (!last) return undefined;
  const others = new Set(accesses.slice(1).map((a) => a.node ?? a.address));
  others.delete(last.node ?? last.address);
  const more = others.size ? ` (and ${others.size} other unmodelled address${others.size > 1 ? 'es' : ''})` : '';
  return `the guest ${accessPhrase(last, platform)}${more} and then ${then}`;
}
