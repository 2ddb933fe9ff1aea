// QEMU boots started through the spawn helper (spawn-helper.ts): each in a session and process
// group of its own, its output on the console FIFO, its exit reported, and it dies with the helper,
// which dies with tandem.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFifoConsole, type FifoConsole } from '../harness/emulators/fifo-console.js';
import { startThroughHelper } from '../harness/emulators/spawn-helper.js';
import { watchdogPid } from '../harness/emulators/parent-death.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { killTagged, newTag, taggedProcesses, waitFor } from './helpers/procs.js';

const HELPER = process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch) && !process.env.TANDEM_NO_SPAWN_HELPER;

/** pid, parent, process group and session of a live process, from /proc. */
function ids(pid: number): { ppid: number; pgrp: number; session: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return { ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]) };
}

async function text(con: FifoConsole): Promise<string> {
  let out = '';
  for await (const c of con) out += Buffer.from(c).toString();
  return out;
}

(HELPER ? describe : describe.skip)('spawn helper', function () {
  this.timeout(60_000);
  const tmp = scratch('tandem-helper-');
  const tag = newTag('helper');
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('starts a program as the leader of its own session and group, output on the FIFO, exit code back', async () => {
    const con = (await openFifoConsole())!;
    const g = (await startThroughHelper('/bin/sh', ['-c', 'echo "hi there"; echo oops >&2; sleep 30'], con.path))!;
    con.spawned();
    expect(g, 'the helper started it').to.not.equal(undefined);
    let seen = '';
    const got = (async () => {
      for await (const c of con) seen += Buffer.from(c).toString();
      return seen;
    })();
    // Killed only once both lines are out: on a loaded machine the shell may not have run yet.
    await waitFor("both lines of its output", () => seen === 'hi there\noops\n', 30_000);
    expect(ids(g.pid)).to.include({ pgrp: g.pid, session: g.pid });
    expect(ids(g.pid).ppid).to.not.equal(process.pid);
    expect(await g.kill(0)).to.deep.equal({ code: null, signal: 'SIGKILL' });
    con.end();
    expect(await got).to.equal('hi there\noops\n');

    const done = (await openFifoConsole())!;
    const quick = (await startThroughHelper('/bin/sh', ['-c', 'exit 3'], done.path))!;
    done.spawned();
    expect(await quick.exited).to.deep.equal({ code: 3, signal: null });
    done.end();
  });

  it('a boot stopped the moment it is adopted ends, even before its own setsid (a run aborted meanwhile)', async () => {
    // The helper tells the pid right after its fork; a kill of the group that early found no group
    // and left the boot running (seen under two CPU hogs: a disk-full run that never exited).
    const boots = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const con = (await openFifoConsole())!;
        const g = (await startThroughHelper('/bin/sleep', ['1008'], con.path))!;
        con.spawned();
        const exit = await g.kill(0);
        con.end();
        return { pid: g.pid, exit };
      }),
    );
    for (const b of boots) expect(b.exit, `boot ${b.pid}`).to.deep.equal({ code: null, signal: 'SIGKILL' });
    await waitFor('every boot gone', () => boots.every((b) => !existsPid(b.pid)), 5000);
  });

  it('a program that cannot start exits 127 and says why on its console', async () => {
    const con = (await openFifoConsole())!;
    const g = (await startThroughHelper(join(tmp.dir, 'no such program'), ['x'], con.path))!;
    con.spawned();
    const got = text(con);
    expect(await g.exited).to.deep.equal({ code: 127, signal: null });
    con.end();
    expect(await got).to.match(/^tandem: cannot start .*no such program: No such file or directory\n$/);
  });

  it('with tandem SIGKILLed and its watchdog gone too, the parent-death signals alone end the boots', async () => {
    const script = tmp.write('starter.mjs', `
import { openFifoConsole } from ${JSON.stringify(join(REPO_ROOT, 'harness/emulators/fifo-console.ts'))};
import { startThroughHelper } from ${JSON.stringify(join(REPO_ROOT, 'harness/emulators/spawn-helper.ts'))};
import { watchdogPid } from ${JSON.stringify(join(REPO_ROOT, 'harness/emulators/parent-death.ts'))};
const con = await openFifoConsole();
const g = await startThroughHelper('/bin/sleep', ['1005'], con.path);
con.spawned();
console.log(JSON.stringify({ sleep: g.pid, watchdog: watchdogPid() }));
setInterval(() => {}, 1000);
`);
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, env: tag.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const started = await waitFor('the starter', () => (out.includes('}') ? (JSON.parse(out) as { sleep: number; watchdog: number }) : undefined), 60_000);
    expect(taggedProcesses(tag, /^\/bin\/sleep 1005$/).map((p) => p.pid)).to.deep.equal([started.sleep]);
    process.kill(started.watchdog, 'SIGKILL');
    child.kill('SIGKILL');
    const t0 = Date.now();
    while (taggedProcesses(tag, /^\/bin\/sleep 1005$/).length && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(taggedProcesses(tag, /^\/bin\/sleep 1005$/), 'the boot outlived tandem').to.deep.equal([]);
    expect(taggedProcesses(tag, /perl/), 'the helper outlived tandem').to.deep.equal([]);
  });

  it('when the helper dies, its boots die with it and their exits are reported; the next boot gets a new helper', async () => {
    const con = (await openFifoConsole())!;
    const g = (await startThroughHelper('/bin/sleep', ['1006'], con.path))!;
    con.spawned();
    const helperPid = ids(g.pid).ppid;
    process.kill(helperPid, 'SIGKILL');
    expect(await g.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
    con.end();
    await waitFor('the boot gone', () => !existsPid(g.pid), 5000);
    const again = (await openFifoConsole())!;
    const h = (await startThroughHelper('/bin/sleep', ['1007'], again.path))!;
    again.spawned();
    await waitFor('the new boot', () => existsPid(h.pid) && readFileSync(`/proc/${h.pid}/cmdline`, 'latin1').startsWith('/bin/sleep'));
    expect(ids(h.pid).ppid).to.not.equal(helperPid);
    expect(await h.kill(0)).to.deep.equal({ code: null, signal: 'SIGKILL' });
    again.end();
    expect(watchdogPid()).to.be.a('number');
  });
});

function existsPid(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'latin1'));
  } catch {
    return false;
  }
}
