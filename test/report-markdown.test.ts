import { expect } from 'chai';
import { MARKDOWN_MAX_BYTES, mdEscape, renderMarkdown } from '../harness/report/markdown.js';
import { RENODE_MISSING, bigRecord, buildFixture } from './fixtures/report/fixture.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Cells of a Markdown table row, honouring `\|` escapes. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('report: summary.md', () => {
  const { record } = buildFixture();
  const md = renderMarkdown(record);
  const lines = md.split('\n');

  it('opens with one verdict line: glyph, word and counts', () => {
    expect(lines[0]).to.equal(
      '❌ **REGRESSED · exit 1** — 1 regression, 1 crash, 1 hang, 2 blocked, 2 both-fail — 12 jobs (5 passed, 3 failed, 1 crashed, 1 timeout, 2 skipped)',
    );
    const passing = buildFixture().record;
    passing.diff = passing.diff.filter((d) => d.class === 'same');
    passing.summary = { ...passing.summary, diff: { same: passing.diff.length }, regressed: false };
    passing.judgement = { outcome: 'passed', exitCode: 0, regressed: [], incomplete: [], invalid: [] };
    expect(renderMarkdown(passing).split('\n')[0]).to.match(/^✅ \*\*NO REGRESSIONS · exit 0\*\* — no changes — 12 jobs/);
  });

  it('the first finding is the regression, then crashes, hangs, blocked, in that order', () => {
    const headings = lines.filter((l) => l.startsWith('### ')).map((l) => l.slice(4));
    expect(headings).to.deep.equal(['Regressions (1)', 'Crashes (1)', 'Hangs (1)', 'Blocked (2)', 'Not run (2)', 'Matrix']);
    const firstRow = lines.find((l) => l.startsWith('| qemu'))!;
    expect(cells(firstRow).slice(0, 4)).to.deep.equal([
      'qemu\\_cortex\\_m3',
      'mutex',
      'mutex\\_api\\_1cpu.test\\_mutex\\_priority\\_inheritance',
      'native: pass → wasm: fail',
    ]);
    expect(md).to.contain(`| ⏭️ skipped | nucleo\\_g474re/wasm/mutex | ${mdEscape(RENODE_MISSING)} |`);
  });

  it('has a matrix per platform: suites × variants with glyphs and pass counts', () => {
    expect(md).to.contain('#### qemu\\_cortex\\_m3\n\n| suite | native | wasm |');
    expect(md).to.contain('| mutex | ✅ 8/8 | ❌ 7/8 |');
    expect(md).to.contain('| demo | ✅ 3/3 | 💥 1/3 |');
    expect(md).to.contain('| sleep | ✅ 3/3 | ⏱️ 1/3 |');
    expect(md).to.contain('| mutex | ⏭️ | ⏭️ |');
  });

  it('UART text cannot break tables, open code spans, inject HTML or mention people', () => {
    const hostile = buildFixture({ hostile: true }).record;
    const out = renderMarkdown(hostile);
    expect(out).to.not.contain('<script>');
    expect(out).to.not.contain('<img');
    expect(out).to.not.match(/[^\\]`/);
    expect(out).to.not.contain('@octocat');
    expect(out).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // Every table row keeps its column count despite `|` in the detail.
    for (const table of out.split('\n\n').filter((b) => b.startsWith('| '))) {
      const rows = table.split('\n').filter((l) => l.startsWith('|'));
      const width = cells(rows[0]!).length;
      for (const row of rows) expect(cells(row), row).to.have.length(width);
    }
    expect(mdEscape('a|b `c` <d> *e* _f_ [g](h) @i &j')).to.equal(
      'a\\|b \\`c\\` &lt;d&gt; \\*e\\* \\_f\\_ \\[g\\](h) &#64;i &amp;j',
    );
  });

  it('stays under 64 KB for a 5000-job run, saying how much was left out', () => {
    const big = bigRecord(5000);
    expect(big.summary.diff.regression).to.be.greaterThan(200);
    const out = renderMarkdown(big);
    expect(bytes(out)).to.be.lessThan(64 * 1024);
    expect(bytes(out)).to.be.at.most(MARKDOWN_MAX_BYTES);
    expect(out.split('\n')[0]).to.match(/^❌ \*\*REGRESSED · exit 1\*\*/);
    expect(out).to.match(/### Regressions \(\d+\)/);
    expect(out).to.match(/… and \d+ more cases/);
  });

  it('honours a smaller budget by showing fewer rows, and hard-cuts only as a last resort', () => {
    const big = bigRecord(400);
    for (const max of [20_000, 8_000, 3_000]) {
      const out = renderMarkdown(big, { maxBytes: max });
      expect(bytes(out), `budget ${max}`).to.be.at.most(max);
      expect(out.split('\n')[0]).to.match(/^❌/);
    }
  });
});
