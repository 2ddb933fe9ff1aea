// A probe's records read against its model: every call of a measured function with the
// instructions it took, and every block executed, each in the test case it happened in. Pure.
//
// How a call is counted: from its first instruction to the return instruction that ends it
// (inclusive), everything the CPU executed, except
// - the time its thread was switched out: from the save of its registers to their restore, and
// - exception handlers that ran meanwhile: from a vector's first instruction to the return from it.
// What a handler called is the handler's, so a call made inside an interrupt counts only itself.
// Each thread (execution context) keeps its own stack of open calls and handlers; a context is
// known by the address its registers were saved to, so a restore finds the one that was saved.
import type { ProbeRecord } from '../../domain.js';
import type { ProbeModel } from './plan.js';

interface Frame {
  kind: 'call' | 'exception';
  /** Measured function name (calls). */
  fn?: string;
  entrySite?: number;
  /** The followed body whose return ends the frame; -1 once it left through an unknown jump. */
  carrier: number;
  /** A conditional tail branch executed: taken unless the fall-through comes next. */
  pending?: { to: number; tail: number };
  /**
   * The call began as the frame below tail-called into its function: the two end at the same
   * return. (Two frames that merely share a function, such as a stale call of a thread whose
   * struct a new thread reuses, do not.)
   */
  chained?: boolean;
  start: number;
  excluded: number;
  window: number;
}

interface Context {
  frames: Frame[];
  suspendedAt?: number;
}

export interface Window {
  /** `<ztest suite>.<test>`; undefined outside any case. */
  case?: string;
  /** Function name → instructions of each call that started here. */
  calls: Map<string, number[]>;
  /** Blocks (model.blocks indices) executed here. */
  blocks: Set<number>;
}

export interface Accounted {
  windows: Window[];
  /** Calls still open when the records end (the boot ended inside them, or their thread died). */
  unfinished: Map<string, number>;
}

export function account(model: ProbeModel, records: readonly ProbeRecord[]): Accounted {
  const windows: Window[] = [{ calls: new Map(), blocks: new Set() }];
  let w = 0;
  let afterBoundary = false;
  let current: Context = { frames: [] };
  const saved = new Map<number, Context>();
  const orphans: Context[] = [];
  const top = () => current.frames[current.frames.length - 1];
  /**
   * The frames the running function carries: the top one and those below it with the same carrier
   * (a measured function tail-called by another measured one carries both calls). A branch out of
   * that function moves them all.
   */
  const carried = (): Frame[] => {
    const out: Frame[] = [];
    for (let i = current.frames.length - 1; i >= 0; i--) {
      out.push(current.frames[i]!);
      if (!current.frames[i]!.chained) break;
    }
    return out;
  };
  /** Instruction count of the last tail branch taken (or pending) in the current context. */
  let lastTail: number | undefined;
  /** A pending conditional tail branch was taken: the carried frames move to its target. */
  const taken = () => {
    // A pending tail is set on every carried frame at once: none is pending unless the top one is.
    if (!top()?.pending) return;
    for (const f of carried()) {
      if (!f.pending) continue;
      f.carrier = f.pending.to;
      delete f.pending;
    }
  };
  const record = (f: Frame, instructions: number) => {
    const calls = windows[f.window]!.calls;
    const list = calls.get(f.fn!) ?? [];
    list.push(instructions);
    calls.set(f.fn!, list);
  };
  /** The current context stops running after `at` instructions; `key` names it for its resumption. */
  const suspend = (key: number | undefined, at: number) => {
    current.suspendedAt = at;
    if (key !== undefined) {
      // A thread that never ran again (aborted) whose key a new one now has: its calls never end.
      const stale = saved.get(key);
      if (stale) orphans.push(stale);
      saved.set(key, current);
    }
    current = { frames: [] };
  };
  /** The context saved under `key` runs again (a context never saved starts empty). */
  const resume = (key: number | undefined, at: number) => {
    const next = (key !== undefined ? saved.get(key) : undefined) ?? { frames: [] };
    if (key !== undefined) saved.delete(key);
    if (next.suspendedAt !== undefined) for (const f of next.frames) f.excluded += at - next.suspendedAt;
    delete next.suspendedAt;
    current = next;
  };
  /** Closes frame `i` of the current context; `after` = instructions executed up to its end. */
  const close = (i: number, after: number) => {
    const f = current.frames[i]!;
    const own = after - f.start - f.excluded;
    current.frames.length = i;
    if (f.kind === 'call') record(f, own);
    else for (const below of current.frames) below.excluded += own;
  };

  for (const r of records) {
    if (r.kind === 'hits') {
      if (r.count > 0) windows[w]!.blocks.add(r.id);
      continue;
    }
    if (r.kind === 'exit') {
      const i = lastIndex(current.frames, (f) => f.entrySite === r.id);
      if (i >= 0) close(i, r.count);
      continue;
    }
    if (r.kind === 'exception') {
      // An emulator that names the interrupted thread by its stack pointer: every exception leaves
      // that thread and returns to the one it names (the same one unless the handler switched).
      if (!r.end) {
        current.frames.push({ kind: 'exception', carrier: -1, start: r.count, excluded: 0, window: w });
        if (r.key !== undefined) suspend(r.key, r.count);
      } else {
        if (r.key !== undefined) resume(r.key, r.count);
        const i = lastIndex(current.frames, (f) => f.kind === 'exception');
        if (i >= 0) close(i, r.count);
      }
      continue;
    }
    const m = model.meanings[r.id];
    if (!m) continue;
    switch (m.kind) {
      case 'entry': {
        taken();
        const below = top();
        const chained = below?.kind === 'call' && below.carrier === m.fn && lastTail === r.count - 1;
        current.frames.push({ kind: 'call', fn: model.bodies[m.fn]!.measured!, entrySite: r.id, carrier: m.fn, start: r.count, excluded: 0, window: w, ...(chained ? { chained } : {}) });
        break;
      }
      case 'vector':
        current.frames.push({ kind: 'exception', carrier: m.fn, start: r.count, excluded: 0, window: w });
        break;
      case 'return': {
        taken();
        // A return ends the chain it carries: a measured function tail-called by another ends both.
        let t = top();
        while (t?.carrier === m.fn) {
          close(current.frames.length - 1, r.count + 1);
          if (!t.chained) break;
          t = top();
        }
        break;
      }
      case 'tail':
        taken();
        if (top()?.carrier !== m.from) break;
        lastTail = r.count;
        for (const f of carried()) {
          if (m.conditional) f.pending = { to: m.to, tail: r.id };
          else f.carrier = m.to;
        }
        break;
      case 'fallthrough':
        if (top()?.pending?.tail === m.tail) for (const f of carried()) delete f.pending;
        else taken();
        break;
      case 'lost':
        taken();
        if (top()?.carrier === m.from) for (const f of carried()) f.carrier = -1;
        break;
      case 'save':
        taken();
        suspend(r.key, r.count + 1);
        break;
      case 'restore':
        resume(r.key, r.count);
        break;
      case 'boundary':
        windows.push({ calls: new Map(), blocks: new Set() });
        w = windows.length - 1;
        afterBoundary = true;
        break;
      case 'case':
        // The case's own function, after its before-hooks: name the window they opened.
        if (!afterBoundary) {
          windows.push({ calls: new Map(), blocks: new Set() });
          w = windows.length - 1;
        }
        windows[w]!.case = m.case;
        afterBoundary = false;
        break;
    }
  }

  const unfinished = new Map<string, number>();
  for (const ctx of [current, ...saved.values(), ...orphans]) {
    for (const f of ctx.frames) if (f.kind === 'call') unfinished.set(f.fn!, (unfinished.get(f.fn!) ?? 0) + 1);
  }
  return { windows, unfinished };
}

function lastIndex<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
