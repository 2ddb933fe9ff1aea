import { expect } from 'chai';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { planBuild } from '../harness/build/plan.js';
import { buildDirOf } from '../harness/build/index.js';
import { GALE_CI_KERNEL_SUITES, GALE_MODULES } from '../harness/zephyr/gale.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

// scenarios/gale-wasm-lto.yaml against a stand-in workspace: the Zephyr app folders with
// testcase.yaml files (Zephyr itself is not installable here), gale's overlay, an object folder.
const FILE = join(REPO_ROOT, 'scenarios/gale-wasm-lto.yaml');
const platformDirs = [join(REPO_ROOT, 'platforms')];
const VARS = ['ZEPHYR_BASE', 'GALE_ROOT', 'GALE_WASM_LTO_OBJ_DIR', 'ZEPHYR_TOOLCHAIN_VARIANT'] as const;

describe('scenarios/gale-wasm-lto.yaml', () => {
  const s = scratch('tandem-gale-ws-');
  const saved: Record<string, string | undefined> = {};
  const moduleSuites = Object.values(GALE_MODULES).flatMap((m) => m.suites);
  const allApps = [...new Set([...GALE_CI_KERNEL_SUITES, ...moduleSuites])];

  before(() => {
    for (const v of VARS) saved[v] = process.env[v];
    for (const app of allApps) {
      const id = `kernel.${app.replace(/\//g, '.')}`;
      s.write(`zp/zephyr/tests/kernel/${app}/src/main.c`, '/* stand-in */\n');
      s.write(`zp/zephyr/tests/kernel/${app}/testcase.yaml`, `tests:\n  ${id}:\n    tags: kernel\n`);
    }
    // One app with several scenarios, as tests/kernel/common really has.
    s.write('zp/zephyr/tests/kernel/common/testcase.yaml', 'common:\n  tags: kernel\n  timeout: 120\ntests:\n  kernel.common: {}\n  kernel.common.misra:\n    platform_allow: mps2/an385\n');
    s.write('zp/gale/zephyr/gale_overlay.conf', 'CONFIG_GALE_KERNEL_SEM=y\n');
    s.write('assets/gale-wasm-sem-0.5.0-cortex-m4f.o', 'obj');
  });
  after(() => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    s.cleanup();
  });

  const setEnv = (vars: Partial<Record<(typeof VARS)[number], string>>) => {
    for (const v of VARS) delete process.env[v];
    Object.assign(process.env, vars);
  };
  const errorOf = (): ConfigError => {
    try {
      loadScenario(FILE, { platformDirs });
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };
  const workspace = () => ({ ZEPHYR_BASE: join(s.dir, 'zp/zephyr'), GALE_ROOT: join(s.dir, 'zp/gale'), GALE_WASM_LTO_OBJ_DIR: join(s.dir, 'assets') });

  it('without the workspace variables: a ConfigError naming the variable, at its line', () => {
    setEnv({});
    const e = errorOf();
    expect(e.problem).to.equal('environment variable ZEPHYR_BASE is not set');
    expect(e.field).to.equal('suites[0]');
    expect(e.message).to.match(/gale-wasm-lto\.yaml:\d+:\d+: suites\[0\]: environment variable ZEPHYR_BASE is not set\n  hint: export ZEPHYR_BASE=/);
    setEnv({ ZEPHYR_BASE: workspace().ZEPHYR_BASE });
    expect(errorOf().problem).to.equal('environment variable GALE_WASM_LTO_OBJ_DIR is not set');
    setEnv({ ZEPHYR_BASE: workspace().ZEPHYR_BASE, GALE_WASM_LTO_OBJ_DIR: '/x' });
    expect(errorOf().problem).to.equal('environment variable GALE_ROOT is not set');
  });

  it('a ZEPHYR_BASE without the apps is caught when loading, not as 300 build errors', () => {
    setEnv({ ...workspace(), ZEPHYR_BASE: join(s.dir, 'nowhere') });
    const e = errorOf();
    expect(e.field).to.equal('suites[0]');
    expect(e.problem).to.equal(`no such folder: ${join(s.dir, 'nowhere')}/tests/kernel/semaphore/semaphore`);
  });

  it('expands to every twister scenario on every platform; each wasm variant only on its module suites and the FPU platforms', () => {
    setEnv(workspace());
    const sc = loadScenario(FILE, { platformDirs });
    expect(sc.platforms.map((p) => p.name)).to.deep.equal(['qemu_cortex_m3', 'mps2_an521', 'nucleo_g474re']);
    expect(sc.suites.length).to.equal(allApps.length + 1);
    expect(sc.comparisons).to.deep.equal(['wasm-sem', 'wasm-mutex', 'wasm-msgq'].map((c) => ({ baseline: 'native', candidate: c })));
    const jobs = expandJobs(sc);
    const groupsOf = (v: string) => [...new Set(jobs.filter((j) => j.variant.name === v).map((j) => j.suite.group))].sort();
    expect(groupsOf('wasm-sem')).to.deep.equal(['poll', 'semaphore', 'sys_sem']);
    expect(groupsOf('wasm-mutex')).to.deep.equal(['mutex_api', 'mutex_error_case', 'sys_mutex']);
    expect(groupsOf('wasm-msgq')).to.deep.equal(['msgq_api', 'msgq_usage']);
    expect(jobs.filter((j) => j.variant.name === 'native')).to.have.length((allApps.length + 1) * 3);
    expect(jobs).to.have.length((allApps.length + 1) * 3 + (3 + 3 + 2) * 2);
    expect(jobs.filter((j) => j.platform.name === 'qemu_cortex_m3' && j.variant.name !== 'native')).to.deep.equal([]);
    const misra = jobs.filter((j) => j.suite.name === 'kernel.common.misra');
    expect(misra.every((j) => j.filtered === 'filtered: Not in testsuite platform allow list (mps2/an385)')).to.equal(true);
    // testcase.yaml's timeout in guest time; the platform's multiplier (2) only where the host clock counts.
    expect(jobs.find((j) => j.suite.name === 'kernel.common' && j.platform.name === 'nucleo_g474re')!.timeouts).to.include({ wallSeconds: 120, hostScale: 2 });
  });

  it("plans gale's west command per job, FPU on the FPU platforms", () => {
    setEnv(workspace());
    const sc = loadScenario(FILE, { platformDirs });
    if (sc.build.kind !== 'west') throw new Error('expected a west build');
    const { ZEPHYR_BASE, GALE_ROOT, GALE_WASM_LTO_OBJ_DIR } = workspace();
    expect(expandJobs(sc, { platforms: ['qemu_cortex_m3'], variants: ['wasm-mutex'] })).to.deep.equal([]);
    for (const platform of ['mps2_an521', 'nucleo_g474re']) {
      const job = expandJobs(sc, { platforms: [platform], variants: ['wasm-mutex'], suites: ['mutex_api'] })[0]!;
      const dir = buildDirOf(sc, platform, 'wasm-mutex', job.suite.name)!;
      const plan = planBuild(job, dir, sc.build);
      expect(plan.steps[0]!.argv).to.deep.equal([
        'west', 'build', '-b', platform, '-d', dir, '-p', 'auto', `${ZEPHYR_BASE}/tests/kernel/mutex/mutex_api`, '--',
        `-DZEPHYR_EXTRA_MODULES=${GALE_ROOT}`, `-DOVERLAY_CONFIG=${GALE_ROOT}/zephyr/gale_overlay.conf`, '-DCONFIG_SPIN_VALIDATE=n',
        `-DGALE_WASM_LTO_OBJ_DIR=${GALE_WASM_LTO_OBJ_DIR}`, `-DEXTRA_CONF_FILE=${dir}/tandem-fragments/variant.conf`,
      ]);
      expect(plan.env).to.deep.equal({ ZEPHYR_BASE, ZEPHYR_TOOLCHAIN_VARIANT: 'zephyr' });
      const fpu = plan.fragments[0]!.text.includes('CONFIG_FPU=y');
      expect(fpu).to.equal(true);
      expect(plan.fragments[0]!.text).to.include('CONFIG_GALE_WASM_LTO_MUTEX=y');
    }
    expect(sc.build.cache?.inputs).to.deep.equal(['src', 'ffi', 'crates', 'Cargo.lock'].map((p) => join(GALE_ROOT, p)));
  });
});
