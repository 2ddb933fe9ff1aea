// Streaming ztest parser: console lines in, events and case results out. No I/O and no clocks, so
// the same code judges a live emulator, a log file on disk and a fixture in a test.
import type { CaseResult, CaseStatus, Fatal, RunEnd } from '../domain.js';
import * as G from './grammar.js';

export type ZtestEvent =
  | { type: 'banner'; version: string; line: number }
  | { type: 'suite-start'; suite: string; line: number }
  | { type: 'case-start'; suite: string; name: string; line: number }
  | { type: 'case-end'; result: CaseResult }
  | { type: 'suite-end'; suite: string; success: boolean; line: number }
  | { type: 'project-end'; success: boolean; line: number }
  /** A fatal error was printed; the run is a crash unless `fatal-handled` follows. */
  | { type: 'fatal'; fatal: Fatal }
  | { type: 'fatal-handled'; line: number }
  /** The kernel stopped the CPU: nothing more will come. */
  | { type: 'halt'; line: number };

export interface ParsedRun {
  cases: CaseResult[];
  zephyrVersion?: string;
  project?: 'SUCCESSFUL' | 'FAILED';
  fatal?: Fatal;
  /** Framework errors (`did not run`, `Bad stats`, bad phase) that make the project fail. */
  errors: string[];
  /** Whether the Zephyr boot banner was seen: without it, the image most likely never booted. */
  booted: boolean;
}

interface OpenCase {
  suite: string;
  name: string;
  line: number;
  detail?: string;
  detailLine?: number;
  /** The assert message is printed on the line after `Assertion failed at`. */
  expectMessage: boolean;
}

const END_STATUS: Record<string, CaseStatus> = { PASS: 'pass', FAIL: 'fail', SKIP: 'skip', FLAKY: 'fail' };

/** Worst first, for a case ztest ran more than once in one boot. */
const STATUS_RANK: Record<CaseStatus, number> = { crash: 0, timeout: 1, fail: 2, blocked: 3, skip: 4, pass: 5 };

export class ZtestParser {
  private lineNo = 0;
  private suite: string | undefined;
  private open: OpenCase | undefined;
  private readonly cases = new Map<string, CaseResult>();
  private version: string | undefined;
  private banner = false;
  private project: 'SUCCESSFUL' | 'FAILED' | undefined;
  private fatal: Fatal | undefined;
  private fatalPending = false;
  private readonly errors: string[] = [];

  get linesSeen(): number {
    return this.lineNo;
  }

  /** True between a fatal-error line and either its handling by ztest or the end of the run. */
  get crashPending(): boolean {
    return this.fatalPending;
  }

  push(rawLine: string): ZtestEvent[] {
    const line = G.trimTrailingCr(rawLine);
    const n = ++this.lineNo;
    const events: ZtestEvent[] = [];
    let m: RegExpExecArray | null;

    if (this.open?.expectMessage) {
      this.open.expectMessage = false;
      if (line.trim() !== '' && !isStructural(line)) this.open.detail = `${this.open.detail} — ${line.trim()}`;
    }

    if ((m = G.BANNER.exec(line))) {
      this.version = m[1] || undefined;
      this.banner = true;
      events.push({ type: 'banner', version: m[1] ?? '', line: n });
    } else if ((m = G.SUITE_START.exec(line))) {
      this.suite = m[1]!;
      events.push({ type: 'suite-start', suite: this.suite, line: n });
    } else if ((m = G.CASE_START.exec(line))) {
      this.open = { suite: this.suite ?? 'unknown', name: m[1]!, line: n, expectMessage: false };
      events.push({ type: 'case-start', suite: this.open.suite, name: this.open.name, line: n });
    } else if ((m = G.CASE_END.exec(line))) {
      const name = m[2]!;
      const suite = this.open?.name === name ? this.open.suite : (this.suite ?? 'unknown');
      const result: CaseResult = {
        suite,
        name,
        status: END_STATUS[m[1]!]!,
        durationMs: Number(m[3]) * 1000 + Number(m[4]),
      };
      if (this.open?.name === name) this.closeOpenInto(result);
      this.open = undefined;
      if (this.record(result)) events.push({ type: 'case-end', result });
    } else if ((m = G.SUITE_END.exec(line))) {
      events.push({ type: 'suite-end', suite: m[1]!, success: m[2] === 'succeeded', line: n });
    } else if ((m = G.CASE_SUMMARY.exec(line))) {
      // The summary repeats every verdict; it only matters when a case's own end line was lost.
      const suite = m[2]!;
      const name = m[3]!;
      const seen = this.cases.get(key(suite, name));
      if (m[1] === 'FLAKY' && seen && seen.status !== 'fail') {
        // ztest ran the case more than once (ZTEST_REPEAT, retries): one failed attempt fails it.
        seen.status = 'fail';
        seen.detail = `${line.trim().replace(/^- /, '')}${seen.detail ? ` — ${seen.detail}` : ''}`;
        seen.detailLine = n;
        events.push({ type: 'case-end', result: seen });
      } else if (!seen) {
        const result: CaseResult = {
          suite,
          name,
          status: END_STATUS[m[1]!]!,
          durationMs: Number(m[6]) * 1000 + Number(m[7]),
          line: n,
        };
        if (this.open?.suite === suite && this.open.name === name) this.closeOpenInto(result);
        this.cases.set(key(suite, name), result);
        events.push({ type: 'case-end', result });
      }
    } else if ((m = G.PROJECT_END.exec(line))) {
      this.project = m[1] as 'SUCCESSFUL' | 'FAILED';
      events.push({ type: 'project-end', success: this.project === 'SUCCESSFUL', line: n });
    } else if ((m = G.ASSERTION.exec(line))) {
      if (this.open && this.open.detail === undefined) {
        this.open.detail = line.trim();
        this.open.detailLine = n;
        this.open.expectMessage = true;
      }
    } else if ((m = G.FATAL.exec(line))) {
      this.fatal = {
        ...this.fatal,
        reason: G.fatalReason(m[2]!),
        line: line.trim(),
        lineNumber: n,
        thread: undefined,
      };
      this.fatalPending = true;
      this.noteOnOpenCase(line.trim(), n);
      events.push({ type: 'fatal', fatal: this.fatal });
    } else if ((m = G.FAULT_HEADER.exec(line))) {
      // The fault header precedes the fatal line; keep it for the crash report.
      this.fatal = { reason: '', line: '', lineNumber: 0, ...this.fatal, fault: m[1]!.trim() };
    } else if ((m = G.FAULTING_PC.exec(line))) {
      this.fatal = { reason: '', line: '', lineNumber: 0, ...this.fatal, pc: m[1]! };
    } else if ((m = G.CURRENT_THREAD.exec(line)) && this.fatal) {
      this.fatal.thread = m[2] ?? m[1]!;
    } else if (G.HALTING.test(line)) {
      events.push({ type: 'halt', line: n });
    } else if (G.FATAL_HANDLED.test(line)) {
      if (this.fatalPending) {
        this.fatalPending = false;
        this.fatal = undefined;
        events.push({ type: 'fatal-handled', line: n });
      }
    } else if (G.FATAL_UNEXPECTED.test(line) || G.NATIVE_CRASH.test(line)) {
      this.noteOnOpenCase(line.trim(), n);
      events.push({ type: 'halt', line: n });
    } else if (G.BAD_PHASE.test(line) || G.VERIFY_ERROR.test(line)) {
      this.errors.push(line.trim());
      this.noteOnOpenCase(line.trim(), n);
    } else if (G.KERNEL_ASSERT.test(line)) {
      this.noteOnOpenCase(line.trim(), n);
    }
    return events;
  }

  /**
   * Closes the run. A case that started but never ended takes its status from how the run ended;
   * cases that never started are unknown here (the differ marks them `blocked` against a baseline).
   */
  finish(end: RunEnd): ParsedRun {
    if (this.open) {
      const open = this.open;
      this.open = undefined;
      const status = unfinishedStatus(end);
      const result: CaseResult = { suite: open.suite, name: open.name, status, line: open.line };
      const detail = open.detail ?? describeEnd(end, this.fatal);
      if (detail) result.detail = detail;
      const detailLine = open.detailLine ?? (end.kind === 'fatal' ? this.fatal?.lineNumber : undefined);
      if (detailLine !== undefined) result.detailLine = detailLine;
      this.cases.set(key(open.suite, open.name), result);
    }
    const run: ParsedRun = { cases: [...this.cases.values()], errors: [...this.errors], booted: this.banner || this.cases.size > 0 };
    if (this.version !== undefined) run.zephyrVersion = this.version;
    if (this.project !== undefined) run.project = this.project;
    if (this.fatal?.line) run.fatal = this.fatal;
    return run;
  }

  /**
   * A case's result; when ztest runs it again in the same boot (ZTEST_REPEAT, a retried suite), a
   * failed attempt stands even if a later one passed: the case is as good as its worst attempt.
   */
  private record(result: CaseResult): boolean {
    const k = key(result.suite, result.name);
    const earlier = this.cases.get(k);
    if (earlier && STATUS_RANK[earlier.status] < STATUS_RANK[result.status]) {
      earlier.detail = `${earlier.detail ?? `${earlier.status.toUpperCase()} in an earlier attempt`} (a later attempt ended ${result.status})`;
      return false;
    }
    this.cases.set(k, result);
    return true;
  }

  /** The open case ends with `result`: it keeps where it started and why it failed. */
  private closeOpenInto(result: CaseResult): void {
    const open = this.open!;
    this.open = undefined;
    result.line = open.line;
    if (open.detail !== undefined && result.status !== 'pass') {
      result.detail = open.detail;
      result.detailLine = open.detailLine;
    }
  }

  private noteOnOpenCase(text: string, n: number): void {
    if (this.open && this.open.detail === undefined) {
      this.open.detail = text;
      this.open.detailLine = n;
    }
  }
}

function key(suite: string, name: string): string {
  return `${suite}.${name}`;
}

function isStructural(line: string): boolean {
  return (
    G.CASE_END.test(line) ||
    G.CASE_START.test(line) ||
    G.ASSERTION.test(line) ||
    G.FATAL.test(line) ||
    /^=+$/.test(line)
  );
}

function unfinishedStatus(end: RunEnd): CaseStatus {
  switch (end.kind) {
    case 'fatal':
    case 'exit':
    case 'emulator-error':
      return 'crash';
    case 'silence':
    case 'wall':
      return 'timeout';
    case 'project':
      return 'fail';
    case 'aborted':
    case 'build-error':
    case 'skipped':
      return 'blocked';
  }
}

/** Human text for how a run ended, used as the detail of the case it cut short. */
export function describeEnd(end: RunEnd, fatal?: Fatal): string {
  switch (end.kind) {
    case 'project':
      return end.console ?? `PROJECT EXECUTION ${end.success ? 'SUCCESSFUL' : 'FAILED'}`;
    case 'fatal':
      return fatal?.line || `fatal error: ${end.reason}`;
    case 'silence':
    case 'wall':
      return describeLimit(end);
    case 'exit':
      return `emulator exited (${end.signal ? `signal ${end.signal}` : `code ${end.code}`}) before the PROJECT EXECUTION line`;
    case 'aborted':
      return 'run interrupted';
    case 'emulator-error':
      return `emulator error: ${end.message}`;
    case 'build-error':
      return `build error: ${end.message}`;
    case 'skipped':
      return end.reason;
  }
}

/** Parses a whole console log at once (fixtures, `tandem report` re-parsing). */
export function parseConsole(text: string, end?: RunEnd): ParsedRun & { end: RunEnd } {
  const parser = new ZtestParser();
  let halted = false;
  let project: boolean | undefined;
  for (const line of text.split('\n')) {
    for (const ev of parser.push(line)) {
      if (ev.type === 'halt') halted = true;
      if (ev.type === 'project-end') project = ev.success;
    }
  }
  const inferred: RunEnd =
    end ??
    (project !== undefined
      ? { kind: 'project', success: project }
      : halted || parser.crashPending
        ? { kind: 'fatal', reason: 'fatal error' }
        : { kind: 'silence', seconds: 0 });
  return { ...parser.finish(inferred), end: inferred };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** Names the clock that ended a boot: `no console output for 60 s of guest time (hang; 0.4 s wall)`. */
export function describeLimit(end: Extract<RunEnd, { kind: 'silence' | 'wall' }>): string {
  const wall = end.hostMs !== undefined ? `${secs(end.hostMs)} wall` : undefined;
  if (end.kind === 'silence') {
    if (end.clock === undefined) return `no console output for ${end.seconds} s (hang)`;
    if (end.idle) return `no console output, and the guest idles with no timer pending: nothing can wake it (hang; guest clock stopped; ${wall ?? '?'})`;
    if (end.clock === 'guest') return `no console output for ${end.seconds} s of guest time (hang; ${wall ?? '?'})`;
    const guest = end.guestMs !== undefined ? `; the guest clock counted ${secs(end.guestMs)}` : '';
    return `no console output for ${end.backstop ? `${secs(end.hostMs ?? end.seconds * 1000)} of host time (the backstop${guest})` : `${end.seconds} s of host time`} (hang)`;
  }
  if (end.clock === undefined) return `wall-clock timeout after ${end.seconds} s`;
  if (end.clock === 'guest') return `wall limit: ${end.seconds} s of guest time (${wall ?? '?'})`;
  if (end.backstop) return `wall limit: ${secs(end.hostMs ?? end.seconds * 1000)} of host time (the backstop${end.guestMs !== undefined ? `; the guest clock counted ${secs(end.guestMs)}` : ''}; limit ${end.seconds} s of guest time)`;
  return `wall limit: ${end.seconds} s of host time${end.hostMs !== undefined && end.hostMs > end.seconds * 1000 + 500 ? ` (${secs(end.hostMs)} wall: the guest was starved of CPU)` : ''}`;
}
