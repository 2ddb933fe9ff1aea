// twister.json, in the layout Zephyr's twister writes, so dashboards and scripts built for twister
// read tandem runs unchanged. Pure.
import type { CaseStatus, JobRef, RunRecord, RunResult, Verdict } from '../domain.js';
import { buildView, cleanText, excerpt, oneLine, seconds, toConsoleLog, type CaseView, type LogSource } from './common.js';

export type TwisterSuiteStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'filtered';
export type TwisterCaseStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'filtered' | 'blocked';

export interface TwisterCase {
  identifier: string;
  status: TwisterCaseStatus;
  execution_time: string;
  reason?: string;
  log?: string;
}

export interface TwisterSuite {
  name: string;
  platform: string;
  arch?: string;
  run_id: string;
  runnable: boolean;
  retries: number;
  status: TwisterSuiteStatus;
  reason?: string;
  execution_time: string;
  used_ram?: number;
  testcases: TwisterCase[];
}

export interface TwisterReport {
  environment: {
    os: string;
    zephyr_version: string;
    toolchain?: string;
    commit_date?: string;
    run_date: string;
    options: Record<string, unknown>;
  };
  testsuites: TwisterSuite[];
}

export interface TwisterOptions {
  logs?: LogSource;
  /**
   * `legacy` (default) is twister 3.5.x: `<scenario>.<test without test_>`. It collides when two
   * ztest suites of one image share a test name; `suite` adds the ztest suite as newer twister does.
   */
  caseIds?: 'legacy' | 'suite';
}

/**
 * The twister scenario of a job: `<suite>.<variant>` (e.g. `mutex.wasm`). Platform stays out of it
 * because twister keys suites by (name, platform) already.
 */
export function twisterScenario(job: Pick<JobRef, 'suite' | 'variant'>): string {
  return `${job.suite}.${job.variant}`;
}

export function twisterCaseId(scenario: string, c: { suite: string; name: string }, style: 'legacy' | 'suite' = 'legacy'): string {
  const test = c.name.replace(/^test_/, '');
  return style === 'suite' ? `${scenario}.${c.suite}.${test}` : `${scenario}.${test}`;
}

const CASE_STATUS: Record<CaseStatus, TwisterCaseStatus> = {
  pass: 'passed',
  fail: 'failed',
  // twister itself reports a case cut short by a fault or a timeout as failed, not error.
  crash: 'failed',
  timeout: 'failed',
  skip: 'skipped',
  blocked: 'blocked',
};

const SUITE_STATUS: Record<Verdict, TwisterSuiteStatus> = {
  passed: 'passed',
  failed: 'failed',
  crashed: 'failed',
  timeout: 'failed',
  // twister keeps `error` for things that are not the test's fault: builds and the runner.
  'build-error': 'error',
  'emulator-error': 'error',
  skipped: 'skipped',
};

function suiteReason(r: RunResult): string | undefined {
  switch (r.verdict) {
    case 'passed':
      return undefined;
    case 'timeout':
      return 'Timeout';
    case 'crashed':
      return oneLine(r.fatal?.line || r.reason || 'Crashed');
    case 'failed':
      return oneLine(r.reason ?? 'Failed');
    case 'build-error':
      return oneLine(`Build failure${r.reason ? `: ${r.reason}` : ''}`);
    default:
      return r.reason === undefined ? undefined : oneLine(r.reason);
  }
}

function caseReason(c: CaseView): string | undefined {
  if (c.case.status === 'timeout') return 'Timeout';
  return c.case.detail === undefined ? undefined : oneLine(c.case.detail);
}

export function toTwister(record: RunRecord, opts: TwisterOptions = {}): TwisterReport {
  const view = buildView(record);
  const zephyr = record.results.map((r) => r.provenance.zephyrVersion).find((v) => v);
  const toolchain = record.results.map((r) => r.provenance['toolchain']).find((v): v is string => typeof v === 'string');
  const environment: TwisterReport['environment'] = {
    os: record.host.platform,
    zephyr_version: zephyr ?? 'unknown',
    run_date: record.startedAt,
    options: {
      tool: 'tandem',
      tandem_version: record.tandemVersion,
      run_id: record.runId,
      scenario: record.scenario.name,
      scenario_file: record.scenario.file,
      comparisons: record.comparisons.map((c) => `${c.baseline}..${c.candidate}`),
      interrupted: record.interrupted,
    },
  };
  if (toolchain !== undefined) environment.toolchain = toolchain;

  const testsuites = view.jobs.map(({ result, cases }): TwisterSuite => {
    const scenario = twisterScenario(result.job);
    const log = opts.logs ? toConsoleLog(opts.logs(result)) : undefined;
    const suite: TwisterSuite = {
      name: scenario,
      platform: result.job.platform,
      run_id: record.runId,
      runnable: true,
      retries: Math.max(0, result.job.attempt - 1),
      status: SUITE_STATUS[result.verdict],
      execution_time: seconds(result.wallMs, 2),
      testcases: cases.map((c): TwisterCase => {
        const tc: TwisterCase = {
          identifier: twisterCaseId(scenario, c.case, opts.caseIds),
          status: CASE_STATUS[c.case.status],
          execution_time: seconds(c.case.durationMs, 2),
        };
        const reason = caseReason(c);
        if (reason !== undefined) tc.reason = reason;
        if (log && (tc.status === 'failed' || tc.status === 'error')) {
          const e = excerpt(log, c.case);
          if (e) tc.log = e.lines.map(cleanText).join('\n');
        }
        return tc;
      }),
    };
    const arch = result.provenance['arch'];
    if (typeof arch === 'string') suite.arch = arch;
    const reason = suiteReason(result);
    if (reason !== undefined) suite.reason = reason;
    return suite;
  });
  return { environment, testsuites };
}

export function renderTwister(record: RunRecord, opts: TwisterOptions = {}): string {
  return `${JSON.stringify(toTwister(record, opts), null, 4)}\n`;
}
