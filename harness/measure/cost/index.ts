// The cost room: instructions per call of the measured functions, baseline against candidate.
import type { MeasureRoom } from '../index.js';
import { costFindings, diffCost } from './differ.js';

export const costRoom: MeasureRoom = {
  compare(results, comparisons, policy) {
    const cost = diffCost(results, comparisons);
    return { measures: cost.length ? { cost } : {}, findings: costFindings(cost, policy) };
  },
};
