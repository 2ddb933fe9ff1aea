// Verdict glyphs for index.html drawn as SVG, not emoji: a machine without an emoji font (headless
// Debian Chromium, many CI images) showed empty boxes. The shapes are defined once as <symbol>s in
// the page and referenced by id, so the page stays self-contained and small. Pure.
import type { Verdict } from '../domain.js';
import type { Overall } from './common.js';

const WHITE = 'fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';

/** 16×16 shapes; colours follow the page's palette (ok green, bad red, warn amber, mute grey). */
const SHAPES: Record<Verdict, string> = {
  passed: `<circle cx="8" cy="8" r="7.5" fill="#1a7f37"/><path d="M4.5 8.3l2.3 2.3 4.7-5" ${WHITE}/>`,
  failed: `<circle cx="8" cy="8" r="7.5" fill="#cf222e"/><path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" ${WHITE}/>`,
  crashed: `<path d="M8 .5l1.9 3.4 3.8-.9-.9 3.8L16 8l-3.2 1.9.9 3.8-3.8-.9L8 15.5l-1.9-3.4-3.8.9.9-3.8L0 8l3.2-1.9-.9-3.8 3.8.9z" fill="#82071e"/><path d="M8 4.6v4.2" ${WHITE}/><circle cx="8" cy="11.2" r="1.1" fill="#fff"/>`,
  timeout: `<circle cx="8" cy="8" r="7.5" fill="#bc4c00"/><path d="M8 3.8V8l2.8 1.8" ${WHITE}/>`,
  'build-error': `<rect x=".5" y=".5" width="15" height="15" rx="3" fill="#8250df"/><path d="M4 12l5-5M7.5 4.5l4 4M9.5 3l3.5 3.5" ${WHITE}/>`,
  'emulator-error': `<path d="M8 .8L15.5 14.6H.5z" fill="#9a6700"/><path d="M8 5.6v4.4" ${WHITE}/><circle cx="8" cy="12.3" r="1.1" fill="#fff"/>`,
  skipped: `<circle cx="8" cy="8" r="7.5" fill="#8c959f"/><path d="M4.6 5l3 3-3 3M8.6 5l3 3-3 3" ${WHITE}/>`,
};

const OVERALL_SHAPE: Record<Overall, Verdict> = { passed: 'passed', regressed: 'failed', failed: 'failed', incomplete: 'emulator-error', invalid: 'build-error', interrupted: 'skipped' };

/** The hidden sprite: put once in <body>, before the first glyph. */
export function glyphSprite(): string {
  const symbols = (Object.entries(SHAPES) as Array<[Verdict, string]>).map(([v, body]) => `<symbol id="g-${v}" viewBox="0 0 16 16">${body}</symbol>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="sprite" aria-hidden="true" width="0" height="0">${symbols.join('')}</svg>`;
}

/** One verdict's glyph; `label` is what a screen reader (and copy-paste) gets. */
export function verdictGlyph(verdict: Verdict, label: string = verdict): string {
  return `<svg class="g" viewBox="0 0 16 16" role="img" aria-label="${label}"><use href="#g-${verdict}"/></svg>`;
}

export function overallGlyph(o: Overall): string {
  return verdictGlyph(OVERALL_SHAPE[o], o);
}

/** CSS the glyphs need (added to the page's own stylesheet, so its CSP hash covers it). */
export const GLYPH_STYLE = `
.sprite{position:absolute;width:0;height:0;overflow:hidden}
svg.g{width:1.1em;height:1.1em;vertical-align:-0.2em;flex:none}
header h1 svg.g{width:1em;height:1em;vertical-align:-0.12em}
tr.c-known td:first-child{color:var(--mute);font-weight:600}
`;
