// From an image's code and a scenario's `measure:` to what an emulator's probe watches (ProbePlan:
// addresses and roles) and what each watched address means (ProbeModel, read back by account.ts).
// Pure: the same image and spec always give the same plan, on every emulator.
//
// A call is followed from its function's first instruction to the return instruction that ends it:
// through branches that leave the function for another (tail calls) and that one's returns in turn.
// Exception handlers are followed the same way from their vector, so their instructions can be taken
// out of the calls they interrupt. A context switch is seen at the load/store-multiple that saves
// the outgoing thread's registers and the one that restores the incoming thread's; the address each
// accesses tells the threads apart (a thread struct or a saved stack pointer).
import type { MeasureSpec, MeasuredFunction, ProbePlan, ProbeSite } from '../../domain.js';
import { basicBlocks } from '../reach/blocks.js';
import { bodies, bodyAt, instructionsOf, namedBodies, ztestCases, type Body, type ImageCode } from './image.js';
import { decode, multiple, type Decoded } from './thumb.js';

/**
 * The routines that switch threads, by name: Zephyr's Cortex-M PendSV handler and the demo
 * firmware's cooperative switch. Either saves the outgoing thread with one store-multiple of at
 * least 8 core registers and restores the incoming one with one such load-multiple.
 */
export const SWITCH_ROUTINES = ['z_arm_pendsv', 'z_arm_context_switch'];
/** The plans cached in tandem's cache folder are made by this version of the planner; bump it on change. */
export const PLAN_FORMAT = 1;
/** ztest's test-thread entry: a case's before-hooks run here, ahead of the case's own function. */
export const CASE_BOUNDARIES = ['test_cb'];

export type SiteMeaning =
  | { kind: 'entry'; fn: number }
  | { kind: 'vector'; fn: number }
  | { kind: 'return'; fn: number }
  | { kind: 'tail'; from: number; to: number; conditional: boolean }
  | { kind: 'fallthrough'; tail: number }
  /** A jump whose target is unknown: a call carried there cannot be followed further. */
  | { kind: 'lost'; from: number }
  | { kind: 'save' }
  | { kind: 'restore' }
  | { kind: 'case'; case: string }
  | { kind: 'boundary' };

export interface ModelBlock {
  /** Index into `measured`. */
  fn: number;
  start: number;
  instructions: number;
  assert: boolean;
  /** Where the block's first instruction comes from (addr2line, added at the edge). */
  file?: string;
  line?: number;
}

export interface ProbeModel {
  /** Followed bodies: measured ones carry the function name they count for. */
  bodies: Array<{ name: string; start: number; measured?: string }>;
  meanings: SiteMeaning[];
  blocks: ModelBlock[];
  measured: MeasuredFunction[];
  missing: string[];
  notes: string[];
}

export interface Probe {
  plan: ProbePlan;
  model: ProbeModel;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function buildProbe(image: ImageCode, spec: MeasureSpec): Probe {
  const all = bodies(image.symbols);
  const { functions, missing } = namedBodies(all, spec.functions);
  const sites: ProbeSite[] = [];
  const meanings: SiteMeaning[] = [];
  const notes: string[] = [];
  const site = (address: number, role: ProbeSite['role'], meaning: SiteMeaning, key?: { base: number; offset: number; inException?: boolean }) => {
    sites.push({ id: meanings.length, address, role, ...key });
    meanings.push(meaning);
    return meanings.length - 1;
  };

  const followed: ProbeModel['bodies'] = [];
  const index = new Map<number, number>();
  const decoded = new Map<number, Decoded[]>();
  const codeOf = (b: Body) => {
    let d = decoded.get(b.start);
    if (!d) decoded.set(b.start, (d = decode(instructionsOf(image.instructions, b))));
    return d;
  };
  const queue: Body[] = [];
  const follow = (b: Body, measured?: string): number => {
    let i = index.get(b.start);
    if (i === undefined) {
      i = followed.length;
      index.set(b.start, i);
      followed.push({ name: b.name, start: b.start });
      queue.push(b);
    }
    if (measured) followed[i]!.measured = measured;
    return i;
  };

  const measured: MeasuredFunction[] = [];
  for (const [name, list] of functions) {
    measured.push({ name, addresses: list.map((b) => hex(b.start)), size: list.reduce((n, b) => n + b.end - b.start, 0) });
    for (const b of list) site(b.start, 'entry', { kind: 'entry', fn: follow(b, name) });
  }
  if (!functions.size) return { plan: { sites: [], counters: 0 }, model: { bodies: [], meanings: [], blocks: [], measured, missing, notes } };
  for (const v of image.vectors) {
    const b = bodyAt(all, v);
    if (b) site(v, 'vector', { kind: 'vector', fn: follow(b) });
  }
  if (!image.vectors.length) notes.push('no exception vector table found: interrupts that arrive during a call are counted in it');

  // Returns and exits of every followed body; bodies reached by a tail branch join the queue.
  while (queue.length) {
    const b = queue.shift()!;
    const from = index.get(b.start)!;
    for (const ins of codeOf(b)) {
      const f = ins.flow;
      if (f.kind === 'return') site(ins.address, 'follow', { kind: 'return', fn: from });
      else if (f.kind === 'indirect') site(ins.address, 'follow', { kind: 'lost', from });
      else if (f.kind === 'branch' && (f.target < b.start || f.target >= b.end)) {
        const target = bodyAt(all, f.target);
        if (!target) {
          site(ins.address, 'follow', { kind: 'lost', from });
          continue;
        }
        const tail = site(ins.address, 'follow', { kind: 'tail', from, to: follow(target), conditional: f.conditional });
        if (f.conditional) site(ins.address + ins.size, 'follow', { kind: 'fallthrough', tail });
      }
    }
  }

  const switches = all.filter((b) => SWITCH_ROUTINES.includes(b.name));
  for (const b of switches) {
    const multiples = codeOf(b).map((ins) => ({ ins, m: multiple(ins.text) })).filter((x) => x.m && x.m.registers.length >= 8);
    const save = multiples.find((x) => x.m!.store);
    const restore = [...multiples].reverse().find((x) => !x.m!.store);
    const inException = image.vectors.includes(b.start) ? { inException: true } : {};
    if (save && restore) {
      site(save.ins.address, 'switch', { kind: 'save' }, { base: save.m!.base, offset: save.m!.offset, ...inException });
      site(restore.ins.address, 'switch', { kind: 'restore' }, { base: restore.m!.base, offset: restore.m!.offset, ...inException });
    }
  }
  if (!sites.some((s) => s.role === 'switch')) notes.push(`no context-switch routine (${SWITCH_ROUTINES.join(', ')}) found: a call that switches threads counts the other threads' instructions`);

  for (const c of ztestCases(image.symbols, all)) site(c.wrapper.start, 'window', { kind: 'case', case: c.case });
  for (const b of all.filter((x) => CASE_BOUNDARIES.includes(x.name))) site(b.start, 'window', { kind: 'boundary' });
  if (!sites.some((s) => s.role === 'window')) notes.push('no ztest cases found in the image: every call counts for the whole boot');

  const blocks: ModelBlock[] = [];
  const nameAt = (a: number) => bodyAt(all, a)?.name;
  measured.forEach((m, fn) => {
    for (const b of functions.get(m.name)!) {
      for (const block of basicBlocks(codeOf(b), b.start, b.end, nameAt)) {
        sites.push({ id: blocks.length, address: block.start, role: 'block' });
        blocks.push({ fn, ...block });
      }
    }
  });
  const code = [...functions.values()].flat().map((b) => ({ start: b.start, end: b.end }));
  return { plan: { sites, counters: blocks.length, code }, model: { bodies: followed, meanings, blocks, measured, missing, notes } };
}
