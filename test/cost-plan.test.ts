// The probe plan made from the demo's own images (harness/measure/probe/plan.ts), checked against
// what the same image says when read another way: its vector table from zephyr.bin, its functions'
// instructions from objdump, its cases from nm.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { demoImage } from './helpers/demo.js';
import { scratch } from './helpers/tmp.js';
import { parseNm } from '../harness/forensics/elf-text.js';
import { readImageCode } from '../harness/measure/probe/image.js';
import { buildProbe, type Probe } from '../harness/measure/probe/plan.js';
import { flowOf, multiple } from '../harness/measure/probe/thumb.js';
import { functionDisassembly as disassemblyOf } from './helpers/disassembly.js';

describe('cost: the probe plan of the demo images', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-cost-plan-');
  const images: Record<string, { elf: string; objdump: string; nm: string; probe: Probe }> = {};

  before(async () => {
    for (const [suite, variant] of [['mutex', 'native'], ['mutex', 'wasm'], ['sem', 'native']] as const) {
      const elf = await demoImage(suite, variant, tmp.dir);
      const objdump = (await execa('arm-none-eabi-objdump', ['-d', elf])).stdout;
      const nm = (await execa('arm-none-eabi-nm', ['-S', '-n', '--defined-only', elf])).stdout;
      images[`${suite}/${variant}`] = { elf, objdump, nm, probe: buildProbe(readImageCode(parseNm(nm), objdump), { functions: ['k_mutex_unlock', 'k_sem_*', 'no_such_fn'] }) };
    }
  });
  after(() => tmp.cleanup());

  const addressOf = (nm: string, name: string) => parseInt(new RegExp(`^([0-9a-f]+) [0-9a-f]+ [tT] ${name}$`, 'm').exec(nm)![1]!, 16);

  it('watches each named function from its first instruction, globs expanded, and says which names matched nothing', () => {
    const { nm, probe } = images['mutex/native']!;
    const entries = probe.plan.sites.filter((s) => s.role === 'entry').map((s) => s.address);
    const semFunctions = [...nm.matchAll(/^[0-9a-f]+ [0-9a-f]+ [tT] (k_sem_\w+)$/gm)].map((m) => m[1]!);
    expect(semFunctions, 'the image links k_sem_give and k_sem_take at least').to.include.members(['k_sem_give', 'k_sem_take']);
    expect(entries).to.have.members(['k_mutex_unlock', ...semFunctions].map((f) => addressOf(nm, f)));
    expect(probe.model.missing).to.deep.equal(['no_such_fn']);
  });

  it('follows every return of a named function, and every function it tail-calls to that one\'s returns', () => {
    const { objdump, probe } = images['sem/native']!;
    const follow = new Map(probe.plan.sites.filter((s) => s.role === 'follow').map((s) => [s.address, probe.model.meanings[s.id]!]));
    const give = disassemblyOf(objdump, 'k_sem_give');
    for (const ins of give.filter((i) => /^(bx lr|pop(\.w)? \{.*pc\}|ldmia(\.w)? sp!, \{.*pc\})/.test(i.text))) {
      expect(follow.get(ins.address), ins.text).to.deep.include({ kind: 'return' });
    }
    // The native k_sem_give ends in `b.w z_reschedule`: a tail call, whose returns end the call.
    const tail = give.find((i) => /^b\.w .*<z_reschedule>/.test(i.text));
    expect(tail, 'the demo build tail-calls z_reschedule').to.not.equal(undefined);
    expect(follow.get(tail!.address)).to.deep.include({ kind: 'tail', conditional: false });
    const rescheduleReturns = disassemblyOf(objdump, 'z_reschedule').filter((i) => flowOf(i.text).kind === 'return');
    for (const r of rescheduleReturns) expect(follow.get(r.address), `z_reschedule ${r.text}`).to.deep.include({ kind: 'return' });
  });

  it('finds the context switch\'s save and restore, with the register and offset of the lowest address they access', () => {
    const { objdump, probe } = images['mutex/native']!;
    const code = disassemblyOf(objdump, 'z_arm_context_switch');
    const save = code.find((i) => multiple(i.text)?.store && multiple(i.text)!.registers.length >= 8)!;
    const restore = code.filter((i) => multiple(i.text) && !multiple(i.text)!.store).pop()!;
    const switches = probe.plan.sites.filter((s) => s.role === 'switch');
    expect(switches.map((s) => [s.address, probe.model.meanings[s.id]!.kind, s.base, s.offset])).to.deep.equal([
      [save.address, 'save', 13, -4 * multiple(save.text)!.registers.length],
      [restore.address, 'restore', 13, 0],
    ]);
    expect(switches.every((s) => !s.inException), 'the demo switches in thread mode').to.equal(true);
  });

  it('watches every exception handler of the vector table (as zephyr.bin holds it), and every ztest case', () => {
    const { elf, nm, probe } = images['mutex/native']!;
    const bin = readFileSync(join(dirname(elf), 'zephyr.bin'));
    const handlers = new Set<number>();
    for (let i = 2; i < 16; i++) {
      const word = bin.readUInt32LE(i * 4);
      if (word & 1) handlers.add(word & ~1);
    }
    const vectors = probe.plan.sites.filter((s) => s.role === 'vector').map((s) => s.address);
    expect(new Set(vectors)).to.deep.equal(handlers);
    const cases = [...nm.matchAll(/ z_ztest_unit_test__(\w+?)__(\w+)$/gm)].map((m) => `${m[1]}.${m[2]}`);
    const windows = probe.plan.sites.filter((s) => s.role === 'window').map((s) => probe.model.meanings[s.id]!);
    expect(windows.filter((m) => m.kind === 'case').map((m) => (m as { case: string }).case)).to.have.members(cases);
    expect(windows.filter((m) => m.kind === 'boundary')).to.have.length(1);
  });

  it('splits a function into basic blocks that cover its instructions once, a block after every branch', () => {
    for (const key of ['mutex/native', 'mutex/wasm']) {
      const { objdump, probe } = images[key]!;
      const code = disassemblyOf(objdump, 'k_mutex_unlock').filter((i) => i.text !== 'nop');
      const fn = probe.model.measured.findIndex((m) => m.name === 'k_mutex_unlock');
      const blocks = probe.model.blocks.filter((b) => b.fn === fn);
      expect(blocks.reduce((n, b) => n + b.instructions, 0), key).to.equal(code.length);
      const starts = new Set(blocks.map((b) => b.start));
      code.forEach((ins, i) => {
        const f = flowOf(ins.text);
        if ((f.kind === 'branch' || f.kind === 'return') && code[i + 1]) expect(starts.has(code[i + 1]!.address), `after ${ins.text}`).to.equal(true);
        if (f.kind === 'branch' && code.some((c) => c.address === f.target)) expect(starts.has(f.target), `target of ${ins.text}`).to.equal(true);
      });
      expect(probe.plan.sites.filter((s) => s.role === 'block' && blocks.some((b) => b.start === s.address))).to.have.length(blocks.length);
    }
  });
});
