// twister.json, in the layout Zephyr's twister writes (twisterlib/reports.py json_report), so
// Zephyr's tools (scripts/ci/twister_report_analyzer.py, dashboards) read tandem runs unchanged:
// suites named `<app path>/<scenario id>`, `log` on failed and error suites and on failed cases,
// twister's statuses and environment keys. tandem's variant sits in `variant` (a key twister's
// tools do not read), so one file holds every variant. Pure.
import type { CaseStatus, RunRecord, RunResult, Verdict } from '../domain.js';
import { buildView, cleanText, excerpt, oneLine, seconds, toConsoleLog, type CaseView, type ConsoleLog, type LogSource } from './common.js';
import { twisterSuiteName, type TwisterFacts } from '../zephyr/twister-names.js';
import { CONSOLE_HARNESS_SUITE } from '../zephyr/console-harness.js';
import { twisterFootprint } from './footprint.js';
import { twisterRecording } from './records.js';

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Pick<T, K>;
}
import { twisterCost } from './cost.js';

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
  arch: string;
  platform: string;
  /** The app folder (twister's source_dir_rel). */
  path: string;
  run_id: string;
  runnable: boolean;
  /** Bytes the image uses in RAM and flash, and the platform's sizes (twister's footprint metrics). */
  used_ram?: number;
  used_rom?: number;
  retries: number;
  available_ram?: number;
  available_rom?: number;
  toolchain?: string;
  status: TwisterSuiteStatus;
  reason?: string;
  /** Console (failed) or build log (error), printable characters only; twister always writes it for those. */
  log?: string;
  execution_time: string;
  build_time: string;
  testcases: TwisterCase[];
  /** What the record patterns captured, one object per matched line (twister's harness `record:`). */
  recording?: Array<Record<string, unknown>>;
  /** tandem's variant and job id: keys twister's tools ignore. */
  variant: string;
  tandem_job: string;
  /** Measured functions: calls and instructions per call over the boot (tandem's cost, issue 19). */
  tandem_cost?: Record<string, { calls: number; min: number; median: number; max: number }>;
}

export interface TwisterReport {
  environment: {
    os: string;
    zephyr_version: string;
    toolchain: string;
    commit_date: string;
    run_date: string;
    options: Record<string, unknown>;
  };
  testsuites: TwisterSuite[];
}

export interface TwisterOptions {
  /** Console logs; also asked for build logs (with `log` set to the result's buildLog). */
  logs?: LogSource;
  /**
   * `legacy` (default) is twister 3.5.x: `<scenario>.<test without test_>`. It collides when two
   * ztest suites of one image share a test name; `suite` adds the ztest suite as newer twister does.
   */
  caseIds?: 'legacy' | 'suite';
}

/** What the run recorded to name a job as twister does; a plain suite name for older run.json. */
export function twisterFactsOfResult(result: Pick<RunResult, 'job' | 'provenance'>): TwisterFacts {
  const recorded = result.provenance['twister'] as Partial<TwisterFacts> | undefined;
  const facts: TwisterFacts = { scenario: typeof recorded?.scenario === 'string' ? recorded.scenario : result.job.suite };
  if (typeof recorded?.app === 'string' && recorded.app !== '') facts.app = recorded.app;
  return facts;
}

/** twister's testsuite name of a job: `<app path>/<scenario id>`. */
export function twisterScenario(result: Pick<RunResult, 'job' | 'provenance'>): string {
  return twisterSuiteName(twisterFactsOfResult(result));
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

/** A job twister's static filters (platform_allow, arch, filter:) ruled out. */
export function isFiltered(r: Pick<RunResult, 'verdict' | 'reason'>): boolean {
  return r.verdict === 'skipped' && (r.reason ?? '').startsWith('filtered');
}

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
      // twister_report_analyzer groups on this prefix and then reads the build log.
      return oneLine(`Build failure${r.reason ? ` - ${r.reason}` : ''}`);
    default:
      return r.reason === undefined ? undefined : oneLine(r.reason);
  }
}

function caseReason(c: CaseView): string | undefined {
  if (c.case.status === 'timeout') return 'Timeout';
  return c.case.detail === undefined ? undefined : oneLine(c.case.detail);
}

/** A whole log as twister's process_log keeps it: printable text only. */
function logText(log: ConsoleLog | undefined): string {
  if (!log) return '';
  const text = log.parts.map((p) => p.text).join(log.omittedBytes ? `\n[… ${log.omittedBytes} bytes omitted …]\n` : '');
  return cleanText(text);
}

function suiteLog(result: RunResult, logs: LogSource | undefined): string {
  if (!logs) return '';
  const consoleLog = toConsoleLog(logs(result));
  if (result.verdict === 'build-error' || result.verdict === 'emulator-error') {
    const build = result.buildLog ? toConsoleLog(logs({ ...result, log: result.buildLog })) : undefined;
    return logText(build ?? consoleLog) || (result.reason ?? '');
  }
  return logText(consoleLog);
}

const HOST_OS: Record<string, string> = { linux: 'Linux', darwin: 'Darwin', win32: 'Windows' };

export function toTwister(record: RunRecord, opts: TwisterOptions = {}): TwisterReport {
  const view = buildView(record);
  const zephyr = record.results.map((r) => r.provenance.zephyrVersion).find((v) => v);
  const toolchain = record.results.map((r) => r.provenance['toolchain']).find((v): v is string => typeof v === 'string');
  const environment: TwisterReport['environment'] = {
    os: HOST_OS[record.host.platform] ?? record.host.platform,
    zephyr_version: zephyr ?? 'unknown',
    toolchain: toolchain ?? 'unknown',
    commit_date: 'unknown',
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

  const testsuites = view.jobs.map(({ result, cases }): TwisterSuite => {
    const facts = twisterFactsOfResult(result);
    const filtered = isFiltered(result);
    const status: TwisterSuiteStatus = filtered ? 'filtered' : SUITE_STATUS[result.verdict];
    const log = opts.logs ? toConsoleLog(opts.logs(result)) : undefined;
    const arch = result.provenance['arch'];
    const recording = twisterRecording(result);
    const suite: TwisterSuite = {
      name: twisterSuiteName(facts),
      arch: typeof arch === 'string' ? arch : 'unknown',
      platform: result.job.platform,
      path: facts.app ?? '',
      run_id: record.runId,
      runnable: !filtered,
      ...pick(twisterFootprint(result), ['used_ram', 'used_rom']),
      retries: Math.max(0, result.job.attempt - 1),
      ...pick(twisterFootprint(result), ['available_ram', 'available_rom']),
      status,
      execution_time: seconds(result.wallMs, 2),
      build_time: '0.00',
      testcases: cases.map((c): TwisterCase => {
        const tc: TwisterCase = {
          // twister's console harness reports one case named after the scenario.
          identifier: c.case.suite === CONSOLE_HARNESS_SUITE ? facts.scenario : twisterCaseId(facts.scenario, c.case, opts.caseIds),
          status: filtered ? 'filtered' : CASE_STATUS[c.case.status],
          execution_time: seconds(c.case.durationMs, 2),
        };
        const reason = caseReason(c);
        if (reason !== undefined) tc.reason = reason;
        if (tc.status === 'failed' || tc.status === 'error') {
          const e = log ? excerpt(log, c.case) : undefined;
          // twister writes the case's own output; the failure line stands in when no console is at hand.
          tc.log = e ? e.lines.map(cleanText).join('\n') : cleanText(c.case.detail ?? tc.reason ?? 'Failed');
        }
        return tc;
      }),
      ...(recording ? { recording } : {}),
      variant: result.job.variant,
      tandem_job: result.job.id,
    };
    const reason = suiteReason(result);
    if (reason !== undefined) suite.reason = reason;
    if (status === 'failed' || status === 'error') suite.log = suiteLog(result, opts.logs);
    const cost = twisterCost(result);
    if (cost) suite.tandem_cost = cost;
    const toolchainOf = result.provenance['toolchain'];
    if (typeof toolchainOf === 'string') suite.toolchain = toolchainOf;
    return suite;
  });
  return { environment, testsuites };
}

export function renderTwister(record: RunRecord, opts: TwisterOptions = {}): string {
  return `${JSON.stringify(toTwister(record, opts), null, 4)}\n`;
}
