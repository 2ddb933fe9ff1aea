// twister's Console harness (twisterlib/harness.py `Console`), for images whose testcase.yaml says
// `harness: console`: the verdict comes from regexes searched in each console line, not from
// ztest. `one_line` passes on its first regex; `multi_line` when every regex matched, in order
// (`ordered: true`, the default) or in any order. A `PROJECT EXECUTION FAILED` fails it, and so
// does a `PROJECT EXECUTION SUCCESSFUL` before the patterns matched. It reads `harness_config`
// from testcase.yaml, too. Pure.
import type { CaseResult, CaseStatus, ConsoleHarnessSpec, RecordSpec, RunEnd } from '../domain.js';
import { pythonRegex, regexProblem } from './python-regex.js';

/** The ztest-suite field of the one case a console harness reports; twister names it after the scenario. */
export const CONSOLE_HARNESS_SUITE = 'console_harness';

export class ConsoleHarness {
  private readonly patterns: RegExp[];
  private next = 0;
  private readonly seen = new Set<number>();

  constructor(private readonly spec: ConsoleHarnessSpec) {
    this.patterns = (spec.type === 'one_line' ? spec.regex.slice(0, 1) : spec.regex).map(pythonRegex);
  }

  push(line: string): void {
    if (this.spec.type === 'multi_line' && !this.spec.ordered) {
      this.patterns.forEach((p, i) => {
        if (p.test(line)) this.seen.add(i);
      });
    } else if (this.next < this.patterns.length && this.patterns[this.next]!.test(line)) {
      this.next++;
    }
  }

  get matched(): number {
    return this.spec.type === 'multi_line' && !this.spec.ordered ? this.seen.size : this.next;
  }

  get passed(): boolean {
    return this.matched >= this.patterns.length;
  }

  progress(): string {
    const order = this.spec.type === 'multi_line' ? (this.spec.ordered ? ', in order' : ', any order') : '';
    return `console harness: ${this.matched} of ${this.patterns.length} patterns matched (${this.spec.type}${order})`;
  }

  /** The boot's end once the project line came: the patterns decide, as in twister. */
  projectEnd(success: boolean): RunEnd {
    if (!success) return { kind: 'project', success: false, console: `PROJECT EXECUTION FAILED; ${this.progress()}` };
    return { kind: 'project', success: this.passed, console: this.passed ? this.progress() : `PROJECT EXECUTION SUCCESSFUL before the patterns; ${this.progress()}` };
  }

  /** The one case twister reports for the image, named after the scenario. */
  result(scenario: string, end: RunEnd): CaseResult {
    const status: CaseStatus = end.kind === 'project' ? (end.success ? 'pass' : 'fail') : STATUS_AT_END[end.kind];
    const c: CaseResult = { suite: CONSOLE_HARNESS_SUITE, name: scenario, status };
    if (status !== 'pass') c.detail = end.kind === 'project' ? (end.console ?? this.progress()) : this.progress();
    return c;
  }
}

const STATUS_AT_END: Record<Exclude<RunEnd['kind'], 'project'>, CaseStatus> = {
  fatal: 'crash',
  exit: 'crash',
  'emulator-error': 'crash',
  silence: 'timeout',
  wall: 'timeout',
  aborted: 'blocked',
  'build-error': 'blocked',
  skipped: 'blocked',
};

type Raw = unknown;

/**
 * `harness_config` of a testcase.yaml scenario as twister reads it: the Console harness settings
 * when `harness` is `console`, and `record:` for any harness. Throws a message for `fail` to
 * place (the caller knows the line).
 */
export function readHarnessConfig(harness: string | undefined, config: Raw, source: string): { harness?: ConsoleHarnessSpec; records?: RecordSpec[] } {
  const c = (config && typeof config === 'object' && !Array.isArray(config) ? config : {}) as Record<string, Raw>;
  const out: { harness?: ConsoleHarnessSpec; records?: RecordSpec[] } = {};
  if (harness === 'console') {
    const regex = strings(c['regex']);
    if (regex.length === 0) throw new Error('harness: console needs harness_config.regex (twister: "no regex patterns configured")');
    if (c['type'] !== 'one_line' && c['type'] !== 'multi_line') throw new Error(`harness_config.type must be one_line or multi_line for harness: console (twister: "incorrect type=${String(c['type'])}")`);
    checkRegexes(regex, 'harness_config.regex');
    out.harness = { type: c['type'], regex, ordered: c['ordered'] !== false };
  }
  const record = c['record'];
  if (record && typeof record === 'object' && !Array.isArray(record)) {
    const r = record as Record<string, Raw>;
    const regex = strings(r['regex']);
    if (regex.length) {
      checkRegexes(regex, 'harness_config.record.regex');
      const spec: RecordSpec = { regex, source };
      if (r['merge'] === true) spec.merge = true;
      const asJson = strings(r['as_json']);
      if (asJson.length) spec.asJson = asJson;
      out.records = [spec];
    }
  }
  return out;
}

function strings(v: Raw): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkRegexes(list: readonly string[], where: string): void {
  for (const r of list) {
    const problem = regexProblem(r);
    if (problem) throw new Error(`${where}: ${problem}`);
  }
}
