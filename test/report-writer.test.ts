import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { excerpt, logLines } from '../harness/report/common.js';
import { ALL_FORMATS, logPath, readConsoleLog, readRunRecord, writeReports } from '../harness/report/index.js';
import { buildFixture } from './fixtures/report/fixture.js';

describe('report: writeReports and log reading', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Lays out a run folder as the runner does: console logs under the paths results name. */
  function layOut(fixture = buildFixture()) {
    for (const r of fixture.record.results) {
      if (!r.log) continue;
      const file = join(dir, r.log);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, fixture.logs.get(r.job.id)!, 'latin1');
    }
    return fixture;
  }

  it('writes all six reports, returns their paths, and run.json reads back as the record', async () => {
    const { record } = layOut();
    const paths = await writeReports(dir, record);
    expect(paths.map((p) => p.slice(dir.length + 1))).to.deep.equal([
      'run.json',
      'twister.json',
      'junit.xml',
      'results.tap',
      'summary.md',
      'index.html',
    ]);
    for (const p of paths) expect(statSync(p).size, p).to.be.greaterThan(100);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(await readRunRecord(dir)).to.deep.equal(JSON.parse(JSON.stringify(record)));
    // The console excerpts come from the files the results point at.
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).to.contain('11| E: ***** USAGE FAULT *****');
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).to.contain('id="log-qemu_cortex_m3.wasm.mutex-L31"');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).to.match(/^❌ \*\*REGRESSED · exit 1\*\*/);
  });

  it('writes only the formats asked for', async () => {
    const { record } = layOut();
    const paths = await writeReports(dir, record, ['md', 'junit', 'md']);
    expect(paths.map((p) => p.slice(dir.length + 1))).to.deep.equal(['summary.md', 'junit.xml']);
    expect(readdirSync(dir).sort()).to.deep.equal(['junit.xml', 'logs', 'summary.md']);
    expect(ALL_FORMATS).to.have.length(6);
  });

  it('still writes every report when logs are missing', async () => {
    const { record } = buildFixture();
    const paths = await writeReports(dir, record);
    expect(paths).to.have.length(6);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).to.not.contain('Console log not embedded');
    expect(html).to.contain('No console log. <a href="logs/qemu_cortex_m3/wasm/mutex.console.log">');
    // Without an embedded log, the regression row links to its job rather than a missing line.
    expect(html).to.contain('<a href="#job-qemu_cortex_m3.wasm.mutex">mutex_api_1cpu.test_mutex_priority_inheritance</a>');
  });

  it('keeps the head and tail of a huge log, numbering the tail as in the full log', () => {
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i + 1} ${'x'.repeat(20)}\r`);
    lines[49_990] = '    Assertion failed at src/main.c:1: at the very end\r';
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, text);
    const log = readConsoleLog(file, 20_000)!;
    expect(log.parts).to.have.length(2);
    const kept = log.parts.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
    expect(kept).to.be.at.most(20_000);
    expect(kept + log.omittedBytes).to.equal(Buffer.byteLength(text));
    const numbered = logLines(log);
    expect(numbered[0]).to.deep.equal({ n: 1, text: `line 1 ${'x'.repeat(20)}` });
    for (const l of numbered) if ('n' in l && l.n !== 49_991) expect(l.text.startsWith(`line ${l.n} `), `line ${l.n}`).to.equal(true);
    expect(numbered.filter((l) => 'gap' in l)).to.deep.equal([{ gap: log.omittedBytes }]);
    const e = excerpt(log, { detailLine: 49_991 })!;
    expect(e.lines[e.lines.findIndex((_, i) => e.firstLine + i === 49_991)]).to.contain('Assertion failed');
    // Small logs are read whole.
    writeFileSync(file, 'a\nb\n');
    expect(readConsoleLog(file, 20_000)).to.deep.equal({ parts: [{ firstLine: 1, text: 'a\nb\n' }], omittedBytes: 0 });
    expect(readConsoleLog(join(dir, 'absent.log'))).to.equal(undefined);
  });

  it('copes with a runaway line that has no newline at all', () => {
    const file = join(dir, 'garbage.log');
    writeFileSync(file, Buffer.alloc(100_000, 0x41));
    const log = readConsoleLog(file, 10_000)!;
    expect(log.parts[0]!.firstLine).to.equal(1);
    expect(log.parts[1]!.firstLine).to.equal(1);
    expect(log.parts[0]!.text.length + log.parts[1]!.text.length + log.omittedBytes).to.equal(100_000);
  });

  it('reads logs only from inside the run folder', () => {
    const r = buildFixture().record.results[0]!;
    expect(logPath(dir, r)).to.equal(join(dir, r.log!));
    expect(logPath(dir, { ...r, log: '../../etc/passwd' })).to.equal(undefined);
    expect(logPath(dir, { ...r, log: '/etc/passwd' })).to.equal(undefined);
    expect(logPath(dir, { ...r, log: 'logs/../../x.log' })).to.equal(undefined);
    const { log: _omit, ...withoutLog } = r;
    expect(logPath(dir, withoutLog)).to.equal(undefined);
  });
});
