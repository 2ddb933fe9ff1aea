// The accounting of probe records (harness/measure/probe/account.ts): how a call is counted through
// tail calls, context switches and exceptions, as QEMU reports them (sites) and as Renode does
// (return addresses and exception callbacks), on hand-made record streams whose answer is plain.
import { expect } from 'chai';
import type { ProbeRecord } from '../harness/domain.js';
import { account } from '../harness/measure/probe/account.js';
import type { ProbeModel, SiteMeaning } from '../harness/measure/probe/plan.js';
import { readCost } from '../harness/measure/cost/reader.js';
import { readReach } from '../harness/measure/reach/reader.js';

// Bodies: 0 F (measured), 1 G (a function F tail-calls), 2 H (measured, tail-called by F), 3 V (a handler).
const MEANINGS: SiteMeaning[] = [
  { kind: 'entry', fn: 0 }, // 0
  { kind: 'return', fn: 0 }, // 1
  { kind: 'tail', from: 0, to: 1, conditional: false }, // 2
  { kind: 'return', fn: 1 }, // 3
  { kind: 'tail', from: 0, to: 1, conditional: true }, // 4
  { kind: 'fallthrough', tail: 4 }, // 5
  { kind: 'entry', fn: 2 }, // 6
  { kind: 'tail', from: 0, to: 2, conditional: false }, // 7
  { kind: 'return', fn: 2 }, // 8
  { kind: 'vector', fn: 3 }, // 9
  { kind: 'return', fn: 3 }, // 10
  { kind: 'save' }, // 11
  { kind: 'restore' }, // 12
  { kind: 'boundary' }, // 13
  { kind: 'case', case: 'suite.test_one' }, // 14
  { kind: 'case', case: 'suite.test_two' }, // 15
];

const MODEL: ProbeModel = {
  bodies: [
    { name: 'F', start: 0x100, measured: 'F' },
    { name: 'G', start: 0x200 },
    { name: 'H', start: 0x300, measured: 'H' },
    { name: 'V', start: 0x400 },
  ],
  meanings: MEANINGS,
  blocks: [
    { fn: 0, start: 0x100, instructions: 4, assert: false },
    { fn: 0, start: 0x108, instructions: 3, assert: false },
    { fn: 0, start: 0x10e, instructions: 2, assert: true },
  ],
  measured: [
    { name: 'F', addresses: ['0x00000100'], size: 16 },
    { name: 'H', addresses: ['0x00000300'], size: 8 },
  ],
  missing: [],
  notes: [],
};

const site = (id: number, count: number, key?: number): ProbeRecord => ({ kind: 'site', id, count, ...(key !== undefined ? { key } : {}) });
const calls = (records: ProbeRecord[], fn = 'F') => account(MODEL, records).windows.flatMap((w) => w.calls.get(fn) ?? []);

describe('cost accounting: one call from its first instruction to the return that ends it', () => {
  it('counts the return instruction itself, and nothing before the entry', () => {
    expect(calls([site(0, 100), site(1, 120)])).to.deep.equal([21]);
  });

  it('follows a tail call into another function and ends at that one\'s return', () => {
    expect(calls([site(0, 100), site(2, 110), site(1, 125), site(3, 130)])).to.deep.equal([31]);
  });

  it('a conditional tail branch followed by its fall-through was not taken', () => {
    expect(calls([site(0, 100), site(4, 105), site(5, 106), site(1, 120)])).to.deep.equal([21]);
    expect(calls([site(0, 100), site(4, 105), site(3, 130)]), 'taken: the target returns').to.deep.equal([31]);
  });

  it('a measured function tail-called by another ends both calls at its return', () => {
    const w = account(MODEL, [site(0, 100), site(7, 104), site(6, 105), site(8, 114)]).windows;
    expect(w[0]!.calls.get('F')).to.deep.equal([15]);
    expect(w[0]!.calls.get('H')).to.deep.equal([10]);
  });

  it('a frame that merely shares the returning function (no tail call into it) stays open', () => {
    // F entered and never returned (its thread died); a new call of H returns: F is not closed by it.
    const a = account(MODEL, [site(0, 100), site(7, 104), site(6, 900), site(8, 910)]);
    expect(a.windows[0]!.calls.get('H')).to.deep.equal([11]);
    expect(a.unfinished.get('F')).to.equal(1);
  });
});

describe('cost accounting: what is not the call\'s', () => {
  it('a context switch inside the call: the other thread\'s instructions are left out (QEMU: save/restore sites)', () => {
    // A enters F at 100; saves itself at 150 (key 1); B runs from 154 to 300; A is restored at 304.
    const records = [site(0, 100), site(11, 150, 1), site(12, 154, 2), site(11, 300, 2), site(12, 304, 1), site(1, 320)];
    // Counted: 100..150 (51 with the save) and 304..320 (17 with the return).
    expect(calls(records)).to.deep.equal([51 + 17]);
  });

  it('an interrupt inside the call: the handler is left out, whether seen at its vector or reported by the emulator', () => {
    const sites = [site(0, 100), site(9, 110), site(10, 130), site(1, 150)];
    const reported: ProbeRecord[] = [site(0, 100), { kind: 'exception', end: false, count: 110 }, { kind: 'exception', end: true, count: 131 }, { kind: 'exit', id: 0, count: 151 }];
    expect(calls(sites)).to.deep.equal([51 - 21]);
    expect(calls(reported)).to.deep.equal(calls(sites));
  });

  it('a switch made by an exception handler (PendSV) counts the same with thread structs (QEMU) or stack pointers (Renode) as keys', () => {
    // A in F takes PendSV at 200, saves at 205, B is restored at 209 and returns to thread mode at
    // 212; later B's PendSV at 400 saves B at 405 and restores A at 409; A leaves the handler at 412.
    const qemu = [site(0, 100), site(9, 200), site(11, 205, 0xa0), site(12, 209, 0xb0), site(10, 211), site(9, 400), site(11, 405, 0xb0), site(12, 409, 0xa0), site(10, 411), site(1, 430)];
    const renode: ProbeRecord[] = [
      site(0, 100),
      { kind: 'exception', end: false, count: 200, key: 0x2000a000 },
      { kind: 'exception', end: true, count: 212, key: 0x2000b000 },
      { kind: 'exception', end: false, count: 400, key: 0x2000b000 },
      { kind: 'exception', end: true, count: 412, key: 0x2000a000 },
      { kind: 'exit', id: 0, count: 431 },
    ];
    expect(calls(qemu)).to.deep.equal([(200 - 100) + (431 - 412)]);
    expect(calls(renode)).to.deep.equal(calls(qemu));
  });

  it('a call made inside an interrupt handler counts itself only', () => {
    const w = account(MODEL, [site(9, 100), site(0, 105), site(1, 115), site(10, 120)]).windows;
    expect(w[0]!.calls.get('F')).to.deep.equal([11]);
  });
});

describe('cost accounting: cases, reach and what never ended', () => {
  it('files a call under the case it began in; before-hooks after a boundary belong to the next case', () => {
    const records = [site(0, 10), site(1, 20), site(13, 30), site(0, 40), site(1, 50), site(14, 60), site(0, 70), site(1, 75), site(13, 80), site(15, 90), site(0, 95), site(1, 99)];
    const windows = account(MODEL, records).windows;
    const byCase = windows.map((w) => [w.case, w.calls.get('F')]);
    expect(byCase).to.deep.equal([
      [undefined, [11]],
      ['suite.test_one', [11, 6]],
      ['suite.test_two', [5]],
    ]);
  });

  it('a block is reached by the cases whose counters moved, and the rest are listed as unreached', () => {
    const records: ProbeRecord[] = [site(13, 10), site(14, 20), { kind: 'hits', id: 0, count: 3 }, site(13, 30), site(15, 40), { kind: 'hits', id: 0, count: 1 }, { kind: 'hits', id: 1, count: 1 }];
    const reach = readReach(MODEL, account(MODEL, records));
    expect(reach.functions[0]!.blocks.map((b) => [b.address, b.cases])).to.deep.equal([
      ['0x00000100', ['suite.test_one', 'suite.test_two']],
      ['0x00000108', ['suite.test_two']],
      ['0x0000010e', []],
    ]);
    expect(reach.functions[0]!.blocks[2]!.assert).to.equal(true);
    expect(reach.functions[1]).to.deep.equal({ function: 'H', blocks: [] });
  });

  it('calls that never return are unfinished, also those of a thread whose key a new thread took over', () => {
    const records = [site(0, 100), site(11, 150, 7), site(12, 154, 8), site(11, 300, 7), site(12, 304, 9)];
    const a = account(MODEL, records);
    expect(a.unfinished.get('F')).to.equal(1);
    const cost = readCost(MODEL, { method: 'test', records }, a);
    expect(cost.unfinished).to.deep.equal({ F: 1 });
    expect(cost.cases).to.deep.equal([]);
  });

  it('the cost of a boot: per case, per function, the exact distribution with min, median and max', () => {
    const records = [site(13, 1), site(14, 2), site(0, 10), site(1, 20), site(0, 30), site(1, 50), site(0, 60), site(1, 70)];
    const cost = readCost(MODEL, { method: 'qemu-plugin', records }, account(MODEL, records));
    expect(cost.cases).to.deep.equal([{ case: 'suite.test_one', functions: { F: { calls: 3, min: 11, median: 11, max: 21, values: [[11, 2], [21, 1]] } } }]);
    expect(cost.method).to.equal('qemu-plugin');
  });
});
