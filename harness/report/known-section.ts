// summary.md's "Known differences": the rows a known entry covers (not gating), then every entry
// that needs a person: stale ones to delete, expired and unmet ones that gate again. Pure.
import type { DiffEntry, KnownVerdict, RunRecord } from '../domain.js';
import { mdEscape } from './markdown.js';

const STATE_WORD: Record<KnownVerdict['state'], string> = {
  applied: 'applied',
  stale: '**stale**',
  expired: '**expired**',
  unmet: '**unmet**',
};

export function knownMarkdown(record: RunRecord, maxRows: number): string | undefined {
  const rows = record.diff.filter((d) => d.class === 'known');
  const entries = record.knownReport ?? [];
  if (rows.length === 0 && entries.length === 0) return undefined;
  const parts: string[] = [`### Known differences (${rows.length})`];
  if (rows.length) {
    const shown = rows.slice(0, maxRows).map((d: DiffEntry) => {
      const change = `${d.baseline ?? '—'} → ${d.candidate ?? '—'} (${d.known?.was ?? '?'})`;
      return `| ${mdEscape(d.platform)} | ${mdEscape(d.suite)} | ${mdEscape(d.case)} | ${mdEscape(d.candidateVariant)}: ${change} | ${mdEscape(d.known?.reason ?? '', 160)} |`;
    });
    parts.push(['| platform | suite | case | candidate | reason |', '|---|---|---|---|---|', ...shown].join('\n') + (rows.length > shown.length ? `\n\n… and ${rows.length - shown.length} more known rows` : ''));
  }
  const attention = entries.filter((e) => e.state !== 'applied');
  if (attention.length) {
    const lines = attention.slice(0, maxRows).map((e) => `| ${STATE_WORD[e.state]} | ${mdEscape(e.source)} | ${mdEscape(e.message, 240)} |`);
    parts.push(['Entries to look at:', '', '| state | entry | what |', '|---|---|---|', ...lines].join('\n'));
  }
  return parts.join('\n\n');
}
