import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Platform, TwisterScenario } from '../harness/domain.js';
import { composeCmakeArgs, fragmentsOf, mergeListDefines, planBuild, requestedKconfig } from '../harness/build/plan.js';
import { firstErrorLine } from '../harness/build/builder.js';
import { canonical, describeChange, keyOf, pathCandidates, relevantEnv, type KeyInputs } from '../harness/build/cache.js';
import { parseNinjaDeps, parseNinjaInputs } from '../harness/build/ninja-deps.js';
import { REPO_ROOT } from '../harness/version.js';

const LOGS = join(REPO_ROOT, 'test/fixtures/zephyr/build-logs');
const m3: Platform = { name: 'qemu_cortex_m3', board: 'qemu_cortex_m3', emulator: 'qemu', arch: 'arm', ramKb: 64, timeoutMultiplier: 1 };
const g474: Platform = { name: 'nucleo_g474re', board: 'nucleo_g474re', emulator: 'renode', arch: 'arm', ramKb: 128, timeoutMultiplier: 1 };

function twister(extra: Partial<TwisterScenario> = {}): TwisterScenario {
  return {
    id: 'kernel.mutex', file: 'testcase.yaml', extraConfigs: [], extraArgs: [], extraConfFiles: [], extraOverlayConfs: [], extraDtcOverlayFiles: [],
    platformAllow: [], platformExclude: [], archAllow: [], archExclude: [], integrationPlatforms: [], tags: [], buildOnly: false, skip: false, ignored: {},
    ...extra,
  };
}

function job(over: Partial<Job> = {}, variantKconfig: string[] = ['CONFIG_GALE_KERNEL_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y']): Job {
  return {
    id: 'qemu_cortex_m3/wasm-mutex/kernel.mutex',
    scenario: 'gale',
    suite: { name: 'kernel.mutex', group: 'mutex_api', path: '/zp/zephyr/tests/kernel/mutex/mutex_api', twister: twister() },
    variant: { name: 'wasm-mutex', kconfig: variantKconfig, cmakeArgs: ['-DGALE_WASM_LTO_OBJ_DIR=/assets'], env: { EXTRA: 'v' } },
    platform: m3,
    timeouts: { wallSeconds: 60, silenceSeconds: 20, crashGraceSeconds: 0.5 },
    attempt: 1,
    ...over,
  };
}

const GALE_ARGS = ['-DZEPHYR_EXTRA_MODULES=/zp/gale', '-DOVERLAY_CONFIG=/zp/gale/zephyr/gale_overlay.conf', '-DCONFIG_SPIN_VALIDATE=n'];
const B = '/b/qemu_cortex_m3/wasm-mutex/kernel.mutex';

describe('build plans (exact command lines)', () => {
  it('cmake: configure with board, scenario args, variant args, the fragment; then build', () => {
    const p = planBuild(job(), B, { kind: 'cmake', generator: 'Ninja', args: GALE_ARGS, env: { ZEPHYR_TOOLCHAIN_VARIANT: 'zephyr' }, image: '{build_dir}/zephyr/zephyr.elf' });
    expect(p.steps.map((s) => s.argv)).to.deep.equal([
      ['cmake', '-G', 'Ninja', '-S', '/zp/zephyr/tests/kernel/mutex/mutex_api', '-B', B, '-DBOARD=qemu_cortex_m3',
        ...GALE_ARGS, '-DGALE_WASM_LTO_OBJ_DIR=/assets', `-DEXTRA_CONF_FILE=${B}/tandem-fragments/variant.conf`],
      ['cmake', '--build', B],
    ]);
    expect(p.steps[0]!.configures).to.equal(true);
    expect(p.image).to.equal(`${B}/zephyr/zephyr.elf`);
    expect(p.env).to.deep.equal({ ZEPHYR_TOOLCHAIN_VARIANT: 'zephyr', EXTRA: 'v' });
    expect(p.fragments[0]!.text).to.equal('# variant wasm-mutex, written by tandem\nCONFIG_GALE_KERNEL_MUTEX=y\nCONFIG_GALE_WASM_LTO_MUTEX=y\n');
    expect(p.requested.map((a) => a.name)).to.deep.equal(['CONFIG_GALE_KERNEL_MUTEX', 'CONFIG_GALE_WASM_LTO_MUTEX']);
  });

  it("west: gale's command line, pristine mode, cmake args after --", () => {
    const p = planBuild(job(), B, { kind: 'west', pristine: 'auto', args: GALE_ARGS, env: {}, image: '{build_dir}/zephyr/zephyr.elf', workspace: '/zp' });
    expect(p.steps).to.deep.equal([
      {
        argv: ['west', 'build', '-b', 'qemu_cortex_m3', '-d', B, '-p', 'auto', '/zp/zephyr/tests/kernel/mutex/mutex_api', '--',
          ...GALE_ARGS, '-DGALE_WASM_LTO_OBJ_DIR=/assets', `-DEXTRA_CONF_FILE=${B}/tandem-fragments/variant.conf`],
        cwd: '/zp',
      },
    ]);
  });

  it('command: placeholders filled, {cmake_args} spliced, no shell', () => {
    const p = planBuild(job(), B, {
      kind: 'command',
      argv: ['./build.sh', '--board={board}', '{suite_path}', '{build_dir}', 'conf={kconfig_fragments}', '{cmake_args}', '{variant} {suite}'],
      args: [],
      env: {},
      image: '{build_dir}/out.elf',
    });
    expect(p.steps[0]!.argv).to.deep.equal([
      './build.sh', '--board=qemu_cortex_m3', '/zp/zephyr/tests/kernel/mutex/mutex_api', B, `conf=${B}/tandem-fragments/variant.conf`,
      '-DGALE_WASM_LTO_OBJ_DIR=/assets', `-DEXTRA_CONF_FILE=${B}/tandem-fragments/variant.conf`, 'wasm-mutex kernel.mutex',
    ]);
    expect(p.image).to.equal(`${B}/out.elf`);
  });

  it("testcase.yaml: extra_configs become a second fragment after the variant's; extra_args go to CMake as twister passes them", () => {
    const j = job({
      suite: {
        name: 'kernel.common.nano32', path: '/zp/zephyr/tests/kernel/common',
        twister: twister({
          id: 'kernel.common.nano32',
          extraConfigs: ['CONFIG_CBPRINTF_NANO=y', 'platform:nucleo_g474re:CONFIG_FPU=y'],
          extraArgs: ['EXTRA_CFLAGS=-DX="1"', 'CONFIG_STR="a"', 'platform:qemu_cortex_m3:SNIPPET=cdc-acm-console'],
          extraOverlayConfs: ['overlay-smp.conf'],
          extraConfFiles: ['prj_nano.conf'],
        }),
      },
    });
    const frags = fragmentsOf(j, B);
    expect(frags.map((f) => f.file)).to.deep.equal([`${B}/tandem-fragments/variant.conf`, `${B}/tandem-fragments/testcase.conf`]);
    expect(frags[1]!.text).to.equal('# extra_configs of kernel.common.nano32 (testcase.yaml)\nCONFIG_CBPRINTF_NANO=y\n');
    expect(composeCmakeArgs(j, B, GALE_ARGS, frags)).to.deep.equal([
      '-DZEPHYR_EXTRA_MODULES=/zp/gale',
      // gale's overlay and the testcase's overlays in one OVERLAY_CONFIG: given twice, CMake keeps only the last.
      '-DOVERLAY_CONFIG=/zp/gale/zephyr/gale_overlay.conf;overlay-smp.conf',
      '-DCONFIG_SPIN_VALIDATE=n',
      '-DGALE_WASM_LTO_OBJ_DIR=/assets',
      '-DCONFIG_STR="a"',
      '-DEXTRA_CFLAGS=-DX=1',
      '-DSNIPPET=cdc-acm-console',
      '-DCONF_FILE=prj_nano.conf',
      `-DEXTRA_CONF_FILE=${B}/tandem-fragments/variant.conf;${B}/tandem-fragments/testcase.conf`,
    ]);
  });

  it('variant Kconfig lines may be limited to a platform, as in twister', () => {
    const kconfig = ['platform:nucleo_g474re:CONFIG_FPU=y', 'CONFIG_GALE_WASM_LTO_SEM=y'];
    expect(requestedKconfig(job({}, kconfig)).map((a) => a.name)).to.deep.equal(['CONFIG_GALE_WASM_LTO_SEM']);
    expect(requestedKconfig(job({ platform: g474 }, kconfig)).map((a) => a.name)).to.deep.equal(['CONFIG_FPU', 'CONFIG_GALE_WASM_LTO_SEM']);
    expect(fragmentsOf(job({ platform: g474 }, kconfig), B)[0]!.text).to.include('CONFIG_FPU=y\n');
  });

  it('list-valued defines merge in order without duplicates; others pass through', () => {
    expect(mergeListDefines(['-DOVERLAY_CONFIG=a.conf b.conf', '-DX=1', '-DOVERLAY_CONFIG="b.conf;c.conf"', '-DZEPHYR_EXTRA_MODULES=/g', '-DZEPHYR_EXTRA_MODULES=/h', '-DX=2'])).to.deep.equal([
      '-DOVERLAY_CONFIG=a.conf;b.conf;c.conf', '-DX=1', '-DZEPHYR_EXTRA_MODULES=/g;/h', '-DX=2',
    ]);
  });
});

describe('the build error line', () => {
  const log = (f: string) => readFileSync(join(LOGS, f), 'utf8');

  it("a hard-float wasm object on a soft-float board: the linker's VFP line, without the SDK path", () => {
    expect(firstErrorLine(log('wasm-mutex-vfp.build.log'))).to.equal(
      'ld.bfd: error: /home/ci/gale-assets/gale-wasm-mutex-0.5.0-cortex-m4f.o uses VFP register arguments, zephyr/zephyr_pre0.elf does not',
    );
  });

  it('RAM overflow: the line with the amount', () => {
    expect(firstErrorLine(log('wasm-msgq-ram.build.log'))).to.equal("ld.bfd: region `RAM' overflowed by 47736 bytes");
  });

  it('a CMake FATAL_ERROR: the message, not just "CMake Error at"', () => {
    expect(firstErrorLine(log('gale-missing-objdir.build.log'))).to.equal(
      'CMake Error at /work/zephyrproject/gale/zephyr/CMakeLists.txt:468 (message): CONFIG_GALE_WASM_LTO_SEM=y needs -DGALE_WASM_LTO_SEM_OBJ=<.o> or -DGALE_WASM_LTO_OBJ_DIR=<dir> (release assets; see docs/wasm-module-distribution.md)',
    );
  });

  it('Kconfig aborting on warnings: the warning that caused it', () => {
    expect(firstErrorLine(log('kconfig-undefined.build.log'))).to.equal("warning: attempt to assign the value 'y' to the undefined symbol GALE_WASM_LTO_MUTEX");
  });

  it('compiler errors and the last line as a fallback', () => {
    expect(firstErrorLine('[3/9] Building C object x.obj\n/src/a.c:12:5: error: unknown type name \'k_foo\'\nninja: build stopped')).to.equal("/src/a.c:12:5: error: unknown type name 'k_foo'");
    expect(firstErrorLine('something\nwent wrong\n\n')).to.equal('went wrong');
  });
});

describe('cache key parts (pure)', () => {
  const inputs = (over: Partial<KeyInputs> = {}): KeyInputs => ({
    schema: 1, kind: 'cmake', steps: [{ argv: ['cmake', '-S', 'a'] }], env: { ZEPHYR_BASE: '/zp' }, fragments: { '/b/v.conf': 'h1' },
    image: '/b/zephyr/zephyr.elf', source: { path: '/a', hash: 's1' }, paths: { '/zp/gale/zephyr/gale_overlay.conf': 'o1' }, toolchain: { 'gcc --version': 't1' },
    deps: { '/zp/kernel/sem.c': 'd1' }, ...over,
  });

  it('the key does not depend on key order and changes with any part', () => {
    expect(canonical({ b: 1, a: [1, { d: 2, c: 3 }] })).to.equal('{"a":[1,{"c":3,"d":2}],"b":1}');
    const k = keyOf(inputs());
    expect(keyOf(inputs({ env: { ZEPHYR_BASE: '/zp' } }))).to.equal(k);
    for (const change of [{ fragments: { '/b/v.conf': 'h2' } }, { toolchain: { 'gcc --version': 't2' } }, { deps: { '/zp/kernel/sem.c': 'd2' } }, { env: { ZEPHYR_BASE: '/other' } }]) {
      expect(keyOf(inputs(change))).to.not.equal(k);
    }
  });

  it('says what changed', () => {
    expect(describeChange(inputs(), inputs({ fragments: { '/b/v.conf': 'h2' }, deps: { '/zp/kernel/sem.c': 'd2' } }))).to.deep.equal([
      'Kconfig fragment /b/v.conf', '/zp/kernel/sem.c',
    ]);
    expect(describeChange(inputs(), inputs({ env: { ZEPHYR_BASE: '/zp', GNUARMEMB_TOOLCHAIN_PATH: '/gcc' } }))).to.deep.equal(['environment (GNUARMEMB_TOOLCHAIN_PATH)']);
    expect(describeChange(undefined, inputs())).to.deep.equal(['no previous build']);
  });

  it('environment: what the plan sets plus the Zephyr variables it inherits, nothing else', () => {
    expect(relevantEnv({ ZEPHYR_TOOLCHAIN_VARIANT: 'gnuarmemb', MINE: '1' }, { GNUARMEMB_TOOLCHAIN_PATH: '/gcc', HOME: '/root', ZEPHYR_TOOLCHAIN_VARIANT: 'zephyr' })).to.deep.equal({
      GNUARMEMB_TOOLCHAIN_PATH: '/gcc', ZEPHYR_TOOLCHAIN_VARIANT: 'gnuarmemb', MINE: '1',
    });
  });

  it('paths named in arguments: -D values, list items, relative to the app first', () => {
    expect(pathCandidates(['-DOVERLAY_CONFIG=/g/o.conf rel.conf', '-DBOARD=qemu_cortex_m3', '-DX=n', './build.sh', 'plain'], '/app', '/cwd')).to.deep.equal([
      '/g/o.conf', '/app/rel.conf', '/cwd/rel.conf', '/app/build.sh', '/cwd/build.sh',
    ]);
  });

  it('ninja files: every absolute input of every edge, and the headers from ninja -t deps', () => {
    const text = [
      'include CMakeFiles/rules.ninja',
      'build CMakeFiles/app.dir/src/main.c.obj: C_COMPILER__app_ /zp/tests/a/src/main.c || cmake_object_order_depends_target_app',
      'build zephyr/zephyr.elf: C_EXECUTABLE_LINKER__z CMakeFiles/app.dir/src/main.c.obj /assets/gale-wasm-mutex-0.5.0-cortex-m4f.o | /zp/boards/m3.ld ${cmake_ninja_workdir}x',
      'build build.ninja: RERUN_CMAKE | /zp/CMakeLists.txt /zp/Kconfig $',
      '    /zp/with$ space.conf CMakeCache.txt',
    ].join('\n');
    expect(parseNinjaInputs(text)).to.deep.equal({
      inputs: ['/zp/tests/a/src/main.c', '/assets/gale-wasm-mutex-0.5.0-cortex-m4f.o', '/zp/boards/m3.ld', '/zp/CMakeLists.txt', '/zp/Kconfig', '/zp/with space.conf'],
      includes: ['CMakeFiles/rules.ninja'],
    });
    expect(parseNinjaDeps('a.obj: #deps 2, deps mtime 1 (VALID)\n    /zp/a.c\n    /zp/include/k.h\n\nb.obj: #deps 0\n')).to.deep.equal(['/zp/a.c', '/zp/include/k.h']);
  });
});
