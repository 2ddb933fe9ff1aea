// `tandem run --from-twister`: a twister run's twister.json (a fixture in twister's own layout) is
// the baseline; only the candidate is built and booted, and the diff is against twister's results.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { alignCases, caseOfIdentifier, twisterBaseline } from '../harness/zephyr/twister-json.js';
import { findPlatform } from '../harness/scenario/platform.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { taggedProcesses, testTag } from './helpers/tagged-processes.js';

const exec = promisify(execFile);
const FIXTURE = join(REPO_ROOT, 'test/fixtures/twister/twister.json');
const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e-action');
const { tag, env } = testTag();

async function tandem(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(REPO_ROOT, 'bin/tandem.js'), ...args], { env, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a twister.json as the baseline', () => {
  const platforms = [findPlatform('qemu_cortex_m3', [join(REPO_ROOT, 'platforms')])];
  const suites = [{ name: 'mutex' }, { name: 'basic' }];

  it('reads twister\'s suites of the scenario\'s platforms (board qualifiers allowed) and suites, ignoring the rest', () => {
    const results = twisterBaseline(readFileSync(FIXTURE, 'utf8'), { file: FIXTURE, variant: 'native', platforms, suites, tandemVersion: '0' });
    expect(results.map((r) => [r.job.id, r.verdict])).to.deep.equal([
      ['qemu_cortex_m3/native/mutex', 'passed'],
      ['qemu_cortex_m3/native/basic', 'failed'],
    ]);
    const basic = results[1]!;
    expect(basic.cases.map((c) => [c.name, c.status])).to.deep.equal([['test_basic_arith', 'pass'], ['test_basic_sleep', 'fail'], ['test_basic_string', 'pass']]);
    expect(basic.cases[1]!.detail).to.match(/^Assertion failed at main\.c:22/);
    expect(basic.provenance).to.deep.include({ host: 'twister', zephyrVersion: 'v4.1.99-3c5a2b1d0e9f', twister: { app: 'tests/basic', scenario: 'basic' } });
  });

  it('splits case identifiers of both twister styles and takes the ztest suite from the candidate when twister had none', () => {
    expect(caseOfIdentifier('kernel.mutex', 'kernel.mutex.mutex_recursive')).to.deep.equal({ suite: '', name: 'test_mutex_recursive' });
    expect(caseOfIdentifier('kernel.mutex', 'kernel.mutex.mutex_api.mutex_recursive')).to.deep.equal({ suite: 'mutex_api', name: 'test_mutex_recursive' });
    const job = (variant: string) => ({ id: `q/${variant}/mutex`, suite: 'mutex', variant, platform: 'q', emulator: 'qemu' as const, attempt: 1 });
    const base = { verdict: 'passed' as const, end: { kind: 'project' as const, success: true }, startedAt: '', wallMs: 0 };
    const baseline: RunResult = { ...base, job: job('native'), provenance: { tandemVersion: '0', host: 'twister', twister: { scenario: 'mutex' } }, cases: [{ suite: '', name: 'test_mutex_recursive', status: 'pass' }, { suite: '', name: 'test_gone', status: 'pass' }] };
    const candidate: RunResult = { ...base, job: job('wasm'), provenance: { tandemVersion: '0', host: 'h' }, cases: [{ suite: 'mutex_api', name: 'test_mutex_recursive', status: 'pass' }] };
    expect(alignCases([baseline], [candidate])[0]!.cases.map((c) => c.suite)).to.deep.equal(['mutex_api', 'mutex']);
  });

  describe('tandem run --from-twister on the demo firmware', function () {
    this.timeout(300_000);
    const tmp = scratch('tandem-from-twister-');
    let out: { code: number; stdout: string; stderr: string };
    let record: RunRecord;
    before(async () => {
      mkdirSync(BUILD_ROOT, { recursive: true });
      const scenario = tmp.write('vs-twister.yaml', demoScenario({ name: 'vs-twister', suites: ['basic', 'mutex'], wasm: ['CONFIG_GALE_WASM_LTO_MUTEX=y'], silence: 5, buildRoot: BUILD_ROOT }));
      out = await tandem(['run', scenario, '--from-twister', FIXTURE, '--out', join(tmp.dir, 'run'), '-q', '--jobs', '2']);
      record = JSON.parse(readFileSync(join(tmp.dir, 'run', 'run.json'), 'utf8')) as RunRecord;
    });
    after(() => {
      for (const pid of taggedProcesses(tag)) process.kill(pid, 'SIGKILL');
      tmp.cleanup();
    });

    it('boots only the candidate; the baseline is twister\'s', () => {
      const booted = record.results.filter((r) => r.provenance.host !== 'twister').map((r) => r.job.id).sort();
      expect(booted).to.deep.equal(['qemu_cortex_m3/wasm/basic', 'qemu_cortex_m3/wasm/mutex']);
      expect(record.results.filter((r) => r.provenance.host === 'twister').map((r) => r.job.id).sort()).to.deep.equal(['qemu_cortex_m3/native/basic', 'qemu_cortex_m3/native/mutex']);
    });

    it('diffs the candidate against twister per case: the regression, the fix, the rest the same; exit 1', () => {
      expect(out.code, out.stderr).to.equal(1);
      const changed = record.diff.filter((d) => d.class !== 'same').map((d) => [d.case, d.baseline, d.candidate, d.class]);
      expect(changed).to.deep.equal([
        ['basic.test_basic_sleep', 'fail', 'pass', 'fix'],
        ['mutex_api_1cpu.test_mutex_priority_inheritance', 'pass', 'fail', 'regression'],
      ].sort((a, b) => record.diff.findIndex((d) => d.case === a[0]) - record.diff.findIndex((d) => d.case === b[0])));
      expect(record.diff.filter((d) => d.class === 'same')).to.have.length(7);
      expect(taggedProcesses(tag)).to.deep.equal([]);
    });

    it('tandem rerun of that run says the baseline came from twister and cannot be booted again (exit 2, nothing booted)', async () => {
      for (const args of [[], ['--failed']]) {
        const r = await tandem(['rerun', join(tmp.dir, 'run'), ...args, '--out', join(tmp.dir, 'rerun')]);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.match(/the baseline native \(qemu_cortex_m3\/native\/\w+(, qemu_cortex_m3\/native\/\w+)?\) came from twister \(\S*twister\.json, --from-twister\) in run \S+: tandem never booted it and cannot boot it again; to boot the candidates again: --job '\*\/wasm\/\*'/);
        expect(r.stderr).not.to.match(/never booted an image \(passed\)/);
      }
      expect(existsSync(join(tmp.dir, 'rerun')), 'refused before anything is written').to.equal(false);
      expect(taggedProcesses(tag)).to.deep.equal([]);
    });
  });

  it('compare.from_twister in the scenario names the file (relative to the scenario); a missing one is a line-precise error', async () => {
    const tmp = scratch('tandem-from-twister-yaml-');
    try {
      const text = (file: string) => `name: s\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: mutex, path: ${REPO_ROOT}/firmware/tests/mutex }]\nvariants: [{ name: native }, { name: wasm }]\ncompare:\n  baseline: native\n  from_twister: ${file}\nimages: /nonexistent/{suite}.elf\n`;
      tmp.write('ci/twister.json', readFileSync(FIXTURE, 'utf8'));
      const scenario = loadScenario(tmp.write('good.yaml', text('ci/twister.json')), { platformDirs: [join(REPO_ROOT, 'platforms')] });
      expect(scenario.baselineFromTwister).to.equal(join(tmp.dir, 'ci/twister.json'));
      const missing = await tandem(['run', tmp.write('bad.yaml', text('nope.json')), '--out', join(tmp.dir, 'r')]);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.match(/bad\.yaml:7:17: compare\.from_twister: file not found: .*nope\.json/);
    } finally {
      tmp.cleanup();
    }
  });

  it('a file that is not a twister.json, or has nothing of the scenario, is a usage error naming the file', async () => {
    const tmp = scratch('tandem-from-twister-bad-');
    try {
      const scenario = tmp.write('s.yaml', `name: s\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: other, path: ${tmp.dir} }]\nvariants: [{ name: native }, { name: wasm }]\nimages: /nonexistent/{suite}.elf\n`);
      const notJson = tmp.write('bad.json', '{ "testsuites": [ ');
      const bad = await tandem(['run', scenario, '--from-twister', notJson, '--out', join(tmp.dir, 'r')]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.include(`${notJson}: is not JSON`);
      const none = await tandem(['run', scenario, '--from-twister', FIXTURE, '--out', join(tmp.dir, 'r')]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('has no suite of this scenario');
    } finally {
      tmp.cleanup();
    }
  });
});
