// twister.json against what Zephyr's own tools read from it: scripts/ci/twister_report_analyzer.py
// (parse_statuses, parse_testsuite, _parse_cmake_build_failure / _get_info_from_build_failure,
// the error-pattern mode) and twisterlib/reports.py (the xunit report made from twister.json).
// Every field they read must be there, with the type they use it as, for every suite status.
import { expect } from 'chai';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { toTwister, type TwisterReport } from '../harness/report/twister.js';
import { buildFixture, logsOf } from './fixtures/report/fixture.js';

const BUILD_LOG = [
  '-- Zephyr version: 4.1.99 (/work/zephyr)',
  '[112/130] Linking C executable zephyr/zephyr_pre0.elf',
  'FAILED: zephyr/zephyr_pre0.elf',
  "/opt/zephyr-sdk/arm-zephyr-eabi/bin/ld: zephyr/zephyr_pre0.elf section `text' will not fit in region `FLASH'",
  "/opt/zephyr-sdk/arm-zephyr-eabi/bin/ld: region `FLASH' overflowed by 1824 bytes",
  'collect2: error: ld returned 1 exit status',
].join('\n');

/** The report fixture plus a build failure and a twister-filtered job, named as a real run names them. */
function record(): { record: RunRecord; logs: (r: RunResult) => string | undefined } {
  const f = buildFixture();
  const twister = (app: string, scenario: string) => ({ twister: { app, scenario }, arch: 'arm' });
  for (const r of f.record.results) r.provenance = { ...r.provenance, ...twister(`tests/kernel/${r.job.suite}`, `kernel.${r.job.suite}`) };
  const job = (variant: string, suite: string) => ({ id: `qemu_cortex_m3/${variant}/${suite}`, suite, variant, platform: 'qemu_cortex_m3', emulator: 'qemu' as const, attempt: 1 });
  const base = { cases: [], startedAt: '2024-03-01T10:00:00.000Z', wallMs: 0 };
  f.record.results.push(
    {
      ...base,
      job: job('wasm', 'poll'),
      verdict: 'build-error',
      reason: 'west build exited 1',
      end: { kind: 'build-error', message: 'west build exited 1' },
      buildLog: 'logs/qemu_cortex_m3/wasm/poll.build.log',
      provenance: { tandemVersion: '0.1.0', host: 'h', ...twister('tests/kernel/poll', 'kernel.poll') },
    },
    {
      ...base,
      job: job('native', 'smp'),
      verdict: 'skipped',
      reason: 'filtered: not in platform_allow (qemu_x86_64)',
      end: { kind: 'skipped', reason: 'filtered: not in platform_allow (qemu_x86_64)' },
      provenance: { tandemVersion: '0.1.0', host: 'h', ...twister('tests/kernel/smp', 'kernel.multiprocessing.smp') },
    },
  );
  const consoles = logsOf(f);
  return { record: f.record, logs: (r) => (r.log === 'logs/qemu_cortex_m3/wasm/poll.build.log' ? BUILD_LOG : consoles(r)) };
}

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object';
const kindOf = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
function expectFields(where: string, o: Record<string, unknown>, fields: Record<string, Kind>): void {
  for (const [k, kind] of Object.entries(fields)) expect(kindOf(o[k]), `${where}: ${k}`).to.equal(kind);
}

// twisterlib/statuses.py TwisterStatus: reports.py builds one from every status it reads.
const TWISTER_STATUSES = ['passed', 'failed', 'error', 'skipped', 'filtered', 'blocked', 'not run', 'started'];

describe('twister.json as Zephyr\'s tools read it', () => {
  const { record: rec, logs } = record();
  const report: TwisterReport = toTwister(rec, { logs });
  const byStatus = (status: string) => report.testsuites.filter((s) => s.status === status);

  it('has a suite of every status: passed, failed, error (build), skipped, filtered', () => {
    for (const status of ['passed', 'failed', 'error', 'skipped', 'filtered']) expect(byStatus(status), status).to.not.be.empty;
  });

  it('environment has twister\'s keys; reports.py reads zephyr_version', () => {
    expect(Object.keys(report.environment)).to.have.members(['os', 'zephyr_version', 'toolchain', 'commit_date', 'run_date', 'options']);
    expectFields('environment', report.environment, { os: 'string', zephyr_version: 'string', toolchain: 'string', commit_date: 'string', run_date: 'string', options: 'object' });
  });

  it('every suite has what parse_statuses and reports.py read, with valid twister statuses', () => {
    for (const s of report.testsuites) {
      const where = `${s.platform}:${s.name} (${s.status})`;
      expectFields(where, s as unknown as Record<string, unknown>, {
        name: 'string', platform: 'string', arch: 'string', path: 'string', status: 'string', runnable: 'boolean', retries: 'number',
        execution_time: 'string', build_time: 'string', testcases: 'array', run_id: 'string',
      });
      expect(Number.isFinite(Number.parseFloat(s.execution_time)), where).to.equal(true);
      expect(TWISTER_STATUSES, where).to.include(s.status);
      for (const c of s.testcases) {
        expectFields(`${where} ${c.identifier}`, c as unknown as Record<string, unknown>, { identifier: 'string', status: 'string', execution_time: 'string' });
        expect(TWISTER_STATUSES).to.include(c.status);
        expect(c.identifier.startsWith(`${s.name.slice(s.name.lastIndexOf('/') + 1)}.`), c.identifier).to.equal(true);
      }
    }
  });

  it('suites are named <app path>/<scenario id>, the variant in a field of its own', () => {
    const mutex = report.testsuites.filter((s) => s.name === 'tests/kernel/mutex/kernel.mutex' && s.platform === 'qemu_cortex_m3');
    expect(mutex.map((s) => s.variant).sort()).to.deep.equal(['native', 'wasm']);
    expect(mutex[0]!.path).to.equal('tests/kernel/mutex');
    expect(mutex.find((s) => s.variant === 'wasm')!.testcases.map((c) => c.identifier)).to.include('kernel.mutex.mutex_priority_inheritance');
  });

  it('failed and error suites carry platform, reason and a string log (parse_testsuite, log.splitlines())', () => {
    for (const s of [...byStatus('failed'), ...byStatus('error')]) {
      expectFields(`${s.name} (${s.status})`, s as unknown as Record<string, unknown>, { platform: 'string', reason: 'string', log: 'string', name: 'string' });
      expect(s.log!.length, s.name).to.be.greaterThan(0);
    }
    const crashed = byStatus('failed').find((s) => s.name.endsWith('kernel.demo'))!;
    expect(crashed.log).to.include('>>> ZEPHYR FATAL ERROR');
  });

  it('a build failure reads as twister\'s: reason `Build failure …`, the build log as log, so the overflow is found', () => {
    const [build] = byStatus('error');
    expect(build!.name).to.equal('tests/kernel/poll/kernel.poll');
    expect(build!.reason!.startsWith('Build failure')).to.equal(true);
    // _get_info_from_build_failure: the line before `error: ld returned` holds `overflowed by`.
    const lines = build!.log!.split('\n');
    const ld = lines.findIndex((l) => l.includes('error: ld returned'));
    expect(ld).to.be.greaterThan(0);
    expect(lines[ld - 1]).to.match(/region `FLASH' overflowed by/);
  });

  it('failed cases carry reason and log together (the analyzer counts a case only with both)', () => {
    const failed = report.testsuites.flatMap((s) => s.testcases.filter((c) => c.status === 'failed'));
    expect(failed.length).to.be.greaterThan(2);
    for (const c of failed) expectFields(c.identifier, c as unknown as Record<string, unknown>, { reason: 'string', log: 'string' });
    for (const c of report.testsuites.flatMap((s) => s.testcases.filter((x) => x.status === 'passed'))) expect(c).to.not.have.property('log');
  });

  it('skipped and filtered suites have a reason and no log; filtered ones are not runnable', () => {
    for (const s of [...byStatus('skipped'), ...byStatus('filtered')]) {
      expect(s.reason, s.name).to.be.a('string');
      expect(s).to.not.have.property('log');
    }
    const [filtered] = byStatus('filtered');
    expect(filtered).to.include({ name: 'tests/kernel/smp/kernel.multiprocessing.smp', runnable: false });
    expect(byStatus('skipped').every((s) => s.runnable)).to.equal(true);
  });
});
