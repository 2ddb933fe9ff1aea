import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ZtestParser, parseConsole } from '../harness/ztest/parser.js';
import { verdictOf } from '../harness/run/verdict.js';
import type { CaseStatus } from '../harness/domain.js';

const LOGS = new URL('./fixtures/zephyr-logs/qemu_cortex_m3/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, LOGS), 'latin1');

function counts(cases: { status: CaseStatus }[]) {
  const out: Partial<Record<CaseStatus, number>> = {};
  for (const c of cases) out[c.status] = (out[c.status] ?? 0) + 1;
  return out;
}

describe('ztest parser on real Zephyr 3.5.99 logs', () => {
  for (const source of ['console', 'twister_handler']) {
    it(`mutex_api (${source}): 8/8 pass in suites mutex_api and mutex_api_1cpu`, () => {
      const run = parseConsole(read(`mutex_api.${source}.log`));
      expect(counts(run.cases)).to.deep.equal({ pass: 8 });
      expect(new Set(run.cases.map((c) => c.suite))).to.deep.equal(new Set(['mutex_api', 'mutex_api_1cpu']));
      expect(run.project).to.equal('SUCCESSFUL');
      expect(verdictOf(run.end, run.cases)).to.equal('passed');
      const pi = run.cases.find((c) => c.name === 'test_mutex_priority_inheritance');
      expect(pi).to.include({ suite: 'mutex_api_1cpu', status: 'pass', durationMs: 6059 });
    });

    it(`semaphore (${source}): 24/24 pass, the empty suite adds no case`, () => {
      const run = parseConsole(read(`semaphore.${source}.log`));
      expect(counts(run.cases)).to.deep.equal({ pass: 24 });
      expect(run.cases.filter((c) => c.suite === 'semaphore')).to.have.length(21);
      expect(run.cases.filter((c) => c.suite === 'semaphore_1cpu')).to.have.length(3);
      expect(verdictOf(run.end, run.cases)).to.equal('passed');
    });

    it(`pipe_api (${source}): 14/14 pass`, () => {
      const run = parseConsole(read(`pipe_api.${source}.log`));
      expect(counts(run.cases)).to.deep.equal({ pass: 14 });
      expect(run.project).to.equal('SUCCESSFUL');
    });

    it(`common (${source}): 12 suites, 46 pass and 2 skips`, () => {
      const run = parseConsole(read(`common.${source}.log`));
      expect(new Set(run.cases.map((c) => c.suite)).size).to.equal(12);
      expect(counts(run.cases)).to.deep.equal({ pass: 46, skip: 2 });
      expect(run.cases.filter((c) => c.status === 'skip').map((c) => c.name).sort()).to.deep.equal([
        'test_clock_cycle_64',
        'test_nested_irq_offload',
      ]);
    });
  }

  it('the banner gives the Zephyr version (empty in the twister capture)', () => {
    expect(parseConsole(read('mutex_api.console.log')).zephyrVersion).to.equal('v3.5.99-8f9fd239eb26');
    expect(parseConsole(read('mutex_api.twister_handler.log')).zephyrVersion).to.equal(undefined);
  });

  it('demo_fail: assert, expect and assume each land on their case, with the message', () => {
    const run = parseConsole(read('demo_fail.console.log'));
    expect(run.project).to.equal('FAILED');
    expect(verdictOf(run.end, run.cases)).to.equal('failed');
    const byName = Object.fromEntries(run.cases.map((c) => [c.name, c]));
    expect(counts(run.cases)).to.deep.equal({ pass: 2, fail: 2, skip: 3 });
    expect(byName.test_b_fail!.detail).to.equal(
      'Assertion failed at CMAKE_SOURCE_DIR/src/main.c:28: demo_test_b_fail: (1 not equal to 2) — deliberate failure, value=42',
    );
    expect(byName.test_b_fail!.detailLine).to.equal(11);
    expect(byName.test_d_assume!.status).to.equal('skip');
    expect(byName.test_d_assume!.detail).to.match(/^Assumption failed at .*main\.c:38/);
    expect(byName.test_e_expect!.detail).to.match(/^Expectation failed at .*main\.c:43/);
    expect(byName.test_only_skip).to.include({ suite: 'demo_all_skip', status: 'skip' });
    expect(byName.test_c_skip).to.not.have.property('detail');
  });

  it('demo_crash: the started case is a crash explained by the fatal line; the fault is kept', () => {
    const run = parseConsole(read('demo_crash.console.log'));
    expect(run.end).to.deep.include({ kind: 'fatal' });
    expect(verdictOf(run.end, run.cases)).to.equal('crashed');
    expect(run.cases.map((c) => [c.name, c.status])).to.deep.equal([
      ['test_a_pass', 'pass'],
      ['test_b_crash', 'crash'],
    ]);
    expect(run.cases[1]!.detail).to.equal('E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
    expect(run.fatal).to.include({ reason: 'CPU exception', fault: 'USAGE FAULT', pc: '0x000003e8', thread: 'test_b_crash' });
  });

  it('demo_oops: k_oops without a fault header is a crash too', () => {
    const run = parseConsole(read('demo_oops.console.log'));
    expect(run.cases.map((c) => c.status)).to.deep.equal(['pass', 'crash']);
    expect(run.fatal).to.include({ reason: 'Kernel oops', pc: '0x000003f4' });
    expect(run.fatal).to.not.have.property('fault');
  });

  it('demo_hang: the started case takes the timeout, with how long the console was silent', () => {
    const run = parseConsole(read('demo_hang.console.log'), { kind: 'silence', seconds: 5 });
    expect(run.cases.map((c) => [c.name, c.status])).to.deep.equal([
      ['test_a_pass', 'pass'],
      ['test_b_hang', 'timeout'],
    ]);
    expect(run.cases[1]!.detail).to.equal('no console output for 5 s (hang)');
    expect(verdictOf(run.end, run.cases)).to.equal('timeout');
  });
});

describe('ztest parser on lines real logs do not cover', () => {
  const feed = (lines: string[]) => {
    const p = new ZtestParser();
    const events = lines.flatMap((l) => p.push(l));
    return { p, events };
  };

  it('an expected fault (ztest error hook) is not a crash', () => {
    const { p, events } = feed([
      'Running TESTSUITE fatal',
      'START - test_fatal',
      'E: >>> ZEPHYR FATAL ERROR 3: Kernel oops on CPU 0',
      'Caught system error -- reason 3 1',
      'Fatal error expected as part of test case.',
      ' PASS - test_fatal in 0.010 seconds',
    ]);
    expect(events.map((e) => e.type)).to.deep.equal(['suite-start', 'case-start', 'fatal', 'fatal-handled', 'case-end']);
    expect(p.crashPending).to.equal(false);
    expect(p.finish({ kind: 'project', success: true }).cases[0]!.status).to.equal('pass');
  });

  it('a summary line recovers a case whose own end line was lost', () => {
    const { p } = feed([
      'Running TESTSUITE s',
      'START - test_a',
      'garbled PAS',
      ' - PASS - [s.test_a] duration = 0.002 seconds',
      ' - FAIL - [s.test_b] duration = 0.003 seconds',
      'PROJECT EXECUTION FAILED',
    ]);
    const run = p.finish({ kind: 'project', success: false });
    expect(run.cases.map((c) => [c.suite, c.name, c.status])).to.deep.equal([
      ['s', 'test_a', 'pass'],
      ['s', 'test_b', 'fail'],
    ]);
  });

  it('a case cut by the wall clock is a timeout; by an emulator exit, a crash', () => {
    for (const [end, status] of [
      [{ kind: 'wall', seconds: 60 }, 'timeout'],
      [{ kind: 'exit', code: 1, signal: null }, 'crash'],
    ] as const) {
      const { p } = feed(['Running TESTSUITE s', 'START - test_a']);
      expect(p.finish(end).cases[0]!.status).to.equal(status);
    }
  });

  it('framework errors are kept and name the case', () => {
    const { p } = feed([
      'Running TESTSUITE s',
      'START - test_a',
      " ERROR: cannot fail in test phase 'teardown()', bailing",
    ]);
    const run = p.finish({ kind: 'silence', seconds: 3 });
    expect(run.errors).to.have.length(1);
    expect(run.cases[0]!.detail).to.match(/cannot fail in test phase 'teardown\(\)'/);
  });

  it('ztest ran a case twice in one boot (ZTEST_REPEAT): a failed attempt stands, and FLAKY in the summary fails it', () => {
    // As the demo firmware prints it with CONFIG_ZTEST_REPEAT and a case that fails once.
    const log = [
      'Running TESTSUITE basic',
      'START - test_basic_arith',
      '',
      '    Assertion failed at src/main.c:15: basic_test_basic_arith: (++attempts > 1 is false)',
      'fails on its first attempt only',
      ' FAIL - test_basic_arith in 0.001 seconds',
      'TESTSUITE basic failed.',
      'Running TESTSUITE basic',
      'START - test_basic_arith',
      ' PASS - test_basic_arith in 0.001 seconds',
      'TESTSUITE basic succeeded',
      '------ TESTSUITE SUMMARY START ------',
      ' - FLAKY - [basic.test_basic_arith] - (Failed 1 of 2 attempts) - duration = 0.001 seconds',
      '------ TESTSUITE SUMMARY END ------',
      'PROJECT EXECUTION FAILED',
    ].join('\n');
    const run = parseConsole(log);
    expect(run.cases).to.have.length(1);
    expect(run.cases[0]).to.deep.include({ status: 'fail', detailLine: 4 });
    expect(run.cases[0]!.detail).to.match(/^Assertion failed at src\/main\.c:15: .* \(a later attempt ended pass\)$/);
    // Only the summary knows (the case's own end lines were lost): FLAKY still fails it.
    const summaryOnly = parseConsole(log.split('\n').filter((l) => !/^ (PASS|FAIL) - /.test(l)).join('\n'));
    expect(summaryOnly.cases[0]).to.deep.include({ status: 'fail' });
    const late = parseConsole(['Running TESTSUITE basic', ' PASS - test_x in 0.001 seconds', ' - FLAKY - [basic.test_x] - (Failed 1 of 3 attempts) - duration = 0.001 seconds', 'PROJECT EXECUTION FAILED'].join('\n'));
    expect(late.cases[0]).to.deep.include({ status: 'fail' });
    expect(late.cases[0]!.detail).to.match(/^FLAKY - \[basic\.test_x\] - \(Failed 1 of 3 attempts\)/);
  });
});
