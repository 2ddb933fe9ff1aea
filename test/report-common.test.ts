import { expect } from 'chai';
import { diffResults, summarize } from '../harness/diff/differ.js';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { buildView, cleanText, excerpt, oneLine, overall, overallHeadline } from '../harness/report/common.js';
import { buildFixture } from './fixtures/report/fixture.js';

describe('report: shared rules', () => {
  it('orders jobs regression first, then by how badly they ended, then run order', () => {
    const view = buildView(buildFixture().record);
    expect(view.jobs.map((j) => `${j.result.job.id} ${j.worst ?? ''}`.trim())).to.deep.equal([
      'qemu_cortex_m3/wasm/mutex regression',
      'qemu_cortex_m3/wasm/demo crash',
      'qemu_cortex_m3/wasm/sleep hang',
      'qemu_cortex_m3/native/assert',
      'qemu_cortex_m3/wasm/assert',
      'nucleo_g474re/native/mutex',
      'nucleo_g474re/wasm/mutex',
      'qemu_cortex_m3/native/demo',
      'qemu_cortex_m3/native/mutex',
      'qemu_cortex_m3/native/semaphore',
      'qemu_cortex_m3/wasm/semaphore',
      'qemu_cortex_m3/native/sleep',
    ]);
    expect(view.changes.map((d) => d.class)).to.deep.equal(['regression', 'crash', 'hang', 'blocked', 'blocked', 'both-fail', 'both-fail']);
  });

  it('lists the cases a cut-short job never reached as blocked, as the differ counts them', () => {
    const view = buildView(buildFixture().record);
    const demo = view.jobs.find((j) => j.result.job.id === 'qemu_cortex_m3/wasm/demo')!;
    expect(demo.cases.map((c) => [c.key, c.case.status, c.synthetic])).to.deep.equal([
      ['demo.test_b_crash', 'crash', false],
      ['demo.test_c_after', 'blocked', true],
      ['demo.test_a_pass', 'pass', false],
    ]);
    expect(demo.cases[1]!.case.detail).to.equal('E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
    // A skipped job is not cut short: it gets no invented cases.
    expect(view.jobs.find((j) => j.result.job.id === 'nucleo_g474re/wasm/mutex')!.cases).to.deep.equal([]);
  });

  it('with several comparisons, a candidate case keeps its worst class', () => {
    const { record } = buildFixture();
    const extra = record.results
      .filter((r) => r.job.platform === 'qemu_cortex_m3' && r.job.suite === 'mutex' && r.job.variant === 'wasm')
      .map((r): RunResult => ({ ...r, job: { ...r.job, variant: 'wasm-o2', id: 'qemu_cortex_m3/wasm-o2/mutex' } }));
    const results = [...record.results, ...extra];
    // wasm-o2 fails the same case: against wasm it is both-fail, against native a regression.
    const comparisons = [
      { baseline: 'wasm-o2', candidate: 'wasm' },
      { baseline: 'native', candidate: 'wasm' },
    ];
    const diff = diffResults(results, comparisons);
    const multi: RunRecord = { ...record, results, comparisons, diff, summary: summarize(results, diff) };
    const view = buildView(multi);
    expect(view.jobs[0]!.result.job.id).to.equal('qemu_cortex_m3/wasm/mutex');
    expect(view.jobs[0]!.cases[0]!.diff!.class).to.equal('regression');
  });

  it("takes the run's word from the judge, and judges a record from before the judge", () => {
    const { record } = buildFixture();
    expect(overall(record)).to.equal('regressed');
    expect(overall({ ...record, judgement: { ...record.judgement, outcome: 'incomplete' } })).to.equal('incomplete');
    const older = { ...record } as Partial<RunRecord>;
    delete older.judgement;
    expect(overall(older as RunRecord)).to.equal('regressed');
    expect(overallHeadline(record)).to.equal('REGRESSED · exit 1');
  });

  it('cleans UART text: colour codes and CR dropped, other controls made visible', () => {
    expect(cleanText('\u001b[1;31mred\u001b[0m ok\r')).to.equal('red ok');
    expect(cleanText('a\u0000b\u0007c\u001bd\u007fe\u0085f')).to.equal('a\\x00b\\x07c\\x1bd\\x7fe\\x85f');
    expect(cleanText('tab\tand\nnewline')).to.equal('tab\tand\nnewline');
    expect(cleanText('\ufffe\uffff')).to.equal('\\ufffe\\uffff');
    expect(cleanText('lone \ud800 surrogate, pair \ud83d\ude00')).to.equal('lone \ufffd surrogate, pair \ud83d\ude00');
    expect(cleanText('\u001b]0;title\u0007after')).to.equal('after');
    expect(oneLine('  a\n\tb  ', 10)).to.equal('a b');
    expect(oneLine('x'.repeat(20), 10)).to.equal(`${'x'.repeat(9)}…`);
  });

  it('takes excerpts around the detail line, never before the case started', () => {
    const log = Array.from({ length: 100 }, (_, i) => `L${i + 1}`).join('\n');
    const around = excerpt({ parts: [{ firstLine: 1, text: log }], omittedBytes: 0 }, { line: 45, detailLine: 50 })!;
    expect(around.firstLine).to.equal(45);
    expect(around.lines[0]).to.equal('L45');
    expect(around.lines[around.lines.length - 1]).to.equal('L58');
    const deep = excerpt({ parts: [{ firstLine: 1, text: log }], omittedBytes: 0 }, { line: 10, detailLine: 50 })!;
    expect(deep.firstLine).to.equal(38);
    const hang = excerpt({ parts: [{ firstLine: 1, text: log }], omittedBytes: 0 }, { line: 95 })!;
    expect(hang.lines).to.deep.equal(['L95', 'L96', 'L97', 'L98', 'L99', 'L100']);
    expect(excerpt({ parts: [{ firstLine: 1, text: log }], omittedBytes: 0 }, {})).to.equal(undefined);
  });
});
