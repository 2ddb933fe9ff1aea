import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { createBuilder } from '../harness/build/index.js';
import { findTwisterImage, normalizedPlatform, sourceDirRel, twisterBuildDir } from '../harness/zephyr/twister-out.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const CONFIGS = join(REPO_ROOT, 'test/fixtures/zephyr/configs');
const platformDirs = [join(REPO_ROOT, 'platforms')];

describe('twister output layout', () => {
  it("follows twisterlib's build_dir: <out>/<platform, / → _>/<app relative to ZEPHYR_BASE>/<scenario>", () => {
    expect(normalizedPlatform('mps2/an385')).to.equal('mps2_an385');
    expect(sourceDirRel('/zp/zephyr/tests/kernel/mutex/mutex_api', '/zp/zephyr')).to.equal('tests/kernel/mutex/mutex_api');
    // An app outside ZEPHYR_BASE keeps only the part after the last ../
    expect(sourceDirRel('/zp/gale/tests/sem_smoke', '/zp/zephyr')).to.equal('gale/tests/sem_smoke');
    expect(twisterBuildDir('/out', 'mps2/an385', 'tests/kernel/mutex/mutex_api', 'kernel.mutex')).to.equal('/out/mps2_an385/tests/kernel/mutex/mutex_api/kernel.mutex');
  });
});

describe('prebuilt images', () => {
  const s = scratch('tandem-prebuilt-');
  after(() => s.cleanup());
  const zephyrBase = join(s.dir, 'zp/zephyr');

  /** A twister build folder as twister leaves it: zephyr/zephyr.elf and zephyr/.config. */
  function twisterBuild(out: string, platform: string, app: string, id: string, extraConfig = ''): string {
    const dir = join(s.dir, out, normalizedPlatform(platform), app, id);
    mkdirSync(join(dir, 'zephyr'), { recursive: true });
    writeFileSync(join(dir, 'zephyr/zephyr.elf'), `elf ${out} ${id}`);
    writeFileSync(join(dir, 'zephyr/.config'), `${readFileSync(join(CONFIGS, 'qemu_cortex_m3.mutex_api.config'), 'utf8')}\n${extraConfig}`);
    return join(dir, 'zephyr/zephyr.elf');
  }

  before(() => {
    for (const d of ['tests/kernel/mutex/mutex_api', 'tests/kernel/mutex/sys_mutex']) {
      s.write(`zp/zephyr/${d}/src/main.c`, '/* app */\n');
    }
    s.write('zp/zephyr/tests/kernel/mutex/mutex_api/testcase.yaml', 'tests:\n  kernel.mutex:\n    tags: kernel userspace\n');
    s.write('zp/zephyr/tests/kernel/mutex/sys_mutex/testcase.yaml', 'tests:\n  kernel.mutex.system:\n    tags: kernel\n  kernel.mutex.system.nouser:\n    extra_configs:\n      - CONFIG_USERSPACE=n\n');
  });

  const scenario = (buildBlock: string) =>
    loadScenario(
      s.write(
        'scen.yaml',
        `name: pre
platforms: [qemu_cortex_m3]
suites:
  - ${zephyrBase}/tests/kernel/mutex/mutex_api
  - ${zephyrBase}/tests/kernel/mutex/sys_mutex
variants:
  - name: native
  - name: wasm-mutex
    kconfig: [CONFIG_GALE_WASM_LTO_MUTEX=y]
${buildBlock}`,
      ),
      { platformDirs },
    );

  it('takes images from a twister output folder per variant, checks their .config, records provenance', async () => {
    const wasmCfg = 'CONFIG_GALE_KERNEL_MUTEX=y\nCONFIG_GALE_WASM_LTO_MUTEX=y\n# CONFIG_SPIN_VALIDATE is not set\n';
    const native = twisterBuild('twister-out-native', 'qemu_cortex_m3', 'tests/kernel/mutex/mutex_api', 'kernel.mutex');
    const wasm = twisterBuild('twister-out-wasm-mutex', 'qemu_cortex_m3', 'tests/kernel/mutex/mutex_api', 'kernel.mutex', wasmCfg);
    twisterBuild('twister-out-wasm-mutex', 'qemu_cortex_m3', 'tests/kernel/mutex/sys_mutex', 'kernel.mutex.system', 'CONFIG_GALE_WASM_LTO_MUTEX=y\n');
    const sc = scenario(`build:\n  kind: prebuilt\n  twister_out: twister-out-{variant}\n  zephyr_base: ${zephyrBase}\n`);
    expect(sc.build).to.deep.include({ kind: 'prebuilt', twisterOut: join(s.dir, 'twister-out-{variant}'), zephyrBase });
    const b = createBuilder(sc);
    const jobs = expandJobs(sc);
    const out = await Promise.all(jobs.map((job) => b.build({ job, buildDir: '', logFile: '', signal: new AbortController().signal })));
    const by = Object.fromEntries(jobs.map((j, i) => [j.id, out[i]!]));
    const n = by['qemu_cortex_m3/native/kernel.mutex']!;
    expect(n.ok && n.image.path).to.equal(native);
    expect(n.ok && n.image.origin).to.equal('prebuilt');
    const w = by['qemu_cortex_m3/wasm-mutex/kernel.mutex']!;
    expect(w.ok && w.image.path).to.equal(wasm);
    expect(w.ok && (w.image.provenance as { kconfig: Record<string, string> }).kconfig.CONFIG_GALE_WASM_LTO_MUTEX).to.equal('y');
    // Built by twister with spinlock validation on: flagged before anything boots.
    const sys = by['qemu_cortex_m3/wasm-mutex/kernel.mutex.system']!;
    expect(sys.ok).to.equal(false);
    if (!sys.ok) expect(sys.message).to.match(/^invalid wasm-LTO image: CONFIG_SPIN_VALIDATE=y/);
    const missing = by['qemu_cortex_m3/native/kernel.mutex.system.nouser']!;
    expect(missing.ok).to.equal(false);
    if (!missing.ok) expect(missing.message).to.match(/^prebuilt image not found: no kernel\.mutex\.system\.nouser\/zephyr\/zephyr\.elf for qemu_cortex_m3 in the twister output .*twister-out-native/);
  });

  it('without zephyr_base the platform folder is searched for the scenario', () => {
    const out = join(s.dir, 'search-out');
    const elf = twisterBuild('search-out', 'qemu_cortex_m3', 'tests/kernel/mutex/mutex_api', 'kernel.mutex');
    expect(findTwisterImage({ outDir: out, platform: 'qemu_cortex_m3', scenarioId: 'kernel.mutex' })).to.deep.equal({ ok: true, image: elf, buildDir: dirname(dirname(elf)) });
    twisterBuild('search-out', 'qemu_cortex_m3', 'samples/other/app', 'kernel.mutex');
    const two = findTwisterImage({ outDir: out, platform: 'qemu_cortex_m3', scenarioId: 'kernel.mutex' });
    expect(two.ok).to.equal(false);
    if (!two.ok) expect(two.message).to.match(/is built more than once/);
    // The app's own folders pick the right one.
    expect(findTwisterImage({ outDir: out, platform: 'qemu_cortex_m3', scenarioId: 'kernel.mutex', appPath: '/elsewhere/tests/kernel/mutex/mutex_api' })).to.deep.include({ ok: true, image: elf });
  });

  it('a path template still works, and the .config next to the image is checked', async () => {
    const elf = join(s.dir, 'images/qemu_cortex_m3/wasm-mutex/kernel.mutex/zephyr/zephyr.elf');
    mkdirSync(dirname(elf), { recursive: true });
    writeFileSync(elf, 'elf');
    copyFileSync(join(CONFIGS, 'qemu_cortex_m3.mutex_api.config'), join(dirname(elf), '.config'));
    const sc = scenario(`images: ${s.dir}/images/{platform}/{variant}/{suite}/zephyr/zephyr.elf\n`);
    const job = expandJobs(sc, { variants: ['wasm-mutex'], suites: ['kernel.mutex'] })[0]!;
    const r = await createBuilder(sc).build({ job, buildDir: '', logFile: '', signal: new AbortController().signal });
    // The variant says the image has the wasm mutex; its .config says it does not.
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.message).to.match(/^CONFIG_GALE_WASM_LTO_MUTEX=y was asked for by variant wasm-mutex but the build has it unset/);
  });

  it('top-level twister_out: works like images:', () => {
    const sc = scenario('twister_out: twister-out\n');
    expect(sc.build).to.deep.include({ kind: 'prebuilt', twisterOut: join(s.dir, 'twister-out') });
  });
});
