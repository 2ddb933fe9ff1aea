import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Platform } from '../harness/domain.js';
import { isEnabled, parseAssignment, parseDotConfig, unmetAssignments, valueOf } from '../harness/zephyr/kconfig.js';
import { evaluateFilter, FilterSyntaxError } from '../harness/zephyr/filter-expr.js';
import { GALE_CI_KERNEL_SUITES, GALE_MODULES, cmakeDefines, galeProvenance, parseCMakeCache, wasmConfigProblem, wasmModulesIn } from '../harness/zephyr/gale.js';
import { checkConfig } from '../harness/build/checks.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const CONFIGS = join(REPO_ROOT, 'test/fixtures/zephyr/configs');
const real = (name: string) => readFileSync(join(CONFIGS, name), 'utf8');
const m3Mutex = real('qemu_cortex_m3.mutex_api.config');
const g474Mutex = real('nucleo_g474re.mutex_api.config');

const m3: Platform = { name: 'qemu_cortex_m3', board: 'qemu_cortex_m3', emulator: 'qemu', arch: 'arm', ramKb: 64, timeoutMultiplier: 1 };
function jobWith(kconfig: string[], variant = 'wasm-mutex'): Job {
  return {
    id: `qemu_cortex_m3/${variant}/kernel.mutex`,
    scenario: 't',
    suite: { name: 'kernel.mutex' },
    variant: { name: variant, kconfig, cmakeArgs: [], env: {} },
    platform: m3,
    timeouts: { wallSeconds: 60, silenceSeconds: 20, crashGraceSeconds: 0.5 },
    attempt: 1,
  };
}
/** A real .config as the build would leave it after a fragment was merged last. */
const withLines = (text: string, ...lines: string[]) => `${text}\n${lines.join('\n')}\n`;

describe('.config (real Zephyr builds)', () => {
  it('reads values, strings and "is not set" symbols of the real qemu_cortex_m3 mutex_api build', () => {
    const c = parseDotConfig(m3Mutex);
    expect(valueOf(c, 'CONFIG_BOARD')).to.equal('qemu_cortex_m3');
    expect(c.values.get('CONFIG_SRAM_SIZE')).to.equal('64');
    expect(isEnabled(c, 'CONFIG_CPU_CORTEX_M3')).to.equal(true);
    expect(c.unset.has('CONFIG_WAITQ_SCALABLE')).to.equal(true);
    expect(isEnabled(c, 'CONFIG_SMP')).to.equal(false);
    // What twister-built ztest images really have: spinlock validation on (it follows ASSERT).
    expect(isEnabled(c, 'CONFIG_SPIN_VALIDATE')).to.equal(true);
    const g = parseDotConfig(g474Mutex);
    expect(isEnabled(g, 'CONFIG_CPU_HAS_FPU')).to.equal(true);
    expect(g.unset.has('CONFIG_FPU')).to.equal(true);
  });

  it('later lines win, as in a Kconfig merge', () => {
    const c = parseDotConfig(withLines(m3Mutex, '# CONFIG_SPIN_VALIDATE is not set', 'CONFIG_WAITQ_SCALABLE=y'));
    expect(isEnabled(c, 'CONFIG_SPIN_VALIDATE')).to.equal(false);
    expect(isEnabled(c, 'CONFIG_WAITQ_SCALABLE')).to.equal(true);
    expect(parseAssignment('# CONFIG_X is not set')).to.deep.equal({ name: 'CONFIG_X', value: 'n' });
    expect(parseAssignment('CONFIG_S="a b"')).to.deep.equal({ name: 'CONFIG_S', value: '"a b"' });
    expect(parseAssignment('platform:x:CONFIG_S=1')).to.equal(undefined);
  });

  it('finds requested assignments an unmet dependency dropped', () => {
    const c = parseDotConfig(withLines(m3Mutex, 'CONFIG_GALE_KERNEL_MUTEX=y'));
    const asked = ['CONFIG_GALE_KERNEL_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y', 'CONFIG_SRAM_SIZE=0x40', 'CONFIG_SMP=n', 'CONFIG_BOARD="qemu_cortex_m3"'].map((l) => parseAssignment(l)!);
    expect(unmetAssignments(c, asked)).to.deep.equal([{ requested: { name: 'CONFIG_GALE_WASM_LTO_MUTEX', value: 'y' }, actual: undefined }]);
  });
});

describe('wasm-LTO config check', () => {
  it('a wasm image with the real ztest defaults is invalid because of SPIN_VALIDATE, and says why', () => {
    const c = parseDotConfig(withLines(m3Mutex, 'CONFIG_GALE_KERNEL_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y'));
    expect(wasmModulesIn(c)).to.deep.equal(['mutex']);
    const p = wasmConfigProblem(c)!;
    expect(p).to.match(/^invalid wasm-LTO image: CONFIG_SPIN_VALIDATE=y with CONFIG_GALE_WASM_LTO_MUTEX=y: /);
    expect(p).to.include('owner field');
    expect(p).to.include('set CONFIG_SPIN_VALIDATE=n');
  });

  it('SMP and WAITQ_SCALABLE are named; a native image with the same options is fine', () => {
    const smp = parseDotConfig(withLines(m3Mutex, '# CONFIG_SPIN_VALIDATE is not set', 'CONFIG_SMP=y', 'CONFIG_WAITQ_SCALABLE=y', 'CONFIG_GALE_WASM_LTO_MSGQ=y'));
    expect(wasmConfigProblem(smp)).to.match(/^invalid wasm-LTO image: CONFIG_SMP=y with CONFIG_GALE_WASM_LTO_MSGQ=y: .* \(also CONFIG_WAITQ_SCALABLE=y\)$/);
    expect(wasmConfigProblem(parseDotConfig(withLines(m3Mutex, 'CONFIG_SMP=y')))).to.equal(undefined);
    expect(wasmConfigProblem(parseDotConfig(withLines(m3Mutex, '# CONFIG_SPIN_VALIDATE is not set', 'CONFIG_GALE_WASM_LTO_SEM=y')))).to.equal(undefined);
  });

  it('checkConfig: unmet variant switch first, then the wasm rules, as build errors', () => {
    const dropped = checkConfig(jobWith(['CONFIG_GALE_WASM_LTO_MUTEX=y']), parseDotConfig(m3Mutex), [parseAssignment('CONFIG_GALE_WASM_LTO_MUTEX=y')!]);
    expect(dropped.finding?.kind).to.equal('build-error');
    expect(dropped.finding?.message).to.match(/^CONFIG_GALE_WASM_LTO_MUTEX=y was asked for by variant wasm-mutex but the build has it unset: an unmet Kconfig dependency/);
    const spin = checkConfig(jobWith([]), parseDotConfig(withLines(m3Mutex, 'CONFIG_GALE_WASM_LTO_MUTEX=y')), []);
    expect(spin.finding?.message).to.match(/CONFIG_SPIN_VALIDATE=y/);
    expect(checkConfig(jobWith([], 'native'), parseDotConfig(m3Mutex), []).finding).to.equal(undefined);
  });

  it('checkConfig applies twister filters to the .config: false skips, unknown runs', () => {
    const c = parseDotConfig(m3Mutex);
    const f = checkConfig(jobWith([], 'native'), c, [], '(CONFIG_MULTITHREADING) and (CONFIG_SMP)');
    expect(f.finding).to.deep.equal({ kind: 'filtered', message: 'filtered: runtime filter: (CONFIG_MULTITHREADING) and (CONFIG_SMP)' });
    const u = checkConfig(jobWith([], 'native'), c, [], 'dt_compat_enabled("zephyr,memory-region")');
    expect(u.finding).to.equal(undefined);
    expect(u.notes.twisterFilter).to.deep.include({ evaluated: false });
  });
});

describe('twister filter expressions', () => {
  const config = parseDotConfig(m3Mutex);
  const lookup = (n: string) => {
    if (n.startsWith('CONFIG_')) return valueOf(config, n) ?? '';
    if (n === 'ARCH') return 'arm';
    return undefined;
  };
  const ev = (e: string) => evaluateFilter(e, lookup);

  it('symbols, not/and/or and parentheses on the real .config', () => {
    expect(ev('CONFIG_MULTITHREADING')).to.equal(true);
    expect(ev('CONFIG_SMP')).to.equal(false);
    expect(ev('not CONFIG_SMP and CONFIG_CPU_CORTEX_M3')).to.equal(true);
    expect(ev('CONFIG_SMP or (CONFIG_ZTEST and not CONFIG_USERSPACE)')).to.equal(true);
  });

  it('comparisons, in-lists and regex matches', () => {
    expect(ev('CONFIG_SRAM_SIZE >= 64')).to.equal(true);
    expect(ev('CONFIG_SRAM_SIZE < 32')).to.equal(false);
    expect(ev('CONFIG_BOARD == "qemu_cortex_m3"')).to.equal(true);
    expect(ev('CONFIG_BOARD != "qemu_cortex_m3"')).to.equal(false);
    expect(ev('ARCH in ["arm", "riscv"]')).to.equal(true);
    expect(ev('CONFIG_BOARD : "qemu_.*"')).to.equal(true);
    expect(ev('CONFIG_FLASH_BASE_ADDRESS == 0x0')).to.equal(false);
  });

  it('devicetree calls and unknown symbols are three-valued: known parts still decide', () => {
    expect(ev('dt_chosen_enabled("zephyr,ccm")')).to.equal('unknown');
    expect(ev('CONFIG_SMP and dt_compat_enabled("x")')).to.equal(false);
    expect(ev('CONFIG_ZTEST or dt_compat_enabled("x")')).to.equal(true);
    expect(ev('not dt_compat_enabled("x")')).to.equal('unknown');
    expect(ev('TOOLCHAIN_HAS_NEWLIB == 1')).to.equal('unknown');
    expect(() => ev('CONFIG_A and (')).to.throw(FilterSyntaxError);
  });
});

describe('gale facts and provenance', () => {
  it('module facts match gale: three modules, 33 CI suites', () => {
    expect(Object.keys(GALE_MODULES)).to.deep.equal(['sem', 'mutex', 'msgq']);
    expect(GALE_MODULES.mutex.suites).to.include('mutex/mutex_error_case');
    expect(GALE_CI_KERNEL_SUITES).to.have.length(33);
    expect(new Set(GALE_CI_KERNEL_SUITES).size).to.equal(33);
  });

  it('records each wasm object sha256 and checks it against the release manifest', () => {
    const s = scratch();
    try {
      const mutexObj = s.write('assets/gale-wasm-mutex-0.5.0-cortex-m4f.o', 'mutex object bytes');
      s.write('assets/gale-wasm-msgq-0.5.0-cortex-m4f.o', 'msgq object bytes');
      const sha = (t: string) => createHash('sha256').update(t).digest('hex');
      s.write(
        'assets/gale-wasm-manifest-0.5.0.json',
        JSON.stringify({
          version: '0.5.0',
          tools: { synth: 'synth 0.11.43' },
          artifacts: { 'gale-wasm-mutex-0.5.0-cortex-m4f.o': sha('mutex object bytes'), 'gale-wasm-msgq-0.5.0-cortex-m4f.o': sha('tampered') },
        }),
      );
      s.write('assets/gale-wasm-manifest-0.5.0.json.sig', 'sig');
      const config = parseDotConfig(withLines(m3Mutex, 'CONFIG_GALE_WASM_LTO_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MSGQ=y'));
      const p = galeProvenance(config, cmakeDefines([`-DGALE_WASM_LTO_OBJ_DIR=${s.dir}/assets`]))!;
      expect(p.wasmModules).to.deep.equal(['mutex', 'msgq']);
      expect(p.objects.map((o) => [o.module, o.file, o.sha256, o.manifest])).to.deep.equal([
        ['mutex', mutexObj, sha('mutex object bytes'), 'match'],
        ['msgq', join(s.dir, 'assets/gale-wasm-msgq-0.5.0-cortex-m4f.o'), sha('msgq object bytes'), 'mismatch'],
      ]);
      expect(p.manifest).to.deep.include({ version: '0.5.0', signature: 'present', tools: { synth: 'synth 0.11.43' } });
      expect(galeProvenance(parseDotConfig(m3Mutex), new Map())).to.equal(undefined);
      // An explicit per-module object wins over the folder; a module without one is reported.
      const q = galeProvenance(config, cmakeDefines([`-DGALE_WASM_LTO_MUTEX_OBJ=${mutexObj}`]))!;
      expect(q.objects.map((o) => o.module)).to.deep.equal(['mutex']);
      expect(q.missing).to.deep.equal(['msgq']);
    } finally {
      s.cleanup();
    }
  });

  it('reads CMakeCache.txt entries', () => {
    const c = parseCMakeCache('// comment\nBOARD:STRING=qemu_cortex_m3\nGALE_WASM_LTO_OBJ_DIR:UNINITIALIZED=/x/assets\n# c\nCMAKE_C_COMPILER:FILEPATH=/opt/sdk/bin/arm-zephyr-eabi-gcc\n');
    expect(c.get('BOARD')).to.equal('qemu_cortex_m3');
    expect(c.get('GALE_WASM_LTO_OBJ_DIR')).to.equal('/x/assets');
    expect(c.get('CMAKE_C_COMPILER')).to.equal('/opt/sdk/bin/arm-zephyr-eabi-gcc');
  });
});
