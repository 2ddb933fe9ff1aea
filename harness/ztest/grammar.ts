// The ztest / Zephyr console lines tandem recognises (shared/ztest-format.md). Kept apart from the
// parser so reports can reuse the same patterns to highlight lines in a console log.

/** The version is taken whole (the lookahead is an atomic group): backtracking into it was quadratic. */
export const BANNER = /\*\*\* Booting Zephyr OS build (?=([^\s*]*))\1[^*]*\*\*\*/;
export const SUITE_START = /^Running TESTSUITE (\S+)\s*$/;
export const CASE_START = /^START - (\S+)\s*$/;
/** ` PASS - test_x in 0.001 seconds` — the leading space is part of Zephyr's format. */
export const CASE_END = /^ ?(PASS|FAIL|SKIP|FLAKY) - (\S+) in (\d+)\.(\d{3}) seconds\s*$/;
export const SUITE_END = /^TESTSUITE (\S+) (succeeded|failed\.)\s*$/;
export const SUITE_SUMMARY =
  /^SUITE (PASS|FAIL|SKIP) - +(\d+\.\d+)% \[(\S+)\]: pass = (\d+), fail = (\d+), skip = (\d+), total = (\d+) duration = (\d+)\.(\d{3}) seconds\s*$/;
export const CASE_SUMMARY = /^ - (PASS|FAIL|SKIP|FLAKY) - \[([^.\]\s]+)\.(\S+?)\](?: - \(Failed (\d+) of (\d+) attempts\) -)? duration = (\d+)\.(\d{3}) seconds\s*$/;
export const PROJECT_END = /PROJECT EXECUTION (SUCCESSFUL|FAILED)/;
/** Assert / assume / expect messages, any ASSERT_VERBOSE level. */
export const ASSERTION = /^\s*(Assertion|Assumption|Expectation) failed at (\S+?):(\d+)(?:: (.*))?$/;
export const BAD_PHASE = /^\s*ERROR: cannot (fail|pass|skip) in test phase '(\w+)\(\)', bailing/;
export const VERIFY_ERROR = /^(ERROR: Test suite '[^']*' did not run\.|ERROR: Test '[^']*' assigned to test suite '[^']*' which doesn't exist|Bad stats for \S+)/;
export const KERNEL_ASSERT = /ASSERTION FAIL(?: \[.*\])?(?: @ \S+:\d+)?/;
/**
 * `>>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0`; the reason is `fatalReason(m[2])`. Kept free
 * of a lazy group before `\s*$`: on a guest line of 60 000 spaces that form took 18 s (found by
 * test/fuzz-parsers.test.ts), stalling every job of the run.
 */
export const FATAL = />>> ZEPHYR FATAL ERROR (\d+): (.*)$/;

/** The reason part of a FATAL match, without ` on CPU <n>` and trailing blanks. */
export function fatalReason(text: string): string {
  return text.trimEnd().replace(/ on CPU \d+$/, '');
}
export const FAULT_HEADER = /\*{5} ([A-Z ]+?) \*{5}/;
export const FAULTING_PC = /Faulting instruction address \(r15\/pc\): (0x[0-9a-fA-F]+)/;
export const CURRENT_THREAD = /Current thread: (0x[0-9a-fA-F]+|\S+)(?: \((.*)\))?/;
export const HALTING = /\bHalting system\b/;
/** Printed by ztest's error hook when a test expected the fault: the run goes on. */
export const FATAL_HANDLED = /^(Caught system error -- reason \d+(?: \d+)?|Fatal error expected as part of test case\.|Assert error expected as part of test case\.)/;
export const FATAL_UNEXPECTED = /^(Fatal error was unexpected, aborting\.\.\.|Assert failed was unexpected, aborting\.\.\.)/;
export const NATIVE_CRASH = /^TESTSUITE crashed\.\s*$/;

/** Lines worth highlighting in a console view: failures, faults, verdicts. */
export function isNotableLine(line: string): boolean {
  return (
    ASSERTION.test(line) ||
    FATAL.test(line) ||
    FAULT_HEADER.test(line) ||
    HALTING.test(line) ||
    KERNEL_ASSERT.test(line) ||
    BAD_PHASE.test(line) ||
    VERIFY_ERROR.test(line) ||
    /^ ?FAIL - /.test(line) ||
    /PROJECT EXECUTION FAILED/.test(line)
  );
}

/**
 * `line` without its trailing carriage returns. A loop, not `/\r+$/`: that regex retries from every
 * `\r` of a run that is not at the end, quadratic on a guest line of 38 000 of them (4 s, found by
 * test/fuzz-parsers.test.ts).
 */
export function trimTrailingCr(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  return end === line.length ? line : line.slice(0, end);
}
