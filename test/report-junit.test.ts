import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { diffResults, summarize } from '../harness/diff/differ.js';
import { renderJunit, xmlAttr, xmlText } from '../harness/report/junit.js';
import { HOSTILE_NAME, HOSTILE_TEXT, RENODE_MISSING, buildFixture, logsOf } from './fixtures/report/fixture.js';

const XSD = fileURLToPath(new URL('./fixtures/report/junit.xsd', import.meta.url));
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;
const NO_XMLLINT = 'xmllint not found: install it (Debian: apt-get install -y libxml2-utils)';

/** xmllint is the reference: well-formedness (including characters XML 1.0 forbids) and the XSD. */
function xmllint(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-junit-'));
  try {
    const file = join(dir, 'junit.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parse(xml: string): any {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, trimValues: false }).parse(xml);
}

// XML 1.0 Char production, negated.
const ILLEGAL_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('report: junit.xml', () => {
  const fixture = buildFixture();
  const xml = renderJunit(fixture.record, { logs: logsOf(fixture) });
  const doc = parse(xml);
  const suites = asArray<any>(doc.testsuites.testsuite);
  const suite = (name: string) => suites.find((s) => s.name === name);
  const cases = (name: string) => asArray<any>(suite(name).testcase);
  const tc = (s: string, name: string) => cases(s).find((c) => c.name === name);

  it('is well-formed and valid against the JUnit schema (xmllint)', () => {
    expect(hasXmllint, NO_XMLLINT).to.equal(true);
    const r = xmllint(xml);
    expect(r.ok, r.output).to.equal(true);
  });

  it('has one testsuite per job, named platform.variant.suite, with consistent counts', () => {
    expect(suites).to.have.length(fixture.record.results.length);
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const s of suites) {
      const list = asArray<any>(s.testcase);
      expect(s.name).to.match(/^[a-z0-9_]+\.(native|wasm)\.[a-z]+$/);
      expect(Number(s.tests)).to.equal(list.length);
      expect(Number(s.failures)).to.equal(list.filter((c) => c.failure !== undefined).length);
      expect(Number(s.errors)).to.equal(list.filter((c) => c.error !== undefined).length);
      expect(Number(s.skipped)).to.equal(list.filter((c) => c.skipped !== undefined).length);
      for (const c of list) expect(c.classname).to.equal(s.name);
      tests += Number(s.tests);
      failures += Number(s.failures);
      errors += Number(s.errors);
      skipped += Number(s.skipped);
    }
    expect(doc.testsuites).to.include({ tests: String(tests), failures: String(failures), errors: String(errors), skipped: String(skipped) });
  });

  it('leads with the regression: first testsuite, first testcase', () => {
    expect(suites[0].name).to.equal('qemu_cortex_m3.wasm.mutex');
    const first = asArray<any>(suites[0].testcase)[0];
    expect(first.name).to.equal('mutex_api_1cpu.test_mutex_priority_inheritance');
    expect(first.failure.type).to.equal('assertion');
    expect(first.failure.message).to.match(/^Assertion failed at WEST_TOPDIR\/.*test_mutex_apis\.c:412: .*— priority not inherited by the holder$/);
    const body: string = first.failure['#text'];
    expect(body).to.match(/^regression: pass on native -> fail on wasm/);
    expect(body).to.contain('31|     Assertion failed at');
    expect(body).to.contain('33|  FAIL - test_mutex_priority_inheritance in 6.059 seconds');
  });

  it('crash and timeout are <error>s with the fatal line and the timeout; blocked and skip are <skipped>', () => {
    const crash = tc('qemu_cortex_m3.wasm.demo', 'demo.test_b_crash');
    expect(crash.error).to.include({ type: 'crash', message: 'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0' });
    expect(crash.error['#text']).to.contain('E: ***** USAGE FAULT *****');
    const blocked = tc('qemu_cortex_m3.wasm.demo', 'demo.test_c_after');
    expect(blocked.skipped.type).to.equal('blocked');
    expect(blocked.skipped.message).to.match(/^blocked: not reached \(E: >>> ZEPHYR FATAL ERROR/);
    const hang = tc('qemu_cortex_m3.wasm.sleep', 'demo.test_b_hang');
    expect(hang.error).to.include({ type: 'timeout', message: 'Timeout: no console output for 10 s (hang)' });
    expect(hang.error['#text']).to.contain('about to hang');
    const skip = tc('qemu_cortex_m3.native.assert', 'demo.test_d_assume');
    expect(skip.skipped.message).to.match(/^Assumption failed at/);
    expect(tc('qemu_cortex_m3.native.assert', 'demo.test_c_skip').skipped.message).to.equal('skipped by the test');
    expect(tc('qemu_cortex_m3.native.assert', 'demo.test_a_pass')).to.not.have.any.keys('failure', 'error', 'skipped');
  });

  it('a job skipped for a missing emulator is one <skipped> row with the reason', () => {
    const list = cases('nucleo_g474re.wasm.mutex');
    expect(list).to.have.length(1);
    expect(list[0].name).to.equal('(job)');
    expect(list[0].skipped.message).to.equal(RENODE_MISSING);
  });

  it('an emulator error shows as an error row for the job, with the unreached cases blocked', () => {
    const f = buildFixture();
    const r = f.record.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/semaphore')!;
    Object.assign(r, {
      verdict: 'emulator-error',
      end: { kind: 'exit', code: 1, signal: null },
      cases: [],
      reason: 'emulator exited (code 1) before the PROJECT EXECUTION line',
    });
    f.record.diff = diffResults(f.record.results, f.record.comparisons);
    f.record.summary = summarize(f.record.results, f.record.diff);
    const out = renderJunit(f.record, { logs: logsOf(f) });
    expect(hasXmllint, NO_XMLLINT).to.equal(true);
    expect(xmllint(out).ok).to.equal(true);
    const s = asArray<any>(parse(out).testsuites.testsuite).find((x) => x.name === 'qemu_cortex_m3.wasm.semaphore');
    const list = asArray<any>(s.testcase);
    expect(s).to.include({ tests: '25', errors: '1', skipped: '24', failures: '0' });
    expect(list.filter((c) => c.skipped?.type === 'blocked')).to.have.length(24);
    const job = list.find((c) => c.name === '(job)');
    expect(job.error).to.include({ type: 'emulator-error', message: 'emulator exited (code 1) before the PROJECT EXECUTION line' });
  });

  it('escapes markup and drops characters XML 1.0 forbids, from names, details and console text', () => {
    const hostile = buildFixture({ hostile: true });
    const out = renderJunit(hostile.record, { logs: logsOf(hostile) });
    expect(out).to.not.match(ILLEGAL_XML);
    expect(out).to.not.contain('<script>');
    expect(hasXmllint, NO_XMLLINT).to.equal(true);
    const r = xmllint(out);
    expect(r.ok, r.output).to.equal(true);
    const first = asArray<any>(asArray<any>(parse(out).testsuites.testsuite)[0].testcase)[0];
    expect(first.name).to.equal(`mutex_api_1cpu.${HOSTILE_NAME}`);
    expect(first.failure.message).to.contain('<script>alert(1)</script> </textarea> | `tick`');
    expect(first.failure.message).to.contain('red \\x00\\x07\\x1b\\ufffe end');
    expect(HOSTILE_TEXT).to.contain('\u001b[31m');
    expect(first.failure.message).to.not.contain('[31m');
  });

  it('attribute escaping keeps quotes, newlines and tabs; text escaping keeps markup inert', () => {
    expect(xmlAttr('a"b\n\tc<&>')).to.equal('a&quot;b&#10;&#9;c&lt;&amp;&gt;');
    expect(xmlText(']]> <x> & \u0001')).to.equal(']]&gt; &lt;x&gt; &amp; \\x01');
  });

  it('without logs the body falls back to the detail line', () => {
    const plain = parse(renderJunit(fixture.record));
    const first = asArray<any>(asArray<any>(plain.testsuites.testsuite)[0].testcase)[0];
    expect(first.failure['#text']).to.match(/regression: pass on native -> fail on wasm\n\nAssertion failed at/);
  });

  it('xmllint rejects what it should (the validation is real)', () => {
    expect(hasXmllint, NO_XMLLINT).to.equal(true);
    expect(xmllint('<testsuites><testsuite name="x" tests="-1"/></testsuites>').ok).to.equal(false);
    expect(xmllint('<testsuites><testsuite name="x" tests="1"><testcase name="a" classname="b">\u0001</testcase></testsuite></testsuites>').ok).to.equal(false);
  });
});
