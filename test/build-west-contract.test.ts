import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { buildAll } from './helpers/build.js';

// Contract test: west is not installable here, so a recording stand-in on PATH
// (test/fixtures/zephyr/fake-west/west) captures the command line tandem passes to west. It does
// not build anything; what is asserted is the argv, the working folder and the environment, and
// that tandem's checks run on the .config west would leave.
const FAKE = join(REPO_ROOT, 'test/fixtures/zephyr/fake-west');
const APPS = join(REPO_ROOT, 'test/fixtures/zephyr/apps');
const M3_CONFIG = join(REPO_ROOT, 'test/fixtures/zephyr/configs/qemu_cortex_m3.mutex_api.config');
const platformDirs = [join(REPO_ROOT, 'platforms')];

describe('west builder contract (recording stand-in for west, no real build)', function () {
  this.timeout(60_000);
  const s = scratch('tandem-west-');
  const record = join(s.dir, 'west-calls.jsonl');
  const calls = () => readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; cwd: string; env: Record<string, string> });
  const saved = { ...process.env };
  before(() => {
    process.env.FAKE_WEST_LOG = record;
    process.env.FAKE_WEST_BASE_CONFIG = M3_CONFIG;
    s.write('logs/.keep', '');
    s.write('zp/zephyr/VERSION', 'VERSION_MAJOR = 4\n');
    s.write('zp/gale/zephyr/gale_overlay.conf', 'CONFIG_GALE_KERNEL_SEM=y\n');
  });
  after(() => {
    process.env = saved;
    s.cleanup();
  });

  const scenario = (extra = '') =>
    loadScenario(
      s.write(
        'scen.yaml',
        `name: west-contract
platforms: [qemu_cortex_m3]
suites:
  - ${APPS}/mutex_api
variants:
  - name: native
  - name: wasm-mutex
    kconfig: [CONFIG_GALE_KERNEL_MUTEX=y, CONFIG_GALE_WASM_LTO_MUTEX=y]
    cmake_args: ["-DGALE_WASM_LTO_OBJ_DIR=${s.dir}/assets"]
build:
  kind: west
  workspace: ${s.dir}/zp
  build_root: ${s.dir}/build
  args:
    - "-DZEPHYR_EXTRA_MODULES=${s.dir}/zp/gale"
    - "-DOVERLAY_CONFIG=${s.dir}/zp/gale/zephyr/gale_overlay.conf"
    - "-DCONFIG_SPIN_VALIDATE=n"
  env:
    PATH: "${FAKE}:\${PATH}"
    ZEPHYR_BASE: ${s.dir}/zp/zephyr
    ZEPHYR_TOOLCHAIN_VARIANT: gnuarmemb
${extra}`,
      ),
      { platformDirs },
    );

  it('passes -b, -d, -p auto, the app, then the CMake arguments after --, from the workspace folder', async () => {
    const built = await buildAll(scenario(), join(s.dir, 'logs'));
    expect(built.map((b) => b.outcome.ok)).to.deep.equal([true, true]);
    const [native, wasm] = calls();
    const dir = (v: string) => `${s.dir}/build/qemu_cortex_m3/${v}/kernel.mutex`;
    const gale = [`-DZEPHYR_EXTRA_MODULES=${s.dir}/zp/gale`, `-DOVERLAY_CONFIG=${s.dir}/zp/gale/zephyr/gale_overlay.conf`, '-DCONFIG_SPIN_VALIDATE=n'];
    expect(native!.argv).to.deep.equal(['build', '-b', 'qemu_cortex_m3', '-d', dir('native'), '-p', 'auto', `${APPS}/mutex_api`, '--', ...gale, `-DEXTRA_CONF_FILE=${dir('native')}/tandem-fragments/variant.conf`]);
    expect(wasm!.argv).to.deep.equal([
      'build', '-b', 'qemu_cortex_m3', '-d', dir('wasm-mutex'), '-p', 'auto', `${APPS}/mutex_api`, '--',
      ...gale, `-DGALE_WASM_LTO_OBJ_DIR=${s.dir}/assets`, `-DEXTRA_CONF_FILE=${dir('wasm-mutex')}/tandem-fragments/variant.conf`,
    ]);
    expect(native!.cwd).to.equal(`${s.dir}/zp`);
    expect(native!.env).to.deep.include({ ZEPHYR_BASE: `${s.dir}/zp/zephyr`, ZEPHYR_TOOLCHAIN_VARIANT: 'gnuarmemb' });
    const w = built[1]!;
    if (w.outcome.ok) expect(w.outcome.image.provenance).to.deep.include({ builder: 'west' });
  });

  it('a second run calls west no more; the Zephyr environment is part of the key', async () => {
    const before = calls().length;
    const again = await buildAll(scenario(), join(s.dir, 'logs'));
    expect(again.every((b) => b.outcome.ok && b.outcome.image.origin === 'cached')).to.equal(true);
    expect(calls().length).to.equal(before);
    process.env.GNUARMEMB_TOOLCHAIN_PATH = `${s.dir}/other-gcc`;
    const moved = await buildAll(scenario(), join(s.dir, 'logs'));
    delete process.env.GNUARMEMB_TOOLCHAIN_PATH;
    expect(moved.every((b) => b.outcome.ok && b.outcome.image.origin === 'built')).to.equal(true);
    expect(moved[0]!.log).to.match(/cache miss, changed: environment \(GNUARMEMB_TOOLCHAIN_PATH\)/);
  });

  it('pristine: always, west_args, and a failing west is a build error with its error line', async () => {
    process.env.FAKE_WEST_FAIL = 'ERROR: Build directory … is for application …; use --pristine';
    try {
      const [b] = await buildAll(scenario('  pristine: true\n  west_args: [--sysbuild]\n'), join(s.dir, 'logs'), { variants: ['native'] }, { noCache: true });
      expect(calls().at(-1)!.argv.slice(0, 10)).to.deep.equal(['build', '-b', 'qemu_cortex_m3', '-d', `${s.dir}/build/qemu_cortex_m3/native/kernel.mutex`, '-p', 'always', '--sysbuild', `${APPS}/mutex_api`, '--']);
      expect(b!.outcome.ok).to.equal(false);
      if (!b!.outcome.ok) expect(b!.outcome.message).to.equal('ERROR: Build directory … is for application …; use --pristine');
    } finally {
      delete process.env.FAKE_WEST_FAIL;
    }
  });

  it('the Kconfig check runs on the .config west leaves: a dropped wasm switch is an error', async () => {
    process.env.FAKE_WEST_DROP = 'CONFIG_GALE_WASM_LTO_MUTEX';
    try {
      const [b] = await buildAll(scenario(), join(s.dir, 'logs'), { variants: ['wasm-mutex'] }, { noCache: true });
      expect(b!.outcome.ok).to.equal(false);
      if (!b!.outcome.ok) expect(b!.outcome.message).to.match(/^CONFIG_GALE_WASM_LTO_MUTEX=y was asked for by variant wasm-mutex but the build has it unset/);
    } finally {
      delete process.env.FAKE_WEST_DROP;
    }
  });
});
