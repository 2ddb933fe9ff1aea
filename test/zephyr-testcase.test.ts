import { expect } from 'chai';
import { join } from 'node:path';
import type { Platform } from '../harness/domain.js';
import { forPlatform, mergeCommon, parseTestcaseYaml, readTestcaseFile, staticFilterReasons, suiteNameOf } from '../harness/zephyr/testcase.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const APPS = join(REPO_ROOT, 'test/fixtures/zephyr/apps');
const platformDirs = [join(REPO_ROOT, 'platforms')];

const m3: Platform = { name: 'qemu_cortex_m3', board: 'qemu_cortex_m3', emulator: 'qemu', arch: 'arm', ramKb: 64, flashKb: 256, timeoutMultiplier: 1 };
const g474: Platform = { name: 'nucleo_g474re', board: 'nucleo_g474re', emulator: 'renode', arch: 'arm', ramKb: 128, flashKb: 512, timeoutMultiplier: 1 };
const an385: Platform = { name: 'mps2_an385', board: 'mps2/an385', emulator: 'qemu', arch: 'arm', ramKb: 4096, timeoutMultiplier: 1 };

describe('testcase.yaml (twister scenarios)', () => {
  const common = readTestcaseFile(join(APPS, 'kernel_common/testcase.yaml'));
  const byId = (id: string) => common.find((s) => s.id === id)!;

  it('reads every tests: entry as its own scenario, in file order', () => {
    expect(common.map((s) => s.id)).to.deep.equal([
      'kernel.common', 'kernel.common.nano32', 'kernel.common.tls', 'kernel.common.misra',
      'kernel.common.picolibc', 'kernel.common.big', 'kernel.common.console',
    ]);
  });

  it('merges common: like twister — lists concatenate, scalars are replaced, filters are and-ed', () => {
    const nano = byId('kernel.common.nano32');
    expect(nano.tags).to.deep.equal(['base', 'kernel', 'nano']);
    expect(nano.timeout).to.equal(120);
    expect(nano.minRamKb).to.equal(32);
    expect(nano.filter).to.equal('(CONFIG_MULTITHREADING) and (not CONFIG_KERNEL_COHERENCE)');
    const pico = byId('kernel.common.picolibc');
    expect(pico.timeout).to.equal(30);
    expect(pico.buildOnly).to.equal(true);
    expect(byId('kernel.common.big').minRamKb).to.equal(256);
    // A folded multi-line filter is one expression.
    expect(byId('kernel.common.tls').filter).to.match(/^\(CONFIG_MULTITHREADING\) and \(CONFIG_ARCH_HAS_THREAD_LOCAL_STORAGE and CONFIG_TOOLCHAIN_SUPPORTS_THREAD_LOCAL_STORAGE and not \(/);
    expect(mergeCommon({ tags: 'a b', timeout: 60 }, { tags: ['c'], timeout: 5 })).to.deep.equal({ tags: ['a', 'b', 'c'], timeout: 5 });
    expect(mergeCommon({ extra_args: 'X=1' }, { extra_args: 'Y=2' })).to.deep.equal({ extra_args: 'X=1 Y=2' });
  });

  it('accepts space-separated strings where twister takes lists, and moves file args out of extra_args', () => {
    const misra = byId('kernel.common.misra');
    expect(misra.platformAllow).to.deep.equal(['mps2/an385', 'qemu_x86']);
    expect(misra.extraArgs).to.deep.equal(['EXTRA_CFLAGS=-DMISRA_SANE']);
    expect(misra.extraConfFiles).to.deep.equal(['prj_misra.conf']);
    const pico = byId('kernel.common.picolibc');
    expect(pico.archExclude).to.deep.equal(['xtensa', 'riscv']);
    expect(pico.extraArgs).to.deep.equal(['CONFIG_PICOLIBC=y']);
    expect(pico.extraOverlayConfs).to.deep.equal(['overlay-picolibc.conf', 'overlay-extra.conf']);
  });

  it('resolves arch: and platform: prefixed entries per platform', () => {
    const extra = byId('kernel.common.nano32').extraConfigs;
    expect(forPlatform(extra, m3)).to.deep.equal(['CONFIG_CBPRINTF_NANO=y', 'CONFIG_CBPRINTF_REDUCED_INTEGRAL=y']);
    expect(forPlatform(extra, g474)).to.deep.equal(['CONFIG_CBPRINTF_NANO=y', 'CONFIG_CBPRINTF_REDUCED_INTEGRAL=y', 'CONFIG_FPU=y']);
    expect(forPlatform(extra, { ...m3, arch: 'riscv' })).to.deep.equal(['CONFIG_CBPRINTF_NANO=y']);
  });

  it("applies twister's static filters with twister's wording", () => {
    expect(staticFilterReasons(byId('kernel.common'), m3)).to.deep.equal([]);
    expect(staticFilterReasons(byId('kernel.common'), an385)).to.deep.equal(['In testsuite platform exclude (mps2_an385)']);
    expect(staticFilterReasons(byId('kernel.common.misra'), m3)).to.deep.equal(['Not in testsuite platform allow list (mps2/an385, qemu_x86)']);
    expect(staticFilterReasons(byId('kernel.common.misra'), an385)).to.deep.equal([]);
    expect(staticFilterReasons(byId('kernel.common.big'), m3)).to.deep.equal(['Not enough RAM (64 KB < min_ram 256 KB)']);
    expect(staticFilterReasons(byId('kernel.common.picolibc'), { ...m3, arch: 'riscv' })).to.deep.equal(['In testsuite arch exclude (riscv)']);
    // twister's console harness is judged (zephyr/console-harness.ts); other harnesses are not.
    expect(staticFilterReasons(byId('kernel.common.console'), m3)).to.deep.equal([]);
    expect(staticFilterReasons({ ...byId('kernel.common.console'), harness: 'pytest' }, m3)[0]).to.match(/harness 'pytest' is not a ztest or console harness/);
    const sem = readTestcaseFile(join(APPS, 'semaphore/testcase.yaml'));
    expect(staticFilterReasons(sem[1]!, m3)).to.deep.equal(['Skip filter']);
    expect(staticFilterReasons(sem[1]!, { ...m3, arch: 'x86' })).to.deep.equal(['Skip filter', 'Not in testsuite arch allow list (arm)']);
  });

  it('reads a sample.yaml the same way, its console harness_config included', () => {
    const [s] = readTestcaseFile(join(APPS, 'hello_sample/sample.yaml'));
    expect(s!.id).to.equal('sample.basic.helloworld');
    expect(s!.integrationPlatforms).to.deep.equal(['qemu_cortex_m3']);
    expect(s!.ignored).to.not.have.property('harness_config');
    expect(s!.console).to.deep.equal({ harness: { type: 'one_line', regex: ['Hello World! (.*)'], ordered: true } });
  });

  it('errors point into the testcase.yaml', () => {
    expect(() => parseTestcaseYaml('common:\n  tags: x\n', 'apps/x/testcase.yaml')).to.throw(ConfigError, /apps\/x\/testcase\.yaml:1:1: has no 'tests:' section/);
    try {
      parseTestcaseYaml('tests:\n  a.b:\n    timeout: soon\n', 't.yaml');
      expect.fail('should throw');
    } catch (err) {
      expect((err as ConfigError).line).to.equal(3);
      expect((err as ConfigError).message).to.include('expected a whole number');
    }
    expect(suiteNameOf('kernel.common/odd id')).to.equal('kernel.common_odd_id');
  });
});

describe('scenario suites expanded from testcase.yaml', () => {
  const s = scratch();
  after(() => s.cleanup());
  const load = (suites: string, extra = '') =>
    loadScenario(
      s.write(
        'scen.yaml',
        `name: t\nplatforms: [qemu_cortex_m3]\nsuites:\n${suites}\nvariants:\n  - name: native\n  - name: wasm\n    kconfig: [CONFIG_GALE_WASM_LTO_MUTEX=y]\n    suites: [mutex_api, kernel.common.tls]\n${extra}images: out/{platform}/{variant}/{suite}/zephyr/zephyr.elf\n`,
      ),
      { platformDirs },
    );

  it('one suite per twister scenario, named by its id, grouped under the listed name', () => {
    const sc = load(`  - ${APPS}/mutex_api\n  - ${APPS}/kernel_common`);
    expect(sc.suites.map((x) => [x.name, x.group])).to.deep.equal([
      ['kernel.mutex', 'mutex_api'],
      ['kernel.common', 'kernel_common'],
      ['kernel.common.nano32', 'kernel_common'],
      ['kernel.common.tls', 'kernel_common'],
      ['kernel.common.misra', 'kernel_common'],
      ['kernel.common.picolibc', 'kernel_common'],
      ['kernel.common.big', 'kernel_common'],
      ['kernel.common.console', 'kernel_common'],
    ]);
    expect(sc.suites[0]!.path).to.equal(join(APPS, 'mutex_api'));
  });

  it('variant suite filters and --suite match the listed name or the scenario id', () => {
    const sc = load(`  - ${APPS}/mutex_api\n  - ${APPS}/kernel_common`);
    const wasm = expandJobs(sc, { variants: ['wasm'] }).map((j) => j.suite.name);
    expect(wasm).to.deep.equal(['kernel.mutex', 'kernel.common.tls']);
    expect(expandJobs(sc, { suites: ['kernel_common'], variants: ['native'] })).to.have.length(7);
    expect(expandJobs(sc, { suites: ['kernel.common.n*'], variants: ['native'] }).map((j) => j.id)).to.deep.equal(['qemu_cortex_m3/native/kernel.common.nano32']);
  });

  it('filtered combinations stay in the plan as jobs with the reason; build_only and timeout carry over', () => {
    const jobs = expandJobs(load(`  - ${APPS}/kernel_common`), { variants: ['native'] });
    const by = (n: string) => jobs.find((j) => j.suite.name === n)!;
    expect(by('kernel.common').filtered).to.equal(undefined);
    expect(by('kernel.common.misra').filtered).to.equal('filtered: Not in testsuite platform allow list (mps2/an385, qemu_x86)');
    expect(by('kernel.common.big').filtered).to.equal('filtered: Not enough RAM (64 KB < min_ram 256 KB)');
    expect(by('kernel.common.picolibc').buildOnly).to.equal(true);
    expect(by('kernel.common.picolibc').timeouts.wallSeconds).to.equal(30);
    expect(by('kernel.common').timeouts.wallSeconds).to.equal(120);
  });

  it('scenarios: picks ids, testcase: false keeps the app one suite, explicit timeouts win', () => {
    const sc = load(
      `  - { name: common, path: ${APPS}/kernel_common, scenarios: [kernel.common, "*.tls"], timeouts: { wall: 9 } }\n  - { name: mutex_plain, path: ${APPS}/mutex_api, testcase: false }`,
    );
    expect(sc.suites.map((x) => x.name)).to.deep.equal(['kernel.common', 'kernel.common.tls', 'mutex_plain']);
    expect(sc.suites[0]!.timeouts).to.deep.equal({ wallSeconds: 9 });
    expect(sc.suites[2]!.twister).to.equal(undefined);
  });

  it('a scenarios: pick that matches nothing lists what is there', () => {
    try {
      load(`  - { name: common, path: ${APPS}/kernel_common, scenarios: [kernel.nope] }`);
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).field).to.equal('suites[0].scenarios');
      expect((err as ConfigError).hint).to.include('kernel.common.tls');
    }
  });

  it('the same app listed twice is an error naming both', () => {
    expect(() => load(`  - ${APPS}/mutex_api\n  - { name: again, path: ${APPS}/mutex_api }`)).to.throw(ConfigError, /twister scenario 'kernel.mutex' of again is already a suite \(from mutex_api\)/);
  });
});
