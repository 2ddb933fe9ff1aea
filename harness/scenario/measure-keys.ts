// The scenario's measurement keys: `size:` (the size gate) and `records:` (figures to capture from
// the console, and their ratio gate). Both gates are off unless written; `tandem run` flags can set
// or override them (commands/run.ts).
import type { GatePolicy, RecordSpec } from '../domain.js';
import type { YamlValue } from './yaml-reader.js';
import { regexProblem } from '../zephyr/python-regex.js';

export interface ScenarioRecords {
  spec: RecordSpec;
  /** Suites it applies to (globs on the suite name or the name it was listed under); all when absent. */
  suites?: string[];
}

export interface MeasureKeys {
  gates: Pick<GatePolicy, 'size' | 'records'>;
  records?: ScenarioRecords;
}

/**
 * size:
 *   gate: { ram_pct: 10, flash_pct: 10 }
 * records:
 *   regex: 'E,(?P<op>\w+),cyc=(?P<cyc>\d+)'   # Python syntax, as twister's; one or a list
 *   end: '=== END ==='                        # optional
 *   suites: [bench*]                          # optional
 *   gate: { cyc: 4 }                          # optional: largest candidate/baseline ratio per figure
 */
export function readMeasureKeys(root: YamlValue): MeasureKeys {
  const out: MeasureKeys = { gates: {} };
  const size = root.get('size');
  if (size.present) {
    size.allowKeys(['gate']);
    const gate = size.get('gate');
    if (!gate.present) size.fail("needs 'gate:'", 'e.g. size: { gate: { ram_pct: 10, flash_pct: 10 } } — growth over the baseline image, percent, that fails the run');
    gate.allowKeys(['ram_pct', 'flash_pct']);
    const ramPct = gate.get('ram_pct');
    const flashPct = gate.get('flash_pct');
    if (!ramPct.present && !flashPct.present) gate.fail('needs ram_pct, flash_pct or both', 'percent of growth over the baseline image, e.g. ram_pct: 10');
    out.gates.size = { ...(ramPct.present ? { ramPct: nonNegative(ramPct) } : {}), ...(flashPct.present ? { flashPct: nonNegative(flashPct) } : {}) };
  }
  const records = root.get('records');
  if (records.present) {
    if (!records.isMap()) records.fail('expected a mapping', "e.g. records: { regex: 'E,(?P<op>\\w+),cyc=(?P<cyc>\\d+)', end: '=== END ===' }");
    records.allowKeys(['regex', 'end', 'suites', 'gate']);
    const regexNode = records.get('regex');
    const regex = regexNode.strings();
    if (regex.length === 0) regexNode.fail('is required', 'a regex with named groups (Python syntax, as in testcase.yaml): each matching line is one row, e.g. E,(?P<op>\\w+),cyc=(?P<cyc>\\d+)');
    regex.forEach((r, i) => check(regexNode.isList() ? regexNode.items()[i]! : regexNode, r));
    const spec: RecordSpec = { regex, source: records.location() };
    const end = records.get('end');
    if (end.present) spec.end = check(end, end.string());
    out.records = { spec };
    if (records.get('suites').present) out.records.suites = records.get('suites').strings();
    const gate = records.get('gate');
    if (gate.present) {
      if (!gate.isMap()) gate.fail('expected a mapping of figure to ratio', 'e.g. gate: { cyc: 4 } — the candidate may take at most 4× the baseline\'s cyc');
      out.gates.records = Object.fromEntries(gate.keys().map((k) => [k, gate.get(k).positive()]));
    }
  }
  return out;
}

function nonNegative(v: YamlValue): number {
  const n = v.number();
  if (n < 0) v.fail(`must be 0 or more (got ${n})`, 'percent of growth over the baseline image that fails the run');
  return n;
}

function check(at: YamlValue, source: string): string {
  const problem = regexProblem(source);
  if (problem) at.fail(problem, 'Python regex syntax, as twister reads testcase.yaml: named groups are (?P<name>…)');
  return source;
}
