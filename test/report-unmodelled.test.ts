// Accesses a guest made with no model behind them, in every report: the failing job that went
// quiet after one leads with it, a passing job lists them folded away as a fidelity warning, and
// text from the record stays inert everywhere.
import { expect } from 'chai';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { RunRecord, UnmodelledAccess } from '../harness/domain.js';
import { renderHtml } from '../harness/report/html.js';
import { runJsonSchema, validateRunRecord } from '../harness/report/json.js';
import { renderJunit } from '../harness/report/junit.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { jobLines } from '../harness/report/progress.js';
import { renderTap } from '../harness/report/tap.js';
import { renderTerminalSummary } from '../harness/report/terminal.js';
import { buildFixture } from './fixtures/report/fixture.js';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as new (opts: object) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null };
};

const RNG: UnmodelledAccess = { address: '0x50060800', access: 'write', width: 4, count: 2, pc: '0x8001a2c', value: '0x4', node: 'rng@50060800', nodeStatus: 'okay' };
const HIB: UnmodelledAccess = { address: '0x400fc010', access: 'read', width: 4, count: 644102, region: 'hibernation', node: 'hibernation@400fc000', nodeStatus: 'okay' };
const HOSTILE: UnmodelledAccess = { address: '0x40000000', access: 'read', width: 4, count: 1, region: '<script>alert(3)</script>' };

function record(): RunRecord {
  const { record: r } = buildFixture();
  const passing = r.results.find((x) => x.job.id === 'qemu_cortex_m3/native/semaphore')!;
  passing.unmodelled = [HIB, HOSTILE];
  const hang = r.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/sleep')!;
  hang.unmodelled = [RNG];
  hang.reason = 'the guest wrote to 0x50060800 (`rng@50060800`, not modelled on qemu_cortex_m3) and then stopped printing; no console output for 10 s (hang)';
  return r;
}

describe('report: unmodelled accesses', () => {
  const r = record();

  it('run.json: the schema and tandem’s checker accept them and reject a malformed one', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(runJsonSchema);
    const copy = JSON.parse(JSON.stringify(r));
    expect(validate(copy), JSON.stringify(validate.errors)).to.equal(true);
    expect(validateRunRecord(copy)).to.deep.include({ valid: true });
    copy.results[6].unmodelled[0].access = 'poke';
    expect(validate(copy)).to.equal(false);
    expect(validateRunRecord(copy).valid).to.equal(false);
  });

  it('terminal: a section naming the jobs and nodes', () => {
    const text = renderTerminalSummary(r, { width: 200, maxLines: 60 });
    expect(text).to.contain('Unmodelled accesses (2 jobs; every address in run.json):');
    expect(text).to.match(/qemu_cortex_m3\/native\/semaphore passed: 2 unmodelled accesses: hibernation@400fc000/);
    expect(text).to.match(/qemu_cortex_m3\/wasm\/sleep timeout: 1 unmodelled access: rng@50060800/);
  });

  it('progress line: a passing job carries the fidelity warning, a failing one its reason', () => {
    const passing = r.results.find((x) => x.job.id === 'qemu_cortex_m3/native/semaphore')!;
    expect(jobLines(passing, 1, 2)[0]).to.match(/PASS .* — 2 unmodelled accesses: hibernation@400fc000/);
    const hang = r.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/sleep')!;
    expect(jobLines(hang, 2, 2)[0]).to.contain('— the guest wrote to 0x50060800 (`rng@50060800`');
  });

  it('summary.md: failing jobs in the open, passing ones folded, markup escaped', () => {
    const md = renderMarkdown(r);
    expect(md).to.contain('### Unmodelled accesses (2 jobs)');
    const folded = md.slice(md.indexOf('<details><summary>1 passing job touched unmodelled addresses'));
    expect(folded).to.contain('qemu\\_cortex\\_m3/native/semaphore');
    expect(folded.indexOf('</details>')).to.be.greaterThan(folded.indexOf('read 0x400fc010 ×644102'));
    const open = md.slice(md.indexOf('### Unmodelled accesses'), md.indexOf('<details><summary>1 passing'));
    expect(open).to.contain('qemu\\_cortex\\_m3/wasm/sleep');
    expect(open).to.contain('write 0x50060800 = 0x4 ×2 (4 B; \\`rng&#64;50060800\\`, not modelled on qemu\\_cortex\\_m3; pc 0x8001a2c)');
    expect(md).to.not.contain('<script>');
  });

  it('junit.xml and results.tap: every access of the job, passing or not', () => {
    const xml = renderJunit(r);
    expect(xml).to.contain('<property name="unmodelled" value="read 0x400fc010 ×644102 (4 B; `hibernation@400fc000`, not modelled on qemu_cortex_m3); read 0x40000000 (4 B; &lt;script&gt;');
    const tap = renderTap(r);
    expect(tap).to.match(/ok \d+ - qemu_cortex_m3\/native\/semaphore\n  ---\n  unmodelled:\n    - read 0x400fc010 ×644102/);
    expect(tap).to.match(/not ok \d+ - qemu_cortex_m3\/wasm\/sleep\n  ---\n(?:  [^\n]*\n)*?  unmodelled:\n    - write 0x50060800 = 0x4 ×2/);
  });

  it('index.html: folded for the passing job, open for the failing one, escaped', () => {
    const html = renderHtml(r);
    expect(html).to.contain('<details class="unmodelled"><summary>2 unmodelled addresses touched');
    expect(html).to.contain('<details class="unmodelled" open><summary>1 unmodelled address touched');
    expect(html).to.contain('&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(html).to.not.contain('<script>alert(3)');
  });
});
