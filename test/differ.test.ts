import { expect } from 'chai';
import { classify, diffResults, diffRuns, summarize } from '../harness/diff/differ.js';
import type { CaseResult, CaseStatus, RunRecord, RunResult, Verdict } from '../harness/domain.js';

function result(variant: string, verdict: Verdict, cases: Array<[string, CaseStatus, string?]>, suite = 'mutex', attempt = 1): RunResult {
  return {
    job: { id: `q/${variant}/${suite}`, suite, variant, platform: 'q', emulator: 'qemu', attempt },
    verdict,
    end: { kind: 'project', success: verdict === 'passed' },
    reason: verdict === 'crashed' ? 'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0' : undefined,
    cases: cases.map(([name, status, detail]): CaseResult => ({ suite: 's', name, status, ...(detail ? { detail } : {}) })),
    startedAt: '2026-01-01T00:00:00Z',
    wallMs: 1,
    provenance: { tandemVersion: 't', host: 'h' },
  };
}

const cmp = [{ baseline: 'native', candidate: 'wasm' }];

describe('differ', () => {
  it('classifies every status pair the way a reviewer reads it', () => {
    expect(classify('pass', 'pass')).to.equal('same');
    expect(classify('skip', 'skip')).to.equal('same');
    expect(classify('pass', 'fail')).to.equal('regression');
    expect(classify('pass', 'crash')).to.equal('crash');
    expect(classify('pass', 'timeout')).to.equal('hang');
    expect(classify('pass', 'blocked')).to.equal('blocked');
    expect(classify('pass', 'skip')).to.equal('regression');
    expect(classify('fail', 'pass')).to.equal('fix');
    expect(classify('fail', 'crash')).to.equal('both-fail');
    expect(classify('fail', 'fail')).to.equal('both-fail');
    expect(classify(undefined, 'pass')).to.equal('new');
    expect(classify('pass', undefined)).to.equal('missing');
  });

  it('cases after a crash are blocked, not missing, and carry the crash reason', () => {
    const base = result('native', 'passed', [['test_a', 'pass'], ['test_b', 'pass'], ['test_c', 'pass']]);
    const cand = result('wasm', 'crashed', [['test_a', 'pass'], ['test_b', 'crash', 'E: >>> ZEPHYR FATAL ERROR 0']]);
    const diff = diffResults([base, cand], cmp);
    expect(diff.map((d) => [d.case, d.baseline, d.candidate, d.class])).to.deep.equal([
      ['s.test_a', 'pass', 'pass', 'same'],
      ['s.test_b', 'pass', 'crash', 'crash'],
      ['s.test_c', 'pass', 'blocked', 'blocked'],
    ]);
    expect(diff[2]!.detail).to.match(/FATAL ERROR/);
    expect(summarize([base, cand], diff).regressed).to.equal(true);
  });

  it('a case that vanished from a clean run is missing', () => {
    const diff = diffResults(
      [result('native', 'passed', [['test_a', 'pass'], ['test_b', 'pass']]), result('wasm', 'passed', [['test_a', 'pass']])],
      cmp,
    );
    expect(diff.map((d) => d.class)).to.deep.equal(['same', 'missing']);
  });

  it('a skipped job (emulator absent) is no comparison and no regression', () => {
    const base = result('native', 'skipped', []);
    const cand = result('wasm', 'skipped', []);
    const diff = diffResults([base, cand], cmp);
    expect(diff).to.deep.equal([]);
    expect(summarize([base, cand], diff).regressed).to.equal(false);
  });

  it('a build error in the candidate blocks every baseline case', () => {
    const diff = diffResults([result('native', 'passed', [['test_a', 'pass']]), result('wasm', 'build-error', [])], cmp);
    expect(diff.map((d) => [d.candidate, d.class])).to.deep.equal([['blocked', 'blocked']]);
  });

  it('a candidate that fails in one of its attempts, against a baseline that passes every time, regressed', () => {
    const diff = diffResults(
      [
        result('native', 'passed', [['test_a', 'pass']], 'mutex', 1),
        result('native', 'passed', [['test_a', 'pass']], 'mutex', 2),
        result('wasm', 'passed', [['test_a', 'pass']], 'mutex', 1),
        result('wasm', 'failed', [['test_a', 'fail']], 'mutex', 2),
      ],
      cmp,
    );
    expect(diff.map((d) => [d.candidate, d.class])).to.deep.equal([['fail', 'regression']]);
    expect(diff[0]!.attempts).to.deep.equal({ baseline: { pass: 2 }, candidate: { pass: 1, fail: 1 } });
  });

  it('two runs compare variant by variant, run A as the baseline', () => {
    const rec = (id: string, results: RunResult[]) => ({ runId: id, results }) as unknown as RunRecord;
    const a = rec('a', [result('wasm', 'failed', [['test_a', 'fail']])]);
    const b = rec('b', [result('wasm', 'passed', [['test_a', 'pass']])]);
    const diff = diffRuns(a, b);
    expect(diff).to.have.length(1);
    expect(diff[0]).to.include({ class: 'fix', baselineVariant: 'wasm@a', candidateVariant: 'wasm@b' });
  });
});
