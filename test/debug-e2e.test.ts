// `tandem debug` with a real gdb-multiarch against QEMU on the demo's wasm sem image: connect,
// break on the test's function, continue, read a register and a variable, detach — and the port
// is bound to loopback only. Renode's half runs when Renode is present.
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { findOnPath } from '../harness/emulators/executable.js';
import { freeLoopbackPort } from '../harness/debug/gdb-proxy.js';
import { scratch } from './helpers/tmp.js';
import { TANDEM, tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';

/** Listening sockets on `port` from /proc/net/tcp: their local address, as hex (0100007F = 127.0.0.1). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[1]!.split(':')[0]!);
}

function connects(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Starts `tandem debug` and waits for the gdb command line it prints. */
async function startDebug(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string; gdbLine: string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [TANDEM, 'debug', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const deadline = Date.now() + 60_000;
  while (!/^ {2}gdb-multiarch .*$/m.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const gdbLine = /^ {2}(gdb-multiarch .*)$/m.exec(out)?.[1];
  if (!gdbLine) throw new Error(`tandem debug printed no gdb command:\n${out}`);
  return { child, output: () => out, gdbLine, exit };
}

describe('tandem debug with gdb-multiarch against QEMU (end to end)', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-debug-');
  const { tag, env } = testTag();
  const runDir = join(tmp.dir, 'run');
  let record: RunRecord;

  before(async function () {
    if (!findOnPath('gdb-multiarch')) this.skip();
    const scenario = tmp.write('d.yaml', `name: d\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: sem, path: ${REPO_ROOT}/firmware/tests/sem }]\nvariants: [{ name: wasm, kconfig: [CONFIG_GALE_WASM_LTO_SEM=y] }]\nbuild: { kind: cmake, build_root: ${join(REPO_ROOT, 'build/test-debug')} }\ntimeouts: { wall: 60, silence: 10, crash_grace: 0.5 }\n`);
    await tandemCli(['run', scenario, '--out', runDir, '-q'], env);
    record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  });
  after(() => {
    for (const name of ['qemu-system-arm', 'gdb-multiarch', 'bin/tandem.js']) for (const p of taggedProcesses(tag, name)) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('gdb connects on 127.0.0.1 only, breaks on the case, reads a register and a variable, and its detach ends tandem', async () => {
    const port = await freeLoopbackPort();
    const dbg = await startDebug([runDir, 'qemu_cortex_m3/wasm/sem', '--case', 'test_sem_limit_saturates', '--port', String(port)], env);
    const elf = record.results[0]!.provenance.image!;
    expect(dbg.gdbLine).to.equal(`gdb-multiarch -q ${elf} -ex 'target remote 127.0.0.1:${port}' -ex 'break z_ztest_wrapper_sem_api_test_sem_limit_saturates'`);

    // Loopback only: the kernel's table shows 127.0.0.1 as the local address, and another local address is refused.
    expect(listeners(port)).to.deep.equal(['0100007F']);
    const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (other) expect(await connects(other, port), `connect via ${other}`).to.equal('ECONNREFUSED');
    else console.log('      (no non-loopback IPv4 address on this machine: the refused-connection check was skipped)');
    // QEMU's own stub, behind tandem's port, is on loopback too.
    const qemu = taggedProcesses(tag, 'qemu-system-arm');
    expect(qemu).to.have.length(1);
    const inner = Number(/-gdb tcp:127\.0\.0\.1:(\d+) -S/.exec(qemu[0]!.cmdline)?.[1]);
    expect(listeners(inner)).to.deep.equal(['0100007F']);

    // The printed command, as a person would paste it, plus what they would type.
    const args = ['-q', '-batch', elf, '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'break z_ztest_wrapper_sem_api_test_sem_limit_saturates',
      '-ex', 'continue', '-ex', 'info registers pc', '-ex', 'print z_current->name', '-ex', 'print z_tick', '-ex', 'detach'];
    const gdb = await execa('gdb-multiarch', args, { env, reject: false, timeout: 120_000 });
    const text = `${gdb.stdout}\n${gdb.stderr}`;
    expect(text).to.match(/Breakpoint 1, z_ztest_wrapper_sem_api_test_sem_limit_saturates .* at .*firmware\/tests\/sem\/src\/main\.c:\d+/);
    const bp = /Breakpoint 1 at (0x[0-9a-f]+)/.exec(text)?.[1];
    expect(text).to.match(new RegExp(`^pc +${bp} `, 'm'));
    expect(text).to.match(/\$1 = "test_sem_limit_saturates(\\000)*"/);
    expect(text).to.match(/\$2 = \d+/);
    expect(text).to.match(/Inferior 1 \(process 1\) detached/);

    expect(await dbg.exit, dbg.output()).to.equal(0);
    expect(dbg.output()).to.match(/tandem debug: the debugger detached; emulator stopped/);
    expect(taggedProcesses(tag, 'qemu-system-arm')).to.deep.equal([]);
    expect(taggedProcesses(tag, 'gdb-multiarch')).to.deep.equal([]);
  });

  it('Ctrl-C ends a session nobody attached to, leaving nothing running', async () => {
    const dbg = await startDebug([runDir, 'qemu_cortex_m3/wasm/sem'], env);
    expect(taggedProcesses(tag, 'qemu-system-arm')).to.have.length(1);
    dbg.child.kill('SIGINT');
    expect(await dbg.exit).to.equal(130);
    expect(taggedProcesses(tag, 'qemu-system-arm')).to.deep.equal([]);
  });

  it('names a job that is not in the run, or a case with no function, as a usage error', async () => {
    const r = await tandemCli(['debug', runDir, 'qemu_cortex_m3/native/sem'], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/no job of .* matches 'qemu_cortex_m3\/native\/sem' \(jobs: qemu_cortex_m3\/wasm\/sem\)/);
    const c = await tandemCli(['debug', runDir, 'qemu_cortex_m3/wasm/sem', '--case', 'test_nope'], env);
    expect(c.code).to.equal(2);
    expect(c.stderr).to.match(/no function for case 'test_nope'/);
  });
});
