import { expect } from 'chai';
import { renderTerminalSummary, shouldUseColor } from '../harness/report/terminal.js';
import { RENODE_MISSING, bigRecord, buildFixture } from './fixtures/report/fixture.js';

const ANSI = /\u001b\[[0-9;]*m/g;

describe('report: terminal summary', () => {
  const { record } = buildFixture();
  const plain = renderTerminalSummary(record, { reportDir: 'reports/20240301-100000-demo', color: false, width: 120 });
  const lines = plain.trimEnd().split('\n');

  it('fits one screen and names the verdict, job and diff counts first', () => {
    expect(lines.length).to.be.at.most(30);
    expect(lines[0]).to.equal('tandem · gale-wasm-lto · run 20240301-100000-demo · 48.0 s');
    expect(lines[1]).to.equal('REGRESSED · exit 1  1 regression · 1 crash · 1 hang · 2 blocked · 2 both-fail');
    // Then why the exit code is what it is, beyond the rows listed below: the Renode jobs never ran.
    expect(lines[2]).to.equal(`  not compared: candidate not booted: ${RENODE_MISSING} — nucleo_g474re/wasm/m…`);
    expect(lines[3]).to.equal('jobs   12: 5 passed · 3 failed · 1 crashed · 1 timeout · 2 skipped');
    expect(lines[4]).to.match(/^cases  88: 75 pass · 5 fail · 1 crash · 1 timeout · 6 skip$/);
  });

  it('the first finding is the regression with its detail, then crashes and hangs', () => {
    expect(lines[5]).to.equal('Regressions (1):');
    expect(lines[6]).to.match(/^ {2}qemu_cortex_m3\/wasm\/mutex mutex_api_1cpu\.test_mutex_priority_inheritance pass→fail {2}Assertion failed at/);
    expect(lines[7]).to.equal('Crashes (1):');
    expect(lines[8]).to.contain('demo.test_b_crash pass→crash  E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
    expect(lines[9]).to.equal('Hangs (1):');
    expect(plain).to.contain('Blocked: 2 cases in 2 jobs never ran');
  });

  it('lists skipped jobs with their reason, and ends with the report folder', () => {
    expect(plain).to.contain(`  nucleo_g474re/wasm/mutex skipped: ${RENODE_MISSING}`);
    expect(lines[lines.length - 1]).to.equal('Report: reports/20240301-100000-demo');
  });

  it('keeps every line within the width, and colours only when asked', () => {
    const narrow = renderTerminalSummary(record, { color: false, width: 60 });
    for (const l of narrow.trimEnd().split('\n')) expect(l.length, l).to.be.at.most(60);
    expect(plain).to.not.match(ANSI);
    const coloured = renderTerminalSummary(record, { reportDir: 'reports/x', color: true, width: 120 });
    expect(coloured).to.match(ANSI);
    expect(coloured).to.contain('\u001b[31m\u001b[1mREGRESSED · exit 1\u001b[0m\u001b[0m');
    for (const l of coloured.trimEnd().split('\n')) expect(l.replace(ANSI, '').length).to.be.at.most(120);
  });

  it('stays within 30 lines for a 5000-job run', () => {
    const big = bigRecord(5000);
    const out = renderTerminalSummary(big, { reportDir: 'reports/big' });
    const outLines = out.trimEnd().split('\n');
    expect(outLines.length).to.be.at.most(30);
    expect(outLines[outLines.length - 1]).to.equal('Report: reports/big');
    expect(out).to.match(/… and \d+ more/);
    expect(renderTerminalSummary(big, { maxLines: 10 }).trimEnd().split('\n').length).to.be.at.most(10);
  });

  it('UART garbage cannot reach the terminal as escape sequences', () => {
    const hostile = renderTerminalSummary(buildFixture({ hostile: true }).record, { color: false, width: 400 });
    expect(hostile).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('decides colour from the environment: NO_COLOR wins, then FORCE_COLOR, then CI and the TTY', () => {
    expect(shouldUseColor({}, true)).to.equal(true);
    expect(shouldUseColor({}, false)).to.equal(false);
    expect(shouldUseColor({ NO_COLOR: '1' }, true)).to.equal(false);
    expect(shouldUseColor({ NO_COLOR: '' }, true)).to.equal(true);
    expect(shouldUseColor({ CI: 'true' }, true)).to.equal(false);
    expect(shouldUseColor({ FORCE_COLOR: '1' }, false)).to.equal(true);
    expect(shouldUseColor({ FORCE_COLOR: '1', NO_COLOR: '1' }, true)).to.equal(false);
    expect(shouldUseColor({ FORCE_COLOR: '1', CI: 'true' }, false)).to.equal(true);
    expect(shouldUseColor({ FORCE_COLOR: '0' }, true)).to.equal(true);
  });
});
