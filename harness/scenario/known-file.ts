// Reads a known-differences file: tandem's own entries (globs, a reason, an optional `until:`) or
// twister's --quarantine-list entries as they are (regexes under scenarios/platforms/
// architectures/simulations, a comment), mixed freely. Errors name file, line and field.
import type { KnownEntry, KnownList } from '../domain.js';
import { readYaml, type YamlValue } from './yaml-reader.js';

const TANDEM_KEYS = ['platform', 'variant', 'suite', 'case', 'arch', 'emulator', 'expect', 'reason', 'until'];
const QUARANTINE_KEYS = ['scenarios', 'platforms', 'architectures', 'simulations', 'comment'];
const EXPECTABLE = ['fail', 'crash', 'timeout', 'blocked', 'skip', 'regression', 'hang', 'missing', 'flaky'];

function patterns(node: YamlValue): string[] | undefined {
  if (!node.present) return undefined;
  const list = node.isList() ? node.strings() : [node.string()];
  return list.length ? list : undefined;
}

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

function tandemEntry(item: YamlValue, source: string): KnownEntry {
  item.allowKeys(TANDEM_KEYS);
  const entry: KnownEntry = { syntax: 'glob', reason: '', source };
  for (const k of ['platform', 'variant', 'suite', 'case', 'arch', 'emulator'] as const) {
    const p = patterns(item.get(k));
    if (p) entry[k] = p;
  }
  if (!entry.suite && !entry.case && !entry.platform && !entry.variant) {
    item.fail('names no platform, variant, suite or case', 'a known difference must say where it is, e.g. suite: kernel.poll');
  }
  const reason = item.get('reason');
  if (!reason.present) item.fail("needs a 'reason'", 'say why the difference is expected (and where it is tracked)');
  entry.reason = reason.string();
  const expectNode = item.get('expect');
  const expect = patterns(expectNode);
  if (expect) {
    expect.forEach((x, i) => {
      if (!EXPECTABLE.includes(x)) (expectNode.isList() ? expectNode.items()[i]! : expectNode).fail(`'${x}' is not a candidate status or diff class`, `one of: ${EXPECTABLE.join(', ')}`);
    });
    entry.expect = expect;
  }
  const until = item.get('until');
  if (until.present) {
    const text = String((until.node as { value?: unknown }).value ?? '');
    if (!validDate(text)) until.fail(`'${text}' is not a date`, 'write the last day the entry holds as YYYY-MM-DD, e.g. until: 2027-06-30');
    entry.until = text;
  }
  return entry;
}

/** twister's QuarantineElement: regex full matches; 'all' (or nothing) means any. */
function quarantineEntry(item: YamlValue, source: string): KnownEntry {
  item.allowKeys(QUARANTINE_KEYS);
  const entry: KnownEntry = { syntax: 'regex', reason: item.get('comment').optionalString() ?? 'NA', source };
  const fields = [['scenarios', 'suite'], ['platforms', 'platform'], ['architectures', 'arch'], ['simulations', 'emulator']] as const;
  for (const [key, field] of fields) {
    const node = item.get(key);
    const list = patterns(node)?.filter((p) => p !== 'all');
    if (!list || list.length === 0) continue;
    list.forEach((p) => {
      try {
        new RegExp(p);
      } catch (err) {
        node.fail(`'${p}' is not a regular expression (${(err as Error).message})`);
      }
    });
    entry[field] = list;
  }
  if (!entry.suite && !entry.platform && !entry.arch && !entry.emulator) {
    item.fail("at least one of 'scenarios', 'platforms', 'architectures', 'simulations' must be given", 'as twister requires of a quarantine entry');
  }
  return entry;
}

export function readKnownFile(file: string, displayName = file): KnownList {
  const yf = readYaml(file, displayName);
  const root = yf.root.isMap() ? yf.root.get('known') : yf.root;
  if (yf.root.isMap()) yf.root.allowKeys(['known']);
  if (!root.isList()) root.fail('expected a list of known differences', 'e.g.\n  - suite: kernel.poll\n    variant: wasm-sem\n    reason: gale sem shim does not signal poll events');
  const entries = root.items().map((item) => {
    if (!item.isMap()) item.fail('expected an entry (a mapping)');
    const line = yf.lines.linePos(item.node?.range?.[0] ?? 0).line;
    const source = `${displayName}:${line}`;
    const keys = item.keys();
    const quarantine = keys.some((k) => QUARANTINE_KEYS.includes(k)) && !keys.some((k) => TANDEM_KEYS.includes(k));
    return quarantine ? quarantineEntry(item, source) : tandemEntry(item, source);
  });
  return { file: displayName, entries };
}
