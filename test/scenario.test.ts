import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs, globMatch, fillTemplate, templateValues } from '../harness/scenario/expand.js';
import { ConfigError } from '../harness/scenario/yaml-reader.js';
import { loadPlatform } from '../harness/scenario/platform.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const platformDirs = [join(REPO_ROOT, 'platforms')];

function loadText(text: string) {
  const s = scratch();
  try {
    return loadScenario(s.write('scen.yaml', text), { platformDirs });
  } finally {
    s.cleanup();
  }
}

function errorOf(text: string): ConfigError {
  try {
    loadText(text);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const VALID = `name: t
platforms: [qemu_cortex_m3]
suites:
  - { name: a, path: src/a }
  - b/c/sem
variants:
  - name: native
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_SEM=y]
    suites: [sem]
images: out/{platform}/{variant}/{suite}/zephyr.elf
`;

describe('scenario loading', () => {
  it('expands suites × variants × platforms, honouring a variant suite filter', () => {
    const sc = loadText(VALID);
    expect(sc.comparisons).to.deep.equal([{ baseline: 'native', candidate: 'wasm' }]);
    const jobs = expandJobs(sc);
    expect(jobs.map((j) => j.id)).to.deep.equal(['qemu_cortex_m3/native/a', 'qemu_cortex_m3/native/sem', 'qemu_cortex_m3/wasm/sem']);
    expect(jobs[0]!.timeouts).to.deep.equal({ wallSeconds: 60, silenceSeconds: 60, crashGraceSeconds: 0.5 });
    expect(sc.build).to.deep.include({ kind: 'prebuilt' });
  });

  it('repeats number attempts and selection filters take globs', () => {
    const jobs = expandJobs(loadText(VALID), { suites: ['s*'], repeat: 2 });
    expect(jobs.map((j) => j.id)).to.deep.equal([
      'qemu_cortex_m3/native/sem#1',
      'qemu_cortex_m3/native/sem#2',
      'qemu_cortex_m3/wasm/sem#1',
      'qemu_cortex_m3/wasm/sem#2',
    ]);
  });

  it('the demo scenario loads and names its three platforms', () => {
    const sc = loadScenario(join(REPO_ROOT, 'scenarios/demo.yaml'), { platformDirs });
    expect(sc.platforms.map((p) => [p.name, p.emulator])).to.deep.equal([
      ['qemu_cortex_m3', 'qemu'],
      ['mps2_an521', 'qemu'],
      ['nucleo_g474re', 'renode'],
    ]);
    // Every suite in both variants on every platform.
    expect(expandJobs(sc)).to.have.length(sc.platforms.length * sc.suites.length * sc.variants.length);
    expect(sc.suites.map((s) => s.name)).to.include('bench.kernel');
  });

  it('an unknown key is reported with file, line and the allowed keys', () => {
    const e = errorOf(VALID.replace('  - name: native', '  - name: native\n    kconfg: [CONFIG_X=y]'));
    expect(e.line).to.equal(8);
    expect(e.field).to.equal('variants[0].kconfg');
    expect(e.message).to.match(/scen\.yaml:8:5: variants\[0\]\.kconfg: unknown key 'kconfg'/);
    expect(e.hint).to.include('kconfig');
  });

  it('a bad Kconfig line names the list item', () => {
    const e = errorOf(VALID.replace('[CONFIG_GALE_WASM_LTO_SEM=y]', '[CONFIG_GALE_WASM_LTO_SEM=y, GALE_SEM]'));
    expect(e.field).to.equal('variants[1].kconfig[1]');
    expect(e.line).to.equal(9);
    expect(e.problem).to.include("'GALE_SEM' is not a Kconfig assignment");
  });

  it('a timeout that is infinite, not a number or beyond a day says so, with its line', () => {
    const at = (line: string) => errorOf(`${VALID}timeouts: ${line}\n`);
    const inf = at('{ wall: 1e400 }');
    expect(inf.message).to.match(/scen\.yaml:12:\d+: timeouts\.wall: '1e400' is infinite \(beyond the largest number a double holds\)\n {2}hint: write a finite number$/);
    expect(at('{ silence: .inf }').message).to.match(/timeouts\.silence: '\.inf' is infinite/);
    expect(at('{ silence: -1e400 }').message).to.match(/timeouts\.silence: '-1e400' is infinite/);
    expect(at('{ crash_grace: .nan }').message).to.match(/timeouts\.crash_grace: '\.nan' is not a number/);
    expect(at('{ wall: 1e7 }').message).to.match(/timeouts\.wall: 10000000 is out of range: at most 86400 \(one day, in seconds\)$/);
    expect(expandJobs(loadText(`${VALID}timeouts: { wall: 86400 }\n`))[0]!.timeouts.wallSeconds, 'a day is allowed').to.equal(86400);
  });

  it("a platform's timeout_multiplier is bounded: every host-clock timer must stay exact", () => {
    const s = scratch();
    try {
      const base = readFileSync(join(REPO_ROOT, 'platforms/qemu_cortex_m3.yaml'), 'utf8');
      expect(loadPlatform(s.write('p.yaml', base.replace('timeout_multiplier: 1', 'timeout_multiplier: 8'))).timeoutMultiplier).to.equal(8);
      expect(() => loadPlatform(s.write('q.yaml', base.replace('timeout_multiplier: 1', 'timeout_multiplier: 1000')))).to.throw(ConfigError, /timeout_multiplier: 1000 is out of range: at most 8/);
    } finally {
      s.cleanup();
    }
  });

  it('an unknown platform lists the known ones', () => {
    const e = errorOf(VALID.replace('[qemu_cortex_m3]', '[qemu_cortex_m3, stm32_nope]'));
    expect(e.line).to.equal(2);
    expect(e.field).to.equal('platforms[1]');
    expect(e.hint).to.include('qemu_cortex_m3');
  });

  it('compare must name existing variants', () => {
    const e = errorOf(`${VALID}compare: { baseline: native, candidate: wasm2 }\n`);
    expect(e.field).to.equal('compare.candidate');
    expect(e.problem).to.include("no variant named 'wasm2'");
  });

  it('an unset environment variable is named', () => {
    delete process.env.TANDEM_TEST_UNSET;
    const e = errorOf(VALID.replace('src/a', '"${TANDEM_TEST_UNSET}/a"'));
    expect(e.problem).to.equal('environment variable TANDEM_TEST_UNSET is not set');
    expect(e.line).to.equal(4);
  });

  it('YAML syntax errors carry a position; a missing file says so', () => {
    const e = errorOf('name: [unclosed\n');
    expect(e.problem).to.match(/^YAML syntax/);
    expect(e.line).to.be.greaterThan(0);
    expect(() => loadScenario('/nonexistent/x.yaml', { platformDirs })).to.throw(ConfigError, /file not found/);
  });

  it('an unknown placeholder in a path template is rejected', () => {
    const e = errorOf(VALID.replace('{suite}/zephyr.elf', '{suit}/zephyr.elf'));
    expect(e.problem).to.include('unknown placeholder {suit}');
  });

  it('templates fill every placeholder and glob matching is literal otherwise', () => {
    const [job] = expandJobs(loadText(VALID));
    expect(fillTemplate('{platform}-{board}-{variant}-{suite}', templateValues(job!))).to.equal('qemu_cortex_m3-qemu_cortex_m3-native-a');
    expect(globMatch('kernel.*', 'kernel.mutex')).to.equal(true);
    expect(globMatch('a.c', 'abc')).to.equal(false);
  });
});
