// Cost and reach in every report, from a record whose mutex jobs carry measurements: what each
// renderer shows, that run.json's schema takes it (with ajv agreeing), and that the HTML table sorts.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import { RUN_SCHEMA_VERSION, type CallStats, type JobCost, type JobReach, type RunRecord } from '../harness/domain.js';
import { finishRecord, metaOf } from '../harness/run/record.js';
import { statsOf } from '../harness/measure/cost/stats.js';
import { runJsonSchema, validateRunRecord } from '../harness/report/json.js';
import { renderTerminalSummary } from '../harness/report/terminal.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { renderJunit } from '../harness/report/junit.js';
import { renderTap } from '../harness/report/tap.js';
import { toTwister } from '../harness/report/twister.js';
import { renderHtml } from '../harness/report/html.js';
import { buildFixture } from './fixtures/report/fixture.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
};
const CHROMIUM = '/usr/bin/chromium';

const cost = (byCase: Record<string, number[]>): JobCost => ({
  method: 'qemu-plugin',
  functions: [{ name: 'k_mutex_unlock', addresses: ['0x00001520'], size: 104 }],
  cases: Object.entries(byCase).map(([c, calls]) => ({ case: c, functions: { k_mutex_unlock: statsOf(calls) as CallStats } })),
});
const reach = (blocks: Array<[string, string[]]>): JobReach => ({
  functions: [{ function: 'k_mutex_unlock', blocks: blocks.map(([address, cases], i) => ({ address, instructions: 4 + i, file: '/src/kernel/mutex_wasm.c', line: 40 + i, cases })) }],
});

/** The fixture's record, its qemu mutex jobs measured: the candidate ~4× costlier, one trap block unreached. */
function measuredRecord(): RunRecord {
  const { record } = buildFixture();
  const results = record.results.map((r) => {
    if (r.job.platform !== 'qemu_cortex_m3' || r.job.suite !== 'mutex') return r;
    return r.job.variant === 'native'
      ? { ...r, cost: cost({ 'mutex_api.test_mutex_recursive': [21, 21, 118], 'mutex_api_1cpu.test_mutex_lock_unlock': [97] }), reach: reach([['0x00001520', ['mutex_api.test_mutex_recursive']], ['0x00001544', ['mutex_api.test_mutex_recursive', 'mutex_api_1cpu.test_mutex_lock_unlock']]]) }
      : { ...r, cost: cost({ 'mutex_api.test_mutex_recursive': [84, 84, 472], 'mutex_api_1cpu.test_mutex_lock_unlock': [388] }), reach: reach([['0x00002200', ['mutex_api.test_mutex_recursive']], ['0x00002224', []]]) };
  });
  return finishRecord({ schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...metaOf(record), results, diff: record.diff });
}

describe('report: cost and reach', () => {
  const record = measuredRecord();

  it('the differ compares per function, suite and case, with the ratio of medians', () => {
    expect(record.measures!.cost).to.deep.equal([
      {
        platform: 'qemu_cortex_m3',
        suite: 'mutex',
        baselineVariant: 'native',
        candidateVariant: 'wasm',
        function: 'k_mutex_unlock',
        baseline: { calls: 4, min: 21, median: 21, max: 118 },
        candidate: { calls: 4, min: 84, median: 84, max: 472 },
        ratio: 4,
        casesCompared: 2,
        cases: [
          { case: 'mutex_api.test_mutex_recursive', baseline: { calls: 3, min: 21, median: 21, max: 118 }, candidate: { calls: 3, min: 84, median: 84, max: 472 }, ratio: 4 },
          { case: 'mutex_api_1cpu.test_mutex_lock_unlock', baseline: { calls: 1, min: 97, median: 97, max: 97 }, candidate: { calls: 1, min: 388, median: 388, max: 388 }, ratio: 4 },
        ],
      },
    ]);
    expect(record.measures!.reach![0]!.candidate).to.deep.include({ blocks: 2, reached: 1, unreached: [{ address: '0x00002224', file: '/src/kernel/mutex_wasm.c', line: 41, instructions: 5 }] });
  });

  it('run.json\'s schema takes it, and ajv agrees', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(runJsonSchema);
    const copy = JSON.parse(JSON.stringify(record)) as unknown;
    expect(ajv(copy), JSON.stringify(ajv.errors)).to.equal(true);
    expect(validateRunRecord(copy)).to.deep.include({ valid: true });
    const bad = JSON.parse(JSON.stringify(record)) as { results: Array<{ cost?: { cases: unknown } }> };
    bad.results.find((r) => r.cost)!.cost!.cases = 'many';
    expect(ajv(bad)).to.equal(false);
    expect(validateRunRecord(bad).valid).to.equal(false);
  });

  it('the terminal says it in one line per function, and names unreached blocks', () => {
    const text = renderTerminalSummary(record, { maxLines: 60, width: 200 });
    expect(text).to.include('k_mutex_unlock  21 → 84 instr/call (4.0×) · 2 cases');
    expect(text).to.match(/reach k_mutex_unlock \(wasm\/mutex on qemu_cortex_m3\): 1 of 2 blocks no case reached \(kernel\/mutex_wasm\.c:41\)/);
  });

  it('summary.md, junit.xml, results.tap and twister.json carry the figures', () => {
    expect(renderMarkdown(record)).to.match(/### Cost \(1\)[\s\S]*\| k\\_mutex\\_unlock \| qemu\\_cortex\\_m3\/wasm\/mutex \| 21 \| 84 \| 4\.0× \| 4 \/ 4 \| 2 \|/);
    expect(renderMarkdown(record)).to.match(/### Reach[\s\S]*- k\\_mutex\\_unlock \(qemu\\_cortex\\_m3\/wasm\/mutex\): 1 of 2 blocks no case reached/);
    const junit = renderJunit(record);
    expect(junit).to.include('<property name="cost.k_mutex_unlock" value="4 calls, 84/84/472 instructions per call (min/median/max)"/>');
    expect(junit).to.include('<property name="cost_ratio.k_mutex_unlock" value="4 (21 → 84 vs native)"/>');
    expect(junit).to.include('<property name="reach.k_mutex_unlock" value="1 of 2 blocks reached; not: kernel/mutex_wasm.c:41"/>');
    expect(renderTap(record)).to.match(/^# cost: k_mutex_unlock {2}21 → 84 instr\/call \(4\.0×\) · 2 cases · qemu_cortex_m3\/wasm\/mutex$/m);
    const suite = toTwister(record).testsuites.find((s) => s.tandem_job === 'qemu_cortex_m3/wasm/mutex')!;
    expect(suite.tandem_cost).to.deep.equal({ k_mutex_unlock: { calls: 4, min: 84, median: 84, max: 472 } });
  });

  it('index.html: a sortable cost table with each row\'s cases on demand, and the blocks side by side', async function () {
    this.timeout(60_000);
    const html = renderHtml(record);
    expect(html).to.include('<a href="#cost">Cost and reach</a>').and.include('<table id="cost-table" class="sortable cost">');
    if (!existsSync(CHROMIUM)) this.skip(); // Debian package `chromium` absent
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const dir = mkdtempSync(join(tmpdir(), 'tandem-cost-html-'));
    try {
      // A second function, cheaper in the candidate, to have something to sort.
      const two = JSON.parse(JSON.stringify(record)) as RunRecord;
      two.measures!.cost!.push({ ...two.measures!.cost![0]!, function: 'k_sem_give', baseline: { calls: 2, min: 50, median: 50, max: 50 }, candidate: { calls: 2, min: 25, median: 25, max: 25 }, ratio: 0.5 });
      writeFileSync(join(dir, 'index.html'), renderHtml(two));
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(join(dir, 'index.html')).href);
      const functions = () => page.$$eval('#cost-table > tbody > tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).cells[0]!.textContent));
      expect(await functions()).to.deep.equal(['k_mutex_unlock', 'k_sem_give']);
      await page.click('#cost-table th:nth-child(7)'); // ratio, descending
      expect(await functions()).to.deep.equal(['k_mutex_unlock', 'k_sem_give']);
      await page.click('#cost-table th:nth-child(7)'); // ascending
      expect(await functions()).to.deep.equal(['k_sem_give', 'k_mutex_unlock']);
      const row = page.locator('#cost-table > tbody > tr', { hasText: 'k_mutex_unlock' });
      expect(await row.locator('details table').isVisible()).to.equal(false);
      await row.locator('details > summary').click();
      expect(await row.locator('details table tbody tr').count()).to.equal(2);
      expect(await page.locator('#cost .reach td.unreached, #cost .reach tr.unreached').count()).to.be.greaterThan(0);
      expect(errors).to.deep.equal([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
