// The records room: figures the consoles printed, baseline against candidate, and the ratio gate.
import type { MeasureRoom } from '../index.js';
import { measuredPairs } from '../pairs.js';
import { diffRecords, recordGate } from './diff.js';

export const recordsRoom: MeasureRoom = {
  compare(results, comparisons, policy) {
    const diffs = measuredPairs(results, comparisons, (r) => r.records).map((p) => diffRecords(p, policy.records));
    return { measures: diffs.length ? { records: diffs } : {}, findings: recordGate(diffs) };
  },
};
