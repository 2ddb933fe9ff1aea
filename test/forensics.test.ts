// Crash forensics: the pure readers against real console and tool output, then the resolver on the
// demo firmware's real wasm sem image, whose synth_k_sem_give_body executes `udf #0` at the limit.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hasEmptyFrame, readFaultDump } from '../harness/forensics/fault-dump.js';
import { caseFunction, normalizeAddress, parseAddr2line, parseDisassembly, parseNm, symbolAt, windowAround } from '../harness/forensics/elf-text.js';
import { parseMapFile, sectionAt, shortObject } from '../harness/forensics/map-file.js';
import { isWasmLto, resolveFault } from '../harness/forensics/resolve.js';
import { readElfSymbols } from '../harness/forensics/elf-symbols.js';
import { forensicsHeadline, forensicsLines } from '../harness/forensics/render.js';
import { analyseCrash } from '../harness/forensics/index.js';
import type { RunResult } from '../harness/domain.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { REPO_ROOT } from '../harness/version.js';
import { buildAll } from './helpers/build.js';
import { scratch } from './helpers/tmp.js';

const LOGS = join(REPO_ROOT, 'test/fixtures/zephyr-logs/qemu_cortex_m3');
const lines = (file: string) => readFileSync(join(LOGS, file), 'latin1').split('\n');

/** The dump of a Zephyr 3.3.99 nucleo_g474re image's k_oops under Renode: every register 0. */
const RENODE_OOPS = [
  'E: r0/a1:  0x00000000  r1/a2:  0x00000000  r2/a3:  0x00000000',
  'E: r3/a4:  0x00000000 r12/ip:  0x00000000 r14/lr:  0x00000000',
  'E:  xpsr:  0x00000000',
  'E: Faulting instruction address (r15/pc): 0x00000000',
  'E: >>> ZEPHYR FATAL ERROR 3: Kernel oops on CPU 0',
  'E: Current thread: 0x200001b0 (unknown)',
  'E: Halting system',
];

describe('forensics: reading the fault dump', () => {
  it('reads a real Zephyr 3.5.99 USAGE FAULT dump: header, cause, registers, PC line, thread', () => {
    const dump = readFaultDump(lines('demo_crash.console.log'))!;
    expect(dump.fault).to.equal('USAGE FAULT');
    expect(dump.details).to.deep.equal(['Attempt to execute undefined instruction']);
    expect(dump.registers).to.deep.equal({ r0: '0x0000002a', r1: '0x0000000a', r2: '0x90000000', r3: '0x00001979', r12: '0x00000000', lr: '0x000003e9', xpsr: '0x01000000', pc: '0x000003e8' });
    expect(dump.thread).to.deep.equal({ address: '0x20000030', name: 'test_b_crash' });
    expect(lines('demo_crash.console.log')[dump.pcLine! - 1]).to.include('Faulting instruction address');
  });

  it('reads a k_oops dump, which has registers but no fault header', () => {
    const dump = readFaultDump(lines('demo_oops.console.log'))!;
    expect(dump.fault).to.equal(undefined);
    expect(dump.fatal).to.deep.equal({ code: 3, reason: 'Kernel oops' });
    expect(dump.registers.pc).to.equal('0x000003f4');
    expect(dump.thread?.name).to.equal('test_b_oops');
    expect(hasEmptyFrame(dump), 'a real frame').to.equal(false);
  });

  it('tells a kernel oops with an all-zero exception frame (Renode, issue 17) from a fault at pc 0', () => {
    const dump = readFaultDump(RENODE_OOPS)!;
    expect(dump.fatal).to.deep.equal({ code: 3, reason: 'Kernel oops' });
    expect(hasEmptyFrame(dump)).to.equal(true);
    // A real jump to address 0 has a frame: the Thumb bit in xpsr, an lr to come from.
    expect(hasEmptyFrame({ registers: { ...dump.registers, lr: '0x08001235', xpsr: '0x01000000' } })).to.equal(false);
    expect(hasEmptyFrame({ registers: {} }), 'no registers printed at all').to.equal(false);
  });

  it('takes BFAR/MMFAR, log-subsystem prefixes, and ignores a fault ztest expected', () => {
    const dump = readFaultDump([
      '[00:00:00.010,000] <err> os: ***** BUS FAULT *****',
      '[00:00:00.010,000] <err> os:   Precise data bus error',
      '[00:00:00.010,000] <err> os:   BFAR Address: 0x50000000',
      '[00:00:00.010,000] <err> os: r0/a1:  0x00000001  r1/a2:  0x00000002  r2/a3:  0x00000003',
      '[00:00:00.010,000] <err> os: Faulting instruction address (r15/pc): 0x08000400',
      '[00:00:00.010,000] <err> os: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0',
      '[00:00:00.010,000] <err> os: Current thread: 0x20000100 (unknown)',
      'Caught system error -- reason 0',
    ]);
    expect(dump, 'handled by the test').to.equal(undefined);
    const real = readFaultDump([
      'E: ***** MPU FAULT *****',
      'E:   Data Access Violation',
      'E:   MMFAR Address: 0x20001000',
      'E: Faulting instruction address (r15/pc): 0x08000400',
      'E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0',
    ])!;
    expect(real).to.include({ fault: 'MPU FAULT', mmfar: '0x20001000' });
    expect(real.details).to.deep.equal(['Data Access Violation']);
    expect(readFaultDump(['no fault here', 'PROJECT EXECUTION SUCCESSFUL'])).to.equal(undefined);
  });
});

describe('forensics: tool output and map files', () => {
  it('parses GNU and llvm objdump lines, including an instruction that does not decode', () => {
    const gnu = parseDisassembly('00001ef0 <f>:\n    1f04:\td100      \tbne.n\t1f08 <f+0x24>\n    1f06:\tde00      \tudf\t#0\n 80003f4:\tfac8 0100 \t.word\t0xfac80100\n');
    expect(gnu.map((i) => [i.address, i.bytes, i.text])).to.deep.equal([
      ['0x00001f04', 'd100', 'bne.n 1f08 <f+0x24>'],
      ['0x00001f06', 'de00', 'udf #0'],
      ['0x080003f4', 'fac8 0100', '.word 0xfac80100'],
    ]);
    const llvm = parseDisassembly('    1f06: 00 de        \tudf\t#0x0\n');
    expect(llvm[0]).to.deep.equal({ address: '0x00001f06', bytes: '00 de', text: 'udf #0x0' });
    const w = windowAround(gnu, 0x1f06, 2);
    expect(w.at?.text).to.equal('udf #0');
    expect(w.window).to.have.length(3);
  });

  it('parses addr2line -a -f -i: inlined frames innermost first, unknowns dropped', () => {
    const frames = parseAddr2line('0x00001f06\nwasm_trap_unreachable\n/src/sem_wasm.c:16\nsynth_k_sem_give_body\n/src/sem_wasm.c:27 (discriminator 1)\n0x00000bb0\n??\n??:0\n');
    expect(frames.get('0x00001f06')).to.deep.equal([
      { function: 'wasm_trap_unreachable', file: '/src/sem_wasm.c', line: 16 },
      { function: 'synth_k_sem_give_body', file: '/src/sem_wasm.c', line: 27 },
    ]);
    expect(frames.get('0x00000bb0')).to.deep.equal([]);
  });

  it('finds the function an address is in, data only inside its extent, and a ztest case function', () => {
    const syms = parseNm('00001ee4 00000034 T k_sem_give\n00001f18 000000ec T memcpy\n00001f18 t $t\n200001b0 00000060 b ztest_thread\n20000300 00000004 B z_tick\n000004b8 000000b4 t z_ztest_wrapper_sem_api_test_sem_limit\n00000600 00000040 T sem_api_test_sem_limit\n');
    expect(symbolAt(syms, 0x1f06, 'code')).to.deep.include({ offset: 0x22 });
    expect(symbolAt(syms, 0x1f06, 'code')!.symbol.name).to.equal('k_sem_give');
    expect(symbolAt(syms, 0x200001b4, 'data')!.symbol.name).to.equal('ztest_thread');
    expect(symbolAt(syms, 0x20000250, 'data'), 'between objects').to.equal(undefined);
    expect(caseFunction(syms, 'sem_api', 'test_sem_limit')!.name).to.equal('sem_api_test_sem_limit');
    expect(caseFunction(syms, undefined, 'test_sem_limit')!.name).to.equal('sem_api_test_sem_limit');
  });

  it('reads the object or library member of an address from a GNU ld map, not from debug sections', () => {
    const map = [
      'Discarded input sections',
      ' .text.unused   0x00000000       0x10 zephyr/kernel/libkernel.a(sem.c.obj)',
      '',
      'Linker script and memory map',
      ' .text.z_impl_k_mutex_unlock',
      '                0x08006298      0x1a0 zephyr/kernel/libkernel.a(mutex.c.obj)',
      '                0x08006298                z_impl_k_mutex_unlock',
      ' .text          0x08006440       0x20 /opt/gale/gale-wasm-mutex-v0.3-cortex-m4f.o',
      ' .debug_info    0x08006298     0x2e8 zephyr/libzephyr.a(printk.c.obj)',
    ].join('\n');
    const sections = parseMapFile(map);
    expect(shortObject(sectionAt(sections, 0x080062a0)!.object)).to.equal('libkernel.a(mutex.c.obj)');
    expect(sectionAt(sections, 0x08006444)!.object).to.equal('/opt/gale/gale-wasm-mutex-v0.3-cortex-m4f.o');
    expect(sectionAt(sections, 0x5)).to.equal(undefined);
    expect(isWasmLto('synth_k_mutex_unlock_body', undefined)).to.equal(true);
    expect(isWasmLto('z_impl_k_mutex_unlock', 'zephyr/kernel/libkernel.a(mutex.c.obj)')).to.equal(false);
    expect(isWasmLto(undefined, '/opt/gale/gale-wasm-mutex-v0.3-cortex-m4f.o')).to.equal(true);
  });
});

describe('forensics: the demo wasm sem crash resolved against its own ELF (real build)', function () {
  this.timeout(180_000);
  const tmp = scratch('tandem-forensics-');
  let elf: string;
  let buildDir: string;
  const source = readFileSync(join(REPO_ROOT, 'firmware/src/kernel/sem_wasm.c'), 'utf8').split('\n');
  /** 1-based line of the first source line matching, after `after`. */
  const lineOf = (re: RegExp, after = 0) => source.findIndex((l, i) => i >= after && re.test(l)) + 1;

  before(async () => {
    const file = tmp.write('f.yaml', `name: f\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: sem, path: ${REPO_ROOT}/firmware/tests/sem }]\nvariants: [{ name: wasm, kconfig: [CONFIG_GALE_WASM_LTO_SEM=y] }]\nbuild: { kind: cmake, build_root: ${join(REPO_ROOT, 'build/test-forensics')} }\n`);
    const [built] = await buildAll(loadScenario(file, { platformDirs: [join(REPO_ROOT, 'platforms')] }), tmp.dir);
    if (!built?.outcome.ok) throw new Error(`build failed: ${JSON.stringify(built?.outcome)}`);
    elf = built.outcome.image.path;
    buildDir = join(REPO_ROOT, 'build/test-forensics/qemu_cortex_m3/wasm/sem');
  });
  after(() => tmp.cleanup());

  async function udfAddress(): Promise<string> {
    const { execa } = await import('execa');
    const dis = parseDisassembly((await execa('arm-none-eabi-objdump', ['-d', elf])).stdout);
    const udf = dis.filter((i) => /^udf\b/.test(i.text));
    expect(udf, 'the wasm sem image has exactly one udf').to.have.length(1);
    return udf[0]!.address;
  }

  it('names the function and source line the firmware source has for the udf, and the instruction', async () => {
    const pc = await udfAddress();
    // Where the image puts ztest's thread object, as a fault dump prints its address.
    const { execa } = await import('execa');
    const thread = parseNm((await execa('arm-none-eabi-nm', ['-S', elf])).stdout).find((s) => s.name === 'ztest_thread')!;
    const f = await resolveFault({ dump: { fault: 'USAGE FAULT', details: ['Attempt to execute undefined instruction'], registers: { pc, lr: '0x00000bb1' }, thread: { address: normalizeAddress(thread.address), name: 'test_sem_limit_saturates' } }, elf, buildDir });
    const body = lineOf(/synth_k_sem_give_body\(unsigned int count, unsigned int limit\)$/);
    expect(f.pc).to.include({ symbol: 'synth_k_sem_give_body', line: lineOf(/wasm_trap_unreachable\(\);/, body), wasmLto: true });
    expect(f.pc!.file).to.match(/firmware\/src\/kernel\/sem_wasm\.c$/);
    expect(f.pc!.inlined![0]).to.deep.include({ function: 'wasm_trap_unreachable', line: lineOf(/"udf #0"/) });
    expect(f.pc!.object).to.match(/sem_wasm\.c\.obj$/);
    expect(f.instruction).to.include({ text: 'udf #0', bytes: 'de00' });
    expect(f.instruction!.window.map((i) => i.address)).to.include(pc);
    expect(f.instruction!.window.length).to.be.within(3, 5);
    expect(f.thread!.symbol).to.equal('ztest_thread');
    expect(f.unresolved).to.equal(undefined);
    expect(forensicsHeadline(f)).to.match(/^USAGE FAULT at synth_k_sem_give_body\+0x[0-9a-f]+ \(src\/kernel\/sem_wasm\.c:\d+\) \[wasm-LTO\]: udf #0$/);
    expect(forensicsLines(f).some((l) => /^ {2}-> 0x[0-9a-f]{8} {2}de00 +udf #0$/.test(l))).to.equal(true);
  });

  it('an oops with an all-zero frame says so: nothing blamed on the debug info, the thread still named', async () => {
    // The real oops printed ztest_thread's address in that build; this build places it elsewhere.
    const { execa } = await import('execa');
    const thread = normalizeAddress(parseNm((await execa('arm-none-eabi-nm', ['-S', elf])).stdout).find((s) => s.name === 'ztest_thread')!.address);
    const f = await resolveFault({ dump: readFaultDump(RENODE_OOPS.map((l) => l.replace('0x200001b0', thread)))!, elf, buildDir });
    expect(f).to.include({ noFrame: true });
    expect(f.fatal).to.deep.equal({ code: 3, reason: 'Kernel oops' });
    expect(f.pc).to.equal(undefined);
    expect(f.instruction).to.equal(undefined);
    expect(f.unresolved, 'no "built without -g?"').to.equal(undefined);
    expect(f.thread).to.deep.include({ address: thread, symbol: 'ztest_thread' });
    expect(forensicsHeadline(f)).to.equal('Kernel oops (fatal error 3) without an exception frame (the guest\'s own fatal error, not a CPU fault at a pc)');
    const text = forensicsLines(f);
    expect(text[0]).to.equal('Kernel oops (fatal error 3)');
    expect(text[1]).to.match(/^no exception frame: every register was printed as 0/);
    expect(text.join('\n')).not.to.match(/0x00000000|unresolved|without -g/);
  });

  it("reads the image's symbol table as nm does: same addresses, sizes, types and names", () => {
    const nm = parseNm(execFileSync('arm-none-eabi-nm', ['-S', '-n', '--defined-only', elf], { encoding: 'utf8' }));
    const own = readElfSymbols(elf)!;
    const key = (x: { address: number; size?: number; type: string; name: string }) => `${x.address} ${x.size ?? '-'} ${x.type} ${x.name}`;
    expect(nm.length).to.be.greaterThan(50);
    expect(own.map(key).sort()).to.deep.equal(nm.map(key).sort());
    expect(readElfSymbols(join(REPO_ROOT, 'README.md'))).to.equal(undefined);
  });

  it('the same crash of the same image (--repeat) is resolved once; a rebuilt image again', async () => {
    // Counting wrappers in front of the real tools, found on PATH (the copy has no build folder).
    const bin = join(tmp.dir, 'counting-bin');
    const calls = join(tmp.dir, 'calls.txt');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['addr2line', 'objdump']) {
      const real = execFileSync('sh', ['-c', `command -v arm-none-eabi-${tool}`], { encoding: 'utf8' }).trim();
      writeFileSync(join(bin, `arm-none-eabi-${tool}`), `#!/bin/sh\necho ${tool} >> '${calls}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    }
    const image = join(tmp.dir, 'repeat/zephyr/zephyr.elf');
    mkdirSync(dirname(image), { recursive: true });
    copyFileSync(elf, image);
    const runDir = join(tmp.dir, 'repeat-run');
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    writeFileSync(join(runDir, 'logs/a.log'), lines('demo_crash.console.log').join('\n'));
    const result = { verdict: 'crashed', log: 'logs/a.log' } as unknown as RunResult;
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const [a, b] = await Promise.all([analyseCrash(result, runDir, { path: image }), analyseCrash(result, runDir, { path: image })]);
      const c = await analyseCrash(result, runDir, { path: image });
      expect(a!.pc!.symbol).to.be.a('string');
      expect(b).to.deep.equal(a);
      expect(c).to.deep.equal(a);
      expect(c).to.not.equal(a);
      expect(readFileSync(calls, 'utf8').trim().split('\n').sort()).to.deep.equal(['addr2line', 'objdump']);
      writeFileSync(image, readFileSync(elf)); // rebuilt: a new inode change time
      await analyseCrash(result, runDir, { path: image });
      expect(readFileSync(calls, 'utf8').trim().split('\n')).to.have.length(4);
    } finally {
      process.env.PATH = path;
    }
  });

  it('never throws when it cannot resolve: no tools, or no image — it says why and keeps the raw PC', async () => {
    const dump = { details: [], registers: { pc: '0x00001f06' } };
    // A copy away from its build folder, whose CMakeCache.txt would name the toolchain.
    const lone = join(tmp.dir, 'lone/zephyr/zephyr.elf');
    mkdirSync(dirname(lone), { recursive: true });
    copyFileSync(elf, lone);
    const noTools = await resolveFault({ dump, elf: lone, env: { PATH: '/nonexistent' } });
    // The symbol table is the image's own (read without nm); lines and instructions need the tools.
    const own = symbolAt(readElfSymbols(lone)!, 0x1f06, 'code')!;
    expect(noTools.pc).to.deep.equal({ address: '0x00001f06', symbol: own.symbol.name, offset: own.offset });
    expect(noTools.registers.pc).to.equal('0x00001f06');
    expect(noTools.unresolved!.join('\n')).to.match(/no addr2line \(tried .*arm-none-eabi-addr2line, llvm-addr2line\)/);
    expect(noTools.unresolved!.join('\n')).to.match(/no objdump/).and.not.match(/no nm/);
    expect(forensicsHeadline(noTools)).to.equal(`fault at ${own.symbol.name}+0x${own.offset.toString(16)}`);
    // Not an ELF at all: nm is the fallback, and without it the PC stays raw.
    const notElf = join(tmp.dir, 'lone/zephyr/not.elf');
    writeFileSync(notElf, 'not an ELF\n');
    const raw = await resolveFault({ dump, elf: notElf, env: { PATH: '/nonexistent' } });
    expect(raw.pc).to.deep.equal({ address: '0x00001f06' });
    expect(raw.unresolved!.join('\n')).to.match(/no nm \(tried/);
    expect(forensicsHeadline(raw)).to.equal('fault at pc 0x00001f06 (unresolved)');
    const gone = await resolveFault({ dump, elf: join(tmp.dir, 'gone.elf') });
    expect(gone.unresolved).to.deep.equal([`the image ${join(tmp.dir, 'gone.elf')} is gone`]);
  });
});
