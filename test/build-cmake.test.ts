import { expect } from 'chai';
import { chmodSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { buildAll, type Built } from './helpers/build.js';

// Real builds of tandem's demo firmware with cmake + ninja + arm-none-eabi-gcc, in a copy of
// firmware/ so sources can be edited.
const platformDirs = [join(REPO_ROOT, 'platforms')];

describe('cmake builder on the demo firmware (real builds) and the build cache', function () {
  this.timeout(300_000);
  const s = scratch('tandem-build-');
  const fw = join(s.dir, 'firmware');
  const logs = join(s.dir, 'logs');
  let scenarioFile: string;
  const scenarioText = (wasmKconfig: string) => `name: cache-test
platforms: [qemu_cortex_m3]
suites:
  - { name: sem, path: ${fw}/tests/sem }
variants:
  - name: native
  - name: wasm
    kconfig: [${wasmKconfig}]
build:
  kind: cmake
  build_root: ${s.dir}/build
`;
  const load = () => loadScenario(scenarioFile, { platformDirs });
  const byVariant = (b: Built[], v: string) => b.find((x) => x.job.variant.name === v)!;

  before(() => {
    cpSync(join(REPO_ROOT, 'firmware'), fw, { recursive: true });
    scenarioFile = s.write('scen.yaml', scenarioText('CONFIG_GALE_WASM_LTO_SEM=y'));
    s.write('logs/.keep', '');
  });
  after(() => s.cleanup());

  let first: Built[];
  it('builds both variants with cmake; the wasm fragment reaches zephyr/.config', async () => {
    first = await buildAll(load(), logs);
    for (const b of first) {
      expect(b.outcome.ok, b.log).to.equal(true);
      if (!b.outcome.ok) continue;
      expect(b.outcome.image.origin).to.equal('built');
      expect(existsSync(b.outcome.image.path)).to.equal(true);
      expect(b.log).to.match(/^\$ cmake -G Ninja -S /m);
    }
    const wasm = byVariant(first, 'wasm');
    expect(readFileSync(join(s.dir, 'build/qemu_cortex_m3/wasm/sem/zephyr/.config'), 'utf8')).to.match(/^CONFIG_GALE_WASM_LTO_SEM=y$/m);
    expect(readFileSync(join(s.dir, 'build/qemu_cortex_m3/native/sem/zephyr/.config'), 'utf8')).to.match(/^# CONFIG_GALE_WASM_LTO_SEM is not set$/m);
    if (wasm.outcome.ok) {
      expect(wasm.outcome.image.provenance).to.deep.include({ builder: 'cmake' });
      expect((wasm.outcome.image.provenance as { kconfig: Record<string, string> }).kconfig.CONFIG_GALE_WASM_LTO_SEM).to.equal('y');
    }
    const stamp = JSON.parse(readFileSync(join(s.dir, 'build/qemu_cortex_m3/wasm/sem/.tandem-build-key'), 'utf8'));
    // Ninja's record of the files the build read: the kernel source and the headers.
    expect(Object.keys(stamp.inputs.deps)).to.include(join(fw, 'src/kernel/sem_wasm.c'));
    expect(Object.keys(stamp.inputs.deps)).to.include(join(fw, 'include/zephyr/kernel.h'));
    expect(Object.keys(stamp.inputs.toolchain).some((k) => /arm-none-eabi-gcc --version$/.test(k))).to.equal(true);
  });

  it('a second run with nothing changed runs no cmake at all and reuses both images', async () => {
    // A cmake on PATH that records every call before handing over to the real one.
    const calls = join(s.dir, 'cmake-calls.log');
    const real = (await execa('which', ['cmake'])).stdout.trim();
    const spy = s.write(
      'spy/cmake',
      `#!/usr/bin/env node\nimport { appendFileSync } from 'node:fs';\nimport { spawnSync } from 'node:child_process';\nappendFileSync(${JSON.stringify(calls)}, process.argv.slice(2).join(' ') + '\\n');\nprocess.exit(spawnSync(${JSON.stringify(real)}, process.argv.slice(2), { stdio: 'inherit' }).status ?? 1);\n`,
    );
    chmodSync(spy, 0o755);
    writeFileSync(calls, '');
    const path = process.env.PATH;
    process.env.PATH = `${join(s.dir, 'spy')}:${path}`;
    let again: Built[];
    let spied: string;
    try {
      again = await buildAll(load(), logs);
      spied = readFileSync(calls, 'utf8');
      // The spy does see cmake when a build happens.
      await buildAll(load(), logs, { variants: ['native'] }, { noCache: true });
    } finally {
      process.env.PATH = path;
    }
    expect(spied).to.equal('');
    expect(readFileSync(calls, 'utf8')).to.match(/^-G Ninja -S /m);
    const ms = again.reduce((a, b) => a + b.ms, 0);
    const firstMs = first.reduce((a, b) => a + b.ms, 0);
    console.log(`      build time: first run ${firstMs.toFixed(0)} ms, cached run ${ms.toFixed(0)} ms (2 images)`);
    for (const b of again) {
      expect(b.outcome.ok).to.equal(true);
      if (!b.outcome.ok) continue;
      expect(b.outcome.image.origin).to.equal('cached');
      expect(b.log).to.match(/^tandem: cache hit /);
      expect(b.log).to.not.match(/^\$ /m);
      const before = byVariant(first, b.job.variant.name).outcome;
      if (before.ok) expect(b.outcome.image.sha256).to.equal(before.image.sha256);
    }
    expect(ms).to.be.lessThan(firstMs);
  });

  it("changing the variant's Kconfig rebuilds that variant only, and the log says why", async () => {
    writeFileSync(scenarioFile, scenarioText('CONFIG_GALE_WASM_LTO_SEM=y, CONFIG_GALE_WASM_LTO_MUTEX=y'));
    const r = await buildAll(load(), logs);
    const wasm = byVariant(r, 'wasm');
    const native = byVariant(r, 'native');
    expect(wasm.outcome.ok && wasm.outcome.image.origin).to.equal('built');
    expect(wasm.log).to.match(/^tandem: cache miss, changed: Kconfig fragment .*variant\.conf$/m);
    expect(native.outcome.ok && native.outcome.image.origin).to.equal('cached');
  });

  it('editing a kernel source the build read rebuilds, though no input was declared', async () => {
    const src = join(fw, 'src/kernel/sem.c');
    writeFileSync(src, `${readFileSync(src, 'utf8')}\n/* edited by a tandem test */\n`);
    const r = await buildAll(load(), logs);
    for (const b of r) {
      expect(b.outcome.ok && b.outcome.image.origin, b.job.id).to.equal('built');
      expect(b.log).to.include(`cache miss, changed: ${src}`);
    }
  });

  it('--rebuild builds despite a matching key; the cache works again afterwards', async () => {
    const forced = await buildAll(load(), logs, {}, { noCache: true });
    expect(forced.every((b) => b.outcome.ok && b.outcome.image.origin === 'built')).to.equal(true);
    expect(forced[0]!.log).to.match(/^tandem: rebuild requested/);
    const after = await buildAll(load(), logs);
    expect(after.every((b) => b.outcome.ok && b.outcome.image.origin === 'cached')).to.equal(true);
  });

  it('a compile error is a build error carrying the compiler line', async () => {
    const src = join(fw, 'src/kernel/sem_wasm.c');
    const good = readFileSync(src, 'utf8');
    writeFileSync(src, `${good}\nint broken(void) { return undeclared_symbol; }\n`);
    try {
      const [wasm] = await buildAll(load(), logs, { variants: ['wasm'] });
      expect(wasm!.outcome.ok).to.equal(false);
      if (!wasm!.outcome.ok) expect(wasm!.outcome.message).to.match(/sem_wasm\.c:\d+:\d+: error: 'undeclared_symbol' undeclared/);
      expect(existsSync(join(s.dir, 'build/qemu_cortex_m3/wasm/sem/.tandem-build-key'))).to.equal(false);
    } finally {
      writeFileSync(src, good);
    }
  });
});

describe('testcase.yaml scenarios built for real: extra_configs, runtime filter', function () {
  this.timeout(300_000);
  const s = scratch('tandem-tc-');
  const fw = join(s.dir, 'firmware');
  let scenarioFile: string;
  before(() => {
    cpSync(join(REPO_ROOT, 'firmware'), fw, { recursive: true });
    writeFileSync(
      join(fw, 'tests/sem/testcase.yaml'),
      `common:
  platform_allow:
    - qemu_cortex_m3
tests:
  demo.sem:
    tags: kernel
  demo.sem.wasm_only:
    filter: CONFIG_GALE_WASM_LTO_SEM and CONFIG_ZTEST
    extra_configs:
      - CONFIG_SYS_CLOCK_TICKS_PER_SEC=100
      - arch:riscv:CONFIG_NOT_FOR_ARM=y
`,
    );
    scenarioFile = s.write(
      'scen.yaml',
      `name: tc
platforms: [qemu_cortex_m3]
suites:
  - ${fw}/tests/sem
variants:
  - name: native
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_SEM=y]
build:
  kind: cmake
  build_root: ${s.dir}/build
`,
    );
    s.write('logs/.keep', '');
  });
  after(() => s.cleanup());
  const load = () => loadScenario(scenarioFile, { platformDirs });

  it("each scenario is its own image; extra_configs land in its .config; a false filter stops after configure", async () => {
    const r = await buildAll(load(), join(s.dir, 'logs'));
    const by = (id: string) => r.find((b) => b.job.id === id)!;
    expect(r.map((b) => b.job.id)).to.deep.equal([
      'qemu_cortex_m3/native/demo.sem', 'qemu_cortex_m3/wasm/demo.sem', 'qemu_cortex_m3/native/demo.sem.wasm_only', 'qemu_cortex_m3/wasm/demo.sem.wasm_only',
    ]);
    const filtered = by('qemu_cortex_m3/native/demo.sem.wasm_only');
    expect(filtered.outcome).to.deep.equal({ ok: false, kind: 'filtered', message: 'filtered: runtime filter: CONFIG_GALE_WASM_LTO_SEM and CONFIG_ZTEST' });
    expect(filtered.log).to.not.match(/cmake --build/);
    expect(existsSync(join(s.dir, 'build/qemu_cortex_m3/native/demo.sem.wasm_only/zephyr/zephyr.elf'))).to.equal(false);
    const wasmOnly = by('qemu_cortex_m3/wasm/demo.sem.wasm_only');
    expect(wasmOnly.outcome.ok, wasmOnly.log).to.equal(true);
    const config = readFileSync(join(s.dir, 'build/qemu_cortex_m3/wasm/demo.sem.wasm_only/zephyr/.config'), 'utf8');
    expect(config).to.match(/^CONFIG_SYS_CLOCK_TICKS_PER_SEC=100$/m);
    expect(config).to.not.include('CONFIG_NOT_FOR_ARM');
    expect(readFileSync(join(s.dir, 'build/qemu_cortex_m3/wasm/demo.sem/zephyr/.config'), 'utf8')).to.match(/^CONFIG_SYS_CLOCK_TICKS_PER_SEC=1000$/m);
  });

  it('the second run decides the filtered job from the cache too: no cmake for any job', async () => {
    const r = await buildAll(load(), join(s.dir, 'logs'));
    for (const b of r) expect(b.log, b.job.id).to.not.match(/^\$ /m);
    const filtered = r.find((b) => b.job.id === 'qemu_cortex_m3/native/demo.sem.wasm_only')!;
    expect(filtered.outcome.ok === false && filtered.outcome.kind).to.equal('filtered');
    expect(filtered.log).to.match(/^tandem: cache hit [0-9a-f]{16} \(configured /);
  });
});
