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
  const top = () => current.frames[current.frames.length - 1];
  const taken = (f: Frame | undefined) => {
    if (f?.pending) {
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
      if (!r.end) current.frames.push({ kind: 'exception', carrier: -1, start: r.count, excluded: 0, window: w });
      else {
        const i = lastIndex(current.frames, (f) => f.kind === 'exception');
        if (i >= 0) close(i, r.count);
      }
      continue;
    }
    const m = model.meanings[r.id];
    if (!m) continue;
    switch (m.kind) {
      case 'entry':
        taken(top());
        current.frames.push({ kind: 'call', fn: model.bodies[m.fn]!.measured!, entrySite: r.id, carrier: m.fn, start: r.count, excluded: 0, window: w });
        break;
      case 'vector':
        current.frames.push({ kind: 'exception', carrier: m.fn, start: r.count, excluded: 0, window: w });
        break;
      case 'return':
        taken(top());
        // A return ends every frame it carries: a measured function tail-called by another ends both.
        while (top()?.carrier === m.fn) close(current.frames.length - 1, r.count + 1);
        break;
      case 'tail': {
        const t = top();
        taken(t);
        if (t?.carrier !== m.from) break;
        if (m.conditional) t.pending = { to: m.to, tail: r.id };
        else t.carrier = m.to;
        break;
      }
      case 'fallthrough': {
        const t = top();
        if (t?.pending?.tail === m.tail) delete t.pending;
        else taken(t);
        break;
      }
      case 'lost': {
        const t = top();
        taken(t);
        if (t?.carrier === m.from) t.carrier = -1;
        break;
      }
      case 'save':
        taken(top());
        current.suspendedAt = r.count + 1;
        if (r.key !== undefined) saved.set(r.key, current);
        current = { frames: [] };
        break;
      case 'restore': {
        const next = (r.key !== undefined ? saved.get(r.key) : undefined) ?? { frames: [] };
        if (r.key !== undefined) saved.delete(r.key);
        if (next.suspendedAt !== undefined) for (const f of next.frames) f.excluded += r.count - next.suspendedAt;
        delete next.suspendedAt;
        current = next;
        break;
      }
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
  for (const ctx of [current, ...saved.values()]) {
    for (const f of ctx.frames) if (f.kind === 'call') unfinished.set(f.fn!, (unfinished.get(f.fn!) ?? 0) + 1);
  }
  return { windows, unfinished };
}

function lastIndex<T>(list: readonly T[], test: (x: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
