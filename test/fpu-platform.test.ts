// The QEMU platform with an FPU (mps2_an521: Cortex-M33 + FPU): the demo firmware built hard-float
// runs there natively and in its wasm variant, finds the same defects as on qemu_cortex_m3, and
// the two QEMU platforms side by side fill the cross-platform table.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const run = promisify(execFile);
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');

describe('mps2_an521: the demo firmware on a QEMU platform with an FPU', function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-fpu-');
  let record: RunRecord;
  let code: number;
  before(async () => {
    const out = join(tmp.dir, 'out');
    const args = [TANDEM, 'run', join(REPO_ROOT, 'scenarios/demo.yaml'), '--platform', 'qemu_cortex_m3', '--platform', 'mps2_an521', '--out', out, '-q'];
    code = await run(process.execPath, args, { env: { ...process.env, TANDEM_TEST_TAG: `fpu-${process.pid}` }, maxBuffer: 16 << 20 }).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  });
  after(() => tmp.cleanup());

  it('builds hard-float Cortex-M33 images (VFP argument passing: what gale\'s wasm-LTO objects need)', async () => {
    const elf = join(REPO_ROOT, 'build/demo/mps2_an521/wasm/mutex/zephyr/zephyr.elf');
    const { stdout } = await run('arm-none-eabi-readelf', ['-A', elf]);
    expect(stdout).to.match(/Tag_CPU_name: "Cortex-M33"|Tag_CPU_arch: v8-M\.mainline/);
    expect(stdout).to.match(/Tag_ABI_VFP_args: VFP registers/);
  });

  it('native passes everything; wasm finds the regression, the crash and the hang', () => {
    const on = (v: string, s: string) => record.results.find((r) => r.job.id === `mps2_an521/${v}/${s}`)!;
    for (const s of ['basic', 'sem', 'mutex', 'msgq']) expect(on('native', s).verdict, s).to.equal('passed');
    expect(on('wasm', 'basic').verdict).to.equal('passed');
    expect(on('wasm', 'mutex').verdict).to.equal('failed');
    expect(on('wasm', 'sem').verdict).to.equal('crashed');
    expect(on('wasm', 'msgq').verdict).to.equal('timeout');
    // Halted, the AN521 guest's clock warps 2^28 ms ahead to the next SSE-200 timer event: its
    // first quiet reading is already past the 60 s guest wall limit.
    expect(on('wasm', 'msgq').end).to.include({ clock: 'guest', seconds: 60 });
    expect(on('wasm', 'msgq').wallMs).to.be.below(20_000);
    expect(on('wasm', 'msgq').provenance.emulator?.command).to.include.members(['-machine', 'mps2-an521', '-cpu', 'cortex-m33']);
    const classes = record.diff.filter((d) => d.platform === 'mps2_an521' && d.class !== 'same').map((d) => [d.case, d.class]);
    expect(classes).to.deep.include.members([
      ['mutex_api_1cpu.test_mutex_priority_inheritance', 'regression'],
      ['sem_api.test_sem_limit_saturates', 'crash'],
      ['msgq_api.test_msgq_put_until_full', 'hang'],
    ]);
    expect(code).to.equal(1);
  });

  it('the two QEMU platforms agree case by case, and every report shows the table', () => {
    // Every case qemu_cortex_m3 printed or never reached, once per suite and variant: all agree.
    const cases = new Set([
      ...record.results.filter((r) => r.job.platform === 'qemu_cortex_m3').flatMap((r) => r.cases.map((c) => `${r.job.variant}/${r.job.suite}/${c.suite}.${c.name}`)),
      ...record.diff.filter((d) => d.platform === 'qemu_cortex_m3' && d.candidate === undefined).map((d) => `${d.candidateVariant}/${d.suite}/${d.case}`),
    ]);
    expect(record.platforms!.map((p) => `${p.variant}/${p.suite}/${p.case}`).sort()).to.deep.equal([...cases].sort());
    expect(record.summary.platforms).to.deep.equal({ agree: cases.size, capability: 0, disagree: 0 });
    const md = readFileSync(join(tmp.dir, 'out', 'summary.md'), 'utf8');
    expect(md).to.include('### Across platforms');
    expect(md).to.include(`0 disagree · 0 capability · ${cases.size} agree`);
    expect(readFileSync(join(tmp.dir, 'out', 'index.html'), 'utf8')).to.include('<section id="platforms">');
  });
});
