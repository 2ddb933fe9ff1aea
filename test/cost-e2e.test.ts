// Cost and reach as a user gets them: the demo firmware measured in QEMU by `tandem run` (two shards,
// then `tandem merge`), against the same run unmeasured; the expected figures come from the demo's
// own images. Renode, where installed, must count the same on the very image QEMU booted.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RUN_SCHEMA_VERSION, type RunRecord, type RunResult } from '../harness/domain.js';
import { parseRunJson } from '../harness/report/json.js';
import { finishRecord, metaOf } from '../harness/run/record.js';
import { flowOf } from '../harness/measure/probe/thumb.js';
import { functionDisassembly, type Ins } from './helpers/disassembly.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { scratch } from './helpers/tmp.js';
import { tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import { REPO_ROOT } from '../harness/version.js';

const FUNCTIONS = ['k_sem_give', 'k_mutex_unlock', 'k_msgq_put'];
const MEASURE = `measure: { functions: [${FUNCTIONS.join(', ')}] }\n`;
const SUITES = ['sem', 'mutex', 'msgq'];

async function disassembly(elf: string, fn: string): Promise<Ins[]> {
  return functionDisassembly((await execa('arm-none-eabi-objdump', ['-d', elf])).stdout, fn);
}

/** Instructions from a function's entry to its first return when no conditional branch is taken. */
function fallThroughPath(code: readonly Ins[]): number {
  let i = 0;
  for (let n = 1; n < 1000; n++) {
    const f = flowOf(code[i]!.text);
    if (f.kind === 'return') return n;
    if (f.kind === 'branch' && !f.conditional) i = code.findIndex((c) => c.address === f.target);
    else i++;
  }
  throw new Error('no return on the fall-through path');
}

const result = (r: RunRecord, id: string): RunResult => r.results.find((x) => x.job.id === id)!;

describe('cost and reach: the demo measured in QEMU, end to end', function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-cost-e2e-');
  const { tag, env } = testTag();
  let merged: RunRecord;
  let plain: RunRecord;
  let mergedOut: { code: number; stdout: string };
  const dir = (name: string) => join(tmp.dir, name);

  before(async () => {
    const measured = tmp.write('measured.yaml', demoScenario({ name: 'cost', suites: SUITES, buildRoot: DEMO_BUILD_ROOT, silence: 60, extra: MEASURE }));
    const unmeasured = tmp.write('plain.yaml', demoScenario({ name: 'cost', suites: SUITES, buildRoot: DEMO_BUILD_ROOT, silence: 60 }));
    for (const shard of ['1/2', '2/2']) {
      const r = await tandemCli(['run', measured, '--shard', shard, '--out', dir(`shard${shard[0]}`), '--jobs', '2', '-q'], env);
      expect(r.code, r.stderr).to.be.oneOf([1, 3]);
    }
    mergedOut = await tandemCli(['merge', dir('shard1'), dir('shard2'), '--out', dir('merged')], env);
    merged = parseRunJson(readFileSync(join(dir('merged'), 'run.json'), 'utf8'));
    await tandemCli(['run', unmeasured, '--out', dir('plain'), '--jobs', '2', '-q'], env);
    plain = parseRunJson(readFileSync(join(dir('plain'), 'run.json'), 'utf8'));
  });
  after(() => {
    for (const p of taggedProcesses(tag, 'qemu-system-arm')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('changes no verdict: every job and case ends as in the unmeasured run, the hang on the guest clock', () => {
    const statuses = (r: RunRecord) => Object.fromEntries(r.results.map((x) => [x.job.id, [x.verdict, ...x.cases.map((c) => `${c.suite}.${c.name}=${c.status}`)]]));
    expect(statuses(merged)).to.deep.equal(statuses(plain));
    const hang = result(merged, 'qemu_cortex_m3/wasm/msgq');
    expect(hang.verdict).to.equal('timeout');
    expect(hang.end).to.include({ clock: 'guest' });
    expect(plain.results.every((r) => r.cost === undefined)).to.equal(true);
  });

  it('counts the recursive unlock as the image\'s own instructions say (its fall-through path to the first return)', async () => {
    const native = result(merged, 'qemu_cortex_m3/native/mutex');
    const expected = fallThroughPath(await disassembly(native.provenance.image!, 'k_mutex_unlock'));
    const recursive = native.cost!.cases.find((c) => c.case === 'mutex_api.test_mutex_recursive')!.functions['k_mutex_unlock']!;
    expect(recursive.min).to.equal(expected);
    // Three locks, three unlocks: two drop a level (the path above), the last releases the mutex.
    expect(recursive.values.find(([n]) => n === expected)![1]).to.equal(2);
  });

  it('the wasm primitives cost more per call than the native ones, in every case both called them', () => {
    for (const [fn, suite] of [['k_sem_give', 'sem'], ['k_mutex_unlock', 'mutex'], ['k_msgq_put', 'msgq']]) {
      const row = merged.measures!.cost!.find((d) => d.function === fn && d.suite === suite)!;
      expect(row.ratio, fn).to.be.greaterThan(1.5);
      expect(row.casesCompared, fn).to.be.greaterThan(0);
      for (const c of row.cases.filter((x) => x.baseline && x.candidate)) expect(c.candidate!.median, `${fn} ${c.case}`).to.be.greaterThan(c.baseline!.median);
    }
  });

  it('the wasm k_mutex_unlock leaves its out-of-bounds traps unreached, and nothing else; the native one reaches every block', async () => {
    const wasm = result(merged, 'qemu_cortex_m3/wasm/mutex');
    const code = await disassembly(wasm.provenance.image!, 'k_mutex_unlock');
    const blocks = wasm.reach!.functions.find((f) => f.function === 'k_mutex_unlock')!.blocks;
    const trapping = blocks.filter((b) => {
      const start = parseInt(b.address, 16);
      const mine = code.filter((i) => i.address >= start).slice(0, b.instructions);
      return mine.some((i) => /^svc\b|^bl(\.w)? .*<wasm_check/.test(i.text));
    });
    expect(trapping.length).to.be.greaterThan(0);
    expect(blocks.filter((b) => b.cases.length === 0).map((b) => b.address)).to.deep.equal(trapping.map((b) => b.address));
    const row = merged.measures!.reach!.find((r) => r.function === 'k_mutex_unlock' && r.suite === 'mutex')!;
    expect(row.baseline!.unreached).to.deep.equal([]);
    expect(row.candidate!.unreached.map((b) => b.address)).to.deep.equal(trapping.map((b) => b.address));
    // The mutex handed to a waiting thread: a path only the cases with a waiter take.
    expect(row.candidate!.onlyBy.map((b) => b.case)).to.include('mutex_api_1cpu.test_mutex_priority_inheritance');
  });

  it('merge kept every shard\'s measurements, and every report shows them', () => {
    expect(merged.results.filter((r) => r.cost).map((r) => r.job.id)).to.have.length(6);
    expect(new Set(merged.measures!.cost!.map((d) => d.suite))).to.deep.equal(new Set(SUITES));
    const out = (f: string) => readFileSync(join(dir('merged'), f), 'utf8');
    expect(mergedOut.stdout).to.match(/k_mutex_unlock {2}\d+ → \d+ instr\/call \(\d+(\.\d)?×\) · \d+ cases?/);
    expect(mergedOut.stdout).to.match(/reach k_mutex_unlock \(wasm\/mutex on qemu_cortex_m3\): 1 of \d+ blocks no case reached/);
    expect(out('summary.md')).to.match(/### Cost \(\d+\)[\s\S]*\| k\\_mutex\\_unlock \|/);
    expect(out('junit.xml')).to.match(/<property name="cost\.k_mutex_unlock" value="\d+ calls, \d+\/\d+\/\d+ instructions per call/);
    expect(out('junit.xml')).to.match(/<property name="cost_ratio\.k_mutex_unlock" value="\d/);
    expect(out('results.tap')).to.match(/^# cost: k_mutex_unlock/m);
    const twister = JSON.parse(out('twister.json')) as { testsuites: Array<{ tandem_job: string; tandem_cost?: Record<string, { calls: number }> }> };
    expect(twister.testsuites.find((s) => s.tandem_job === 'qemu_cortex_m3/wasm/mutex')!.tandem_cost!['k_mutex_unlock']!.calls).to.be.greaterThan(0);
    expect(out('index.html')).to.include('id="cost-table"').and.to.include('not reached');
  });

  it('a scenario or --gate-cost can gate on the ratio: the judge then fails the run and names the function', () => {
    const gated = finishRecord({ schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...metaOf(merged), policy: { ...merged.policy, cost: { ratio: 1.5 } }, results: merged.results, diff: merged.diff });
    expect(gated.judgement.exitCode).to.equal(1);
    expect(gated.gates!.filter((g) => g.measure === 'cost').map((g) => g.subject)).to.include('qemu_cortex_m3/wasm/mutex: k_mutex_unlock');
    const loose = finishRecord({ schema: 'tandem-run', schemaVersion: RUN_SCHEMA_VERSION, ...metaOf(merged), policy: { ...merged.policy, cost: { ratio: 1000 } }, results: merged.results, diff: merged.diff });
    expect(loose.gates?.filter((g) => g.measure === 'cost') ?? []).to.deep.equal([]);
  });

  it('tandem rerun measures again what the run measured, with the same figures', async () => {
    const r = await tandemCli(['rerun', dir('merged'), '--job', 'qemu_cortex_m3/wasm/mutex', '--out', dir('rerun')], env);
    expect(r.code, r.stderr).to.equal(1);
    const again = parseRunJson(readFileSync(join(dir('rerun'), 'run.json'), 'utf8'));
    const before = result(merged, 'qemu_cortex_m3/wasm/mutex');
    expect(result(again, 'qemu_cortex_m3/wasm/mutex').cost!.cases).to.deep.equal(before.cost!.cases);
    expect(result(again, 'qemu_cortex_m3/wasm/mutex').reach).to.deep.equal(before.reach);
  });

  it('Renode counts the same as QEMU on the very same image (the qemu_cortex_m3 build, in a bare LM3S6965 description)', async function () {
    if (!locateRenode()) this.skip(); // renode not found (set TANDEM_RENODE or put renode on PATH)
    const platforms = join(tmp.dir, 'platforms');
    tmp.write('platforms/lm3s6965_renode.yaml', readFileSync(join(REPO_ROOT, 'test/fixtures/platforms/lm3s6965_renode.yaml'), 'utf8'));
    const images = join(DEMO_BUILD_ROOT, 'qemu_cortex_m3/{variant}/{suite}/zephyr/zephyr.elf');
    const file = tmp.write('same.yaml', `name: same\nplatforms: [qemu_cortex_m3, lm3s6965_renode]\nsuites: [${SUITES.join(', ')}]\nvariants: [{ name: native }, { name: wasm }]\ncompare: { baseline: native, candidates: [wasm] }\nbuild: { kind: prebuilt }\nimages: ${images}\ntimeouts: { wall: 60, silence: 60, crash_grace: 0.5 }\n${MEASURE}`);
    expect(existsSync(platforms)).to.equal(true);
    const r = await tandemCli(['run', file, '--out', dir('same'), '--jobs', '2', '-q'], env);
    expect(r.code, r.stderr).to.equal(1);
    const same = parseRunJson(readFileSync(join(dir('same'), 'run.json'), 'utf8'));
    for (const variant of ['native', 'wasm']) {
      for (const suite of SUITES) {
        const q = result(same, `qemu_cortex_m3/${variant}/${suite}`);
        const n = result(same, `lm3s6965_renode/${variant}/${suite}`);
        expect(n.verdict, `${variant}/${suite}`).to.equal(q.verdict);
        expect(n.cost!.method).to.match(/^renode/);
        expect({ ...n.cost, method: '' }, `${variant}/${suite}`).to.deep.equal({ ...q.cost, method: '' });
        expect(n.reach, `${variant}/${suite}`).to.deep.equal(q.reach);
      }
    }
  });
});

describe('cost and reach: the demo on the NUCLEO-G474RE in Renode', function () {
  this.timeout(900_000);
  const tmp = scratch('tandem-cost-renode-');
  const { tag, env } = testTag();
  after(() => {
    for (const p of taggedProcesses(tag, 'renode')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('changes no verdict, and shows the wasm primitives\' cost and unreached traps', async function () {
    if (!locateRenode()) this.skip(); // renode not found (set TANDEM_RENODE or put renode on PATH)
    const base = demoScenario({ name: 'cost-renode', suites: ['mutex', 'msgq'], buildRoot: DEMO_BUILD_ROOT, silence: 60 }).replace('platforms: [qemu_cortex_m3]', 'platforms: [nucleo_g474re]');
    const runs: Record<string, RunRecord> = {};
    for (const [name, extra] of [['measured', MEASURE], ['plain', '']] as const) {
      const file = tmp.write(`${name}.yaml`, `${base}${extra}`);
      const r = await tandemCli(['run', file, '--out', join(tmp.dir, name), '--jobs', '2', '-q'], env);
      expect(r.code, r.stderr).to.equal(1);
      runs[name] = parseRunJson(readFileSync(join(tmp.dir, name, 'run.json'), 'utf8'));
    }
    const statuses = (r: RunRecord) => Object.fromEntries(r.results.map((x) => [x.job.id, [x.verdict, ...x.cases.map((c) => `${c.suite}.${c.name}=${c.status}`)]]));
    expect(statuses(runs['measured']!)).to.deep.equal(statuses(runs['plain']!));
    const row = runs['measured']!.measures!.cost!.find((d) => d.function === 'k_mutex_unlock' && d.suite === 'mutex')!;
    expect(row.ratio).to.be.greaterThan(1.5);
    const reach = runs['measured']!.measures!.reach!.find((d) => d.function === 'k_mutex_unlock' && d.suite === 'mutex')!;
    expect(reach.candidate!.unreached.length).to.be.greaterThan(0);
    expect(reach.baseline!.unreached).to.deep.equal([]);
  });
});
