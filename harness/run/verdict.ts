// How a run's end and its cases become one verdict. Pure: the runner and `tandem report` share it.
import type { CaseResult, RunEnd, Verdict } from '../domain.js';

export function verdictOf(end: RunEnd, cases: readonly CaseResult[]): Verdict {
  switch (end.kind) {
    case 'project':
      return end.success && !cases.some((c) => c.status === 'fail' || c.status === 'crash')
        ? 'passed'
        : 'failed';
    case 'fatal':
      return 'crashed';
    case 'silence':
    case 'wall':
      return 'timeout';
    case 'exit':
    case 'emulator-error':
    case 'aborted':
      return 'emulator-error';
    case 'build-error':
      return 'build-error';
    case 'skipped':
      return 'skipped';
  }
}
