import { expect } from 'chai';
import { Parser, type FinalResults } from 'tap-parser';
import { diffResults } from '../harness/diff/differ.js';
import { renderTap, renderTapJob, tapDescription, tapFooter, tapHeader } from '../harness/report/tap.js';
import { HOSTILE_NAME, RENODE_MISSING, buildFixture } from './fixtures/report/fixture.js';

interface Parsed {
  final: FinalResults;
  /** Test points of each subtest, by subtest name, in order. */
  children: Array<{ name: string; points: any[]; final: FinalResults }>;
  points: any[];
  extra: string[];
}

/** Parses TAP with the reference parser, keeping every subtest's points and any unparsed junk. */
function parseTap(text: string): Promise<Parsed> {
  return new Promise((resolve) => {
    const children: Parsed['children'] = [];
    const points: any[] = [];
    const extra: string[] = [];
    const parser = new Parser({ strict: true }, (final) => resolve({ final, children, points, extra }));
    parser.on('assert', (p) => points.push(p));
    parser.on('extra', (l: string) => extra.push(l));
    parser.on('child', (child: Parser) => {
      const entry = { name: '', points: [] as any[], final: undefined as unknown as FinalResults };
      children.push(entry);
      child.on('comment', (c: string) => {
        const m = /^# Subtest: (.*)$/.exec(c.trim());
        if (m && !entry.name) entry.name = m[1]!;
      });
      child.on('assert', (p) => entry.points.push(p));
      child.on('extra', (l: string) => extra.push(l));
      child.on('complete', (f: FinalResults) => (entry.final = f));
    });
    parser.end(text);
  });
}

describe('report: TAP 14', () => {
  const fixture = buildFixture();
  const text = renderTap(fixture.record);

  it('parses cleanly (strict) with one subtest per job and the right counts', async () => {
    const t = await parseTap(text);
    expect(t.extra).to.deep.equal([]);
    expect(text.startsWith('TAP version 14\n1..12\n')).to.equal(true);
    expect(t.final.count).to.equal(12);
    expect(t.final.plan).to.include({ start: 1, end: 12 });
    expect(t.final.ok).to.equal(false);
    // Jobs: 5 passed are ok, 2 skipped are ok # SKIP, 3 failed + crash + timeout are not ok.
    expect(t.final.pass).to.equal(7);
    expect(t.final.skip).to.equal(2);
    expect(t.final.fail).to.equal(5);
    const cases = t.children.flatMap((c) => c.points);
    const summary = fixture.record.summary.cases;
    const blocked = fixture.record.summary.diff.blocked ?? 0;
    expect(cases.length).to.equal(Object.values(summary).reduce((a, b) => a + (b ?? 0), 0) + blocked);
    expect(cases.filter((p) => p.skip).length).to.equal(summary.skip);
    expect(cases.filter((p) => !p.ok).length).to.equal((summary.fail ?? 0) + (summary.crash ?? 0) + (summary.timeout ?? 0) + blocked);
  });

  it('leads with the regression: comment first, then its subtest with the regressed case as point 1', async () => {
    const lines = text.split('\n');
    expect(lines[2]).to.match(/^# regression: qemu_cortex_m3 mutex mutex_api_1cpu\.test_mutex_priority_inheritance pass -> fail/);
    const t = await parseTap(text);
    expect(t.children[0]!.name).to.equal('qemu_cortex_m3/wasm/mutex');
    const first = t.children[0]!.points[0];
    expect(first).to.include({ ok: false, id: 1, name: 'mutex_api_1cpu.test_mutex_priority_inheritance' });
    expect(first.diag).to.include({ status: 'fail', diff: 'regression', baseline: 'native: pass', line: 31 });
    expect(first.diag.detail).to.match(/^Assertion failed at .*:412: /);
  });

  it('crashes and hangs are job-level not ok with YAML diagnostics; skipped jobs are # SKIP with the reason', async () => {
    const t = await parseTap(text);
    const crash = t.points.find((p) => p.name === 'qemu_cortex_m3/wasm/demo');
    expect(crash).to.include({ ok: false });
    expect(crash.diag).to.include({ verdict: 'crashed', fault: 'USAGE FAULT', pc: '0x000003e8' });
    const hang = t.points.find((p) => p.name === 'qemu_cortex_m3/wasm/sleep');
    expect(hang.diag).to.include({ verdict: 'timeout', reason: 'no console output for 10 s (hang)' });
    const skipped = t.points.find((p) => p.name === 'nucleo_g474re/wasm/mutex');
    expect(skipped).to.include({ ok: true, skip: RENODE_MISSING });
    const blocked = t.children.find((c) => c.name === 'qemu_cortex_m3/wasm/demo')!.points.find((p) => p.name === 'demo.test_c_after');
    expect(blocked).to.include({ ok: false });
    expect(blocked.diag).to.include({ status: 'blocked', diff: 'blocked' });
    const assume = t.children.find((c) => c.name === 'qemu_cortex_m3/native/assert')!.points.find((p) => p.name === 'demo.test_d_assume');
    expect(assume.skip).to.match(/^Assumption failed at/);
  });

  it('the streaming pieces produce the same kind of stream, job by job', async () => {
    const results = fixture.record.results;
    const streamed =
      tapHeader() +
      results.map((r, i) => renderTapJob(r, i + 1)).join('') +
      tapFooter(results.length, { summary: 'done' });
    const t = await parseTap(streamed);
    expect(t.extra).to.deep.equal([]);
    expect(t.final.count).to.equal(results.length);
    expect(t.final.plan).to.include({ start: 1, end: results.length });
    expect(t.children.map((c) => c.name)).to.deep.equal(results.map((r) => r.job.id));
    const planned = tapHeader(results.length) + results.map((r, i) => renderTapJob(r, i + 1)).join('') + tapFooter(results.length, { planned: true });
    expect((await parseTap(planned)).final.count).to.equal(results.length);
  });

  it('escapes # and \\ in descriptions, so names cannot forge directives', async () => {
    expect(tapDescription('a # SKIP b\\c')).to.equal('a \\# SKIP b\\\\c');
    const hostile = buildFixture({ hostile: true });
    // A suite name is scenario text: rename both sides of the mutex pair and diff again.
    for (const r of hostile.record.results.filter((x) => x.job.platform === 'qemu_cortex_m3' && x.job.suite === 'mutex')) {
      r.job.suite = 'mutex # SKIP forged';
      r.job.id = `${r.job.platform}/${r.job.variant}/${r.job.suite}`;
    }
    hostile.record.diff = diffResults(hostile.record.results, hostile.record.comparisons);
    const t = await parseTap(renderTap(hostile.record));
    expect(t.extra).to.deep.equal([]);
    const job = t.points.find((p) => String(p.name).includes('forged'));
    expect(job.name).to.equal('qemu_cortex_m3/wasm/mutex # SKIP forged');
    expect(job.skip).to.equal(false);
    expect(job.ok).to.equal(false);
    const first = t.children[0]!.points[0];
    expect(first.name).to.equal(`mutex_api_1cpu.${HOSTILE_NAME}`);
    expect(first.diag.detail).to.contain('\\x00\\x07\\x1b');
  });
});
