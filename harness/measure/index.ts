// The measurements beside the test verdicts — footprint, recorded figures, cost and reach — each a
// room of its own (a pure reader and differ under measure/<room>/). Here they are asked, in one
// place, for their per-comparison results and for the findings that gate the run. Pure.
import type { Comparison, GateFinding, GatePolicy, Measures, RunResult } from '../domain.js';
import { footprintRoom } from './footprint/index.js';
import { recordsRoom } from './records/index.js';
import { costRoom } from './cost/index.js';
import { reachRoom } from './reach/index.js';

/** One room: the results of a run in, its comparison rows and gate findings out. */
export interface MeasureRoom {
  compare(results: readonly RunResult[], comparisons: readonly Comparison[], policy: GatePolicy): { measures: Measures; findings: GateFinding[] };
}

const ROOMS: readonly MeasureRoom[] = [footprintRoom, recordsRoom, costRoom, reachRoom];

export function measureComparisons(results: readonly RunResult[], comparisons: readonly Comparison[], policy: GatePolicy = {}): { measures?: Measures; findings: GateFinding[] } {
  let measures: Measures | undefined;
  const findings: GateFinding[] = [];
  for (const room of ROOMS) {
    const out = room.compare(results, comparisons, policy);
    if (Object.keys(out.measures).length) measures = { ...measures, ...out.measures };
    findings.push(...out.findings);
  }
  return { ...(measures ? { measures } : {}), findings };
}
