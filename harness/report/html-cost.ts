// Cost and reach in index.html (pure): a sortable table of every measured function per comparison,
// its per-case figures folded into the row, and each function's blocks, baseline and candidate side
// by side, with the cases that executed each block.
import type { CostDiff, CostFigure, ReachBlock, ReachDiff, RunRecord } from '../domain.js';
import { costRows, figureText, ratioText, where } from './cost.js';

type Esc = (s: string) => string;

/** Appended to the page's one stylesheet (its hash is in the page's CSP). */
export const COST_STYLE = `table.cost td.n{text-align:right}table.cost details>summary{cursor:pointer}
.reach{display:flex;gap:16px;flex-wrap:wrap}.reach table td.unreached{color:var(--bad);font-weight:600}
tr.unreached td{background:#fff8f8}tr.assert td{color:var(--mute)}`;

const fig = (f: CostFigure | undefined, esc: Esc) => (f ? esc(`${f.median} (${f.calls}× ${f.min}–${f.max})`) : '—');

function casesTable(d: CostDiff, esc: Esc): string {
  const rows = d.cases.map((c) => `<tr><td>${esc(c.case)}</td><td class="n">${fig(c.baseline, esc)}</td><td class="n">${fig(c.candidate, esc)}</td><td class="n">${esc(ratioText(c.ratio))}</td></tr>`);
  return `<details><summary>${d.casesCompared} of ${d.cases.length} cases</summary><table><thead><tr><th>case</th><th>baseline median (calls min–max)</th><th>candidate</th><th>ratio</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

function costTable(record: RunRecord, esc: Esc): string {
  const rows = costRows(record).map(
    (d) =>
      `<tr><td>${esc(d.function)}</td><td>${esc(d.platform)}</td><td>${esc(d.suite)}</td><td>${esc(d.candidateVariant)}</td><td class="n" data-v="${d.baseline?.median ?? 0}">${esc(figureText(d.baseline))}</td><td class="n" data-v="${d.candidate?.median ?? 0}">${esc(figureText(d.candidate))}</td><td class="n" data-v="${d.ratio ?? 0}">${esc(ratioText(d.ratio))}</td><td class="n" data-v="${d.candidate?.calls ?? 0}">${d.baseline?.calls ?? 0} / ${d.candidate?.calls ?? 0}</td><td>${casesTable(d, esc)}</td></tr>`,
  );
  if (!rows.length) return '';
  const gate = record.policy?.cost ? ` A candidate above ${esc(String(record.policy.cost.ratio))}× its baseline fails the run.` : ' Informational.';
  return `<p class="note">Median instructions per call, inclusive of everything the function called; the instructions of other threads (after a context switch) and of interrupt handlers are not the call's.${gate} Click a column to sort; open a row's cases for the per-case figures.</p>
<table id="cost-table" class="sortable cost"><thead><tr><th data-sort="t">function</th><th data-sort="t">platform</th><th data-sort="t">suite</th><th data-sort="t">candidate</th><th data-sort="n">baseline</th><th data-sort="n">candidate instr/call</th><th data-sort="n">ratio</th><th data-sort="n">calls</th><th>per case</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function blockTable(title: string, blocks: readonly ReachBlock[], esc: Esc): string {
  const rows = blocks.map((b) => {
    const cls = b.cases.length ? '' : b.assert ? ' class="assert"' : ' class="unreached"';
    const cases = b.cases.length ? esc(b.cases.join(', ')) : b.assert ? 'not reached (assertion path)' : 'not reached';
    return `<tr${cls}><td>${esc(b.address)}</td><td>${esc(where(b))}</td><td class="n">${b.instructions}</td><td>${cases}</td></tr>`;
  });
  return `<div><h4>${esc(title)}</h4><table><thead><tr><th>block</th><th>source</th><th>instr</th><th>cases that executed it</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function reachBlock(record: RunRecord, r: ReachDiff, esc: Esc): string {
  const blocksOf = (job: string | undefined) =>
    record.results.find((x) => x.job.id === job)?.reach?.functions.find((f) => f.function === r.function)?.blocks ?? [];
  const count = (s: ReachDiff['baseline']) => (s ? `${s.reached}/${s.blocks} blocks` : 'not measured');
  const missing = r.candidate ? r.candidate.unreached.filter((b) => !b.assert).length : 0;
  const summary = `${r.function} · ${r.platform}/${r.suite} · ${r.baselineVariant} ${count(r.baseline)} · ${r.candidateVariant} ${count(r.candidate)}${missing ? ` · ${missing} unreached in the candidate` : ''}`;
  const sides = [
    r.baseline ? blockTable(`${r.baselineVariant} (${r.baseline.job})`, blocksOf(r.baseline.job), esc) : '',
    r.candidate ? blockTable(`${r.candidateVariant} (${r.candidate.job})`, blocksOf(r.candidate.job), esc) : '',
  ];
  return `<details${missing ? ' open' : ''}><summary>${esc(summary)}</summary><div class="reach">${sides.join('')}</div></details>`;
}

export function costHtmlSection(record: RunRecord, esc: Esc): string {
  const reach = record.measures?.reach ?? [];
  const table = costTable(record, esc);
  if (!table && !reach.length) return '';
  const reachPart = reach.length
    ? `<h3>Reach</h3><p class="note">The measured functions' basic blocks from each image's own disassembly, and the test cases that executed each; baseline left, candidate right.</p>${reach.map((r) => reachBlock(record, r, esc)).join('\n')}`
    : '';
  return `<section id="cost"><h2>Cost and reach</h2>${table}${reachPart}</section>`;
}

/** Whether the page has a cost section (for the navigation bar). */
export function hasCost(record: RunRecord): boolean {
  return Boolean(record.measures?.cost?.length || record.measures?.reach?.length);
}
