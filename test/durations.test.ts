// Per-case guest duration in the diff: baseline vs candidate, the ratio, `slower` at ≥ 2×
// (informational), and the HTML table that sorts by it in a real browser.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CaseResult, RunResult } from '../harness/domain.js';
import { compareDurations, median } from '../harness/diff/durations.js';
import { assembleRecord } from '../harness/run/record.js';
import { runMeta } from './fixtures/report/fixture.js';
import { renderHtml } from '../harness/report/html.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { renderTerminalSummary } from '../harness/report/terminal.js';
import { validateRunRecord } from '../harness/report/json.js';

const CHROMIUM = '/usr/bin/chromium';

function job(variant: string, cases: Array<[string, number]>): RunResult {
  const cs: CaseResult[] = cases.map(([name, durationMs]) => ({ suite: 'sem_api', name, status: 'pass', durationMs }));
  return {
    job: { id: `qemu_cortex_m3/${variant}/sem`, suite: 'sem', variant, platform: 'qemu_cortex_m3', emulator: 'qemu', attempt: 1 },
    verdict: 'passed',
    end: { kind: 'project', success: true },
    cases: cs,
    startedAt: '2026-12-01T10:00:00.000Z',
    wallMs: 100,
    provenance: { tandemVersion: '0.1.0', host: 'h' },
  } as RunResult;
}

const record = assembleRecord(
  runMeta({ comparisons: [{ baseline: 'native', candidate: 'wasm' }] }),
  [
    job('native', [['test_take', 100], ['test_give', 40], ['test_tiny', 1], ['test_faster', 300]]),
    job('wasm', [['test_take', 250], ['test_give', 60], ['test_tiny', 3], ['test_faster', 150]]),
  ],
);

describe('diff: guest duration per case', () => {
  it('ratio and slower: ≥ 2× and ≥ 10 ms more; a 1 ms → 3 ms case is noise', () => {
    expect(compareDurations([100], [250])).to.deep.equal({ baselineMs: 100, candidateMs: 250, durationRatio: 2.5, slower: true });
    expect(compareDurations([40], [60])).to.deep.equal({ baselineMs: 40, candidateMs: 60, durationRatio: 1.5 });
    expect(compareDurations([1], [3])).to.deep.equal({ baselineMs: 1, candidateMs: 3, durationRatio: 3 });
    expect(compareDurations([], [3])).to.deep.equal({ candidateMs: 3 });
    expect(compareDurations([0], [3])).to.deep.equal({ baselineMs: 0, candidateMs: 3 });
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('every diff entry carries both durations; slower is informational and valid run.json', () => {
    const take = record.diff.find((d) => d.case === 'sem_api.test_take')!;
    expect(take).to.include({ class: 'same', baselineMs: 100, candidateMs: 250, durationRatio: 2.5, slower: true });
    expect(record.summary.regressed).to.equal(false);
    expect(record.diff.filter((d) => d.slower).map((d) => d.case)).to.deep.equal(['sem_api.test_take']);
    const v = validateRunRecord(JSON.parse(JSON.stringify(record)));
    expect(v.valid, v.valid ? '' : v.errors.join('\n')).to.equal(true);
  });

  it('summary.md and the terminal list the slower case', () => {
    expect(renderMarkdown(record)).to.match(/### Slower in the candidate \(1\)[\s\S]*\| sem\\_api\.test\\_take \| 100 ms \| 250 ms \| 2\.50× \|/);
    expect(renderTerminalSummary(record)).to.match(/Slower in the candidate.*\(1, informational\):\n.*test_take 100 ms → 250 ms \(2\.50×\)/);
  });

  it('index.html: slowest ratio first, and a click on a column sorts by it', async function () {
    this.timeout(60_000);
    const html = renderHtml(record);
    expect(html).to.include('<section id="durations">');
    if (!existsSync(CHROMIUM)) this.skip(); // Debian package `chromium` absent
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const dir = mkdtempSync(join(tmpdir(), 'tandem-dur-'));
    try {
      writeFileSync(join(dir, 'index.html'), html);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      const cases = () => page.$$eval('#durations-table tbody tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[2]!.textContent));
      expect(await cases()).to.deep.equal(['sem_api.test_tiny', 'sem_api.test_take', 'sem_api.test_give', 'sem_api.test_faster']);
      await page.click('#durations-table th:nth-child(7)'); // ratio, descending
      expect((await cases())[0]).to.equal('sem_api.test_tiny');
      await page.click('#durations-table th:nth-child(7)'); // ascending
      expect((await cases())[0]).to.equal('sem_api.test_faster');
      await page.click('#durations-table th:nth-child(6)'); // candidate time, descending
      expect((await cases())[0]).to.equal('sem_api.test_take');
      expect(errors).to.deep.equal([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
