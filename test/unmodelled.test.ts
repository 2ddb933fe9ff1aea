import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/version.js';
import {
  MAX_DISTINCT,
  UnmodelledTally,
  parseCounterReport,
  parseMtree,
  parseQemuLogLine,
  parseRenodeLogLine,
  resolveRegion,
  unmodelledLead,
  withNodes,
} from '../harness/emulators/unmodelled.js';
import { stuckOn } from '../harness/run/unmodelled.js';
import { parseDts } from '../harness/zephyr/dts.js';

const MTREE = readFileSync(join(REPO_ROOT, 'test/fixtures/unmodelled/lm3s6965evb.mtree.txt'), 'utf8');
const G4_DTS = readFileSync(join(REPO_ROOT, 'firmware/boards/nucleo_g474re/zephyr.dts'), 'utf8');

describe('unmodelled accesses: Renode log lines', () => {
  it('reads a write with the CPU and PC prefix, behind the log prefix', () => {
    const raw = parseRenodeLogLine('09:12:13.1234 [WARNING] sysbus: [cpu: 0x8001A2C] WriteDoubleWord to non existing peripheral at 0x50060800, value 0x4.');
    expect(raw).to.deep.equal({ access: 'write', width: 4, address: 0x50060800, pc: 0x8001a2c, value: 4, count: 1 });
  });

  it('reads the lines Renode 1.16.1 logs for a Zephyr 4.1 image starting a missing RNG', () => {
    // From Renode's log file (`logFile`), as tandem's client receives it.
    const lines = [
      '09:39:33.6155 [WARNING] sysbus: [cpu: 0x8003A60] ReadDoubleWord from non existing peripheral at 0x50060800.',
      '09:39:33.6155 [WARNING] sysbus: [cpu: 0x8003A66] WriteDoubleWord to non existing peripheral at 0x50060800, value 0x4.',
      '09:39:33.6156 [WARNING] nvic: Unhandled write to offset 0xD2C. Unhandled bits: [0-31] when writing value 0xFFFFFFFF.',
    ];
    expect(lines.map(parseRenodeLogLine)).to.deep.equal([
      { access: 'read', width: 4, address: 0x50060800, pc: 0x8003a60, count: 1 },
      { access: 'write', width: 4, address: 0x50060800, pc: 0x8003a66, value: 4, count: 1 },
      undefined,
    ]);
  });

  it('reads reads of every width, a tag, and the repeat count of a collapsed entry', () => {
    expect(parseRenodeLogLine('[WARNING] sysbus: [cpu: 0x80004F0] ReadDoubleWord from non existing peripheral at 0x50060804. (12345)')).to.deep.equal({
      access: 'read',
      width: 4,
      address: 0x50060804,
      pc: 0x80004f0,
      count: 12345,
    });
    expect(parseRenodeLogLine('sysbus: ReadByte from non existing peripheral at 0x40010000.')).to.include({ width: 1, count: 1 });
    expect(parseRenodeLogLine('sysbus: [cpu: 0x1] WriteWord to non existing peripheral at 0x40010002, value 0xBEEF.')).to.include({ width: 2, value: 0xbeef });
    expect(parseRenodeLogLine("sysbus: [cpu: 0x2] (tag: 'PWR_CR5') ReadDoubleWord from non existing peripheral at 0x40007080, returning 0x00000100.")).to.include({
      region: 'PWR_CR5',
      address: 0x40007080,
    });
  });

  it("reads the report of tandem's counter (UnmodelledSpace), the least recent access first", () => {
    const report = [
      'unmodelled read 4 0x50060800 3 0x8003a60 -',
      'unmodelled write 4 0x0 8600000 0x80001e4 0x0',
      'unmodelled write 2 0x40010002 1 - 0xbeef',
      'unmodelled more 17',
    ].join('\n');
    expect(parseCounterReport(report)).to.deep.equal([
      { access: 'read', width: 4, address: 0x50060800, count: 3, pc: 0x8003a60 },
      { access: 'write', width: 4, address: 0, count: 8600000, pc: 0x80001e4, value: 0 },
      { access: 'write', width: 2, address: 0x40010002, count: 1, value: 0xbeef },
    ]);
    expect(parseCounterReport('unmodelled none')).to.deep.equal([]);
    // Added in report order, the last one is the access the guest stopped after.
    const tally = new UnmodelledTally();
    for (const raw of parseCounterReport(report)) tally.add(raw);
    expect(tally.list().map((a) => [a.address, a.count])).to.deep.equal([['0x40010002', 1], ['0x0', 8600000], ['0x50060800', 3]]);
  });

  it('ignores every other log line', () => {
    expect(parseRenodeLogLine('[INFO] cpu: Entering function main at 0x8000100')).to.equal(undefined);
    expect(parseRenodeLogLine('[WARNING] sysbus: Tried to access bytes at non-existing peripheral in range <0x0, 0xFF>.')).to.equal(undefined);
  });
});

describe('unmodelled accesses: QEMU log lines and memory map', () => {
  it('reads unimplemented-device reads and writes (offsets into the named device)', () => {
    expect(parseQemuLogLine('hibernation: unimplemented device read  (size 4, offset 0x010)')).to.deep.equal({
      access: 'read',
      width: 4,
      region: 'hibernation',
      offset: 0x10,
      count: 1,
    });
    expect(parseQemuLogLine('i2c-0: unimplemented device write (size 1, offset 0x004, value 0x3f)')).to.deep.equal({
      access: 'write',
      width: 1,
      region: 'i2c-0',
      offset: 4,
      value: 0x3f,
      count: 1,
    });
  });

  it("reads memory.c's rejected accesses and ignores other guest errors", () => {
    expect(parseQemuLogLine("Invalid write at addr 0x1C, size 4, region 'ssys', reason: rejected")).to.include({ access: 'write', region: 'ssys', offset: 0x1c });
    expect(parseQemuLogLine('pl011_read: Bad offset 0xfe8')).to.equal(undefined);
  });

  it('takes the address of an access that missed every region as absolute', () => {
    const raw = parseQemuLogLine("Invalid read at addr 0x10000004, size 4, region '(null)', reason: rejected");
    expect(raw).to.include({ access: 'read', width: 4, address: 0x10000004 });
    expect(raw!.region).to.equal(undefined);
  });

  it('reads the regions of every flat view, whichever address space QEMU prints first', () => {
    // QEMU prints its address spaces in no fixed order; a small one may come first.
    const views = MTREE.split(/(?=FlatView #)/);
    const reordered = [views[0], ...views.slice(1).reverse()].join('').replace('FlatView #0', 'FlatView #9');
    const small = 'FlatView #0\n AS "I/O", root: io\n Root memory region: io\n  0000000000000000-000000000000ffff (prio 0, i/o): io\n\n';
    const regions = parseMtree(views[0] + small + reordered);
    expect(regions.find((r) => r.name === 'hibernation')?.start).to.equal(0x400fc000);
    expect(regions.filter((r) => r.name === 'hibernation')).to.have.length(1);
  });

  it('places a device offset at its address through `info mtree -f`; an ambiguous name stays an offset', () => {
    const regions = parseMtree(MTREE);
    expect(regions.find((r) => r.name === 'hibernation')).to.deep.equal({ name: 'hibernation', start: 0x400fc000, end: 0x400fcfff });
    const hib = resolveRegion(parseQemuLogLine('hibernation: unimplemented device read  (size 4, offset 0x010)')!, regions);
    expect(hib.address).to.equal(0x400fc010);
    // Seven GPIO ports are all called pl061: the offset cannot be placed.
    const gpio = resolveRegion({ access: 'read', width: 4, region: 'pl061', offset: 0x400, count: 1 }, regions);
    expect(gpio.address).to.equal(undefined);
    const tally = new UnmodelledTally();
    tally.add(gpio);
    expect(tally.list()[0]).to.include({ address: '0x400', region: 'pl061+0x400' });
  });
});

describe('unmodelled accesses: tally, devicetree, reason', () => {
  it('counts per address, direction and width, the most recent first, first PC and value kept', () => {
    const t = new UnmodelledTally();
    t.add({ access: 'write', width: 4, address: 0x50060800, pc: 0x100, value: 4, count: 1 });
    t.add({ access: 'read', width: 4, address: 0x50060804, pc: 0x104, count: 1 });
    t.add({ access: 'read', width: 4, address: 0x50060804, pc: 0x108, count: 500 });
    t.add({ access: 'read', width: 2, address: 0x50060804, count: 1 });
    expect(t.list()).to.deep.equal([
      { address: '0x50060804', access: 'read', width: 2, count: 1 },
      { address: '0x50060804', access: 'read', width: 4, count: 501, pc: '0x104' },
      { address: '0x50060800', access: 'write', width: 4, count: 1, pc: '0x100', value: '0x4' },
    ]);
  });

  it(`keeps at most ${MAX_DISTINCT} distinct entries, however many addresses a runaway guest touches`, () => {
    const t = new UnmodelledTally();
    for (let i = 0; i < 1000; i++) t.add({ access: 'read', width: 4, address: 0x60000000 + i * 4, count: 1 });
    expect(t.size).to.equal(MAX_DISTINCT);
  });

  it('names the devicetree node and its status', () => {
    // A later assignment of a property wins, as in dtc.
    const tree = parseDts(G4_DTS.replace(/(watchdog@40003000 \{[^}]*status = )"okay"/, '$1"okay";\n\t\t\tstatus = "disabled"'));
    const named = withNodes(
      [
        { address: '0x50060800', access: 'write', width: 4, count: 1 },
        { address: '0x40003000', access: 'write', width: 4, count: 1 },
        { address: '0x60000000', access: 'read', width: 4, count: 1 },
      ],
      tree,
    );
    expect(named[0]).to.include({ node: 'rng@50060800', nodeStatus: 'okay' });
    expect(named[1]).to.include({ node: 'watchdog@40003000', nodeStatus: 'disabled' });
    expect(named[2]!.node).to.equal(undefined);
  });

  it("drops accesses to the board's own RAM and flash (QEMU's reset-time vector fetch on mps2-an521)", () => {
    const tree = parseDts(readFileSync(join(REPO_ROOT, 'firmware/boards/mps2_an521/zephyr.dts'), 'utf8'));
    const kept = withNodes(
      [
        { address: '0x10000000', access: 'read', width: 4, count: 1 },
        { address: '0x10000004', access: 'read', width: 4, count: 1 },
        { address: '0x50201000', access: 'write', width: 4, count: 1 },
      ],
      tree,
    );
    expect(kept).to.have.length(1);
    expect(kept[0]).to.include({ address: '0x50201000', node: 'uart@50201000', nodeStatus: 'disabled' });
  });

  it('leads the reason of a boot that went quiet with the last access, its node and the board', () => {
    const accesses = withNodes(
      [
        { address: '0x50060800', access: 'write', width: 4, count: 2 },
        { address: '0x50060800', access: 'read', width: 4, count: 1 },
      ],
      parseDts(G4_DTS),
    );
    expect(unmodelledLead(accesses, 'nucleo_g474re', 'stopped printing')).to.equal(
      'the guest wrote to 0x50060800 (`rng@50060800`, not modelled on nucleo_g474re) and then stopped printing',
    );
    expect(stuckOn({ kind: 'silence', seconds: 20 }, accesses, 'nucleo_g474re')).to.equal(
      'the guest wrote to 0x50060800 (`rng@50060800`, not modelled on nucleo_g474re) and then stopped printing',
    );
    const more = [...accesses, { address: '0x60000000', access: 'read' as const, width: 4, count: 1 }];
    expect(unmodelledLead(more, 'nucleo_g474re', 'stopped printing')).to.contain('(and 1 other unmodelled address)');
  });

  it('leads only the reason of a boot that ended without a verdict (silence, wall limit)', () => {
    const accesses = [{ address: '0x50060800', access: 'write' as const, width: 4, count: 1 }];
    expect(stuckOn({ kind: 'project', success: false }, accesses, 'x')).to.equal(undefined);
    expect(stuckOn({ kind: 'fatal', reason: 'CPU exception' }, accesses, 'x')).to.equal(undefined);
    expect(stuckOn({ kind: 'exit', code: 1, signal: null }, accesses, 'x')).to.equal(undefined);
    expect(stuckOn({ kind: 'silence', seconds: 3 }, [], 'x')).to.equal(undefined);
    expect(stuckOn({ kind: 'wall', seconds: 60 }, accesses, 'x')).to.equal('the guest wrote to 0x50060800 (no model on x) and then did not finish in time');
  });
});
