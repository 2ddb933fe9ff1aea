// The footprint room: what each image weighs, baseline against candidate, and the size gate.
import type { MeasureRoom } from '../index.js';
import { measuredPairs } from '../pairs.js';
import { diffFootprints, sizeGate } from './diff.js';

export const footprintRoom: MeasureRoom = {
  compare(results, comparisons, policy) {
    const diffs = measuredPairs(results, comparisons, (r) => r.footprint).map(diffFootprints);
    return { measures: diffs.length ? { footprint: diffs } : {}, findings: sizeGate(diffs, policy.size) };
  },
};
