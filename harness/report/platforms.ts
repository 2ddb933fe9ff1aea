// The cross-platform table in every human report: terminal, summary.md, index.html (pure).
// Disagreements lead; agreement is a count. The escape function comes from the caller's format.
import type { PlatformEntry, RunRecord } from '../domain.js';
import { oneLine } from './common.js';

type Esc = (s: string) => string;

function platformsOf(entries: readonly PlatformEntry[]): string[] {
  const names = new Set<string>();
  for (const e of entries) for (const p of Object.keys(e.statuses)) names.add(p);
  return [...names].sort();
}

export function platformCounts(record: RunRecord): string | undefined {
  const s = record.summary.platforms;
  if (!s) return undefined;
  return `${s.disagree} disagree · ${s.capability} capability · ${s.agree} agree`;
}

/** Terminal: a headline and the first disagreements, `null` when no suite ran on two platforms. */
export function platformTerminalLines(record: RunRecord, max = 6): string[] | undefined {
  const entries = record.platforms;
  const counts = platformCounts(record);
  if (!entries || !counts) return undefined;
  const disagree = entries.filter((e) => e.class === 'disagree');
  const lines = [`Across platforms (${counts}):`];
  for (const e of disagree.slice(0, max)) {
    const statuses = Object.entries(e.statuses).map(([p, s]) => `${p} ${s}`).join(', ');
    lines.push(`  ${oneLine(`${e.variant}/${e.suite}`, 60)} ${oneLine(e.case, 80)}  ${statuses}`);
  }
  if (disagree.length > max) lines.push(`  … and ${disagree.length - max} more`);
  return lines;
}

/** summary.md: `### Across platforms` with disagreements then capability rows, up to `maxRows`. */
export function platformMarkdown(record: RunRecord, esc: Esc, maxRows: number): string | undefined {
  const entries = record.platforms;
  const counts = platformCounts(record);
  if (!entries || !counts) return undefined;
  const shown = entries.filter((e) => e.class !== 'agree');
  const platforms = platformsOf(entries);
  const head = `### Across platforms\n\nThe same suite and variant on each platform: ${counts}. A disagreement is a finding about an emulator model or a timing-sensitive test; it does not gate the run unless \`--gate-platforms\` is given.`;
  if (shown.length === 0) return `${head}\n`;
  const rows = shown.slice(0, maxRows).map((e) => `| ${e.class} | ${esc(e.variant)} | ${esc(e.suite)} | ${esc(e.case)} | ${platforms.map((p) => esc(e.statuses[p] ?? '—')).join(' | ')} |`);
  const more = shown.length > rows.length ? `\n… and ${shown.length - rows.length} more rows in run.json\n` : '';
  return `${head}\n\n| class | variant | suite | case | ${platforms.map(esc).join(' | ')} |\n|---|---|---|---|${platforms.map(() => '---|').join('')}\n${rows.join('\n')}\n${more}`;
}

/** index.html: its own section, every non-agreeing row, agreement collapsed into a count. */
export function platformHtmlSection(record: RunRecord, esc: Esc): string {
  const entries = record.platforms;
  const counts = platformCounts(record);
  if (!entries || !counts) return '';
  const platforms = platformsOf(entries);
  const shown = entries.filter((e) => e.class !== 'agree');
  const rows = shown.map(
    (e) => `<tr class="p-${esc(e.class)}"><td class="pc-${esc(e.class)}">${esc(e.class)}</td><td>${esc(e.variant)}</td><td>${esc(e.suite)}</td><td>${esc(e.case)}</td>${platforms.map((p) => `<td class="s-${esc(e.statuses[p] ?? 'missing')}">${esc(e.statuses[p] ?? '—')}</td>`).join('')}</tr>`,
  );
  const table = rows.length
    ? `<table class="platforms"><thead><tr><th>class</th><th>variant</th><th>suite</th><th>case</th>${platforms.map((p) => `<th>${esc(p)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p class="note">Every case agrees across platforms.</p>';
  return `<section id="platforms"><h2>Across platforms</h2><p class="note">The same suite and variant on ${esc(platforms.join(', '))}: ${esc(counts)}. Not gating unless <code>--gate-platforms</code>.</p>${table}</section>`;
}

/**
 * junit.xml: a `tandem.platforms` testsuite, one testcase per case that does not agree. They are
 * `skipped` with the statuses as message: visible in CI test views without turning them red, as a
 * disagreement gates only under `--gate-platforms` (which sets the exit code).
 */
export function platformJunitSuite(record: RunRecord, attr: Esc): { xml: string; tests: number; skipped: number } | undefined {
  const entries = record.platforms;
  const counts = platformCounts(record);
  if (!entries || !counts) return undefined;
  const shown = entries.filter((e) => e.class !== 'agree');
  const cases = shown.map((e) => {
    const statuses = Object.entries(e.statuses).map(([p, s]) => `${p} ${s}`).join(', ');
    const why = e.class === 'disagree' ? 'platforms disagree (does not gate unless --gate-platforms)' : 'runs on one platform only';
    return `    <testcase name="${attr(`${e.variant}/${e.suite}/${e.case}`)}" classname="tandem.platforms" time="0">\n      <skipped message="${attr(`${e.class}: ${statuses}; ${why}`)}" type="${attr(e.class)}"/>\n    </testcase>`;
  });
  const xml = [
    `  <testsuite name="tandem.platforms" tests="${cases.length}" failures="0" errors="0" skipped="${cases.length}" time="0">`,
    `    <properties>\n      <property name="platforms" value="${attr(counts)}"/>\n    </properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: cases.length, skipped: cases.length };
}
