import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadScenario } from '../harness/scenario/scenario.js';
import { REPO_ROOT } from '../harness/version.js';
import type { GaleProvenance } from '../harness/zephyr/gale.js';
import { scratch } from './helpers/tmp.js';
import { buildAll } from './helpers/build.js';

// Real cmake/ninja/gcc/ld builds of test/fixtures/zephyr/mini-gale-app: a stand-in for a Zephyr
// app linking gale's wasm object (Zephyr and gale are not installable here). Its zephyr/.config
// is the real qemu_cortex_m3 mutex_api .config plus the fragments; the objects are compiled here
// with the flags gale's release objects have (cortex-m4f hard float) or without them.
const APP = join(REPO_ROOT, 'test/fixtures/zephyr/mini-gale-app');
const platformDirs = [join(REPO_ROOT, 'platforms')];

describe('gale-style wasm builds: config check, link errors, provenance (real toolchain)', function () {
  this.timeout(300_000);
  const s = scratch('tandem-gale-');
  const logs = join(s.dir, 'logs');
  const assets = (name: string) => join(s.dir, name);

  async function object(dir: string, flags: string[]): Promise<string> {
    const src = s.write(`${dir}/unlock.c`, 'int gale_w_mutex_unlock_decide(float weight) { return weight > 0.5f; }\n');
    const obj = join(s.dir, dir, 'gale-wasm-mutex-0.5.0-cortex-m4f.o');
    await execa('arm-none-eabi-gcc', ['-c', '-mthumb', '-Os', ...flags, src, '-o', obj]);
    return obj;
  }

  const scenario = (name: string, variantKconfig: string[], variantArgs: string[]) =>
    loadScenario(
      s.write(
        `${name}.yaml`,
        `name: ${name}
platforms: [qemu_cortex_m3]
suites:
  - { name: mutex_api, path: ${APP} }
variants:
  - name: wasm-mutex
    kconfig: [${variantKconfig.join(', ')}]
    cmake_args: [${variantArgs.map((a) => JSON.stringify(a)).join(', ')}]
build:
  kind: cmake
  build_root: ${s.dir}/build-${name}
`,
      ),
      { platformDirs },
    );

  before(async () => {
    s.write('logs/.keep', '');
    await object('hardfloat', ['-mcpu=cortex-m4', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16']);
    const soft = await object('softfloat', ['-mcpu=cortex-m3', '-mfloat-abi=soft']);
    const sha = createHash('sha256').update(readFileSync(soft)).digest('hex');
    writeFileSync(join(s.dir, 'softfloat/gale-wasm-manifest-0.5.0.json'), JSON.stringify({ version: '0.5.0', artifacts: { 'gale-wasm-mutex-0.5.0-cortex-m4f.o': sha } }));
  });
  after(() => s.cleanup());

  const WASM = ['CONFIG_GALE_KERNEL_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y'];

  it('a wasm image with the default CONFIG_SPIN_VALIDATE=y is rejected after configure, before compiling', async () => {
    const [b] = await buildAll(scenario('spin', WASM, [`-DGALE_WASM_LTO_OBJ_DIR=${assets('softfloat')}`]), logs);
    expect(b!.outcome.ok).to.equal(false);
    if (b!.outcome.ok) return;
    expect(b!.outcome.kind).to.equal('build-error');
    expect(b!.outcome.message).to.match(/^invalid wasm-LTO image: CONFIG_SPIN_VALIDATE=y with CONFIG_GALE_WASM_LTO_MUTEX=y: spinlock validation gives struct k_spinlock an owner field/);
    expect(b!.log).to.not.match(/cmake --build/);
    expect(existsSync(join(s.dir, 'build-spin/qemu_cortex_m3/wasm-mutex/mutex_api/zephyr/zephyr.elf'))).to.equal(false);
  });

  it("a hard-float object on the soft-float M3 is a build error with the linker's line", async () => {
    const [b] = await buildAll(scenario('vfp', [...WASM, 'CONFIG_SPIN_VALIDATE=n'], [`-DGALE_WASM_LTO_OBJ_DIR=${assets('hardfloat')}`]), logs);
    expect(b!.outcome.ok).to.equal(false);
    if (!b!.outcome.ok) {
      expect(b!.outcome.kind ?? 'build-error').to.equal('build-error');
      expect(b!.outcome.message).to.equal(`ld: error: ${assets('hardfloat')}/gale-wasm-mutex-0.5.0-cortex-m4f.o uses VFP register arguments, zephyr/zephyr.elf does not`);
    }
  });

  it('RAM reserved beyond 64 KB is a build error with the overflow amount', async () => {
    const [b] = await buildAll(scenario('ram', [...WASM, 'CONFIG_SPIN_VALIDATE=n'], [`-DGALE_WASM_LTO_OBJ_DIR=${assets('softfloat')}`, '-DBIG_BSS=70']), logs);
    expect(b!.outcome.ok).to.equal(false);
    if (!b!.outcome.ok) expect(b!.outcome.message).to.match(/^ld: region `RAM' overflowed by \d+ bytes$/);
  });

  it('a missing object folder is reported with the CMake message', async () => {
    const [b] = await buildAll(scenario('noobj', [...WASM, 'CONFIG_SPIN_VALIDATE=n'], [`-DGALE_WASM_LTO_OBJ_DIR=${assets('nowhere')}`]), logs);
    expect(b!.outcome.ok).to.equal(false);
    if (!b!.outcome.ok) expect(b!.outcome.message).to.match(/^CMake Error at .*CMakeLists\.txt:\d+ \(message\): CONFIG_GALE_WASM_LTO_MUTEX=y needs -DGALE_WASM_LTO_MUTEX_OBJ/);
  });

  it('a good wasm build records the object sha256 and the manifest verdict', async () => {
    const [b] = await buildAll(scenario('good', [...WASM, 'CONFIG_SPIN_VALIDATE=n'], [`-DGALE_WASM_LTO_OBJ_DIR=${assets('softfloat')}`]), logs);
    expect(b!.outcome.ok, b!.log).to.equal(true);
    if (!b!.outcome.ok) return;
    const gale = b!.outcome.image.provenance?.gale as GaleProvenance;
    const obj = join(assets('softfloat'), 'gale-wasm-mutex-0.5.0-cortex-m4f.o');
    expect(gale.objects).to.deep.equal([{ module: 'mutex', file: obj, sha256: createHash('sha256').update(readFileSync(obj)).digest('hex'), manifest: 'match' }]);
    expect(gale.manifest).to.deep.include({ version: '0.5.0', signature: 'absent' });
    // The object is a link input, so Ninja's record puts it in the cache key.
    const stamp = JSON.parse(readFileSync(join(s.dir, 'build-good/qemu_cortex_m3/wasm-mutex/mutex_api/.tandem-build-key'), 'utf8'));
    expect(Object.keys(stamp.inputs.deps)).to.include(obj);
  });
});
