// Cost, baseline against candidate: per comparison, suite and measured function, the instructions
// per call of every call and of each case, and their ratio. Informational unless the policy names a
// ratio that a candidate may not exceed. Pure.
import type { CallStats, Comparison, CostDiff, GateFinding, GatePolicy, RunResult } from '../../domain.js';
import { judgedPairs, rowPlace } from '../pairs.js';
import { figure, mergeStats, ratioOf } from './stats.js';

/** Per function: all its calls, and its calls per case, over every attempt of one side. */
interface FunctionSide {
  all?: CallStats;
  cases: Map<string, CallStats>;
}

function sideOf(results: readonly RunResult[]): Map<string, FunctionSide> {
  const out = new Map<string, FunctionSide>();
  for (const r of results) {
    for (const c of r.cost?.cases ?? []) {
      for (const [fn, stats] of Object.entries(c.functions)) {
        const f: FunctionSide = out.get(fn) ?? { cases: new Map() };
        const all = mergeStats([f.all, stats]);
        if (all) f.all = all;
        f.cases.set(c.case, mergeStats([f.cases.get(c.case), stats])!);
        out.set(fn, f);
      }
    }
  }
  return out;
}

export function diffCost(results: readonly RunResult[], comparisons: readonly Comparison[]): CostDiff[] {
  const out: CostDiff[] = [];
  for (const p of judgedPairs(results, comparisons)) {
    const measured = (rs: readonly RunResult[]) => rs.filter((r) => r.cost !== undefined);
    const baseline = sideOf(measured(p.baselineResults));
    const candidate = sideOf(measured(p.candidateResults));
    for (const fn of [...new Set([...baseline.keys(), ...candidate.keys()])]) {
      const b = baseline.get(fn);
      const c = candidate.get(fn);
      const cases = [...new Set([...(b?.cases.keys() ?? []), ...(c?.cases.keys() ?? [])])].map((name) => {
        const bf = figure(b?.cases.get(name));
        const cf = figure(c?.cases.get(name));
        const ratio = ratioOf(bf, cf);
        return { case: name, ...(bf ? { baseline: bf } : {}), ...(cf ? { candidate: cf } : {}), ...(ratio !== undefined ? { ratio } : {}) };
      });
      const bAll = figure(b?.all);
      const cAll = figure(c?.all);
      const ratio = ratioOf(bAll, cAll);
      out.push({
        ...rowPlace(p),
        function: fn,
        ...(bAll ? { baseline: bAll } : {}),
        ...(cAll ? { candidate: cAll } : {}),
        ...(ratio !== undefined ? { ratio } : {}),
        casesCompared: cases.filter((x) => x.baseline && x.candidate).length,
        cases,
      });
    }
  }
  return out;
}

/** `measure.gate_ratio` / `--gate-cost`: a function whose candidate costs more than the ratio allows. */
export function costFindings(diffs: readonly CostDiff[], policy: GatePolicy): GateFinding[] {
  const limit = policy.cost?.ratio;
  if (limit === undefined) return [];
  return diffs
    .filter((d) => d.ratio !== undefined && d.ratio > limit)
    .map((d) => ({
      measure: 'cost' as const,
      subject: `${d.platform}/${d.candidateVariant}/${d.suite}: ${d.function}`,
      message: `${d.platform}/${d.candidateVariant}/${d.suite}: ${d.function} ${d.baseline!.median} → ${d.candidate!.median} instructions per call (${d.ratio}×, gate ${limit}×)`,
    }));
}
