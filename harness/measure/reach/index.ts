// The reach room: which of the measured functions' blocks the cases executed, side by side.
import type { MeasureRoom } from '../index.js';
import { diffReach } from './differ.js';

export const reachRoom: MeasureRoom = {
  compare(results, comparisons) {
    const reach = diffReach(results, comparisons);
    return { measures: reach.length ? { reach } : {}, findings: [] };
  },
};
