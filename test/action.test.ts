// The GitHub Action's step scripts, run here as the composite action runs them: inputs as INPUT_*
// variables, GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY pointed at files. No GitHub needed.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, TANDEM_VERSION } from '../harness/version.js';
import type { RunRecord } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { taggedProcesses, testTag } from './helpers/tagged-processes.js';

const exec = promisify(execFile);
const { tag, env: taggedEnv } = testTag();
const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');

interface Step { code: number; stdout: string; stderr: string; outputs: Record<string, string>; env: Record<string, string>; summary: string }

describe('the GitHub Action (action.yml and its step scripts)', function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-action-');
  let n = 0;

  /** One step: a fresh GITHUB_OUTPUT and GITHUB_ENV; the job summary is shared like a job's. */
  async function step(script: string, inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<Step> {
    const dir = join(tmp.dir, `step-${++n}`);
    mkdirSync(dir);
    const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_ENV: join(dir, 'env'), GITHUB_STEP_SUMMARY: join(tmp.dir, 'summary.md') };
    for (const f of [files.GITHUB_OUTPUT, files.GITHUB_ENV]) writeFileSync(f, '');
    const env: NodeJS.ProcessEnv = { ...taggedEnv, ...files, RUNNER_TEMP: join(tmp.dir, 'runner-temp'), ...extraEnv };
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k}`] = v;
    let r: { code: number; stdout: string; stderr: string };
    try {
      const { stdout, stderr } = await exec('bash', [join(REPO_ROOT, 'action', script)], { env, cwd: tmp.dir, maxBuffer: 32 << 20 });
      r = { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      r = { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
    const kv = (file: string) => Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    return { ...r, outputs: kv(files.GITHUB_OUTPUT), env: kv(files.GITHUB_ENV), summary: existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') : '' };
  }

  after(() => {
    for (const pid of taggedProcesses(tag)) process.kill(pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('action.yml runs each script with its inputs as environment variables, never pasted into the script', () => {
    const action = parseYaml(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { runs: { using: string; steps: Array<{ run?: string; uses?: string; env?: Record<string, string> }> }; outputs: Record<string, unknown> };
    expect(action.runs.using).to.equal('composite');
    for (const s of action.runs.steps) {
      if (s.run) expect(s.run, s.run).not.to.include('${{');
      const script = /action\/([\w-]+\.sh)/.exec(s.run ?? '')?.[1];
      if (script) expect(existsSync(join(REPO_ROOT, 'action', script)), script).to.equal(true);
    }
    expect(action.runs.steps.map((s) => s.uses).filter(Boolean)).to.include('actions/upload-artifact@v4');
    expect(Object.keys(action.outputs)).to.include.members(['verdict', 'report-dir', 'junit', 'summary']);
  });

  it('install-qemu finds QEMU and refuses a package name that is not one', async () => {
    const ok = await step('install-qemu.sh', {});
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.outputs['qemu-version']).to.match(/^QEMU emulator version \d+/);
    const bad = await step('install-qemu.sh', { APT: 'cmake\nninja-build; rm -rf /' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("'ninja-build; rm -rf /' is not a Debian package name");
  });

  it('install-renode takes a release archive, a folder or the launcher, and says when it has none', async () => {
    const release = join(tmp.dir, 'release');
    mkdirSync(join(release, 'renode_1.16.1_portable'), { recursive: true });
    const launcher = join(release, 'renode_1.16.1_portable', 'renode');
    writeFileSync(launcher, '#!/bin/sh\necho "Renode v1.16.1"\n');
    chmodSync(launcher, 0o755);
    await exec('tar', ['-czf', join(tmp.dir, 'renode.tar.gz'), '-C', release, 'renode_1.16.1_portable']);
    const fromArchive = await step('install-renode.sh', { RENODE: join(tmp.dir, 'renode.tar.gz') });
    expect(fromArchive.code, fromArchive.stderr).to.equal(0);
    expect(fromArchive.env['TANDEM_RENODE']).to.equal(join(tmp.dir, 'runner-temp', 'tandem-renode', 'renode_1.16.1_portable', 'renode'));
    expect(existsSync(fromArchive.env['TANDEM_RENODE']!)).to.equal(true);
    const fromFolder = await step('install-renode.sh', { RENODE: release });
    expect(fromFolder.env['TANDEM_RENODE']).to.equal(launcher);
    const missing = await step('install-renode.sh', { RENODE: join(tmp.dir, 'nope') });
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('does not exist');
    const none = await step('install-renode.sh', {});
    expect(none.code).to.equal(0);
    expect(none.env).to.deep.equal({});
  });

  it('install-tandem uses the action checkout and hands later steps the CLI', async () => {
    const r = await step('install-tandem.sh', {});
    expect(r.code, r.stderr).to.equal(0);
    expect(r.env['TANDEM_CLI']).to.equal(join(REPO_ROOT, 'bin/tandem'));
    expect(r.outputs['tandem-version']).to.equal(TANDEM_VERSION);
  });

  describe('a two-shard matrix, then merge', () => {
    let shards: Step[];
    let merged: Step;
    before(async () => {
      mkdirSync(BUILD_ROOT, { recursive: true });
      const scenario = tmp.write('ci.yaml', demoScenario({ name: 'ci', suites: ['basic', 'mutex'], wasm: ['CONFIG_GALE_WASM_LTO_MUTEX=y'], silence: 5, buildRoot: `${BUILD_ROOT}-action` }));
      shards = [];
      for (const k of [1, 2]) {
        shards.push(await step('run.sh', { SCENARIO: scenario, SHARD: `${k}/2`, OUT: `artifacts/tandem-run-shard-${k}-of-2`, ARGS: '--jobs\n2\n-q' }));
      }
      merged = await step('merge.sh', { RUNS: join(tmp.dir, 'artifacts'), OUT: 'merged' });
    });

    it('each shard step succeeds and names its verdict, folder, summary, junit and artifact', () => {
      for (const [i, s] of shards.entries()) {
        expect(s.code, s.stderr).to.equal(0);
        expect(s.outputs['report-dir']).to.equal(join(tmp.dir, `artifacts/tandem-run-shard-${i + 1}-of-2`));
        expect(s.outputs['artifact-suffix']).to.equal(`-shard-${i + 1}-of-2`);
        expect(existsSync(s.outputs['junit']!)).to.equal(true);
        expect(existsSync(join(s.outputs['report-dir']!, 'run.json'))).to.equal(true);
      }
      // The split is by suite: the shard with mutex regressed, the one with basic did not.
      expect(shards.map((s) => s.outputs['verdict']).sort()).to.deep.equal(['passed', 'regressed']);
      expect(shards.map((s) => s.outputs['exit-code']).sort()).to.deep.equal(['0', '1']);
    });

    it('the merge joins both shards and its verdict is the whole run\'s', () => {
      expect(merged.code, merged.stderr).to.equal(0);
      expect(merged.outputs['verdict']).to.equal('regressed');
      expect(merged.outputs['artifact-suffix']).to.equal('-merged');
      const record = JSON.parse(readFileSync(join(tmp.dir, 'merged', 'run.json'), 'utf8')) as RunRecord;
      expect(record.results.map((r) => r.job.id).sort()).to.deep.equal(['qemu_cortex_m3/native/basic', 'qemu_cortex_m3/native/mutex', 'qemu_cortex_m3/wasm/basic', 'qemu_cortex_m3/wasm/mutex']);
      expect(record.mergedFrom).to.have.length(2);
    });

    it('every step appends its summary.md to the job summary', () => {
      const summary = merged.summary;
      const mergedMd = readFileSync(join(tmp.dir, 'merged', 'summary.md'), 'utf8');
      expect(summary).to.include(mergedMd);
      for (const s of shards) expect(summary).to.include(readFileSync(s.outputs['summary']!, 'utf8'));
      expect(summary).to.include('test\\_mutex\\_priority\\_inheritance');
    });

    it('the gate fails the job on a regression unless told not to, and passes a clean run', async () => {
      expect((await step('gate.sh', { VERDICT: merged.outputs['verdict']! })).code).to.equal(1);
      expect((await step('gate.sh', { VERDICT: 'regressed', FAIL_ON_REGRESSION: 'false' })).code).to.equal(0);
      const clean = shards.find((s) => s.outputs['verdict'] === 'passed')!;
      expect((await step('gate.sh', { VERDICT: clean.outputs['verdict']! })).code).to.equal(0);
      // An incomplete run (exit 3) must not pass CI by default.
      const incomplete = await step('gate.sh', { VERDICT: 'incomplete', EXIT_CODE: '3' });
      expect(incomplete.code).to.equal(1);
      expect(incomplete.stdout).to.match(/::error::tandem: incomplete/);
      expect((await step('gate.sh', { VERDICT: 'incomplete', EXIT_CODE: '3', FAIL_ON_INCOMPLETE: 'false' })).code).to.equal(0);
    });

    it('a merge of one shard alone is incomplete: verdict incomplete, exit code 3, and the gate fails', async () => {
      const dir = join(tmp.dir, 'one-shard');
      mkdirSync(join(dir, 'a'), { recursive: true });
      cpSync(join(tmp.dir, 'artifacts/tandem-run-shard-1-of-2'), join(dir, 'a', 'tandem-run-shard-1-of-2'), { recursive: true });
      const lone = await step('merge.sh', { RUNS: dir, OUT: 'lone' });
      expect(lone.outputs['verdict']).to.equal('incomplete');
      expect(lone.outputs['exit-code']).to.equal('3');
      expect(lone.summary).to.include('shard 2/2 was not merged');
      expect((await step('gate.sh', { VERDICT: lone.outputs['verdict']!, EXIT_CODE: '3' })).code).to.equal(1);
    });

    it('leaves no QEMU behind', () => {
      expect(taggedProcesses(tag)).to.deep.equal([]);
    });
  });

  it('a broken scenario is verdict error (exit code 2), the gate fails, and the summary says so', async () => {
    const r = await step('run.sh', { SCENARIO: join(tmp.dir, 'missing.yaml'), OUT: 'broken' });
    expect(r.code).to.equal(0);
    expect(r.outputs['verdict']).to.equal('error');
    expect(r.outputs['exit-code']).to.equal('2');
    expect(r.summary).to.include('No report was written (exit code 2)');
    expect((await step('gate.sh', { VERDICT: 'error', EXIT_CODE: '2' })).code).to.equal(1);
    const bad = await step('run.sh', { SCENARIO: 'x.yaml', SHARD: '2-of-4' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("shard: expected K/N such as 2/4 (got '2-of-4')");
  });
});
