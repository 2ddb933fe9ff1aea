// One boot's cost: the accounted calls of each measured function, per test case. Pure.
import type { JobCost, ProbeLog } from '../../domain.js';
import type { Accounted } from '../probe/account.js';
import type { ProbeModel } from '../probe/plan.js';
import { statsOf } from './stats.js';

/** What calls outside any ztest case (start-up, suite set-up) are filed under. */
export const OUTSIDE_CASES = '(outside cases)';

export function readCost(model: ProbeModel, log: ProbeLog, accounted: Accounted): JobCost {
  const byCase = new Map<string, Map<string, number[]>>();
  for (const w of accounted.windows) {
    const key = w.case ?? OUTSIDE_CASES;
    const calls = byCase.get(key) ?? new Map<string, number[]>();
    for (const [fn, list] of w.calls) {
      const all = calls.get(fn);
      if (all) all.push(...list);
      else calls.set(fn, [...list]);
    }
    byCase.set(key, calls);
  }
  const cases: JobCost['cases'] = [];
  for (const [name, calls] of byCase) {
    if (!calls.size) continue;
    cases.push({ case: name, functions: Object.fromEntries([...calls].map(([fn, list]) => [fn, statsOf(list)])) });
  }
  const notes = [...model.notes];
  if (log.problem) notes.push(log.problem);
  if (log.dropped) notes.push(`the probe ran out of room for ${log.dropped} records: the figures cover the start of the boot only`);
  return {
    method: log.method,
    functions: model.measured,
    ...(model.missing.length ? { missing: model.missing } : {}),
    cases,
    ...(accounted.unfinished.size ? { unfinished: Object.fromEntries([...accounted.unfinished].sort(([a], [b]) => a.localeCompare(b))) } : {}),
    ...(notes.length ? { notes } : {}),
  };
}
