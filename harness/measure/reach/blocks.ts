// A function's basic blocks from its own disassembly: straight runs of instructions that a branch
// can only enter at the top and only leave at the bottom. Calls do not end a block (they come
// back). Pure.
import type { Decoded } from '../probe/thumb.js';

export interface Block {
  start: number;
  /** Instructions in the block. */
  instructions: number;
  /** It calls one of `assertRoutines`: a failed assertion's path. */
  assert: boolean;
}

/** Routines only a failed assertion or a fatal error calls (Zephyr's __ASSERT, newlib's assert). */
export const ASSERT_ROUTINES = /^(assert_post_action|assert_print|__assert_func|__assert_fail|__assert|z_fatal_error|k_sys_fatal_error_handler)$/;

/**
 * Blocks of one function [start, end); `nameAt` names a call's target. A block starts at the
 * function's start, at every branch target inside it, and after every branch, return or trap.
 */
export function basicBlocks(code: readonly Decoded[], start: number, end: number, nameAt: (address: number) => string | undefined): Block[] {
  if (!code.length) return [];
  const leaders = new Set<number>([code[0]!.address]);
  const targets = new Set<number>();
  for (const ins of code) {
    const f = ins.flow;
    if (f.kind === 'branch' && f.target >= start && f.target < end) targets.add(f.target);
    if (f.kind === 'branch' && f.target >= start && f.target < end) leaders.add(f.target);
    if (f.kind === 'branch' || f.kind === 'return' || f.kind === 'trap' || f.kind === 'indirect') leaders.add(ins.address + ins.size);
  }
  const blocks: Array<Block & { padding: boolean }> = [];
  let current: (typeof blocks)[number] | undefined;
  for (const ins of code) {
    if (leaders.has(ins.address) || !current) {
      current = { start: ins.address, instructions: 0, assert: false, padding: !targets.has(ins.address) };
      blocks.push(current);
    }
    current.instructions++;
    if (!/^nop(\.[nw])?$/.test(ins.text)) current.padding = false;
    if (ins.flow.kind === 'call' && ASSERT_ROUTINES.test(nameAt(ins.flow.target) ?? '')) current.assert = true;
  }
  // The nops that align what follows a function's last branch are not a path.
  return blocks.filter((b) => !b.padding).map(({ padding: _, ...b }) => b);
}
