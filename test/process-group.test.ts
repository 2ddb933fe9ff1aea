import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { spawnGroup, liveGroupCount } from '../harness/emulators/process-group.js';
import { LineSplitter, MAX_LINE } from '../harness/run/line-splitter.js';
import { processCpuMs } from '../harness/emulators/qemu.js';

/** Running (not zombie) processes: a container's init may be slow to reap the dead. */
function running(): Array<{ pid: number; pgid: number }> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => !f[2]!.startsWith('Z'))
    .map((f) => ({ pid: Number(f[0]), pgid: Number(f[1]) }));
}

const alive = (pid: number) => running().some((p) => p.pid === pid);
const groupMembers = (pgid: number) => running().filter((p) => p.pgid === pgid).map((p) => p.pid);

describe('process groups', () => {
  it('kill() ends the leader and every child it forked', async () => {
    // A leader that forks two grandchildren, like mono or a flash tool would.
    const proc = spawnGroup('sh', ['-c', 'sleep 300 & sleep 300 & wait']);
    await new Promise((r) => setTimeout(r, 200));
    const members = groupMembers(proc.pid);
    expect(members.length).to.be.greaterThanOrEqual(3);
    expect(liveGroupCount()).to.be.greaterThanOrEqual(1);
    await proc.kill(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(members.filter(alive)).to.deep.equal([]);
  });

  it('a leader that exits on its own takes its children along', async () => {
    const proc = spawnGroup('sh', ['-c', 'sleep 300 & exit 3']);
    const exit = await proc.exited;
    expect(exit.code).to.equal(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(groupMembers(proc.pid)).to.deep.equal([]);
  });

  it('SIGTERM-ignoring processes are SIGKILLed after the grace period', async () => {
    const proc = spawnGroup('sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done']);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const exit = await proc.kill(300);
    expect(exit.signal).to.equal('SIGKILL');
    expect(Date.now() - t0).to.be.lessThan(2000);
  });
});

describe('line splitter', () => {
  it('joins lines split across chunks, drops CR and keeps UTF-8 split mid-character', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('START - test_a\r\n PASS - t\u00e9st in 0.001 seconds\r\ntail');
    for (let i = 0; i < bytes.length; i += 3) s.push(bytes.subarray(i, i + 3));
    s.flush();
    expect(lines).to.deep.equal(['START - test_a', ' PASS - t\u00e9st in 0.001 seconds', 'tail']);
  });

  it('cuts a line that never ends instead of growing without bound', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const chunk = Buffer.alloc(16 * 1024, 0x41);
    for (let i = 0; i < 10; i++) s.push(chunk);
    expect(lines.length).to.equal(2);
    expect(lines.every((l) => l.length === MAX_LINE)).to.equal(true);
  });
});

describe('process CPU time (the guest clock of a QEMU job)', () => {
  it('reads utime + stime of a live process and grows as it works', () => {
    // Work until 150 ms of CPU have been counted (on a busy machine that takes longer than 150 ms
    // of wall time); the reading must grow by that and not by a wildly wrong amount.
    const before = processCpuMs(process.pid)!;
    const t0 = Date.now();
    let after = before;
    while (after - before < 150 && Date.now() - t0 < 20_000) {
      for (let i = 0; i < 1e5; i++) Math.sqrt(Math.random());
      after = processCpuMs(process.pid)!;
    }
    expect(after - before).to.be.within(150, 400);
    expect(processCpuMs(2 ** 22 + 12345)).to.equal(undefined);
  });
});
