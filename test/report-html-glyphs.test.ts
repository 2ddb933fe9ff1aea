// The HTML report's verdict glyphs are SVG drawn by the page itself, so they read the same on a
// machine without an emoji font (headless Debian Chromium, where emoji showed as empty boxes).
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { renderHtml } from '../harness/report/html.js';
import { glyphSprite, verdictGlyph } from '../harness/report/html-glyphs.js';
import { VERDICT_GLYPH } from '../harness/report/common.js';
import type { RunResult, Verdict } from '../harness/domain.js';
import { buildFixture, logsOf } from './fixtures/report/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const VERDICTS = Object.keys(VERDICT_GLYPH) as Verdict[];

/** The fixture plus one job of each verdict the fixture lacks, so every glyph is on the page. */
function everyVerdict() {
  const f = buildFixture();
  const have = new Set(f.record.results.map((r) => r.verdict));
  for (const v of VERDICTS.filter((x) => !have.has(x))) {
    const r: RunResult = {
      job: { id: `qemu_cortex_m3/wasm/${v}`, suite: v, variant: 'wasm', platform: 'qemu_cortex_m3', emulator: 'qemu', attempt: 1 },
      verdict: v,
      reason: `a ${v} job`,
      end: v === 'build-error' ? { kind: 'build-error', message: 'x' } : { kind: 'emulator-error', message: 'x' },
      cases: [],
      startedAt: '2024-03-01T10:00:00.000Z',
      wallMs: 0,
      provenance: { tandemVersion: '0', host: 'h' },
    };
    f.record.results.push(r);
  }
  return f;
}

describe('report: index.html glyphs without an emoji font', function () {
  const f = everyVerdict();
  const html = renderHtml(f.record, { logs: logsOf(f) });

  it('uses no emoji or symbol characters a font would have to supply', () => {
    // Emoji planes, dingbats and misc symbols (✅ ❌ ⚠ ⏱ ⏭), and the emoji variation selector.
    const emoji = html.match(/[\u{1F000}-\u{1FAFF}\u{2600}-\u{27BF}\u{2300}-\u{23FF}\u{FE0F}]/gu) ?? [];
    expect(emoji).to.deep.equal([]);
  });

  it('defines each verdict\'s shape once and references it from every glyph', () => {
    const sprite = glyphSprite();
    for (const v of VERDICTS) expect(sprite).to.contain(`<symbol id="g-${v}" viewBox="0 0 16 16">`);
    expect(html.split('<symbol ').length - 1).to.equal(VERDICTS.length);
    expect(verdictGlyph('crashed')).to.equal('<svg class="g" viewBox="0 0 16 16" role="img" aria-label="crashed"><use href="#g-crashed"/></svg>');
    for (const v of VERDICTS) expect(html, v).to.contain(`aria-label="${v}"><use href="#g-${v}"/>`);
  });

  describe('in headless Chromium', function () {
    this.timeout(60_000);
    let browser: Browser | undefined;
    let dir = '';
    before(async function () {
      if (!existsSync(CHROMIUM)) this.skip(); // /usr/bin/chromium is absent (Debian package `chromium`)
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
      dir = mkdtempSync(join(tmpdir(), 'tandem-glyphs-'));
    });
    after(async () => {
      await browser?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('draws every glyph: each <use> resolves to its shape, 1em square, and paints pixels', async () => {
      const file = join(dir, 'index.html');
      writeFileSync(file, html);
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('request', (r) => !r.url().startsWith('file:') && problems.push(r.url()));
      await page.goto(pathToFileURL(file).href);
      const glyphs = await page.$$eval('svg.g', (els) =>
        els.map((el) => {
          const use = el.querySelector('use') as SVGGraphicsElement;
          const box = el.getBoundingClientRect();
          const shape = use.getBBox();
          return { label: el.getAttribute('aria-label'), w: box.width, h: box.height, shapeW: shape.width, shapeH: shape.height };
        }),
      );
      expect(glyphs.length).to.be.greaterThan(20);
      for (const g of glyphs) {
        expect(g.w, `${g.label} width`).to.be.within(10, 40);
        expect(g.h, `${g.label} height`).to.be.closeTo(g.w, 0.5);
        // A reference to a missing symbol has an empty box: this is the shape itself.
        expect(g.shapeW, `${g.label} shape`).to.be.greaterThan(10);
        expect(g.shapeH, `${g.label} shape`).to.be.greaterThan(10);
      }
      expect(new Set(glyphs.map((g) => g.label))).to.include.members([...VERDICTS, 'regressed']);
      // Pixels: each legend glyph's area looks different with the glyph hidden, so it paints.
      for (const v of VERDICTS) {
        const glyph = page.locator(`#matrix .note .v-${v} svg.g`);
        await glyph.scrollIntoViewIfNeeded();
        const clip = (await glyph.boundingBox())!;
        const drawn = await page.screenshot({ clip });
        await glyph.evaluate((el) => ((el as unknown as HTMLElement).style.visibility = 'hidden'));
        const hidden = await page.screenshot({ clip });
        await glyph.evaluate((el) => ((el as unknown as HTMLElement).style.visibility = ''));
        expect(drawn.equals(hidden), `${v} paints nothing`).to.equal(false);
      }
      // Different verdicts look different.
      const shots = await Promise.all(VERDICTS.map((v) => page.locator(`#matrix .note .v-${v} svg.g`).screenshot()));
      expect(new Set(shots.map((b) => b.toString('base64'))).size).to.equal(VERDICTS.length);
      const shot = process.env.TANDEM_GLYPH_SCREENSHOT;
      if (shot) {
        await page.screenshot({ path: shot, fullPage: false });
        await page.locator('#matrix').screenshot({ path: shot.replace(/\.png$/, '-matrix.png') });
      }
      expect(problems).to.deep.equal([]);
      await page.close();
    });
  });
});
