// Known differences: the known file (tandem's own and twister's quarantine lists), the pure
// matching, and `known:` in a real run (a scenario file, then merged shards keep it).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DiffEntry, KnownList, RunRecord } from '../harness/domain.js';
import { applyKnown } from '../harness/diff/known.js';
import { summarize } from '../harness/diff/differ.js';
import { readKnownFile } from '../harness/scenario/known-file.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { taggedProcesses, testTag } from './helpers/tagged-processes.js';

const exec = promisify(execFile);

function row(over: Partial<DiffEntry>): DiffEntry {
  return { platform: 'qemu_cortex_m3', suite: 'kernel.poll', case: 'poll_api_1cpu.test_poll_wait', baselineVariant: 'native', candidateVariant: 'wasm-sem', baseline: 'pass', candidate: 'fail', class: 'regression', ...over };
}
const list = (entries: KnownList['entries']): KnownList => ({ file: 'known.yaml', entries });
const ctx = { asOf: '2026-12-01', platforms: { qemu_cortex_m3: { arch: 'arm', emulator: 'qemu' }, nucleo_g474re: { arch: 'arm', emulator: 'renode' } } };

describe('known differences', () => {
  const tmp = scratch('tandem-known-');
  after(() => tmp.cleanup());
  const errorOf = (text: string): ConfigError => {
    const file = tmp.write(`k${Math.random().toString(36).slice(2)}.yaml`, text);
    try {
      readKnownFile(file);
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('no error');
  };

  describe('the known file', () => {
    it('reads tandem entries with globs, expect, reason and until, each with its file:line', () => {
      const file = tmp.write('gale.yaml', `# comment\n- suite: kernel.poll*\n  variant: wasm-sem\n  expect: [fail, timeout]\n  reason: sem shim does not signal poll events\n  until: 2027-06-30\n- case: mutex_api.*\n  reason: r2\n`);
      const known = readKnownFile(file);
      expect(known.entries).to.deep.equal([
        { syntax: 'glob', suite: ['kernel.poll*'], variant: ['wasm-sem'], expect: ['fail', 'timeout'], reason: 'sem shim does not signal poll events', until: '2027-06-30', source: `${file}:2` },
        { syntax: 'glob', case: ['mutex_api.*'], reason: 'r2', source: `${file}:7` },
      ]);
    });

    it('accepts a twister --quarantine-list file as it is (regexes, all, comment)', () => {
      const file = join(REPO_ROOT, 'test/fixtures/known/quarantine.yaml');
      const known = readKnownFile(file);
      expect(known.entries.map((e) => ({ ...e, source: e.source.slice(file.length + 1) }))).to.deep.equal([
        { syntax: 'regex', suite: ['kernel.poll', 'kernel.poll.minimallibc'], platform: ['qemu_cortex_m3'], reason: 'sem shim does not signal poll events', source: '2' },
        { syntax: 'regex', suite: ['kernel\\.mutex\\..*'], emulator: ['renode'], reason: 'renode mutex timing', source: '9' },
        { syntax: 'regex', platform: ['mps2/an385'], reason: 'NA', source: '17' },
      ]);
    });

    it('says where a bad entry is and what to write', () => {
      expect(errorOf('- suite: kernel.poll\n  variant: wasm-sem\n').message).to.match(/:1:3: \[0\]: needs a 'reason'/);
      const date = errorOf('- suite: kernel.poll\n  reason: x\n  until: 2027-02-30\n');
      expect([date.line, date.field, date.problem]).to.deep.equal([3, '[0].until', "'2027-02-30' is not a date"]);
      const exp = errorOf('- suite: p\n  reason: x\n  expect: [fail, broken]\n');
      expect([exp.line, exp.problem]).to.deep.equal([3, "'broken' is not a candidate status or diff class"]);
      expect(errorOf('- reason: everything\n').problem).to.equal('names no platform, variant, suite or case');
      expect(errorOf('- scenarios: ["kernel.(poll"]\n  comment: x\n').problem).to.match(/^'kernel\.\(poll' is not a regular expression/);
      expect(errorOf('- comment: nothing else\n').problem).to.match(/at least one of 'scenarios'/);
      const typo = errorOf('- suite: p\n  reasn: x\n');
      expect([typo.line, typo.problem]).to.deep.equal([2, "unknown key 'reasn'"]);
      expect(errorOf('suite: p\n').problem).to.equal("unknown key 'suite'");
    });
  });

  describe('matching', () => {
    const entry = { syntax: 'glob' as const, suite: ['kernel.poll*'], variant: ['wasm-sem'], reason: 'sem shim', source: 'known.yaml:2' };

    it('known: a matching worse row is class known, keeps what it was, and does not gate', () => {
      const diff = [row({}), row({ case: 'poll_api.test_poll_multi', class: 'same', candidate: 'pass' }), row({ suite: 'kernel.semaphore', case: 'semaphore.test_sem_take' })];
      const { diff: out, report } = applyKnown(diff, list([entry]), ctx);
      expect(out.map((d) => d.class)).to.deep.equal(['known', 'same', 'regression']);
      expect(out[0]!.known).to.deep.equal({ reason: 'sem shim', source: 'known.yaml:2', was: 'regression' });
      expect(report).to.deep.equal([{ source: 'known.yaml:2', reason: 'sem shim', state: 'applied', rows: 1, message: '1 row known: sem shim' }]);
      expect(summarize([], out.slice(0, 2)).regressed).to.equal(false);
      expect(summarize([], out).regressed).to.equal(true);
    });

    it('stale: an entry that matches nothing, or whose cases now behave like the baseline', () => {
      const none = applyKnown([row({ suite: 'kernel.semaphore' })], list([entry]), ctx).report[0]!;
      expect(none).to.include({ state: 'stale', rows: 0 });
      expect(none.message).to.equal('stale: it matches no case of this run; remove it from known.yaml');
      const fixed = applyKnown([row({ class: 'same', candidate: 'pass' }), row({ case: 'poll_api.test_poll_multi', class: 'same', candidate: 'pass' })], list([entry]), ctx).report[0]!;
      expect(fixed.state).to.equal('stale');
      expect(fixed.message).to.match(/^stale: its 2 cases now behave like the baseline/);
    });

    it('expired: past until the rows gate again and the report says why', () => {
      const { diff: out, report } = applyKnown([row({})], list([{ ...entry, until: '2026-11-30' }]), ctx);
      expect(out[0]!.class).to.equal('regression');
      expect(out[0]!.known).to.include({ expired: true, until: '2026-11-30', was: 'regression' });
      expect(report[0]).to.include({ state: 'expired', rows: 1 });
      expect(report[0]!.message).to.equal('expired on 2026-11-30: 1 row gate again (sem shim)');
      // The last day still holds.
      expect(applyKnown([row({})], list([{ ...entry, until: '2026-12-01' }]), ctx).diff[0]!.class).to.equal('known');
    });

    it('unmet: a row that diverges differently than expected keeps gating', () => {
      const { diff: out, report } = applyKnown([row({ candidate: 'crash', class: 'crash' })], list([{ ...entry, expect: ['fail'] }]), ctx);
      expect(out[0]!.class).to.equal('crash');
      expect(report[0]!.state).to.equal('unmet');
      expect(applyKnown([row({ candidate: 'timeout', class: 'hang' })], list([{ ...entry, expect: ['hang'] }]), ctx).diff[0]!.class).to.equal('known');
    });

    it('twister quarantine entries match by regex on scenario, platform, architecture and simulation', () => {
      const q = readKnownFile(join(REPO_ROOT, 'test/fixtures/known/quarantine.yaml'));
      const diff = [
        row({}),
        row({ platform: 'nucleo_g474re', suite: 'kernel.mutex.basic', case: 'mutex_api.test_mutex_recursive' }),
        row({ platform: 'qemu_cortex_m3', suite: 'kernel.mutex.basic', case: 'mutex_api.test_mutex_recursive' }),
      ];
      const { diff: out, report } = applyKnown(diff, q, ctx);
      expect(out.map((d) => d.class)).to.deep.equal(['known', 'known', 'regression']);
      expect(report.map((r) => r.state)).to.deep.equal(['applied', 'applied', 'stale']);
    });

    it('an entry whose rows an earlier entry took is stale, not double counted', () => {
      const { report } = applyKnown([row({})], list([entry, { ...entry, source: 'known.yaml:9' }]), ctx);
      expect(report.map((r) => r.state)).to.deep.equal(['applied', 'stale']);
    });
  });

  it('scenarios/gale-wasm-lto.yaml carries gale\'s sem-poll gap as a known difference', () => {
    const file = join(REPO_ROOT, 'scenarios/gale-wasm-lto.known.yaml');
    const known = readKnownFile(file);
    expect(known.entries).to.have.length(1);
    const [gap] = known.entries;
    expect(gap).to.include({ syntax: 'glob' });
    expect(gap!.variant).to.deep.equal(['wasm-sem']);
    const poll = row({ suite: 'kernel.poll', case: 'poll_api.test_poll_multi' });
    expect(applyKnown([poll], known, ctx).diff[0]!.class).to.equal('known');
    expect(applyKnown([row({ suite: 'kernel.poll', candidateVariant: 'wasm-mutex' })], known, ctx).diff[0]!.class).to.equal('regression');
    expect(readFileSync(join(REPO_ROOT, 'scenarios/gale-wasm-lto.yaml'), 'utf8')).to.match(/^known: gale-wasm-lto\.known\.yaml$/m);
  });

  describe('known: in a real run, and across tandem merge', function () {
    this.timeout(300_000);
    const { tag, env } = testTag();
    const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e-action');
    let record: RunRecord;
    let merged: RunRecord;
    let code: number;
    let summaryMd: string;
    before(async () => {
      mkdirSync(BUILD_ROOT, { recursive: true });
      tmp.write('run/known.yaml', '- suite: mutex\n  variant: wasm\n  case: mutex_api_1cpu.test_mutex_priority_inheritance\n  expect: fail\n  reason: priority inheritance is not implemented by the wasm mutex yet\n- suite: basic\n  reason: left over from an old bug\n');
      const scenario = tmp.write('run/known-run.yaml', demoScenario({ name: 'known-run', suites: ['basic', 'mutex'], wasm: ['CONFIG_GALE_WASM_LTO_MUTEX=y'], silence: 5, buildRoot: BUILD_ROOT, extra: 'known: known.yaml' }));
      const tandem = join(REPO_ROOT, 'bin/tandem.js');
      const shard = async (k: number) => {
        try {
          await exec(process.execPath, [tandem, 'run', scenario, '--shard', `${k}/2`, '--out', join(tmp.dir, `s${k}`), '-q', '--jobs', '2'], { env });
          return 0;
        } catch (err) {
          return (err as { code: number }).code;
        }
      };
      const codes = [await shard(1), await shard(2)];
      code = Math.max(...codes);
      record = JSON.parse(readFileSync(join(tmp.dir, codes[0] === 0 && (JSON.parse(readFileSync(join(tmp.dir, 's1/run.json'), 'utf8')) as RunRecord).results.some((r) => r.job.suite === 'mutex') ? 's1' : 's2', 'run.json'), 'utf8')) as RunRecord;
      await exec(process.execPath, [tandem, 'merge', join(tmp.dir, 's1'), join(tmp.dir, 's2'), '--out', join(tmp.dir, 'merged'), '-q'], { env }).catch(() => undefined);
      merged = JSON.parse(readFileSync(join(tmp.dir, 'merged/run.json'), 'utf8')) as RunRecord;
      summaryMd = readFileSync(join(tmp.dir, 'merged/summary.md'), 'utf8');
    });
    after(() => {
      for (const pid of taggedProcesses(tag)) process.kill(pid, 'SIGKILL');
    });

    it('the known regression does not fail the run; it is counted as known', () => {
      expect(code).to.equal(0);
      const known = record.diff.filter((d) => d.class === 'known');
      expect(known.map((d) => d.case)).to.deep.equal(['mutex_api_1cpu.test_mutex_priority_inheritance']);
      expect(record.summary.diff.known).to.equal(1);
      expect(record.summary.regressed).to.equal(false);
    });

    it('the merged run keeps the list and judges it over the whole matrix: one applied, one stale', () => {
      expect(merged.known?.entries).to.have.length(2);
      expect(merged.knownReport!.map((k) => k.state)).to.deep.equal(['applied', 'stale']);
      expect(merged.summary.regressed).to.equal(false);
      expect(summaryMd).to.include('### Known differences (1)');
      // junit.xml lists the known case as skipped (type known), so a test-report check does not fail on it.
      const junit = readFileSync(join(tmp.dir, 'merged/junit.xml'), 'utf8');
      expect(junit).to.match(/<testcase name="mutex_api_1cpu\.test_mutex_priority_inheritance"[^>]*>\s*<skipped message="known difference \([^)]*known\.yaml:1\): priority inheritance is not implemented by the wasm mutex yet[^"]*" type="known"/);
      expect(summaryMd).to.match(/\*\*stale\*\* \| .*known\.yaml:6 \| stale: its 3 cases now behave like the baseline/);
      expect(taggedProcesses(tag)).to.deep.equal([]);
    });
  });
});
