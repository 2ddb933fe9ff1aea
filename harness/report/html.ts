// index.html: one self-contained page that opens offline from a CI artifact. Every string that
// came from a UART or a scenario file is HTML-escaped, and a Content-Security-Policy that admits
// only this file's own script and style (by hash) backs that up: if something ever slipped
// through the escaping, the browser would still refuse to run it. Pure.
import { platformHtmlSection } from './platforms.js';
import { durationHtmlSection } from './durations.js';
import { footprintHtmlSection } from './footprint.js';
import { recordHtmlSection } from './records.js';
import { COST_STYLE, costHtmlSection, hasCost } from './html-cost.js';
import { createHash } from 'node:crypto';
import type { DiffEntry, RunRecord, RunResult, Verdict } from '../domain.js';
import { isNotableLine } from '../ztest/grammar.js';
import { forensicsHeadline } from '../forensics/render.js';
import { forensicsAnchor, forensicsHtml } from './html-forensics.js';
import {
  entryCrashSite,
  CASE_ORDER,
  CLASS_ORDER,
  attemptsText,
  judgementOf,
  overallHeadline,
  VERDICT_TALLY,
  buildView,
  cleanText,
  countStatuses,
  formatCounts,
  isGood,
  isWorse,
  jobLabel,
  locate,
  logLines,
  oneLine,
  overall,
  toConsoleLog,
  utf8Bytes,
  verdictRank,
  VERDICT_GLYPH,
  type ConsoleLog,
  type JobView,
  type LogSource,
  type RunView,
} from './common.js';
import { accessText } from './unmodelled.js';
import { GROUP_TITLE, reasonLines } from './judgement.js';
import { GLYPH_STYLE, glyphSprite, overallGlyph, verdictGlyph } from './html-glyphs.js';

export interface HtmlOptions {
  logs?: LogSource;
  /** Budget for all embedded console text, bytes; worse jobs are embedded first. */
  maxTotalLogBytes?: number;
  /** Rows of the diff table; the rest are counted in a note. */
  maxDiffRows?: number;
}

export const HTML_MAX_TOTAL_LOG_BYTES = 24 * 1024 * 1024;

export function escapeHtml(s: string): string {
  return cleanText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Element id of a job's console (line): `log-<job id>-L<n>`. Characters a fragment would mangle
 * become safe ones (`/` → `.`, `#` → `~`, anything else odd → `-`).
 */
export function logAnchor(jobId: string, line?: number): string {
  const id = jobId.replace(/\//g, '.').replace(/#/g, '~').replace(/[^A-Za-z0-9_.~-]/g, '-');
  return line === undefined ? `log-${id}` : `log-${id}-L${line}`;
}

export function jobAnchor(jobId: string): string {
  return logAnchor(jobId).replace(/^log-/, 'job-');
}

const STYLE = `${GLYPH_STYLE}
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#6e7781;--bg:#fff;--fg:#1f2328;--line:#d0d7de;--hl:#fff8c5}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;border-bottom:1px solid var(--line)}
header h1{margin:0 0 4px;font-size:22px}
header.regressed,header.failed,header.invalid{background:#ffebe9}header.passed{background:#dafbe1}header.incomplete,header.interrupted{background:#fff8c5}ul.reasons{margin:.3em 0;padding-left:1.2em}li.reason details{display:inline}
header p{margin:2px 0;color:var(--mute)}
nav{padding:8px 24px;border-bottom:1px solid var(--line)}nav a{margin-right:16px}
section{padding:8px 24px}
h2{font-size:18px;margin:16px 0 8px}h3{font-size:15px;margin:12px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.detail{font-family:ui-monospace,monospace;font-size:12px;max-width:60ch;overflow-wrap:anywhere}
tr.c-regression td:first-child,tr.c-crash td:first-child,tr.c-hang td:first-child,tr.c-blocked td:first-child,tr.c-missing td:first-child{color:var(--bad);font-weight:600}
tr.c-fix td:first-child{color:var(--ok)}tr.c-flaky td:first-child,tr.c-both-fail td:first-child{color:var(--warn)}
.filters{margin:4px 0 8px}.filters label{margin-right:12px}
.v-passed{background:#dafbe1}.v-failed{background:#ffcecb}.v-crashed{background:#ff8182}.v-timeout{background:#ffd8b5}
.v-build-error,.v-emulator-error{background:#d8b9ff}.v-skipped{background:#eaeef2;color:var(--mute)}
td.cell{text-align:center;padding:0}td.cell a{display:block;padding:3px 10px;color:inherit;text-decoration:none}
details.job{border:1px solid var(--line);border-radius:6px;margin:8px 0}
details.job>summary{padding:6px 10px;cursor:pointer}
details.job>div{padding:0 10px 10px}
details.unmodelled{margin:6px 0}
.warn{color:var(--warn)}
pre.log{margin:0;max-height:70vh;overflow:auto;background:#f6f8fa;padding:6px 0;font:12px/1.4 ui-monospace,monospace}
pre.log .l{display:block;padding:0 8px;white-space:pre-wrap;overflow-wrap:anywhere}
pre.log .n{display:inline-block;width:6ch;margin-right:1ch;color:var(--mute);text-align:right;text-decoration:none;user-select:none}
pre.log .bad{background:#ffebe9;color:var(--bad)}
pre.log .l:target{background:var(--hl);outline:2px solid #d4a72c}
pre.log .gap{color:var(--mute);font-style:italic}
.note{color:var(--mute)}
.forensics pre{margin:0 0 8px;background:#fff8f8;border:1px solid var(--line);padding:6px 8px;font:12px/1.4 ui-monospace,monospace;overflow:auto}
pre.log a.pc{color:inherit;text-decoration:underline dotted}
${COST_STYLE}
`;

// Plain, dependency-free: reads the filter choices and hides non-matching rows; opens the log
// a link points into, since a fragment inside a closed <details> would otherwise stay hidden.
const SCRIPT = `
(function () {
  var table = document.getElementById('diff');
  var rows = table ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
  var pick = {
    cls: document.getElementById('f-class'),
    platform: document.getElementById('f-platform'),
    suite: document.getElementById('f-suite')
  };
  var count = document.getElementById('f-count');
  function matches(row) {
    var c = pick.cls ? pick.cls.value : '';
    var p = pick.platform ? pick.platform.value : '';
    var s = pick.suite ? pick.suite.value : '';
    if (c === 'worse' ? row.getAttribute('data-worse') !== '1' : c && row.getAttribute('data-class') !== c) return false;
    if (p && row.getAttribute('data-platform') !== p) return false;
    if (s && row.getAttribute('data-suite') !== s) return false;
    return true;
  }
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + ' of ' + rows.length + ' shown';
  }
  [pick.cls, pick.platform, pick.suite].forEach(function (el) {
    if (el) el.addEventListener('change', apply);
  });
  function reveal() {
    var id = location.hash ? decodeURIComponent(location.hash.slice(1)) : '';
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    for (var p = el.parentElement; p; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
    el.scrollIntoView({ block: 'center' });
  }
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
  // Sortable tables (durations, footprint, records, cost): numbers by data-v, text by content; a second click reverses.
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (dt) {
  Array.prototype.forEach.call(dt.tHead.rows[0].cells, function (th, i) {
    if (!th.getAttribute('data-sort')) return;
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var numeric = th.getAttribute('data-sort') === 'n';
      var dir = th.getAttribute('data-dir') === 'desc' ? 1 : -1;
      th.setAttribute('data-dir', dir === -1 ? 'desc' : 'asc');
      var body = dt.tBodies[0];
      var list = Array.prototype.slice.call(body.rows);
      list.sort(function (a, b) {
        var x = numeric ? Number(a.cells[i].getAttribute('data-v')) : a.cells[i].textContent;
        var y = numeric ? Number(b.cells[i].getAttribute('data-v')) : b.cells[i].textContent;
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      list.forEach(function (r) { body.appendChild(r); });
    });
  });
  });
})();
`;

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

function e(s: string | number): string {
  return escapeHtml(String(s));
}

function header(record: RunRecord): string {
  const o = overall(record);
  const s = record.summary;
  const diff = formatCounts(s.diff, CLASS_ORDER.filter((c) => c !== 'same'));
  const jobs = formatCounts(s.verdicts, VERDICT_TALLY);
  const cases = formatCounts(s.cases, CASE_ORDER);
  const cmp = record.comparisons.map((c) => `${c.candidate} vs ${c.baseline}`).join(', ');
  return `<header class="${o}">
<h1>${overallGlyph(o)} ${e(overallHeadline(record))}${diff ? ` — ${e(diff)}` : ''}</h1>${reasonsHtml(record)}
<p>${e(s.jobs)} jobs: ${e(jobs || 'none')} · cases: ${e(cases || 'none')}${record.interrupted ? ' · <strong>interrupted</strong>' : ''}</p>
<p>scenario <strong>${e(record.scenario.name)}</strong> (${e(record.scenario.file)}) · ${e(cmp || 'no comparisons')} · run ${e(record.runId)} · ${e(record.startedAt)} · ${e((record.wallMs / 1000).toFixed(1))} s · ${e(record.host.hostname)} · tandem ${e(record.tandemVersion)}</p>
</header>`;
}

/** The judge's reasons under the headline, every item listed (folded when long). */
function reasonsHtml(record: RunRecord): string {
  const lines = reasonLines(judgementOf(record), { items: 1000, skipWorse: true });
  if (lines.length === 0) return '';
  const li = lines.map((l) => {
    const items = l.reason.items ?? [];
    const list = items.length === 0 ? '' : items.length <= 3 ? ` — ${e(items.join(', '))}` : `<details><summary>${e(items.length)} items</summary><ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul></details>`;
    return `<li class="reason ${l.group}"><strong>${e(GROUP_TITLE[l.group])}</strong>: ${e(l.reason.message)}${list}</li>`;
  });
  return `\n<ul class="reasons">${li.join('')}</ul>`;
}

function options(values: readonly string[], first: string): string {
  return [first, ...values.map((v) => `<option value="${e(v)}">${e(v)}</option>`)].join('');
}

/** Console logs that made it into the page, by job id; links only point at lines that exist. */
type Embedded = ReadonlyMap<string, ConsoleLog>;

// Line counts of log parts, so that thousands of diff rows do not each re-split the same log.
const partLines = new WeakMap<object, number>();

function linesIn(part: { text: string }): number {
  let n = partLines.get(part);
  if (n === undefined) {
    n = 1;
    for (let i = part.text.indexOf('\n'); i >= 0; i = part.text.indexOf('\n', i + 1)) n++;
    partLines.set(part, n);
  }
  return n;
}

function hasLine(log: ConsoleLog | undefined, n: number): boolean {
  return !!log?.parts.some((p) => n >= p.firstLine && n < p.firstLine + linesIn(p));
}

function lineLink(embedded: Embedded, jobId: string, line: number | undefined): string {
  return line !== undefined && hasLine(embedded.get(jobId), line) ? logAnchor(jobId, line) : jobAnchor(jobId);
}

function diffRow(view: RunView, d: DiffEntry, embedded: Embedded): string {
  const at = locate(view, d);
  const target = at ? lineLink(embedded, at.job.result.job.id, at.line) : undefined;
  const name = target ? `<a href="#${e(target)}">${e(d.case)}</a>` : e(d.case);
  const change = `${e(d.baselineVariant)}: ${e(d.baseline ?? '—')} → ${e(d.candidateVariant)}: ${e(d.candidate ?? '—')}${e(attemptsText(d))}`;
  const site = entryCrashSite(view, d);
  const detail = site && at ? `<a href="#${e(forensicsAnchor(jobAnchor(at.job.result.job.id)))}">${e(oneLine(site, 500))}</a>` : e(oneLine(d.detail ?? '', 500));
  const known = d.known ? `${e(d.known.expired ? `known entry expired ${d.known.until}` : `known (was ${d.known.was})`)}: ${e(oneLine(d.known.reason, 300))} [${e(d.known.source)}]${d.detail ? ' — ' : ''}` : '';
  return `<tr class="c-${e(d.class)}" data-class="${e(d.class)}" data-worse="${isWorse(d.class) ? 1 : 0}" data-platform="${e(d.platform)}" data-suite="${e(d.suite)}"><td>${e(d.class)}</td><td>${e(d.platform)}</td><td>${e(d.suite)}</td><td>${name}</td><td>${change}</td><td class="detail">${known}${detail}</td></tr>`;
}

function diffSection(view: RunView, maxRows: number, embedded: Embedded): string {
  const changes = view.changes;
  const same = view.record.summary.diff.same ?? 0;
  if (changes.length === 0) {
    return `<section id="changes"><h2>Changes</h2><p class="note">No case differs between baseline and candidate (${e(same)} same).</p></section>`;
  }
  const classes = CLASS_ORDER.filter((c) => changes.some((d) => d.class === c));
  const platforms = [...new Set(changes.map((d) => d.platform))].sort();
  const suites = [...new Set(changes.map((d) => d.suite))].sort();
  const rows = changes.slice(0, maxRows).map((d) => diffRow(view, d, embedded));
  const cut = changes.length > rows.length ? `<p class="note">… and ${e(changes.length - rows.length)} more changes, not shown (see run.json).</p>` : '';
  return `<section id="changes"><h2>Changes</h2>
<div class="filters">
<label>class <select id="f-class">${options(classes, '<option value="">all changes</option><option value="worse">worse only</option>')}</select></label>
<label>platform <select id="f-platform">${options(platforms, '<option value="">all</option>')}</select></label>
<label>suite <select id="f-suite">${options(suites, '<option value="">all</option>')}</select></label>
<span id="f-count" class="note"></span>
</div>
<table id="diff"><thead><tr><th>class</th><th>platform</th><th>suite</th><th>case</th><th>baseline → candidate</th><th>detail</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>${cut}
<p class="note">${e(same)} cases the same.</p></section>`;
}

function matrixCell(jobs: readonly JobView[]): string {
  if (jobs.length === 0) return '<td class="cell"></td>';
  const worst = jobs.reduce((a, b) => (verdictRank(b.result.verdict) < verdictRank(a.result.verdict) ? b : a));
  const r = worst.result;
  const c = countStatuses(worst.cases);
  const counts = worst.cases.length > 0 ? ` ${c.pass ?? 0}/${worst.cases.length}` : '';
  const repeats = jobs.length > 1 ? ` ×${jobs.length}` : '';
  const title = `${jobLabel(r)}: ${r.verdict}${r.reason ? ` — ${oneLine(r.reason, 300)}` : ''}`;
  return `<td class="cell v-${e(r.verdict)}"><a href="#${e(jobAnchor(r.job.id))}" title="${e(title)}">${verdictGlyph(r.verdict)}${e(counts)}${e(repeats)}</a></td>`;
}

function matrixSection(view: RunView): string {
  const platforms = [...new Set(view.record.results.map((r) => r.job.platform))].sort();
  const blocks = platforms.map((platform) => {
    const results = view.record.results.filter((r) => r.job.platform === platform);
    const variants = [...new Set(results.map((r) => r.job.variant))];
    const suites = [...new Set(results.map((r) => r.job.suite))];
    const jobs = view.jobs.filter((j) => j.result.job.platform === platform);
    const rows = suites.map((suite) => {
      const cells = variants.map((v) => matrixCell(jobs.filter((j) => j.result.job.suite === suite && j.result.job.variant === v)));
      return `<tr><th>${e(suite)}</th>${cells.join('')}</tr>`;
    });
    return `<h3>${e(platform)}</h3><table class="matrix"><thead><tr><th>suite</th>${variants.map((v) => `<th>${e(v)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  const legend = (Object.keys(VERDICT_GLYPH) as Verdict[]).map((v) => `<span class="v-${v}">${verdictGlyph(v)} ${v}</span>`).join(' ');
  return `<section id="matrix"><h2>Matrix</h2><p class="note">Verdict and passed/total cases per job (worst attempt when repeated). ${legend}</p>${blocks.join('\n')}</section>`;
}

function safeRelativeHref(path: string | undefined): string | undefined {
  if (!path || /^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || path.startsWith('\\') || path.split(/[\\/]/).includes('..')) {
    return undefined;
  }
  return path.split('/').map(encodeURIComponent).join('/');
}

function logBlock(r: RunResult, log: ConsoleLog, detailLines: ReadonlySet<number>): string {
  const out: string[] = [];
  for (const l of logLines(log)) {
    if ('gap' in l) {
      out.push(`<span class="l gap">… ${e(l.gap)} bytes of console output not kept here …</span>`);
      continue;
    }
    const id = logAnchor(r.job.id, l.n);
    const bad = detailLines.has(l.n) || isNotableLine(l.text) ? ' bad' : '';
    // The faulting-PC line leads to the resolved view of the crash.
    const text = r.forensics && l.n === r.forensics.pcLine ? `<a class="pc" href="#${e(forensicsAnchor(jobAnchor(r.job.id)))}" title="${e(forensicsHeadline(r.forensics))}">${e(l.text)}</a>` : e(l.text);
    out.push(`<span class="l${bad}" id="${e(id)}"><a class="n" href="#${e(id)}">${l.n}</a>${text}</span>`);
  }
  return `<pre class="log" id="${e(logAnchor(r.job.id))}">${out.join('')}</pre>`;
}

function jobSection(job: JobView, log: ConsoleLog | undefined, logNote: string | undefined): string {
  const r = job.result;
  const c = countStatuses(job.cases);
  const counts = formatCounts(c, CASE_ORDER, ', ');
  const open = r.verdict !== 'passed' && r.verdict !== 'skipped' ? ' open' : '';
  const reason = r.reason ? ` — ${e(oneLine(r.reason, 300))}` : '';
  const detailLines = new Set(job.cases.map((x) => x.case.detailLine).filter((n): n is number => n !== undefined));
  if (r.fatal?.lineNumber) detailLines.add(r.fatal.lineNumber);
  const bad = job.cases.filter((x) => !isGood(x.case.status));
  const list = bad.length
    ? `<ul>${bad
        .map((x) => {
          const n = x.case.detailLine ?? x.case.line;
          const name = n !== undefined && hasLine(log, n) ? `<a href="#${e(logAnchor(r.job.id, n))}">${e(x.key)}</a>` : e(x.key);
          return `<li>${e(x.case.status)} ${name}${x.case.detail ? ` — <code>${e(oneLine(x.case.detail, 300))}</code>` : ''}</li>`;
        })
        .join('')}</ul>`
    : '';
  const body = log ? logBlock(r, log, detailLines) : `<p class="note">${logNote ? e(logNote) : 'No console log.'}${linkToFile(r)}</p>`;
  const flag = r.unmodelled?.length ? ` · <span class="warn">${e(r.unmodelled.length)} unmodelled</span>` : '';
  return `<details class="job" id="${e(jobAnchor(r.job.id))}"${open}><summary><span class="v-${e(r.verdict)}">${verdictGlyph(r.verdict)} ${e(r.verdict)}</span> <strong>${e(jobLabel(r))}</strong> ${e(r.job.emulator)} · ${e((r.wallMs / 1000).toFixed(1))} s${counts ? ` · ${e(counts)}` : ''}${flag}${reason}</summary>
<div>${list}${forensicsHtml(r, jobAnchor(r.job.id), e)}${unmodelledBlock(r)}${body}</div></details>`;
}

/** Accesses no model answered; folded for a passing job (a fidelity warning), open otherwise. */
function unmodelledBlock(r: RunResult): string {
  const list = r.unmodelled ?? [];
  if (!list.length) return '';
  const open = r.verdict === 'passed' ? '' : ' open';
  const items = list.map((a) => `<li><code>${e(accessText(a, r.job.platform))}</code></li>`).join('');
  return `<details class="unmodelled"${open}><summary>${e(list.length)} unmodelled address${list.length === 1 ? '' : 'es'} touched: on silicon these reach real hardware</summary><ul>${items}</ul></details>`;
}

function linkToFile(r: RunResult): string {
  const href = safeRelativeHref(r.log);
  return href ? ` <a href="${e(href)}">${e(r.log!)}</a>` : '';
}

function logBytes(log: ConsoleLog): number {
  return log.parts.reduce((n, p) => n + utf8Bytes(p.text), 0);
}

/**
 * Chooses which logs to embed before anything is rendered, so diff rows know whether their link
 * target exists. Jobs come worst first, so the budget goes to the logs people will open.
 */
function embedLogs(view: RunView, opts: HtmlOptions): { embedded: Map<string, ConsoleLog>; left: Set<string> } {
  const embedded = new Map<string, ConsoleLog>();
  const left = new Set<string>();
  if (!opts.logs) return { embedded, left };
  let budget = opts.maxTotalLogBytes ?? HTML_MAX_TOTAL_LOG_BYTES;
  for (const job of view.jobs) {
    // Once the budget is spent, the remaining logs are not even read.
    if (budget < 1024) {
      if (job.result.log) left.add(job.result.job.id);
      continue;
    }
    const log = toConsoleLog(opts.logs(job.result));
    if (!log) continue;
    const size = logBytes(log);
    if (size > budget) {
      left.add(job.result.job.id);
      continue;
    }
    budget -= size;
    embedded.set(job.result.job.id, log);
  }
  return { embedded, left };
}

function jobsSection(view: RunView, embedded: Embedded, left: ReadonlySet<string>): string {
  const blocks = view.jobs.map((job) => {
    const id = job.result.job.id;
    const note = left.has(id) ? 'Console log not embedded: the report reached its size budget.' : undefined;
    return jobSection(job, embedded.get(id), note);
  });
  return `<section id="jobs"><h2>Jobs and console logs</h2>${blocks.join('\n')}</section>`;
}

export function renderHtml(record: RunRecord, opts: HtmlOptions = {}): string {
  const view = buildView(record);
  const { embedded, left } = embedLogs(view, opts);
  const csp = [
    "default-src 'none'",
    `style-src 'sha256-${sha256(STYLE)}'`,
    `script-src 'sha256-${sha256(SCRIPT)}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const title = `tandem ${overallHeadline(record)} · ${oneLine(record.scenario.name, 100)} · ${oneLine(record.runId, 100)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${glyphSprite()}
${header(record)}
<nav><a href="#changes">Changes</a>${record.platforms ? '<a href="#platforms">Across platforms</a>' : ''}${record.diff.some((d) => d.durationRatio !== undefined) ? '<a href="#durations">Guest durations</a>' : ''}${record.measures?.footprint ? '<a href="#footprint">Footprint</a>' : ''}${record.measures?.records ? '<a href="#records">Recorded figures</a>' : ''}${hasCost(record) ? '<a href="#cost">Cost and reach</a>' : ''}<a href="#matrix">Matrix</a><a href="#jobs">Jobs and logs</a></nav>
${diffSection(view, opts.maxDiffRows ?? 5000, embedded)}
${platformHtmlSection(record, e)}
${durationHtmlSection(record, e)}
${footprintHtmlSection(record, e)}
${recordHtmlSection(record, e)}
${costHtmlSection(record, e)}
${matrixSection(view)}
${jobsSection(view, embedded, left)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
