// Recorded figures and twister's console harness, the pure parts: reading rows from console lines,
// Python regexes, the differ and its ratio gate, twister.json's `recording`, testcase.yaml's
// harness_config and the scenario's records:/size: keys with their errors.
import { expect } from 'chai';
import type { RecordSpec, Records, RunResult } from '../harness/domain.js';
import { RecordReader, ROWS_MAX, splitRow } from '../harness/measure/records/read.js';
import { diffRecords, median, recordGate } from '../harness/measure/records/diff.js';
import { measuredPairs } from '../harness/measure/pairs.js';
import { pythonRegex, regexProblem } from '../harness/zephyr/python-regex.js';
import { CONSOLE_HARNESS_SUITE, ConsoleHarness, readHarnessConfig } from '../harness/zephyr/console-harness.js';
import { ConsoleWatch } from '../harness/run/console-watch.js';
import { parseTestcaseYaml } from '../harness/zephyr/testcase.js';
import { recordHtmlSection, recordMarkdown, recordTerminalLines, twisterRecording } from '../harness/report/records.js';
import { escapeHtml } from '../harness/report/html.js';
import { mdEscape } from '../harness/report/markdown.js';
import type { RunRecord } from '../harness/domain.js';
import { gateFlags } from '../harness/commands/run.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { REPO_ROOT } from '../harness/version.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { scratch } from './helpers/tmp.js';

const GALE = 'E,(?P<op>\\w+),cyc=(?P<cyc>\\d+)';
const spec = (extra: Partial<RecordSpec> = {}): RecordSpec => ({ regex: [GALE], source: 'test', ...extra });

function read(lines: string[], s: RecordSpec = spec()): Records {
  const r = new RecordReader([s]);
  lines.forEach((l, i) => r.push(l, i + 1));
  return r.result();
}

function result(platform: string, variant: string, suite: string, records: Records, attempt = 1): RunResult {
  return {
    job: { id: `${platform}/${variant}/${suite}`, platform, variant, suite, emulator: 'qemu', attempt },
    verdict: 'passed',
    end: { kind: 'project', success: true },
    cases: [],
    startedAt: '2026-12-01T00:00:00.000Z',
    wallMs: 1,
    provenance: { tandemVersion: 't', host: 'h' },
    records,
  };
}

describe('records: rows from console lines', () => {
  it('each matching line is a row of its named groups, stripped, with its line number', () => {
    const r = read(['*** Booting ***', 'E,k_mutex_unlock,cyc=472 (ovh=1, wasm-cross-LTO)', 'noise', 'E,k_sem_give,cyc=124']);
    expect(r.rows).to.deep.equal([
      { line: 2, values: { op: 'k_mutex_unlock', cyc: '472' } },
      { line: 4, values: { op: 'k_sem_give', cyc: '124' } },
    ]);
    expect(read(['took  88 ms '], spec({ regex: ['took(?P<ms>.*)ms'] })).rows[0]!.values).to.deep.equal({ ms: '88' });
  });

  it('stops at its end line; a line after it is not a row', () => {
    const reader = new RecordReader([spec({ end: '^=== END ===$' })]);
    ['E,a,cyc=1', '=== END ===', 'E,b,cyc=2'].forEach((l, i) => reader.push(l, i + 1));
    expect(reader.ended).to.equal(true);
    expect(reader.result().rows.map((r) => r.values.op)).to.deep.equal(['a']);
    expect(new RecordReader([spec()]).ended, 'no end line: never ended').to.equal(false);
  });

  it('keeps at most ROWS_MAX rows and counts the rest; a group that did not take part is ""', () => {
    const lines = Array.from({ length: ROWS_MAX + 5 }, (_, i) => `E,x${i},cyc=${i}`);
    const r = read(lines);
    expect(r.rows).to.have.length(ROWS_MAX);
    expect(r.dropped).to.equal(5);
    expect(read(['v=3'], spec({ regex: ['v=(?P<v>\\d+)(?P<unit>ms)?'] })).rows[0]!.values).to.deep.equal({ v: '3', unit: '' });
  });

  it('reads Python regex syntax: (?P<n>), (?P=n), \\A, \\Z and a leading (?i)', () => {
    expect(pythonRegex('(?P<a>\\w+)-(?P=a)').exec('ab-ab')?.groups).to.deep.equal({ a: 'ab' });
    expect(pythonRegex('\\Aend\\Z').test('end')).to.equal(true);
    expect(pythonRegex('\\Aend\\Z').test('end\nmore')).to.equal(false);
    expect(pythonRegex('(?i)PASS').test('pass')).to.equal(true);
    expect(regexProblem('E,(?P<op>\\w+')).to.match(/is not a regular expression/);
  });

  it('splits a row into labels (its key) and figures (numbers)', () => {
    expect(splitRow({ op: 'k_sem_give', cyc: '124', ovh: '1.5' })).to.deep.equal({ key: 'op=k_sem_give', figures: [['cyc', 124], ['ovh', 1.5]] });
    expect(splitRow({ cycles: '88' })).to.deep.equal({ key: '', figures: [['cycles', 88]] });
  });
});

describe('records: baseline against candidate', () => {
  const base = read(['E,k_mutex_unlock,cyc=124', 'E,k_sem_give,cyc=100', 'E,k_sem_give,cyc=90', 'E,k_sem_give,cyc=300', 'E,gone,cyc=5']);
  const cand = read(['E,k_mutex_unlock,cyc=472', 'E,k_sem_give,cyc=99', 'E,new_op,cyc=7']);
  const pairs = measuredPairs([result('p', 'native', 'bench', base), result('p', 'wasm', 'bench', cand)], [{ baseline: 'native', candidate: 'wasm' }], (r) => r.records);

  it('per key and figure: the median of each side and the ratio; a side that did not print it stays empty', () => {
    const [d] = pairs.map((p) => diffRecords(p, {}));
    const row = (key: string) => d!.rows.find((r) => r.key === key)!;
    expect(row('op=k_mutex_unlock')).to.deep.include({ baseline: 124, candidate: 472, ratio: Math.round((472 / 124) * 10000) / 10000 });
    expect(row('op=k_sem_give')).to.deep.include({ baseline: median([100, 90, 300]), candidate: 99 });
    expect(row('op=gone')).to.not.have.property('candidate');
    expect(row('op=new_op')).to.not.have.property('baseline');
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('every attempt of a repeated job counts toward the median', () => {
    const again = result('p', 'wasm', 'bench', read(['E,k_mutex_unlock,cyc=500']), 2);
    const third = result('p', 'wasm', 'bench', read(['E,k_mutex_unlock,cyc=510']), 3);
    const [p] = measuredPairs([result('p', 'native', 'bench', base), result('p', 'wasm', 'bench', cand), again, third], [{ baseline: 'native', candidate: 'wasm' }], (r) => r.records);
    expect(diffRecords(p!).rows.find((r) => r.key === 'op=k_mutex_unlock')!.candidate).to.equal(500);
  });

  it('the ratio gate: a figure over its limit is a finding naming the image, the row and both values', () => {
    const d = pairs.map((p) => diffRecords(p, { cyc: 3 }));
    const findings = recordGate(d);
    expect(findings).to.have.length(1);
    expect(findings[0]).to.deep.include({ measure: 'record', subject: 'p/wasm/bench' });
    expect(findings[0]!.message).to.equal('p/wasm/bench: op=k_mutex_unlock cyc 472 against 124 for native (3.81×) exceeds the 3× limit');
    expect(recordGate(pairs.map((p) => diffRecords(p, { cyc: 4 })))).to.deep.equal([]);
  });

  it('a baseline that reads 0 gives no ratio (nothing to gate) and keeps the note why', () => {
    const zero = { ...read(['E,a,cyc=0']), note: 'no DWT here' };
    const [p] = measuredPairs([result('q', 'native', 'b', zero), result('q', 'wasm', 'b', zero)], [{ baseline: 'native', candidate: 'wasm' }], (r) => r.records);
    const d = diffRecords(p!, { cyc: 1 });
    expect(d.rows[0]).to.deep.equal({ key: 'op=a', figure: 'cyc', baseline: 0, candidate: 0, gate: 1 });
    expect(d.note).to.equal('no DWT here');
  });

  it("twister.json's recording: a row per line, or one merged row with record.merge; as_json keys parsed", () => {
    const r = result('p', 'native', 'b', read(['E,a,cyc=1', 'E,b,cyc=2']));
    expect(twisterRecording(r)).to.deep.equal([{ op: 'a', cyc: '1' }, { op: 'b', cyc: '2' }]);
    r.provenance['console'] = { records: [spec({ merge: true })] };
    expect(twisterRecording(r)).to.deep.equal([{ op: ['a', 'b'], cyc: ['1', '2'] }]);
    const j = result('p', 'native', 'b', read(['J {"n":1}', 'J nope'], spec({ regex: ['J (?P<doc>.*)'] })));
    j.provenance['console'] = { records: [spec({ regex: ['J (?P<doc>.*)'], asJson: ['doc'] })] };
    const [one, two] = twisterRecording(j)!;
    expect(one).to.deep.equal({ doc: { n: 1 } });
    expect((two!['doc'] as { ERROR: { doc: string } }).ERROR.doc).to.equal('nope');
    expect(twisterRecording(result('p', 'native', 'b', { rows: [] }))).to.equal(undefined);
  });
});

describe('records in the reports: what came from a UART stays text', () => {
  const hostile = '<img src=x onerror=alert(1)>\u001b[31m|`x`';
  const record = { measures: { records: [{ platform: 'p', suite: 's', baselineVariant: 'a', candidateVariant: 'b', rows: [{ key: `op=${hostile}`, figure: 'cyc', baseline: 2, candidate: 3, ratio: 1.5 }], note: hostile }] } } as unknown as RunRecord;

  it('escaped in index.html, summary.md and the terminal', () => {
    const html = recordHtmlSection(record, escapeHtml);
    expect(html).to.not.include('<img');
    expect(html).to.include('&lt;img src=x onerror=alert(1)&gt;');
    const md = recordMarkdown(record, (t, max) => mdEscape(t, max), 10)!;
    expect(md).to.not.include('<img');
    expect(md).to.not.include('|`x`');
    const term = recordTerminalLines(record)!.join('\n');
    expect(term).to.not.include('\u001b');
    expect(term).to.include('1.50×');
  });
});

describe("twister's console harness", () => {
  const harness = (type: 'one_line' | 'multi_line', regex: string[], ordered = true) => new ConsoleHarness({ type, regex, ordered });

  it('one_line passes on its first regex, searched anywhere in a line', () => {
    const h = harness('one_line', ['Hello World! (.*)', 'never']);
    h.push('x Hello World! qemu');
    expect(h.passed).to.equal(true);
  });

  it('multi_line ordered needs every regex in order; unordered in any order', () => {
    const ordered = harness('multi_line', ['^first', '^second']);
    ['second', 'first'].forEach((l) => ordered.push(l));
    expect([ordered.passed, ordered.matched]).to.deep.equal([false, 1]);
    ordered.push('second');
    expect(ordered.passed).to.equal(true);
    const any = harness('multi_line', ['^first', '^second'], false);
    ['second', 'first'].forEach((l) => any.push(l));
    expect(any.passed).to.equal(true);
  });

  it('PROJECT EXECUTION FAILED fails it; SUCCESSFUL before the patterns fails it too, as twister does', () => {
    const h = harness('multi_line', ['^a', '^b']);
    h.push('a');
    expect(h.projectEnd(false)).to.deep.include({ kind: 'project', success: false });
    expect(h.projectEnd(true)).to.deep.include({ kind: 'project', success: false });
    expect((h.projectEnd(true) as { console?: string }).console).to.match(/before the patterns; console harness: 1 of 2 patterns matched/);
    h.push('b');
    expect(h.projectEnd(true)).to.deep.include({ success: true });
  });

  it('reports one case named after the scenario, its status from how the boot ended', () => {
    const h = harness('one_line', ['x']);
    expect(h.result('sample.hello', { kind: 'project', success: true, console: 'ok' })).to.deep.equal({ suite: CONSOLE_HARNESS_SUITE, name: 'sample.hello', status: 'pass' });
    expect(h.result('s', { kind: 'silence', seconds: 1 })).to.deep.include({ status: 'timeout', detail: 'console harness: 0 of 1 patterns matched (one_line)' });
    expect(h.result('s', { kind: 'fatal', reason: 'x' }).status).to.equal('crash');
  });

  it('the watch ends the boot when the patterns matched, or at a record end line of an image without ztest', () => {
    const judged = new ConsoleWatch({ harness: { type: 'one_line', regex: ['^done$'], ordered: true }, records: [spec()] });
    expect(judged.line('E,a,cyc=3')).to.equal(undefined);
    expect(judged.line('done')).to.deep.include({ kind: 'project', success: true });
    const bench = new ConsoleWatch({ records: [spec({ end: '=== END ===' })] });
    expect(bench.line('E,a,cyc=3')).to.equal(undefined);
    expect(bench.line('=== END ===')).to.deep.include({ kind: 'project', success: true });
    const ztest = new ConsoleWatch({ records: [spec({ end: '=== END ===' })] });
    ztest.line('Running TESTSUITE basic');
    expect(ztest.line('=== END ==='), 'a ztest image ends on its own PROJECT line').to.equal(undefined);
    const out = judged.finish({ kind: 'project', success: true }, [], 'bench', 'no DWT');
    expect(out.records?.rows).to.have.length(1);
    expect(out.records?.note, 'the note only where a figure reads 0').to.equal(undefined);
  });

  it('testcase.yaml harness_config: type, regex and record read as twister reads them; mistakes point at the line', () => {
    const [s] = parseTestcaseYaml(
      `tests:\n  bench.x:\n    harness: console\n    harness_config:\n      type: multi_line\n      ordered: false\n      regex: ["^a", "^b"]\n      record:\n        regex: "${GALE.replace(/\\/g, '\\\\')}"\n        merge: true\n`,
      'apps/b/testcase.yaml',
    );
    expect(s!.console).to.deep.equal({
      harness: { type: 'multi_line', regex: ['^a', '^b'], ordered: false },
      records: [{ regex: [GALE], merge: true, source: 'apps/b/testcase.yaml' }],
    });
    const bad = (yaml: string) => {
      try {
        parseTestcaseYaml(yaml, 't.yaml');
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('no error');
    };
    expect(bad('tests:\n  a:\n    harness: console\n    harness_config:\n      type: one_line\n').message).to.match(/t\.yaml:5:\d+: tests\.a\.harness_config: .*needs harness_config\.regex/);
    expect(bad('tests:\n  a:\n    harness: console\n    harness_config:\n      type: two_line\n      regex: [x]\n').message).to.match(/incorrect type=two_line/);
    expect(bad('tests:\n  a:\n    harness_config:\n      record:\n        regex: "(?P<x"\n').message).to.match(/record\.regex: .*is not a regular expression/);
    expect(readHarnessConfig('ztest', { record: { regex: 'v=(?P<v>\\d+)' } }, 'f').records).to.have.length(1);
  });
});

describe('scenario: size: and records:, and the gate flags', () => {
  const s = scratch('tandem-records-');
  after(() => s.cleanup());
  const load = (extra: string) =>
    loadScenario(s.write('s.yaml', `name: s\nplatforms: [qemu_cortex_m3]\nsuites:\n  - { name: bench, path: ${REPO_ROOT}/firmware/tests/bench }\n  - { name: basic, path: ${REPO_ROOT}/firmware/tests/basic }\nvariants: [{ name: native }, { name: wasm }]\nimages: out/{platform}/{variant}/{suite}.elf\n${extra}`), { platformDirs: [join(REPO_ROOT, 'platforms')] });
  const error = (extra: string) => {
    try {
      load(extra);
    } catch (err) {
      return err as ConfigError;
    }
    throw new Error('no error');
  };

  it('reads the gates and the record pattern; the scenario\'s pattern replaces the suite\'s own record:', () => {
    const sc = load(`size: { gate: { ram_pct: 10, flash_pct: 5 } }\nrecords:\n  regex: '${GALE} \\(min of (?P<calls>\\d+)\\)'\n  end: '=== END ==='\n  suites: [bench*]\n  gate: { cyc: 4 }\n`);
    expect(sc.gates).to.deep.equal({ size: { ramPct: 10, flashPct: 5 }, records: { cyc: 4 } });
    const jobs = expandJobs(sc);
    const bench = jobs.find((j) => j.suite.name === 'bench.kernel')!;
    expect(bench.console!.harness!.type).to.equal('multi_line');
    const declared = readFileSync(join(s.dir, 's.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('  regex:')) + 1;
    expect(bench.console!.records).to.deep.equal([{ regex: [`${GALE} \\(min of (?P<calls>\\d+)\\)`], end: '=== END ===', source: `${join(s.dir, 's.yaml')}:${declared}` }]);
    expect(jobs.find((j) => j.suite.name === 'basic')!.console).to.equal(undefined);
  });

  it('without records: a suite keeps its testcase.yaml record; without size: no gate', () => {
    const sc = load('');
    expect(sc.gates).to.equal(undefined);
    expect(expandJobs(sc).find((j) => j.suite.name === 'bench.kernel')!.console!.records![0]!.source).to.match(/firmware\/tests\/bench\/testcase\.yaml$/);
  });

  it('mistakes name the file, line and field', () => {
    expect(error('size: { gate: { ram: 10 } }\n').message).to.match(/s\.yaml:8:\d+: size\.gate\.ram: unknown key 'ram'/);
    expect(error('size: { gate: {} }\n').message).to.match(/needs ram_pct, flash_pct or both/);
    expect(error('size: { gate: { ram_pct: -1 } }\n').message).to.match(/size\.gate\.ram_pct: must be 0 or more/);
    expect(error("records: { regex: '(?P<op' }\n").message).to.match(/s\.yaml:8:\d+: records\.regex: .*is not a regular expression/);
    expect(error("records: { end: x }\n").message).to.match(/records\.regex: is required/);
    expect(error("records: { regex: x, gate: { cyc: 0 } }\n").message).to.match(/records\.gate\.cyc: must be greater than 0/);
  });

  it('--gate-size and --gate-record', () => {
    expect(gateFlags('ram=10,flash=2.5', ['cyc=4', 'ins=2,x=1.5'])).to.deep.equal({ size: { ramPct: 10, flashPct: 2.5 }, records: { cyc: 4, ins: 2, x: 1.5 } });
    expect(gateFlags('10', undefined)).to.deep.equal({ size: { ramPct: 10, flashPct: 10 } });
    expect(gateFlags(undefined, undefined)).to.deep.equal({});
    expect(() => gateFlags('rom=3', undefined)).to.throw(/--gate-size rom=3: expected ram=PCT,flash=PCT/);
    expect(() => gateFlags(undefined, ['cyc'])).to.throw(/--gate-record cyc: expected FIGURE=RATIO/);
    expect(() => gateFlags(undefined, ['cyc=0'])).to.throw(/--gate-record/);
  });
});
