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

/** Polls `probe` until `done` holds for its value; the mocha timeout bounds it. */
async function until<T>(probe: () => T, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = probe();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const groupMembers = (pgid: number) => running().filter((p) => p.pgid === pgid).map((p) => p.pid);

describe('process groups', () => {
  it('kill() ends the leader and every child it forked', async () => {
    // A leader that forks two grandchildren, like mono or a flash tool would.
    const proc = spawnGroup('sh', ['-c', 'sleep 300 & sleep 300 & wait']);
    // However slow the machine, until the two children are forked (the test's timeout is the limit).
    const members = await until(() => groupMembers(proc.pid), (m) => m.length >= 3);
    expect(liveGroupCount()).to.be.greaterThanOrEqual(1);
    await proc.kill(200);
    // A killed process is gone once the kernel has torn it down: no fixed wait is long enough on a
    // loaded machine, so wait for it, and fail only on the test's timeout.
    expect(await until(() => members.filter(alive), (left) => left.length === 0)).to.deep.equal([]);
  });

  it('a leader that exits on its own takes its children along', async () => {
    const proc = spawnGroup('sh', ['-c', 'sleep 300 & exit 3']);
    const exit = await proc.exited;
    expect(exit.code).to.equal(3);
    expect(await until(() => groupMembers(proc.pid), (m) => m.length === 0)).to.deep.equal([]);
  });

  it('SIGTERM-ignoring processes are SIGKILLed after the grace period', async () => {
    const proc = spawnGroup('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']);
    // Signalled only once the trap is set: before that, SIGTERM alone would end it.
    await new Promise((r) => proc.child.stdout!.once('data', r));
    const t0 = Date.now();
    const exit = await proc.kill(300);
    expect(exit.signal).to.equal('SIGKILL');
    // SIGTERM first, SIGKILL only after the grace (how much later is the scheduler's business).
    expect(Date.now() - t0).to.be.at.least(290);
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
    // Work measured in CPU time (getrusage, node's own count), not in wall time: on a loaded
    // machine 300 ms of wall held as little as 50 ms of this process's CPU.
    const before = processCpuMs(process.pid)!;
    const start = process.cpuUsage();
    let usedMs = 0;
    while (usedMs < 300) {
      for (let i = 0; i < 1e5; i++) Math.sqrt(Math.random());
      const u = process.cpuUsage(start);
      usedMs = (u.user + u.system) / 1000;
    }
    const after = processCpuMs(process.pid)!;
    // Both count every thread of the process; /proc in 10 ms ticks, read just outside the loop.
    expect(after - before).to.be.within(usedMs - 30, usedMs + 60);
    expect(processCpuMs(2 ** 22 + 12345)).to.equal(undefined);
  });
});
