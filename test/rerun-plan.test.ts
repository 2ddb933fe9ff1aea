// Which jobs a rerun boots and what it says about them, from a realistic record. Pure.
import { expect } from 'chai';
import type { Platform, RunRecord, RunResult } from '../harness/domain.js';
import { planRerun } from '../harness/rerun/plan.js';
import { rerunOutcomes } from '../harness/rerun/outcome.js';
import { compareRuns } from '../harness/diff/compare-runs.js';
import { assembleRecord } from '../harness/run/record.js';
import { buildFixture } from './fixtures/report/fixture.js';

const QEMU: Platform = { name: 'qemu_cortex_m3', emulator: 'qemu', board: 'qemu_cortex_m3', arch: 'arm', timeoutMultiplier: 1, qemu: { machine: 'lm3s6965evb', cpu: 'cortex-m3', extraArgs: [], icountShift: 6 } };
const TIMEOUTS = { wallSeconds: 60, silenceSeconds: 10, crashGraceSeconds: 0.5 };

/** The fixture as this tandem records it: each booted job knows its image, platform and timeouts. */
function recorded(): RunRecord {
  const { record } = buildFixture();
  const results = record.results.map((r): RunResult => (r.verdict === 'skipped' ? r : { ...r, provenance: { ...r.provenance, image: `/b/${r.job.id}/zephyr.elf`, imageSha256: 'cd'.repeat(32), platform: QEMU, timeouts: TIMEOUTS } }));
  return { ...record, results };
}

describe('rerun: the plan from a record', () => {
  it('--failed takes every job that did not pass, and never the skipped ones', () => {
    const plan = planRerun(recorded(), { failed: true });
    expect(plan.problems).to.deep.equal([]);
    expect(plan.jobs.map((j) => j.id)).to.deep.equal([
      'qemu_cortex_m3/native/assert',
      'qemu_cortex_m3/wasm/assert',
      'qemu_cortex_m3/wasm/demo',
      'qemu_cortex_m3/wasm/mutex',
      'qemu_cortex_m3/wasm/sleep',
    ]);
    const job = plan.jobs.find((j) => j.id === 'qemu_cortex_m3/wasm/demo')!;
    expect(job.image).to.deep.include({ path: '/b/qemu_cortex_m3/wasm/demo/zephyr.elf', sha256: 'cd'.repeat(32), origin: 'prebuilt' });
    expect(job.platform).to.equal(QEMU);
    expect(job.timeouts).to.equal(TIMEOUTS);
    expect(plan.earlier.map((r) => r.job.id)).to.deep.equal(plan.jobs.map((j) => j.id));
  });

  it('--job and --case select by glob; --repeat numbers attempts', () => {
    expect(planRerun(recorded(), { jobs: ['*/wasm/s*'] }).jobs.map((j) => j.id)).to.deep.equal(['qemu_cortex_m3/wasm/semaphore', 'qemu_cortex_m3/wasm/sleep']);
    expect(planRerun(recorded(), { cases: ['mutex_api_1cpu.test_mutex_priority_inheritance'] }).jobs.map((j) => j.id)).to.deep.equal(['qemu_cortex_m3/native/mutex', 'qemu_cortex_m3/wasm/mutex']);
    const repeated = planRerun(recorded(), { jobs: ['qemu_cortex_m3/wasm/demo'], repeat: 2 }).jobs;
    expect(repeated.map((j) => [j.id, j.attempt])).to.deep.equal([['qemu_cortex_m3/wasm/demo#1', 1], ['qemu_cortex_m3/wasm/demo#2', 2]]);
  });

  it('names jobs it cannot boot: one that never had an image, a record from before rerun support', () => {
    expect(planRerun(recorded(), { jobs: ['nucleo_g474re/*/mutex'] }).problems[0]).to.match(/^nucleo_g474re\/native\/mutex never booted an image in run 20240301-100000-demo \(skipped: renode not found/);
    const old = buildFixture().record;
    old.results[0]!.provenance.image = '/b/x.elf';
    expect(planRerun(old, { jobs: [old.results[0]!.job.id] }).problems[0]).to.match(/predates rerun support .* run the scenario again/);
  });

  it('a baseline a twister run supplied (--from-twister) is named as such, with how to boot the candidates', () => {
    const rec = recorded();
    rec.results = rec.results.map((r) => (r.job.variant === 'native' ? { ...r, provenance: { tandemVersion: '0.1.0', host: 'twister', baselineFrom: 'ci/twister.json' } } : r));
    const natives = rec.results.filter((r) => r.job.variant === 'native' && r.job.platform === 'qemu_cortex_m3').length;
    // (the fixture's Renode jobs were skipped: never booted, said apart)
    const all = planRerun(rec, { jobs: ['qemu_cortex_m3/*'] });
    expect(all.problems).to.deep.equal([
      `the baseline native (qemu_cortex_m3/native/assert, qemu_cortex_m3/native/demo, qemu_cortex_m3/native/mutex and ${natives - 3} more) came from twister (ci/twister.json, --from-twister) in run 20240301-100000-demo: tandem never booted it and cannot boot it again; to boot the candidates again: --job '*/wasm/*'`,
    ]);
    expect(planRerun(rec, { jobs: ['qemu_cortex_m3/wasm/*'] }).problems).to.deep.equal([]);
  });
});

describe('rerun: what it says per job', () => {
  const before = recorded();
  const failing = planRerun(before, { failed: true });
  const rerunOf = { runId: before.runId, dir: '/r', jobs: failing.earlier.map((r) => r.job.id) };
  const meta = { runId: 'after', scenario: before.scenario, comparisons: before.comparisons, startedAt: before.startedAt, finishedAt: before.finishedAt, wallMs: 1, host: before.host, tandemVersion: '0.1.0', interrupted: false, rerunOf };
  const earlier: RunRecord = { ...before, results: failing.earlier };

  it('the same results again are unchanged, and not green', () => {
    const again = assembleRecord(meta, failing.earlier.map((r) => ({ ...r })));
    const outcomes = rerunOutcomes(failing.earlier, again, compareRuns(earlier, again, 'x').diff);
    expect(outcomes.map((o) => o.word)).to.deep.equal(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    // The judge holds a rerun to every job passing: these did not.
    expect(again.judgement.exitCode).to.equal(1);
    expect(again.judgement.regressed[0]!.kind).to.equal('job-failed');
  });

  it('a crash that now passes is fixed; green only when every job is', () => {
    const native = before.results.find((r) => r.job.id === 'qemu_cortex_m3/native/demo')!;
    const demo = { ...native, job: { ...native.job, variant: 'wasm', id: 'qemu_cortex_m3/wasm/demo' } };
    const now = assembleRecord(meta, [demo]);
    const only: RunRecord = { ...before, results: failing.earlier.filter((r) => r.job.id === 'qemu_cortex_m3/wasm/demo') };
    const outcomes = rerunOutcomes(only.results, now, compareRuns(only, now, 'x').diff);
    expect(outcomes).to.deep.equal([{ job: 'qemu_cortex_m3/wasm/demo', word: 'fixed', before: 'crashed', after: 'passed' }]);
    expect(now.judgement).to.deep.include({ outcome: 'passed', exitCode: 0 });
  });
});
