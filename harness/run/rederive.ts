// `tandem report` never trusts a stored diff or verdict: both are derived again from the results,
// by the same differ and judge a run uses, and a record whose stored diff disagrees is said to.
import type { RunRecord } from '../domain.js';
import { assembleRecord, metaOf } from './record.js';
import { rederiveRunToRun } from '../diff/compare-runs.js';

export function rederive(stored: RunRecord): { record: RunRecord; diffChanged: boolean } {
  const record = stored.runToRun ? rederiveRunToRun({ ...stored, runToRun: stored.runToRun }) : assembleRecord(metaOf(stored), stored.results);
  const diffChanged = JSON.stringify(stored.diff) !== JSON.stringify(record.diff);
  return { record, diffChanged };
}
