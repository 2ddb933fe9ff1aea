// One boot's reach: each measured function's blocks with the cases that executed them. Pure.
import type { JobReach } from '../../domain.js';
import type { Accounted } from '../probe/account.js';
import type { ProbeModel } from '../probe/plan.js';
import { OUTSIDE_CASES } from '../cost/reader.js';

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

export function readReach(model: ProbeModel, accounted: Accounted): JobReach {
  const casesOf = model.blocks.map(() => new Set<string>());
  for (const w of accounted.windows) for (const b of w.blocks) casesOf[b]?.add(w.case ?? OUTSIDE_CASES);
  return {
    functions: model.measured.map((m, fn) => ({
      function: m.name,
      blocks: model.blocks
        .map((b, i) => ({ b, i }))
        .filter(({ b }) => b.fn === fn)
        .map(({ b, i }) => ({
          address: hex(b.start),
          instructions: b.instructions,
          ...(b.file ? { file: b.file } : {}),
          ...(b.line ? { line: b.line } : {}),
          ...(b.assert ? { assert: true } : {}),
          cases: [...casesOf[i]!].sort(),
        })),
    })),
  };
}
