import { expect } from 'chai';
import { renderTwister, toTwister, twisterCaseId, twisterScenario } from '../harness/report/twister.js';
import { RENODE_MISSING, buildFixture, logsOf } from './fixtures/report/fixture.js';

describe('report: twister.json', () => {
  const fixture = buildFixture();
  const report = toTwister(fixture.record, { logs: logsOf(fixture) });
  // `mutex.wasm` is the suite `mutex` of variant `wasm`: twister's name is the scenario, the variant a field of its own.
  const suite = (job: string, platform = 'qemu_cortex_m3') => {
    const [name, variant] = job.split('.');
    const s = report.testsuites.find((x) => x.name === name && x.variant === variant && x.platform === platform);
    expect(s, `${job} on ${platform}`).to.not.equal(undefined);
    return s!;
  };
  const tc = (job: string, id: string) => suite(job).testcases.find((c) => c.identifier === id)!;

  it('has twister\'s environment block and one testsuite per job', () => {
    expect(report.environment).to.include({ os: 'Linux', zephyr_version: 'v3.5.99-8f9fd239eb26', run_date: '2024-03-01T10:00:00.000Z' });
    expect(report.environment.options).to.include({ tool: 'tandem', scenario: 'gale-wasm-lto' });
    expect(report.testsuites).to.have.length(fixture.record.results.length);
    for (const s of report.testsuites) {
      expect(s).to.include.keys('name', 'platform', 'status', 'execution_time', 'testcases');
      expect(s.execution_time).to.match(/^\d+\.\d{2}$/);
      for (const c of s.testcases) expect(c.execution_time).to.match(/^\d+\.\d{2}$/);
    }
    // It must be JSON that parses back to the same thing.
    expect(JSON.parse(renderTwister(fixture.record, { logs: logsOf(fixture) }))).to.deep.equal(JSON.parse(JSON.stringify(report)));
  });

  it('names suites <app path>/<scenario id> when the run recorded them, and cases by the 3.5.x rule (test_ prefix dropped)', () => {
    const job = { id: 'qemu_cortex_m3/wasm/kernel.mutex', suite: 'kernel.mutex', variant: 'wasm', platform: 'qemu_cortex_m3', emulator: 'qemu' as const, attempt: 1 };
    expect(twisterScenario({ job, provenance: { tandemVersion: '0', host: 'h', twister: { app: 'tests/kernel/mutex/mutex_api', scenario: 'kernel.mutex' } } })).to.equal('tests/kernel/mutex/mutex_api/kernel.mutex');
    expect(twisterScenario({ job, provenance: { tandemVersion: '0', host: 'h' } })).to.equal('kernel.mutex');
    expect(twisterCaseId('kernel.mutex', { suite: 'mutex_api', name: 'test_mutex_recursive' })).to.equal('kernel.mutex.mutex_recursive');
    expect(twisterCaseId('kernel.mutex', { suite: 'mutex_api', name: 'test_mutex_recursive' }, 'suite')).to.equal('kernel.mutex.mutex_api.mutex_recursive');
    expect(suite('mutex.native').testcases.map((c) => c.identifier)).to.include('mutex.mutex_priority_inheritance');
    const bySuite = toTwister(fixture.record, { caseIds: 'suite' });
    expect(bySuite.testsuites.find((s) => s.name === 'mutex' && s.variant === 'wasm')!.testcases[0]!.identifier).to.equal('mutex.mutex_api_1cpu.mutex_priority_inheritance');
  });

  it('the first testsuite is the candidate with the regression, and its first case is the regressed one', () => {
    const first = report.testsuites[0]!;
    expect(first).to.include({ name: 'mutex', variant: 'wasm', tandem_job: 'qemu_cortex_m3/wasm/mutex', platform: 'qemu_cortex_m3', status: 'failed' });
    expect(first.testcases[0]).to.include({ identifier: 'mutex.mutex_priority_inheritance', status: 'failed' });
    expect(first.testcases[0]!.reason).to.match(/^Assertion failed at .*test_mutex_apis\.c:412/);
  });

  it('maps statuses as twister reports the same events', () => {
    expect(tc('demo.wasm', 'demo.b_crash')).to.deep.include({ status: 'failed', reason: 'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0' });
    expect(tc('demo.wasm', 'demo.c_after')).to.include({ status: 'blocked' });
    expect(tc('demo.wasm', 'demo.a_pass')).to.include({ status: 'passed' });
    expect(suite('demo.wasm')).to.include({ status: 'failed', reason: 'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0' });
    expect(tc('sleep.wasm', 'sleep.b_hang')).to.include({ status: 'failed', reason: 'Timeout' });
    expect(tc('sleep.wasm', 'sleep.c_more')).to.include({ status: 'blocked' });
    expect(suite('sleep.wasm')).to.include({ status: 'failed', reason: 'Timeout' });
    expect(tc('assert.wasm', 'assert.c_skip')).to.include({ status: 'skipped' });
    expect(tc('assert.wasm', 'assert.d_assume').reason).to.match(/^Assumption failed/);
    expect(suite('semaphore.wasm')).to.include({ status: 'passed' });
    expect(suite('semaphore.wasm')).to.not.have.property('reason');
  });

  it('a job skipped because the emulator is missing is a skipped suite with the reason', () => {
    const s = suite('mutex.wasm', 'nucleo_g474re');
    expect(s).to.include({ status: 'skipped', reason: RENODE_MISSING });
    expect(s.testcases).to.deep.equal([]);
  });

  it('failing cases carry the console lines around the failure as `log`', () => {
    const log = tc('demo.wasm', 'demo.b_crash').log!;
    expect(log).to.contain('E: ***** USAGE FAULT *****');
    expect(log).to.contain('E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
    expect(log).to.not.contain('\r');
    expect(tc('demo.wasm', 'demo.a_pass')).to.not.have.property('log');
  });

  it('UART garbage is cleaned out of reasons and logs', () => {
    const hostile = buildFixture({ hostile: true });
    const text = renderTwister(hostile.record, { logs: logsOf(hostile) });
    expect(text).to.not.match(/\\u001b|\\u0000|\\u0007/);
    const first = JSON.parse(text).testsuites[0].testcases[0];
    expect(first.reason).to.contain('\\x00\\x07\\x1b');
  });
});
