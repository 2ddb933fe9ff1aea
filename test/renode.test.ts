// The Renode backend: pure parts (command builder, board description against Zephyr's devicetree,
// Renode lookup) always; the real thing only where Renode is installed (TANDEM_RENODE or PATH).
// Nothing here imitates Renode: without it those tests are skipped and say why.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import type { Image, Job, Platform, RenodeSettings } from '../harness/domain.js';
import type { Session } from '../harness/emulators/emulator.js';
import {
  NOT_FOUND,
  bootCommands,
  createRenodeEmulator,
  cpuNameOf,
  findRepoRoot,
  locateRenode,
  memoriesOf,
  monitorPath,
  parseRenodeVersion,
  parseRepl,
  parseVirtualMs,
  replayCommandLine,
  reuseCommands,
  stopCommands,
  timingOf,
  type RenodeEmulator,
} from '../harness/emulators/renode/index.js';
import { unmodelledCounterOf } from '../harness/emulators/renode/repl.js';
import { RenodeCommandError, RenodeMonitor } from '../harness/emulators/renode/monitor.js';
import { runJob } from '../harness/run/run-job.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPL = join(ROOT, 'boards/nucleo_g474re.repl');
const DTS = join(ROOT, 'test/fixtures/zephyr-logs/nucleo_g474re/zephyr.dts');
const PLATFORM_YAML = join(ROOT, 'platforms/nucleo_g474re.yaml');

const SETTINGS: RenodeSettings = {
  repl: 'boards/nucleo_g474re.repl',
  uart: 'lpuart1',
  timing: 'fast',
  mips: { fast: 20, faithful: 170 },
  quantum: { fast: '0.001', faithful: '0.00001' },
};

function platform(settings: RenodeSettings = SETTINGS): Platform {
  return { name: 'nucleo_g474re', emulator: 'renode', board: 'nucleo_g474re', arch: 'arm', timeoutMultiplier: 2, renode: settings };
}

/** `label: name@addr { … reg = < addr size > … interrupts = < n … >` from a flattened zephyr.dts. */
const UARTS = ['lpuart1', 'usart1', 'usart2', 'usart3', 'uart4', 'uart5'];

function dtsNodes(text: string): Map<string, { address: number; size?: number; irq?: number }> {
  const nodes = new Map<string, { address: number; size?: number; irq?: number }>();
  const re = /^\s*((?:[\w-]+:\s*)+)[\w,-]+@([0-9a-f]+)\s*\{/gim;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const labels = (m[1] ?? '').split(':').map((l) => l.trim()).filter(Boolean);
    // Up to the first `};`: the node's own properties come before any child node closes.
    const body = text.slice(m.index, text.indexOf('};', m.index));
    const reg = /reg = < (0x[0-9a-f]+) (0x[0-9a-f]+)/.exec(body);
    const irq = /\binterrupts = < (0x[0-9a-f]+)/.exec(body);
    for (const label of labels) {
      nodes.set(label, {
        address: Number(reg?.[1] ?? `0x${m[2]}`),
        ...(reg?.[2] ? { size: Number(reg[2]) } : {}),
        ...(irq?.[1] ? { irq: Number(irq[1]) } : {}),
      });
    }
  }
  return nodes;
}

describe('renode: monitor commands (pure)', () => {
  const plan = {
    includes: ['/repo/boards/models/A.cs', '/repo/boards/models/B.cs'],
    machine: 'tandem',
    repl: '/repo/boards/nucleo_g474re.repl',
    elf: '/builds/mutex/zephyr/zephyr.elf',
    cpu: 'cpu',
    uart: 'lpuart1',
    uartLog: '/work/job 1/lpuart1.log',
    timing: timingOf(SETTINGS),
  };

  it('builds the boot sequence: models, machine, platform, timing, console file, ELF, start', () => {
    expect(bootCommands(plan)).to.deep.equal([
      'include @/repo/boards/models/A.cs @/repo/boards/models/B.cs',
      'mach create "tandem"',
      'machine LoadPlatformDescription @/repo/boards/nucleo_g474re.repl',
      'sysbus.cpu PerformanceInMips 20',
      'emulation SetGlobalQuantum "0.001"',
      'emulation SetGlobalAdvanceImmediately true',
      'sysbus.lpuart1 CreateFileBackend @/work/job\\ 1/lpuart1.log true',
      'sysbus LoadELF @/builds/mutex/zephyr/zephyr.elf',
      'start',
    ]);
  });

  it('skips the include when the process already compiled the models', () => {
    const commands = bootCommands({ ...plan, includes: [] });
    expect(commands[0]).to.equal('mach create "tandem"');
    expect(commands.some((c) => c.startsWith('include'))).to.equal(false);
  });

  it('reuses a machine: zero the memories, reset, new console file, note the clock, ELF, start', () => {
    expect(reuseCommands({ ...plan, memories: ['flash0', 'sram0'] })).to.deep.equal([
      'sysbus.flash0 ZeroAll',
      'sysbus.sram0 ZeroAll',
      'machine Reset',
      'sysbus.lpuart1 CreateFileBackend @/work/job\\ 1/lpuart1.log true',
      'machine ElapsedVirtualTime',
      'sysbus LoadELF @/builds/mutex/zephyr/zephyr.elf',
      'start',
    ]);
    expect(stopCommands('lpuart1', '/work/job 1/lpuart1.log')).to.deep.equal([
      'pause',
      'machine ElapsedVirtualTime',
      'sysbus.lpuart1 CloseFileBackend @/work/job\\ 1/lpuart1.log',
    ]);
    expect(() => reuseCommands({ ...plan, memories: ['sram0; quit'] })).to.throw(/peripheral name/);
  });

  it('with a counter of unmodelled accesses: spread over the unmapped space after loading, read out last at stop', () => {
    const commands = bootCommands({ ...plan, unmodelled: 'unmodelled' });
    expect(commands.indexOf('sysbus.unmodelled CoverUnmappedSpace')).to.equal(commands.indexOf('machine LoadPlatformDescription @/repo/boards/nucleo_g474re.repl') + 1);
    expect(stopCommands('lpuart1', '/work/job 1/lpuart1.log', 'unmodelled')).to.deep.equal([
      'pause',
      'machine ElapsedVirtualTime',
      'sysbus.lpuart1 CloseFileBackend @/work/job\\ 1/lpuart1.log',
      'sysbus.unmodelled Report',
    ]);
    expect(unmodelledCounterOf(parseRepl(readFileSync(REPL, 'utf8')))).to.equal('unmodelled');
    expect(unmodelledCounterOf(parseRepl('cpu: CPU.CortexM @ sysbus\n'))).to.equal(undefined);
  });

  it('knows which memories a reused machine must clear, and when it cannot tell', () => {
    expect(memoriesOf(parseRepl(readFileSync(REPL, 'utf8')))).to.deep.equal(['flash0', 'sram0']);
    expect(memoriesOf(parseRepl('ram: Memory.ArrayMemory @ sysbus 0x0\n    size: 0x1000\n'))).to.equal(undefined);
    expect(memoriesOf(parseRepl('using "platforms/cpus/stm32f4.repl"\n'))).to.equal(undefined);
    expect(memoriesOf(parseRepl('cpu: CPU.CortexM @ sysbus\n'))).to.deep.equal([]);
  });

  it('faithful timing runs at the real clock with a fine quantum', () => {
    const commands = bootCommands({ ...plan, timing: timingOf(SETTINGS, 'faithful') });
    expect(commands).to.include('sysbus.cpu PerformanceInMips 170');
    expect(commands).to.include('emulation SetGlobalQuantum "0.00001"');
  });

  it('refuses values the monitor would split or misread instead of passing them on', () => {
    expect(() => bootCommands({ ...plan, elf: '/tmp/a;quit' })).to.throw(/cannot be passed/);
    expect(() => bootCommands({ ...plan, elf: '/tmp/"x".elf' })).to.throw(/cannot be passed/);
    expect(() => bootCommands({ ...plan, elf: '/tmp/a\nquit' })).to.throw(/cannot be passed/);
    expect(() => bootCommands({ ...plan, elf: 'relative/zephyr.elf' })).to.throw(/absolute/);
    expect(() => bootCommands({ ...plan, uart: 'lpuart1; quit' })).to.throw(/peripheral name/);
    expect(monitorPath('/a b/c')).to.equal('@/a\\ b/c');
  });

  it('validates timing settings before they reach a command', () => {
    expect(timingOf(SETTINGS)).to.deep.equal({ mode: 'fast', mips: 20, quantum: '0.001' });
    expect(() => timingOf({ ...SETTINGS, mips: { fast: 0, faithful: 170 } })).to.throw(/positive integer/);
    expect(() => timingOf({ ...SETTINGS, quantum: { fast: '1e-3"; quit', faithful: '0.00001' } })).to.throw(/decimal number/);
  });

  it('reads guest time from `machine ElapsedVirtualTime` and `currentTime`', () => {
    const machine =
      '[Domain = Elapsed Virtual Time: 00:00:03.989752800\r\nElapsed Host Time: 00:00:03.992244600\r\nQuantum: 00:00:00.001000000, TimeElapsed = 00:01:03.989752800]';
    expect(parseVirtualMs(machine)).to.equal(63989.753);
    expect(parseVirtualMs('Current virtual time: 00:00:00.973000000\r\nCurrent real time: 00:00:00.97')).to.equal(973);
    expect(parseVirtualMs('no time here')).to.equal(undefined);
  });

  it('the replay command line reproduces a boot by hand', () => {
    expect(replayCommandLine('/opt/renode/renode', ['mach create "tandem"', 'start'])).to.deep.equal([
      '/opt/renode/renode', '--disable-xwt', '--plain', '--console', '--hide-analyzers', '-e', 'mach create "tandem"', '-e', 'start',
    ]);
  });
});

describe('renode: boards/nucleo_g474re.repl against Zephyr nucleo_g474re devicetree', () => {
  const repl = parseRepl(readFileSync(REPL, 'utf8'));
  const byName = new Map(repl.peripherals.map((p) => [p.name, p]));
  const dts = dtsNodes(readFileSync(DTS, 'utf8'));

  it('parses as a list of peripherals with types', () => {
    expect(repl.peripherals.length).to.be.greaterThan(20);
    for (const p of repl.peripherals) expect(p.type, p.name).to.be.a('string');
    expect(cpuNameOf(repl)).to.equal('cpu');
  });

  it('puts every modelled devicetree node at its devicetree address (and size)', () => {
    const labels = ['flash0', 'sram0', 'rcc', 'flash', 'lpuart1', 'usart1', 'usart2', 'usart3', 'uart4', 'uart5',
      'gpioa', 'gpiob', 'gpioc', 'gpiod', 'gpioe', 'gpiof', 'gpiog'];
    for (const label of labels) {
      const node = dts.get(label);
      const model = byName.get(label);
      expect(node, `dts ${label}`).to.not.equal(undefined);
      expect(model, `repl ${label}`).to.not.equal(undefined);
      expect(model!.address, label).to.equal(node!.address);
      if (model!.size !== undefined && !UARTS.includes(label)) expect(model!.size, `${label} size`).to.equal(node!.size);
    }
    expect(Number(byName.get('flash0')!.attributes.size)).to.equal(dts.get('flash0')!.size);
    expect(Number(byName.get('sram0')!.attributes.size)).to.equal(dts.get('sram0')!.size);
  });

  it('wires each UART to the NVIC line of its devicetree node', () => {
    for (const label of UARTS) {
      expect(byName.get(label)!.connections, label).to.deep.equal([`IRQ -> nvic@${dts.get(label)!.irq}`]);
      expect(byName.get(label)!.type).to.equal('UART.STM32F7_USART');
    }
    expect(byName.get('lpuart1')!.attributes.lowPowerMode).to.equal('true');
    expect(byName.get('usart1')!.attributes.lowPowerMode).to.equal(undefined);
  });

  it("gives each U(S)ART the F7 model's registers (0x00-0x2B) and its G4 PRESC register at 0x2C", () => {
    for (const label of UARTS) {
      expect(byName.get(label)!.size, label).to.equal(0x2c);
      expect(byName.get(`${label}_presc`), label).to.include({ type: 'Tandem.STM32G4_USART_PRESC', address: dts.get(label)!.address + 0x2c });
    }
  });

  it('models the RNG at its devicetree address, wired to its interrupt (90)', () => {
    expect(byName.get('rng')).to.include({ type: 'Tandem.STM32G4_RNG', address: dts.get('rng')!.address });
    expect(dts.get('rng')!.irq).to.equal(90);
    expect(byName.get('rng')!.connections).to.deep.equal(['IRQ -> nvic@90']);
    expect(byName.get('flash')!.type).to.equal('Tandem.STM32G4_FLASH');
  });

  it('has the core the board has: Cortex-M4F, 4 priority bits, SysTick at 170 MHz', () => {
    expect(byName.get('cpu')!.attributes.cpuType).to.equal('"cortex-m4f"');
    expect(byName.get('nvic')!.attributes).to.include({ priorityMask: '0xF0', systickFrequency: '170000000' });
    // Renode's NVIC covers the whole System Control Space (SysTick included) from 0xE000E000;
    // the devicetree node describes the NVIC registers proper at 0xE000E100.
    expect(byName.get('nvic')!.address).to.equal(0xe000e000);
    expect(dts.get('nvic')!.address).to.equal(0xe000e100);
  });

  it('places the G4 blocks the devicetree does not list: PWR and DBGMCU', () => {
    expect(byName.get('pwr')).to.include({ type: 'Tandem.STM32G4_PWR', address: 0x40007000 });
    expect(byName.get('dbgmcu')).to.include({ type: 'Tandem.STM32G4_DBGMCU', address: 0xe0042000 });
    expect(byName.get('dbgmcu')!.attributes.idCode).to.equal('0x10036469');
    expect(byName.get('rcc')!.type).to.equal('Tandem.STM32G4_RCC');
  });

  it('names C# models that exist and define the types the platform uses', () => {
    expect(repl.includes).to.deep.equal([
      'models/STM32G4_RCC.cs', 'models/STM32G4_PWR.cs', 'models/STM32G4_DBGMCU.cs',
      'models/STM32G4_FLASH.cs', 'models/STM32G4_RNG.cs', 'models/STM32G4_USART_PRESC.cs',
      'models/STM32G4_BootAlias.cs', 'models/UnmodelledSpace.cs',
    ]);
    const sources = repl.includes.map((rel) => readFileSync(resolve(ROOT, 'boards', rel), 'utf8')).join('\n');
    for (const p of repl.peripherals.filter((x) => x.type?.startsWith('Tandem.'))) {
      const cls = p.type!.slice('Tandem.'.length);
      expect(sources, cls).to.match(new RegExp(`class ${cls}\\b`));
    }
    expect(sources).to.match(/namespace Antmicro\.Renode\.Peripherals\.Tandem/);
  });

  it('aliases flash at 0x0 (boot memory, BOOT0 low) through a model that keeps stores out of flash', () => {
    const alias = repl.peripherals.find((p) => p.name === 'boot_alias')!;
    expect(alias).to.deep.include({ type: 'Tandem.STM32G4_BootAlias', bus: 'sysbus', address: 0 });
    expect(alias.attributes).to.deep.equal({ flash: 'flash0', controller: 'flash' });
    const source = readFileSync(resolve(ROOT, 'boards/models/STM32G4_BootAlias.cs'), 'utf8');
    // RM0440 2.2: 0x0000 0000 - 0x0007 FFFF, the size of the G474's main flash.
    expect(source).to.match(/public long Size => 0x80000;/);
  });

  it('platforms/nucleo_g474re.yaml selects this board and valid timings', () => {
    const doc = parseYaml(readFileSync(PLATFORM_YAML, 'utf8'));
    expect(doc).to.include({ name: 'nucleo_g474re', board: 'nucleo_g474re', emulator: 'renode', arch: 'arm', ram_kb: 128, flash_kb: 512, clock_hz: 170000000, timeout_multiplier: 2 });
    expect(doc.renode).to.deep.equal({ ...SETTINGS, quantum: { fast: '0.01', faithful: '0.00001' } });
    expect(existsSync(join(ROOT, doc.renode.repl))).to.equal(true);
    expect(timingOf(doc.renode, 'faithful')).to.deep.equal({ mode: 'faithful', mips: 170, quantum: '0.00001' });
  });
});

describe('renode: finding Renode', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-renode-locate-'));
    mkdirSync(join(dir, 'bin'));
    // An executable file named renode: only its location is under test here, it is never run.
    writeFileSync(join(dir, 'bin', 'renode'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'bin', 'renode'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('TANDEM_RENODE at a missing path: not available, and says what to do', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT, env: { PATH: join(dir, 'bin'), TANDEM_RENODE: join(dir, 'no-such-renode') } });
    expect(await emu.available()).to.deep.equal({ ok: false, reason: 'renode not found (set TANDEM_RENODE or put renode on PATH)' });
    expect(NOT_FOUND).to.equal('renode not found (set TANDEM_RENODE or put renode on PATH)');
    const image: Image = { path: '/nonexistent.elf', origin: 'prebuilt' };
    let error: unknown;
    try {
      await emu.boot(image, platform(), { signal: new AbortController().signal, workDir: dir });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.contain(NOT_FOUND);
    await emu.close();
  });

  it('TANDEM_RENODE wins over PATH; a folder holding renode works too', () => {
    expect(locateRenode({ PATH: join(dir, 'bin') })).to.equal(join(dir, 'bin', 'renode'));
    expect(locateRenode({ PATH: join(dir, 'bin'), TANDEM_RENODE: join(dir, 'bin') })).to.equal(join(dir, 'bin', 'renode'));
    expect(locateRenode({ PATH: '/nonexistent' })).to.equal(undefined);
    expect(locateRenode({ PATH: join(dir, 'bin'), TANDEM_RENODE: '/nonexistent/renode' })).to.equal(undefined);
  });

  it('reads the version Renode prints', () => {
    const out = 'Renode v1.16.1.7629\n  build: -202611260414\n  build type: Release\n  runtime: Mono 4.0.30319.42000\n';
    expect(parseRenodeVersion(out)).to.equal('1.16.1.7629 (Mono 4.0.30319.42000)');
    expect(parseRenodeVersion('Renode, version 1.15.3 (abc)')).to.equal('1.15.3');
  });

  it('finds the repository root from its own location', () => {
    expect(findRepoRoot()).to.equal(ROOT.replace(/\/$/, ''));
  });
});

// ---- with a real Renode -------------------------------------------------------------------------

const RENODE = locateRenode();
function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));
}
const MISSING_TOOLS = ['cmake', 'ninja', 'arm-none-eabi-gcc'].filter((t) => !onPath(t));
const SKIP_REASON = !RENODE
  ? 'needs Renode: set TANDEM_RENODE or put renode on PATH'
  : MISSING_TOOLS.length
    ? `needs ${MISSING_TOOLS.join(', ')} to build the firmware`
    : undefined;

/** Builds a firmware suite for the board the way a run's cmake builder does (`kconfig`: a variant's lines). */
async function buildFirmware(suite: string, outDir: string, kconfig: string[] = [], name = suite): Promise<string> {
  const dir = join(outDir, name);
  const args = ['-GNinja', '-S', join(ROOT, 'firmware/tests', suite), '-B', dir, '-DBOARD=nucleo_g474re'];
  if (kconfig.length) {
    mkdirSync(outDir, { recursive: true });
    const conf = join(outDir, `${name}.conf`);
    writeFileSync(conf, kconfig.join('\n') + '\n');
    args.push(`-DEXTRA_CONF_FILE=${conf}`);
  }
  const configure = await execa('cmake', args, { reject: false, all: true, stdin: 'ignore' });
  if (configure.exitCode !== 0) throw new Error(`cmake ${suite} failed:\n${configure.all}`);
  const build = await execa('ninja', ['-C', dir], { reject: false, all: true, stdin: 'ignore' });
  if (build.exitCode !== 0) throw new Error(`ninja ${suite} failed:\n${build.all}`);
  return join(dir, 'zephyr', 'zephyr.elf');
}

interface Outcome {
  text: string;
  end: 'project' | 'fatal' | 'silence' | 'eof';
  bootMs: number;
  verdictMs: number;
}

/** Boots and reads the console until the verdict line, a halt, or silence. */
async function runToVerdict(emu: RenodeEmulator, elf: string, workDir: string): Promise<Outcome & { session: Session }> {
  mkdirSync(workDir, { recursive: true });
  const t0 = performance.now();
  const session = await emu.boot({ path: elf, origin: 'built' }, platform(), { signal: new AbortController().signal, workDir });
  const bootMs = performance.now() - t0;
  let text = '';
  let end: Outcome['end'] = 'eof';
  const it = session.console[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([it.next(), new Promise<'silence'>((r) => setTimeout(() => r('silence'), 20_000))]);
    if (next === 'silence') {
      end = 'silence';
      break;
    }
    if (next.done) break;
    text += Buffer.from(next.value).toString('latin1');
    if (/PROJECT EXECUTION (SUCCESSFUL|FAILED)/.test(text)) {
      end = 'project';
      break;
    }
    if (/Halting system/.test(text)) {
      end = 'fatal';
      break;
    }
  }
  return { session, text, end, bootMs, verdictMs: performance.now() - t0 };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process of these groups is gone, and no Renode (mono) process is left in them. */
async function expectGone(pids: number[]): Promise<void> {
  for (const pid of pids) expect(groupAlive(pid), `process group ${pid}`).to.equal(false);
  const ps = await execa('ps', ['-eo', 'pid=,pgid=,args='], { reject: false });
  for (const line of ps.stdout.split('\n')) {
    const [, pgid] = line.trim().split(/\s+/);
    expect(pids, `left behind: ${line}`).to.not.include(Number(pgid));
  }
}

interface Judged {
  verdict: string;
  cases: unknown[];
  log: string;
  virtualMs?: number;
}

let runs = 0;
/** One boot through runJob, as a run does it: verdict, per-test results, the console log. */
async function judge(emu: RenodeEmulator, elf: string, variant: string, suite: string, out: string, settings: RenodeSettings = SETTINGS): Promise<Judged> {
  const job: Job = {
    id: `nucleo_g474re/${variant}/${suite}`,
    scenario: 'renode-test',
    suite: { name: suite },
    variant: { name: variant, kconfig: [], cmakeArgs: [], env: {} },
    platform: platform(settings),
    timeouts: { wallSeconds: 60, silenceSeconds: 10, crashGraceSeconds: 0.5 },
    attempt: 1,
    image: { path: elf, origin: 'built' },
  };
  const runDir = join(out, `run-${runs++}`);
  const r = await runJob(job, emu, { runDir, signal: new AbortController().signal, provenance: { tandemVersion: 'test', host: 'test' } });
  const result: Judged = {
    verdict: r.verdict,
    cases: r.cases.map((c) => ({ suite: c.suite, name: c.name, status: c.status, durationMs: c.durationMs, detail: c.detail })),
    log: readFileSync(join(runDir, r.log!), 'utf8'),
  };
  if (r.virtualMs !== undefined) result.virtualMs = r.virtualMs;
  return result;
}

describe('renode: real boots on nucleo_g474re' + (SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''), function () {
  this.timeout(240_000);
  let out: string;
  let basic: string;
  let mutex: string;
  let mutexWasm: string;
  const WASM = ['CONFIG_GALE_WASM_LTO_SEM=y', 'CONFIG_GALE_WASM_LTO_MUTEX=y', 'CONFIG_GALE_WASM_LTO_MSGQ=y'];
  /** Each image's result on a new machine: what a reused one must reproduce. */
  const fresh = new Map<string, Judged>();
  const images = () => ({
    basic: { elf: basic, variant: 'native', suite: 'basic' },
    mutexWasm: { elf: mutexWasm, variant: 'wasm', suite: 'mutex' },
  });
  async function reference(name: keyof ReturnType<typeof images>): Promise<Judged> {
    let r = fresh.get(name);
    if (!r) {
      const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1, reuseMachines: false });
      try {
        for (const [n, i] of Object.entries(images())) fresh.set(n, await judge(emu, i.elf, i.variant, i.suite, out));
        expect(emu.stats()).to.deep.equal({ created: 2, reused: 0 });
      } finally {
        await emu.close();
      }
      r = fresh.get(name)!;
    }
    return r;
  }

  before(async function () {
    if (SKIP_REASON) this.skip();
    out = mkdtempSync(join(tmpdir(), 'tandem-renode-test-'));
    basic = await buildFirmware('basic', out);
    mutex = await buildFirmware('mutex', out);
    mutexWasm = await buildFirmware('mutex', out, WASM, 'mutex-wasm');
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('reports the Renode it found with its version', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT });
    const a = await emu.available();
    expect(a.ok, a.reason).to.equal(true);
    expect(a.version).to.match(/^\d+\.\d+\.\d+/);
    await emu.close();
  });

  it('boots a real ELF to PROJECT EXECUTION SUCCESSFUL and reads its virtual clock', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    try {
      const r = await runToVerdict(emu, basic, join(out, 'w-basic'));
      expect(r.end, r.text).to.equal('project');
      expect(r.text).to.contain('PROJECT EXECUTION SUCCESSFUL');
      expect(r.text).to.contain('*** Booting Zephyr OS');
      const exit = await r.session.stop();
      expect(exit.virtualMs).to.be.a('number').and.greaterThan(0);
      expect(await r.session.exited).to.deep.equal(exit);
      expect(await r.session.stop()).to.deep.equal(exit); // idempotent
      expect(r.session.command[0]).to.equal(RENODE);
      expect(r.session.command).to.include('sysbus LoadELF ' + monitorPath(basic));
      console.log(`      first boot: ${Math.round(r.bootMs)} ms to running, ${Math.round(r.verdictMs)} ms to verdict, guest ${exit.virtualMs} ms`);
    } finally {
      await emu.close();
    }
  });

  it('runs two images through one reused Renode process, the second much faster', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    try {
      const first = await runToVerdict(emu, basic, join(out, 'w-r1'));
      const pid1 = emu.pids();
      await first.session.stop();
      const second = await runToVerdict(emu, mutex, join(out, 'w-r2'));
      const pid2 = emu.pids();
      await second.session.stop();
      expect(first.end).to.equal('project');
      expect(second.end).to.equal('project');
      expect(second.text).to.contain('mutex_api');
      expect(second.text).to.not.contain('TESTSUITE basic'); // a fresh machine, not the old console
      expect(pid1).to.have.length(1);
      expect(pid2).to.deep.equal(pid1);
      expect(second.verdictMs).to.be.lessThan(first.verdictMs);
      console.log(`      boot-to-verdict: first ${Math.round(first.verdictMs)} ms, reused ${Math.round(second.verdictMs)} ms`);
    } finally {
      await emu.close();
    }
  });

  it('two pools in parallel (--jobs 2): no collision, both verdicts, separate processes', async () => {
    const a = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    const b = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    try {
      const [ra, rb] = await Promise.all([runToVerdict(a, basic, join(out, 'w-pa')), runToVerdict(b, mutex, join(out, 'w-pb'))]);
      expect(ra.end, ra.text).to.equal('project');
      expect(rb.end, rb.text).to.equal('project');
      expect(ra.text).to.contain('TESTSUITE basic');
      expect(rb.text).to.contain('mutex_api');
      expect(a.pids()).to.have.length(1);
      expect(b.pids()).to.have.length(1);
      expect(a.pids()[0]).to.not.equal(b.pids()[0]);
      await Promise.all([ra.session.stop(), rb.session.stop()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('leaves no Renode or mono process behind after close()', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 2 });
    const r1 = await runToVerdict(emu, basic, join(out, 'w-c1'));
    const r2 = await runToVerdict(emu, mutex, join(out, 'w-c2')); // second process: the first is busy
    const pids = emu.pids();
    expect(pids).to.have.length(2);
    await r1.session.stop();
    await emu.close(); // one idle, one still running a session
    expect(emu.pids()).to.deep.equal([]);
    await expectGone(pids);
    const ps = await execa('pgrep', ['-a', '-f', 'Renode.exe'], { reject: false });
    for (const pid of pids) expect(ps.stdout).to.not.match(new RegExp(`^${pid}\\b`, 'm'));
    const exit = await r2.session.exited; // the busy session ended with its process
    expect(exit.code !== null || exit.signal !== null).to.equal(true);
  });

  it('a reused machine gives what a new one gives: same console, cases and verdicts (basic, mutex wasm)', async () => {
    const ref = { basic: await reference('basic'), mutexWasm: await reference('mutexWasm') };
    expect(ref.basic.verdict).to.equal('passed');
    expect(ref.mutexWasm.verdict).to.equal('failed'); // the demo's deliberate regression
    expect(ref.mutexWasm.cases.length).to.be.greaterThan(3);
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    try {
      const order = ['basic', 'mutexWasm', 'mutexWasm', 'basic', 'mutexWasm'] as const;
      for (const name of order) {
        const i = images()[name];
        const r = await judge(emu, i.elf, i.variant, i.suite, out);
        expect(r.verdict, name).to.equal(ref[name].verdict);
        expect(r.cases, name).to.deep.equal(ref[name].cases); // durations included
        expect(r.log, name).to.equal(ref[name].log);
        expect(r.virtualMs, name).to.be.a('number').and.greaterThan(0);
      }
      expect(emu.stats()).to.deep.equal({ created: 1, reused: order.length - 1 });
      expect(emu.pids()).to.have.length(1);
    } finally {
      await emu.close();
    }
  });

  it('another timing gets a new machine; a boot that fails leaves the next one a new machine', async () => {
    const ref = await reference('basic');
    const broken = join(out, 'broken.elf');
    writeFileSync(broken, 'not an ELF\n');
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    const boot = async (elf: string, settings: RenodeSettings = SETTINGS) => judge(emu, elf, 'native', 'basic', out, settings);
    try {
      expect((await boot(basic)).log).to.equal(ref.log);
      expect(emu.stats()).to.deep.equal({ created: 1, reused: 0 });
      // 21 MIPS instead of 20: not the machine in the process.
      expect((await boot(basic, { ...SETTINGS, mips: { fast: 21, faithful: 170 } })).verdict).to.equal('passed');
      expect(emu.stats()).to.deep.equal({ created: 2, reused: 0 });
      expect((await boot(basic)).log).to.equal(ref.log);
      expect(emu.stats()).to.deep.equal({ created: 3, reused: 0 });
      // Reset path fails at LoadELF, then the new-machine path fails the same way: an emulator error.
      const failed = await boot(broken);
      expect(failed.verdict).to.equal('emulator-error');
      expect(emu.stats()).to.deep.equal({ created: 3, reused: 0 });
      const [pid] = emu.pids();
      const after = await boot(basic);
      expect(after.log).to.equal(ref.log);
      expect(emu.stats()).to.deep.equal({ created: 4, reused: 0 });
      expect((await boot(basic)).log).to.equal(ref.log);
      expect(emu.stats()).to.deep.equal({ created: 4, reused: 1 });
      expect(emu.pids()).to.deep.equal([pid]); // one process throughout
    } finally {
      await emu.close();
    }
  });

  it('two workers of one emulator in parallel: separate processes and machines, results as if alone', async () => {
    const ref = { basic: await reference('basic'), mutexWasm: await reference('mutexWasm') };
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 2 });
    let pids: number[] = [];
    try {
      const stream = async (names: Array<keyof typeof ref>) => {
        for (const name of names) {
          const i = images()[name];
          const r = await judge(emu, i.elf, i.variant, i.suite, out);
          expect(r.log, name).to.equal(ref[name].log);
          expect(r.cases, name).to.deep.equal(ref[name].cases);
          pids = [...new Set([...pids, ...emu.pids()])];
        }
      };
      await Promise.all([stream(['basic', 'mutexWasm', 'basic', 'mutexWasm']), stream(['mutexWasm', 'basic', 'mutexWasm', 'basic'])]);
      expect(pids).to.have.length(2);
      expect(emu.pids().sort()).to.deep.equal([...pids].sort());
      expect(emu.stats()).to.deep.equal({ created: 2, reused: 6 });
    } finally {
      await emu.close();
    }
    expect(emu.pids()).to.deep.equal([]);
    await expectGone(pids);
  });

  it('the monitor runs a batch in one round trip and stops at the first command that fails', async () => {
    const monitor = await RenodeMonitor.start({ binary: RENODE! });
    try {
      const [version, empty] = await monitor.execBatch(['version', 'logLevel 3']);
      expect(version).to.match(/Renode/);
      expect(empty).to.be.a('string');
      let error: unknown;
      try {
        await monitor.execBatch(['version', 'no_such_command', 'quit']);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(RenodeCommandError);
      expect((error as RenodeCommandError).command).to.equal('no_such_command');
      expect((error as RenodeCommandError).before).to.have.length(1);
      expect(monitor.alive).to.equal(true); // `quit` never ran
      expect(await monitor.exec('version')).to.match(/Renode/);
    } finally {
      await monitor.kill();
    }
    await expectGone([monitor.pid]);
  });

  it('an abort kills the process instead of reusing it', async () => {
    const emu = createRenodeEmulator({ repoRoot: ROOT, workers: 1 });
    try {
      const ac = new AbortController();
      mkdirSync(join(out, 'w-abort'), { recursive: true });
      const session = await emu.boot({ path: mutex, origin: 'built' }, platform(), { signal: ac.signal, workDir: join(out, 'w-abort') });
      const [pid] = emu.pids();
      ac.abort();
      await session.exited;
      expect(emu.pids()).to.deep.equal([]);
      expect(groupAlive(pid!)).to.equal(false);
    } finally {
      await emu.close();
    }
  });
});
