// Two tandems at once on one machine: sharing a build root, builds of one image are not interleaved
// (one builds, the other waits and gets the cache hit) and both runs finish; into one --out, the
// second refuses with a clear message. A lock left by a SIGKILLed run does not block the next.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { RUN_LOCK_FILE, tryLock } from '../harness/run/lock.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { descendsFrom, killTagged, newTag, taggedProcesses, tandemChild, tandemCli, waitFor } from './helpers/procs.js';

describe('two runs at once', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-twice-');
  const tag = newTag('twice');
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('a lock is exclusive while its owner lives, and taken over from a dead or recycled owner', () => {
    const path = join(tmp.dir, 'x.lock');
    const mine = tryLock(path, 'test');
    expect('heldBy' in mine).to.equal(false);
    const again = tryLock(path, 'test');
    expect('heldBy' in again && again.heldBy.pid).to.equal(process.pid);
    if (!('heldBy' in mine)) mine.release();
    expect(existsSync(path)).to.equal(false);

    // A dead owner: the pid of a process that has exited.
    const dead = Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"']).toString().trim());
    writeFileSync(path, JSON.stringify({ pid: dead, hostname: hostname(), since: 'then', what: 'a killed run' }));
    const taken = tryLock(path, 'test');
    expect('heldBy' in taken, 'a dead owner').to.equal(false);
    if (!('heldBy' in taken)) taken.release();
    // A live pid that started at another time is not the owner: the pid was recycled.
    writeFileSync(path, JSON.stringify({ pid: process.pid, startTicks: 1, hostname: hostname(), since: 'then', what: 'a killed run' }));
    const recycled = tryLock(path, 'test');
    expect('heldBy' in recycled, 'a recycled pid').to.equal(false);
    if (!('heldBy' in recycled)) recycled.release();
  });

  it('sharing a build root: each image is built once, the other run waits for it; both finish', async () => {
    const buildRoot = join(tmp.dir, 'shared-build');
    const file = tmp.write('shared.yaml', demoScenario({ suites: ['basic'], buildRoot }));
    const runs = ['a', 'b'].map((n) => ({ n, dir: join(tmp.dir, `run-${n}`) }));
    const outcomes = await Promise.all(runs.map((r) => tandemCli(tag, ['run', file, '--out', r.dir, '-q'])));
    for (const o of outcomes) expect(o.code, o.stderr).to.equal(0);
    for (const variant of ['native', 'wasm']) {
      const logs = runs.map((r) => readFileSync(join(r.dir, 'logs/qemu_cortex_m3', variant, 'basic.build.log'), 'utf8'));
      const built = logs.filter((l) => /tandem: built; cache key/.test(l));
      const hit = logs.filter((l) => /tandem: cache hit/.test(l));
      expect([built.length, hit.length], `${variant}:\n${logs.join('\n-----\n')}`).to.deep.equal([1, 1]);
      const recs = runs.map((r) => JSON.parse(readFileSync(join(r.dir, 'run.json'), 'utf8')) as RunRecord);
      for (const rec of recs) expect(rec.results.find((x) => x.job.variant === variant)!.verdict).to.equal('passed');
      expect(recs[0]!.results.find((x) => x.job.variant === variant)!.provenance.imageSha256).to.equal(recs[1]!.results.find((x) => x.job.variant === variant)!.provenance.imageSha256);
    }
    expect(existsSync(join(buildRoot, 'qemu_cortex_m3/native/basic.lock'))).to.equal(false);
  });

  it('into the same --out: the second refuses; after the first is SIGKILLed its stale lock does not block', async () => {
    // Host clock: on the guest clock the deadlocked guest ends at once (it idles with no timer
    // pending), and the second run would find the folder free again.
    const file = tmp.write('hang.yaml', demoScenario({ suites: ['msgq', 'basic'], silence: 120, clock: 'host' }));
    const dir = join(tmp.dir, 'same-out');
    const first = tandemChild(tag, ['run', file, '--out', dir, '--variant', 'wasm', '--suite', 'msgq']);
    // Its own QEMU (started by the first tandem: one of the previous test may still be going
    // down on a loaded machine) and its lock, both there before the second starts.
    await waitFor(`the first run's QEMU; it said:\n${first.output()}`, () => existsSync(join(dir, RUN_LOCK_FILE)) && taggedProcesses(tag, /^(\S*\/)?qemu-system-arm /).some((p) => descendsFrom(p.pid, first.child.pid!)), 180_000);
    const second = await tandemCli(tag, ['run', file, '--out', dir, '-q']);
    expect(second.code, second.stderr + second.stdout).to.equal(2);
    expect(second.stderr).to.match(new RegExp(`^tandem: .*same-out is in use by tandem run \\S+ \\(pid ${first.child.pid}, since [^)]+\\): two runs cannot write one folder; choose another --out`));
    first.child.kill('SIGKILL');
    await first.done;
    expect(existsSync(join(dir, RUN_LOCK_FILE)), 'a SIGKILLed run leaves its lock').to.equal(true);
    const third = await tandemCli(tag, ['run', file, '--out', dir, '--suite', 'basic', '-q']);
    expect(third.code, third.stderr).to.equal(0);
    expect(existsSync(join(dir, RUN_LOCK_FILE)), 'a finished run removes its lock').to.equal(false);
  });
});
