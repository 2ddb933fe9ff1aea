// The small pieces of cost and reach: the scenario's `measure:` key, gale's scenario naming its
// modules' surfaces, Thumb instruction classes, the QEMU plugin's build and output, and the Renode
// probe's plan and records.
import { expect } from 'chai';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadScenario } from '../harness/scenario/scenario.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { GALE_MODULES } from '../harness/zephyr/gale.js';
import { REPO_ROOT } from '../harness/version.js';
import { flowOf, multiple } from '../harness/measure/probe/thumb.js';
import { qemuProbePlugin } from '../harness/emulators/qemu-probe/plugin.js';
import { parseProbeOutput, planText } from '../harness/emulators/qemu-probe/output.js';
import { parseProbeRecords, probePlanText } from '../harness/emulators/renode/probe.js';
import type { ProbePlan } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';

const platformDirs = [join(REPO_ROOT, 'platforms')];
const BASE = `name: t\nplatforms: [qemu_cortex_m3]\nsuites: [a]\nvariants: [{ name: native }]\nbuild: { kind: prebuilt }\nimages: out/{suite}.elf\n`;

describe('cost: the scenario names the functions under test', () => {
  const s = scratch('tandem-cost-scenario-');
  after(() => s.cleanup());
  const load = (extra: string) => loadScenario(s.write('s.yaml', `${BASE}${extra}`), { platformDirs });
  const errorOf = (extra: string): ConfigError => {
    try {
      load(extra);
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('measure.functions names and globs; every job carries them, and a gate ratio becomes the policy', () => {
    const sc = load("measure:\n  functions: [k_mutex_unlock, 'k_msgq_*']\n  gate_ratio: 2.5\n");
    expect(sc.measure).to.deep.equal({ functions: ['k_mutex_unlock', 'k_msgq_*'] });
    expect(sc.costGate).to.equal(2.5);
    expect(load('').measure).to.equal(undefined);
  });

  it('mistakes are said at their line', () => {
    expect(errorOf('measure:\n  function: [x]\n')).to.include({ line: 8 });
    expect(errorOf('measure:\n  functions: [x]\n  gate_ratio: 0\n').problem).to.match(/must be greater than 0/);
    const e = errorOf('measure:\n  functions:\n    - ok\n    - "k_mutex_unlock; rm -rf /"\n');
    expect(e.line).to.equal(10);
    expect(e.problem).to.match(/is not a function name or glob/);
  });

  it('gale\'s scenario measures the kernel functions its modules replace (harness/zephyr/gale.ts)', () => {
    const yaml = parseYaml(readFileSync(join(REPO_ROOT, 'scenarios/gale-wasm-lto.yaml'), 'utf8')) as { measure: { functions: string[] } };
    expect(yaml.measure.functions).to.have.members(Object.values(GALE_MODULES).map((m) => m.replaces));
    const demo = parseYaml(readFileSync(join(REPO_ROOT, 'scenarios/demo.yaml'), 'utf8')) as { measure: { functions: string[] } };
    expect(demo.measure.functions).to.have.members(['k_sem_give', 'k_mutex_unlock', 'k_msgq_put']);
  });
});

describe('cost: Thumb instructions as control flow', () => {
  const cases: Array<[string, ReturnType<typeof flowOf>]> = [
    ['bx lr', { kind: 'return', conditional: false }],
    ['pop {r3, r4, r5, pc}', { kind: 'return', conditional: false }],
    ['ldmia.w sp!, {r4, r5, r6, r7, r8, r9, sl, fp, pc}', { kind: 'return', conditional: false }],
    ['ldr.w pc, [sp], #4', { kind: 'return', conditional: false }],
    ['b.w c04 <z_reschedule>', { kind: 'branch', target: 0xc04, conditional: false }],
    ['bls.n 1554 <k_mutex_unlock+0x34>', { kind: 'branch', target: 0x1554, conditional: true }],
    ['cbz r3, 1578 <k_mutex_unlock+0x58>', { kind: 'branch', target: 0x1578, conditional: true }],
    ['bl d00 <z_unpend_first>', { kind: 'call', target: 0xd00 }],
    ['blx r3', { kind: 'indirect-call' }],
    ['bx r3', { kind: 'indirect', conditional: false }],
    ['tbb [pc, r3]', { kind: 'indirect', conditional: false }],
    ['udf #0', { kind: 'trap' }],
    ['ldmia.w sp!, {r3, r4, r5, lr}', { kind: 'other' }],
    ['movs r0, #0', { kind: 'other' }],
  ];
  for (const [text, flow] of cases) it(text, () => expect(flowOf(text)).to.deep.equal(flow));

  it('inside an IT block a return is conditional', () => {
    expect(flowOf('popne {r4, pc}', true)).to.deep.equal({ kind: 'return', conditional: true });
  });

  it('load/store-multiples with the lowest address they touch', () => {
    expect(multiple('push {r4, r5, r6, r7, r8, r9, sl, fp, lr}')).to.deep.equal({ store: true, registers: [4, 5, 6, 7, 8, 9, 10, 11, 14], base: 13, offset: -36 });
    expect(multiple('stmdb sp!, {r4-r11, lr}')).to.deep.include({ base: 13, offset: -36 });
    expect(multiple('stmia.w r0, {r4, r5, r6, r7, r8, r9, sl, fp, ip}')).to.deep.include({ store: true, base: 0, offset: 0 });
    expect(multiple('ldmia.w r0, {r4, r5, r6, r7, r8, r9, sl, fp, ip}')).to.deep.include({ store: false, base: 0, offset: 0 });
    expect(multiple('mov sp, r1')).to.equal(undefined);
  });
});

describe('cost: the QEMU probe plugin', function () {
  this.timeout(120_000);
  const s = scratch('tandem-cost-plugin-');
  after(() => s.cleanup());

  it('is built once per QEMU binary and kept in the cache folder', async () => {
    const env = { ...process.env, TANDEM_CACHE_DIR: join(s.dir, 'cache') };
    const first = await qemuProbePlugin('qemu-system-arm', env);
    if ('problem' in first) throw new Error(first.problem);
    expect(first.path.startsWith(join(s.dir, 'cache', 'qemu-probe'))).to.equal(true);
    const built = statSync(first.path).mtimeMs;
    const again = await qemuProbePlugin('qemu-system-arm', env);
    expect(again).to.deep.equal(first);
    expect(statSync(first.path).mtimeMs).to.equal(built);
  });

  it('says why when there is no compiler, or the QEMU was built without plugins', async () => {
    // A QEMU stand-in whose -help lists no -plugin, as a QEMU configured --disable-plugins prints.
    const fake = s.write('bin/qemu-fake', '#!/bin/sh\necho "-kernel bzImage use bzImage as kernel image"\n');
    chmodSync(fake, 0o755);
    const noPlugins = await qemuProbePlugin(fake, { ...process.env, TANDEM_CACHE_DIR: join(s.dir, 'c2') });
    expect(noPlugins).to.deep.equal({ problem: `${fake} was built without TCG plugin support (its -help has no -plugin)` });
    const real = (process.env.PATH ?? '').split(':').map((d) => join(d, 'qemu-system-arm')).find((p) => existsSync(p))!;
    const noCc = await qemuProbePlugin(real, { PATH: '/nonexistent', TANDEM_CACHE_DIR: join(s.dir, 'c3') });
    expect(noCc).to.deep.equal({ problem: 'no C compiler (cc) to build the QEMU probe plugin: apt-get install gcc' });
  });

  it('its plan keeps the order of sites at one address, and its output keeps what the counters gathered since the last case', () => {
    const plan: ProbePlan = {
      sites: [
        { id: 0, address: 0x100, role: 'entry' },
        { id: 1, address: 0x100, role: 'window' },
        { id: 0, address: 0x104, role: 'block' },
        { id: 2, address: 0x200, role: 'switch', base: 13, offset: -36 },
      ],
      counters: 1,
    };
    expect(planText(plan)).to.equal('e 100 0\nw 100 1\nc 104 0\nm 200 2\n');
    // Header (64 bytes), one counter (now 5), three records: a site, a keyed site, 2 hits flushed.
    const buf = Buffer.alloc(64 + 8 + 3 * 24);
    buf.writeBigUInt64LE(0x31424f5250444e54n, 0);
    buf.writeBigUInt64LE(3n, 8);
    buf.writeBigUInt64LE(1n, 32);
    buf.writeBigUInt64LE(5n, 64);
    const rec = (i: number, id: number, flags: number, count: bigint, value: bigint) => {
      const o = 72 + i * 24;
      buf.writeUInt32LE(id, o);
      buf.writeUInt32LE(flags, o + 4);
      buf.writeBigUInt64LE(count, o + 8);
      buf.writeBigUInt64LE(value, o + 16);
    };
    rec(0, 0, 0, 100n, 0n);
    rec(1, 2, 1, 150n, 0x20001000n);
    rec(2, 0, 2, 2n, 0n);
    const log = parseProbeOutput((offset, length) => buf.subarray(offset, offset + length));
    expect(log.records).to.deep.equal([
      { kind: 'site', id: 0, count: 100 },
      { kind: 'site', id: 2, count: 150, key: 0x20001000 },
      { kind: 'hits', id: 0, count: 2 },
      { kind: 'hits', id: 0, count: 3 },
    ]);
    expect(parseProbeOutput(() => Buffer.alloc(64))).to.deep.include({ problem: 'the QEMU probe plugin did not start' });
  });
});

describe('cost: the Renode probe\'s plan and records', () => {
  it('leaves out what Renode sees for itself: follow sites, vectors, and a switch inside an exception', () => {
    const plan: ProbePlan = {
      sites: [
        { id: 0, address: 0x100, role: 'entry' },
        { id: 1, address: 0x110, role: 'follow' },
        { id: 2, address: 0x400, role: 'vector' },
        { id: 3, address: 0x410, role: 'switch', base: 0, offset: 0, inException: true },
        { id: 4, address: 0x500, role: 'switch', base: 13, offset: -36 },
        { id: 5, address: 0x600, role: 'window' },
        { id: 0, address: 0x104, role: 'block' },
      ],
      counters: 1,
      code: [{ start: 0x100, end: 0x120 }],
    };
    expect(probePlanText(plan)).to.equal('entry 100 0\nswitch 500 4 13 -36\nwindow 600 5\nblock 104 0\ncode 100 120\n');
  });

  it('reads the records TandemProbe.cs writes', () => {
    expect(parseProbeRecords('s 0 100\ns 4 150 536875648\nx 0 160\ne 0 170 536878864\ne 1 190 536878864\nh 3 1\ngarbage\n')).to.deep.equal([
      { kind: 'site', id: 0, count: 100 },
      { kind: 'site', id: 4, count: 150, key: 536875648 },
      { kind: 'exit', id: 0, count: 160 },
      { kind: 'exception', end: false, count: 170, key: 536878864 },
      { kind: 'exception', end: true, count: 190, key: 536878864 },
      { kind: 'hits', id: 3, count: 1 },
    ]);
  });
});
