import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { escapeHtml, logAnchor, renderHtml } from '../harness/report/html.js';
import { HOSTILE_NAME, bigRecord, buildFixture, logsOf } from './fixtures/report/fixture.js';

const CHROMIUM = '/usr/bin/chromium';

describe('report: index.html (static checks)', () => {
  const fixture = buildFixture();
  const html = renderHtml(fixture.record, { logs: logsOf(fixture) });

  it('is one self-contained file: no external scripts, styles, images, fonts or fetches', () => {
    expect(html).to.not.match(/<(script|link|img|iframe)[^>]*\s(src|href)=/i);
    expect(html).to.not.match(/(?:src|href)="(?:https?:)?\/\//i);
    expect(html).to.not.match(/@import|url\(/);
    expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/);
  });

  it('leads with the verdict and then the regression row', () => {
    const h1 = /<h1>(.*?)<\/h1>/.exec(html)![1]!;
    expect(h1).to.match(/REGRESSED · exit 1 — 1 regression · 1 crash · 1 hang · 2 blocked/);
    const firstRow = /<tbody>\s*<tr[^>]*data-class="([^"]+)"[^>]*>.*?<\/tr>/s.exec(html)!;
    expect(firstRow[1]).to.equal('regression');
    expect(firstRow[0]).to.contain('mutex_api_1cpu.test_mutex_priority_inheritance');
    expect(html.indexOf('id="changes"')).to.be.lessThan(html.indexOf('id="matrix"'));
    expect(html.indexOf('id="matrix"')).to.be.lessThan(html.indexOf('id="jobs"'));
  });

  it('anchors every console line and links the regression to its assert line', () => {
    const anchor = logAnchor('qemu_cortex_m3/wasm/mutex', 31);
    expect(anchor).to.equal('log-qemu_cortex_m3.wasm.mutex-L31');
    expect(html).to.contain(`<a href="#${anchor}">mutex_api_1cpu.test_mutex_priority_inheritance</a>`);
    expect(html).to.match(new RegExp(`<span class="l bad" id="${anchor}">`));
    expect(logAnchor('board/v/s#2', 7)).to.equal('log-board.v.s~2-L7');
  });

  it('caps embedded logs to the budget, worst jobs first, and says so', () => {
    const small = renderHtml(fixture.record, { logs: logsOf(fixture), maxTotalLogBytes: 6000 });
    expect(small).to.contain('log-qemu_cortex_m3.wasm.mutex-L31');
    expect(small).to.contain('Console log not embedded: the report reached its size budget.');
    expect(small).to.contain('<a href="logs/qemu_cortex_m3/native/semaphore.console.log">');
  });

  it('escapes <, >, &, quotes and control characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>\u0000`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\\x00');
  });

  it('renders a 5000-job run', () => {
    const out = renderHtml(bigRecord(5000));
    expect(out.length).to.be.greaterThan(100_000);
    expect(out).to.contain('</html>');
  });
});

describe('report: index.html in headless Chromium', function () {
  let browser: Browser | undefined;
  let dir = '';
  const problems: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      this.skip(); // No browser here: /usr/bin/chromium is absent (Debian package `chromium`).
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    dir = mkdtempSync(join(tmpdir(), 'tandem-html-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, html: string, hash = ''): Promise<Page> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser!.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('dialog', async (d) => {
      problems.push(`dialog: ${d.message()}`);
      await d.dismiss();
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
    });
    await page.goto(`${pathToFileURL(file).href}${hash}`);
    await page.waitForLoadState('load');
    return page;
  }

  const visibleRows = (page: Page) =>
    page.$$eval('#diff tbody tr', (rows) =>
      rows.filter((r) => !(r as HTMLElement).hidden && getComputedStyle(r).display !== 'none').map((r) => r.getAttribute('data-class')),
    );

  it('opens without errors or requests; the regression row is there; the class filter works', async () => {
    problems.length = 0;
    const fixture = buildFixture();
    const page = await open('index.html', renderHtml(fixture.record, { logs: logsOf(fixture) }));
    expect(await visibleRows(page)).to.deep.equal(['regression', 'crash', 'hang', 'blocked', 'blocked', 'both-fail', 'both-fail']);
    expect(await page.textContent('#f-count')).to.equal('7 of 7 shown');

    await page.selectOption('#f-class', 'regression');
    expect(await visibleRows(page)).to.deep.equal(['regression']);
    expect(await page.textContent('#f-count')).to.equal('1 of 7 shown');

    await page.selectOption('#f-class', 'worse');
    expect(await visibleRows(page)).to.deep.equal(['regression', 'crash', 'hang', 'blocked', 'blocked']);

    await page.selectOption('#f-class', '');
    await page.selectOption('#f-suite', 'sleep');
    expect(await visibleRows(page)).to.deep.equal(['hang', 'blocked']);
    await page.selectOption('#f-platform', 'qemu_cortex_m3');
    expect(await visibleRows(page)).to.deep.equal(['hang', 'blocked']);

    // The regression link lands on the highlighted assert line, inside an open log.
    await page.selectOption('#f-suite', '');
    await page.click('#diff tbody tr[data-class="regression"] a');
    expect(await page.evaluate(() => location.hash)).to.equal('#log-qemu_cortex_m3.wasm.mutex-L31');
    const target = await page.$eval(':target', (el) => ({ cls: el.className, text: el.textContent ?? '' }));
    expect(target.cls).to.contain('bad');
    expect(target.text).to.match(/^31\s+Assertion failed at/);
    expect(problems).to.deep.equal([]);
    await page.close();
  });

  it('a link into a collapsed log opens it', async () => {
    problems.length = 0;
    const fixture = buildFixture();
    const html = renderHtml(fixture.record, { logs: logsOf(fixture) });
    const page = await open('collapsed.html', html, `#${logAnchor('qemu_cortex_m3/native/semaphore', 5)}`);
    const open_ = await page.$eval('[id="job-qemu_cortex_m3.native.semaphore"]', (el) => (el as HTMLDetailsElement).open);
    expect(open_).to.equal(true);
    expect(problems).to.deep.equal([]);
    await page.close();
  });

  it('hostile names, details, scenario and log lines show as text and never run', async () => {
    problems.length = 0;
    const fixture = buildFixture({ hostile: true });
    const page = await open('hostile.html', renderHtml(fixture.record, { logs: logsOf(fixture) }));
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).to.equal(1);
    expect(await page.evaluate(() => document.querySelectorAll('img, textarea, iframe').length)).to.equal(0);
    const row = await page.textContent('#diff tbody tr[data-class="regression"]');
    expect(row).to.contain(`mutex_api_1cpu.${HOSTILE_NAME}`);
    expect(row).to.contain('<script>alert(1)</script> </textarea>');
    expect(await page.textContent('header')).to.contain('<img src=x onerror=alert(2)>');
    const logText = await page.textContent('#log-qemu_cortex_m3\\.wasm\\.mutex');
    expect(logText).to.contain('<script>alert(1)</script> </textarea>');
    expect(logText).to.contain('red \\x00\\x07\\x1b\\ufffe end');
    // Filtering still works with hostile data in the attributes.
    await page.selectOption('#f-class', 'regression');
    expect(await visibleRows(page)).to.deep.equal(['regression']);
    expect(problems).to.deep.equal([]);
    await page.close();
  });
});
