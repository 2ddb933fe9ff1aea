// Footprint and recorded figures end to end: `tandem run` on the demo firmware in QEMU as a child
// process, every report read back, the gates failing the run, rerun and merge keeping it all, and
// an image too large for its platform refused before it boots. Expected bytes come from
// arm-none-eabi-size on the images the run built; the call count from the bench's source.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';
import { scratch } from './helpers/tmp.js';

const { tag, env } = testTag();
const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;

/** data + bss of `arm-none-eabi-size`: the RAM an image takes. */
async function ramOf(elf: string): Promise<number> {
  const [, line] = (await execa('arm-none-eabi-size', [elf])).stdout.split('\n');
  const [, data, bss] = line!.trim().split(/\s+/).map(Number);
  return data! + bss!;
}

const imageOf = (r: RunRecord, id: string) => r.results.find((x) => x.job.id === id)!.provenance.image as string;

describe('measurements end to end: the demo in QEMU', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-measure-');
  const scenario = (extra = '') => tmp.write(`m${Math.random().toString(36).slice(2, 6)}.yaml`, demoScenario({ name: 'measure', suites: ['basic', 'bench'], buildRoot: DEMO_BUILD_ROOT, extra }));
  let plain: { code: number; stdout: string; dir: string; record: RunRecord };

  before(async () => {
    const dir = join(tmp.dir, 'plain');
    const out = await tandemCli(['run', scenario(), '--out', dir, '--jobs', '2'], env);
    plain = { ...out, dir, record: runJson(dir) };
  });
  after(() => {
    for (const p of taggedProcesses(tag, 'qemu-system-arm')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('passes with the gates off; every image has a footprint and the bench its figures, with the QEMU note', async () => {
    expect(plain.code, plain.stdout).to.equal(0);
    const r = plain.record;
    for (const x of r.results) expect(x.footprint?.ram, x.job.id).to.equal(await ramOf(x.provenance.image as string));
    const bench = r.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/bench.kernel')!;
    expect(bench.cases).to.deep.equal([{ suite: 'console_harness', name: 'bench.kernel', status: 'pass' }]);
    expect(bench.end).to.deep.include({ kind: 'project', success: true });
    expect(bench.records!.rows.map((x) => x.values['op'])).to.deep.equal(['k_sem_give', 'k_sem_take', 'k_mutex_lock', 'k_mutex_unlock', 'k_msgq_put', 'k_msgq_get']);
    expect(bench.records!.note).to.match(/^QEMU models no DWT on lm3s6965evb/);
    expect(r.measures!.footprint!.map((d) => d.suite).sort()).to.deep.equal(['basic', 'bench.kernel']);
    const [records] = r.measures!.records!;
    expect(records!.rows.every((x) => x.baseline === 0 && x.candidate === 0 && x.ratio === undefined)).to.equal(true);
    expect(records!.note).to.equal(bench.records!.note);
  });

  it('the terminal, summary.md, index.html, junit.xml and twister.json show it', async () => {
    const r = plain.record;
    const basic = r.measures!.footprint!.find((d) => d.suite === 'basic')!;
    const grown = (await ramOf(imageOf(r, 'qemu_cortex_m3/wasm/basic'))) - (await ramOf(imageOf(r, 'qemu_cortex_m3/native/basic')));
    expect(basic.ram.delta).to.equal(grown);
    expect(plain.stdout).to.match(/^ {2}wasm: RAM \+[\d,]+ B \(\+\d+ %\) · flash \+[\d,]+ B \(\+\d+ %\) — qemu_cortex_m3\/\S+, largest of 2 images$/m);
    expect(plain.stdout).to.include('qemu_cortex_m3: QEMU models no DWT on lm3s6965evb');
    const md = readFileSync(join(plain.dir, 'summary.md'), 'utf8');
    expect(md).to.include('### Footprint').and.include('### Recorded figures').and.include(`+${grown.toLocaleString('en-US')} B`);
    const html = readFileSync(join(plain.dir, 'index.html'), 'utf8');
    expect(html).to.match(/<section id="footprint">.*<table class="sortable">/s).and.match(/<section id="records">/);
    const tap = readFileSync(join(plain.dir, 'results.tap'), 'utf8');
    expect(tap).to.match(/^# wasm: RAM \+[\d,]+ B .* largest of 2 images$/m);
    expect(tap).to.include('# qemu_cortex_m3: QEMU models no DWT');
    const junit = readFileSync(join(plain.dir, 'junit.xml'), 'utf8');
    expect(junit).to.include(`<property name="used_ram" value="${r.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/basic')!.footprint!.ram}"/>`);
    expect(junit).to.match(/<property name="record op=k_sem_give cyc" value="0 → 0 \(—\) against native"\/>/);
    const twister = JSON.parse(readFileSync(join(plain.dir, 'twister.json'), 'utf8')) as { testsuites: Array<Record<string, unknown>> };
    const suite = twister.testsuites.find((s) => s['tandem_job'] === 'qemu_cortex_m3/wasm/bench.kernel')!;
    const f = r.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/bench.kernel')!.footprint!;
    expect(suite).to.deep.include({ used_ram: f.ram, used_rom: f.flash, available_ram: 64 * 1024, available_rom: 256 * 1024 });
    expect(Object.keys(suite).indexOf('used_ram')).to.equal(Object.keys(suite).indexOf('runnable') + 1);
    expect(suite['recording']).to.deep.include({ op: 'k_mutex_unlock', cyc: '0' });
    expect((suite['testcases'] as Array<{ identifier: string }>).map((c) => c.identifier)).to.deep.equal(['bench.kernel']);
  });

  it('the size gate and a record ratio gate fail the run, naming the image, the region and the bytes', async () => {
    const calls = Number(/#define BENCH_CALLS (\d+)/.exec(readFileSync(join(REPO_ROOT, 'firmware/tests/bench/src/main.c'), 'utf8'))![1]);
    const file = scenario(`size: { gate: { ram_pct: 10, flash_pct: 10 } }\nrecords:\n  regex: 'E,(?P<op>\\w+),cyc=(?P<cyc>\\d+) \\(min of (?P<calls>\\d+)\\)'\n  end: '=== END ==='\n`);
    const dir = join(tmp.dir, 'gated');
    const out = await tandemCli(['run', file, '--out', dir, '--jobs', '2', '--gate-record', 'calls=0.5'], env);
    expect(out.code, out.stdout).to.equal(1);
    const r = runJson(dir);
    expect(r.policy).to.deep.include({ size: { ramPct: 10, flashPct: 10 }, records: { calls: 0.5 } });
    const image = imageOf(r, 'qemu_cortex_m3/wasm/basic');
    const [before, after] = [await ramOf(imageOf(r, 'qemu_cortex_m3/native/basic')), await ramOf(image)];
    const ram = r.gates!.find((g) => g.measure === 'size' && g.subject === 'qemu_cortex_m3/wasm/basic' && g.message.includes('RAM'))!;
    expect(ram.message).to.equal(`qemu_cortex_m3/wasm/basic: RAM overhead +${Math.round(((after - before) / before) * 100)} % (+${(after - before).toLocaleString('en-US')} B: ${after.toLocaleString('en-US')} B against ${before.toLocaleString('en-US')} B for native) exceeds the 10 % threshold; image ${image}`);
    expect(r.gates!.filter((g) => g.measure === 'record').map((g) => g.message)).to.include(`qemu_cortex_m3/wasm/bench.kernel: op=k_sem_give calls ${calls} against ${calls} for native (1.00×) exceeds the 0.5× limit`);
    expect(r.judgement.regressed.map((x) => x.kind)).to.include('gate');
    // The terminal cuts lines at its width; the image, the region and the bytes come first.
    expect(out.stdout).to.include(`regressed: size gate: ${ram.message.slice(0, 80)}`);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).to.include(ram.message.replace(/_/g, '\\_'));
    // The scenario's records: replaced the bench's own record: one row per line, with the calls.
    expect(r.results.find((x) => x.job.id === 'qemu_cortex_m3/native/bench.kernel')!.records!.rows[0]!.values).to.deep.equal({ op: 'k_sem_give', cyc: '0', calls: String(calls) });
    // tandem report judges again from run.json: the same gates, the same exit code.
    expect((await tandemCli(['report', dir], env)).code).to.equal(1);
  });

  it('tandem rerun and tandem merge keep the footprint and the figures', async () => {
    const re = join(tmp.dir, 'rerun');
    const rerun = await tandemCli(['rerun', plain.dir, '--out', re], env);
    expect(rerun.code, rerun.stdout).to.equal(0);
    const again = runJson(re);
    const bench = again.results.find((x) => x.job.id === 'qemu_cortex_m3/wasm/bench.kernel')!;
    expect(bench.cases.map((c) => c.suite)).to.deep.equal(['console_harness']);
    expect(bench.records!.rows).to.have.length(6);
    expect(again.results.every((x) => x.footprint !== undefined)).to.equal(true);
    expect(again.measures!.footprint).to.deep.equal(plain.record.measures!.footprint);

    const file = scenario();
    const shards = [1, 2].map((i) => join(tmp.dir, `shard${i}`));
    for (const [i, dir] of shards.entries()) expect((await tandemCli(['run', file, '--out', dir, '--shard', `${i + 1}/2`], env)).code).to.equal(0);
    const merged = join(tmp.dir, 'merged');
    expect((await tandemCli(['merge', ...shards, '--out', merged], env)).code).to.equal(0);
    const m = runJson(merged);
    expect(m.measures!.footprint!.map((d) => d.suite).sort()).to.deep.equal(['basic', 'bench.kernel']);
    expect(m.measures!.records!.map((d) => d.suite)).to.deep.equal(['bench.kernel']);
  });

  it('an image larger than its platform is a build error naming region and bytes, and is never booted', async () => {
    const wasmBasic = imageOf(plain.record, 'qemu_cortex_m3/wasm/basic');
    const ramKb = Math.floor((await ramOf(wasmBasic)) / 1024) - 1;
    const platform = readFileSync(join(REPO_ROOT, 'platforms/qemu_cortex_m3.yaml'), 'utf8').replace(/^name: .*$/m, 'name: tiny_m3').replace(/^ram_kb: .*$/m, `ram_kb: ${ramKb}`);
    tmp.write('tiny/platforms/tiny_m3.yaml', platform);
    const file = tmp.write(
      'tiny/scenario.yaml',
      `name: tiny\nplatforms: [tiny_m3]\nsuites: [{ name: basic, path: ${REPO_ROOT}/firmware/tests/basic, testcase: false }]\nvariants: [{ name: native }, { name: wasm }]\nimages: ${DEMO_BUILD_ROOT}/qemu_cortex_m3/{variant}/basic/zephyr/zephyr.elf\n`,
    );
    const dir = join(tmp.dir, 'tiny-out');
    const out = await tandemCli(['run', file, '--out', dir], env);
    expect(out.code, out.stdout).to.equal(1);
    const r = runJson(dir);
    const wasm = r.results.find((x) => x.job.variant === 'wasm')!;
    const used = await ramOf(wasmBasic);
    expect(wasm.verdict).to.equal('build-error');
    expect(wasm.reason).to.include(`image ${wasmBasic} does not fit tiny_m3: RAM ${used.toLocaleString('en-US')} B used, ${(ramKb * 1024).toLocaleString('en-US')} B there (ram_kb: ${ramKb})`);
    expect(wasm.log, 'no console: it never booted').to.equal(undefined);
    expect(existsSync(join(dir, 'logs/tiny_m3/wasm/basic.log'))).to.equal(false);
    expect(r.results.find((x) => x.job.variant === 'native')!.verdict).to.equal('passed');
  });
});
