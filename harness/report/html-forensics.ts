// The resolved view of a crash in index.html: headline, then function, line, object, thread and the
// instruction window. The console line with the faulting PC links here. Pure; escaping is the
// caller's (html.ts), so every byte from a UART goes through one escaper.
import type { RunResult } from '../domain.js';
import { forensicsHeadline, forensicsLines } from '../forensics/render.js';

export function forensicsAnchor(jobAnchorId: string): string {
  return jobAnchorId.replace(/^job-/, 'forensics-');
}

export function forensicsHtml(r: RunResult, jobAnchorId: string, esc: (s: string) => string): string {
  const f = r.forensics;
  if (!f) return '';
  return `<div class="forensics" id="${esc(forensicsAnchor(jobAnchorId))}"><p><strong>${esc(forensicsHeadline(f))}</strong></p><pre>${forensicsLines(f).map(esc).join('\n')}</pre></div>`;
}
