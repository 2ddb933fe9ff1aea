// Reach, baseline and candidate side by side: per comparison, suite and measured function, how many
// of its blocks any case executed, which none did, and which one case alone did. Informational. Pure.
import type { Comparison, FunctionReach, ReachBlock, ReachDiff, ReachSide, RunResult } from '../../domain.js';
import { judgedPairs, rowPlace } from '../pairs.js';

/** A function's blocks over every attempt of one side: a block is reached if any attempt reached it. */
function blocksOf(results: readonly RunResult[], fn: string): { job: string; blocks: ReachBlock[] } | undefined {
  let merged: { job: string; blocks: ReachBlock[] } | undefined;
  for (const r of results) {
    const f: FunctionReach | undefined = r.reach?.functions.find((x) => x.function === fn);
    if (!f) continue;
    if (!merged) {
      merged = { job: r.job.id, blocks: f.blocks.map((b) => ({ ...b, cases: [...b.cases] })) };
      continue;
    }
    for (const b of f.blocks) {
      const m = merged.blocks.find((x) => x.address === b.address);
      if (m) m.cases = [...new Set([...m.cases, ...b.cases])].sort();
    }
  }
  return merged;
}

export function reachSide(job: string, blocks: readonly ReachBlock[]): ReachSide {
  const where = (b: ReachBlock) => ({ address: b.address, ...(b.file ? { file: b.file } : {}), ...(b.line ? { line: b.line } : {}) });
  return {
    job,
    blocks: blocks.length,
    reached: blocks.filter((b) => b.cases.length).length,
    unreached: blocks.filter((b) => !b.cases.length).map((b) => ({ ...where(b), instructions: b.instructions, ...(b.assert ? { assert: true } : {}) })),
    onlyBy: blocks.filter((b) => b.cases.length === 1).map((b) => ({ ...where(b), case: b.cases[0]! })),
  };
}

export function diffReach(results: readonly RunResult[], comparisons: readonly Comparison[]): ReachDiff[] {
  const out: ReachDiff[] = [];
  for (const p of judgedPairs(results, comparisons)) {
    const names = [...new Set([...p.baselineResults, ...p.candidateResults].flatMap((r) => r.reach?.functions.map((f) => f.function) ?? []))];
    for (const fn of names) {
      const b = blocksOf(p.baselineResults, fn);
      const c = blocksOf(p.candidateResults, fn);
      out.push({
        ...rowPlace(p),
        function: fn,
        ...(b ? { baseline: reachSide(b.job, b.blocks) } : {}),
        ...(c ? { candidate: reachSide(c.job, c.blocks) } : {}),
      });
    }
  }
  return out;
}
