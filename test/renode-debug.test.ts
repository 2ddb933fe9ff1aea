// Renode's half of issue 8, with a real Renode only (TANDEM_RENODE or PATH), never imitated:
// the demo's crash and hang leave a saved machine state in the run folder, and `tandem debug`
// opens Renode's GDB server for gdb-multiarch.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { locateRenode } from '../harness/emulators/renode/locate.js';
import { findOnPath } from '../harness/emulators/executable.js';
import { freeLoopbackPort, listenersOn } from '../harness/debug/gdb-proxy.js';
import { gdbServerCommand, loadSnapshotCommands, saveCommands } from '../harness/emulators/renode/commands.js';
import { scratch } from './helpers/tmp.js';
import { TANDEM, tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';

const RENODE = locateRenode();
const SKIP = !RENODE ? 'needs Renode: set TANDEM_RENODE or put renode on PATH' : !findOnPath('gdb-multiarch') ? 'needs gdb-multiarch' : undefined;

describe('renode: snapshot and GDB server commands (pure)', () => {
  it('saves after a pause, loads then reattaches the console and opens the GDB server', () => {
    expect(saveCommands('/r/logs/a.renode-state')).to.deep.equal(['pause', 'Save @/r/logs/a.renode-state']);
    expect(loadSnapshotCommands({ snapshot: '/r/s.state', machine: 'tandem', uart: 'lpuart1', uartLog: '/w/lpuart1.log', gdbPort: 3333 })).to.deep.equal([
      'Load @/r/s.state',
      'mach set "tandem"',
      'sysbus.lpuart1 CreateFileBackend @/w/lpuart1.log true',
      'machine StartGdbServer 3333',
    ]);
    expect(() => gdbServerCommand(0)).to.throw(/not a TCP port/);
  });
});

describe('renode: failed-state snapshot and tandem debug' + (SKIP ? ` (skipped: ${SKIP})` : ''), function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-renode-debug-');
  const { tag, env } = testTag();
  const runDir = join(tmp.dir, 'run');
  let record: RunRecord;

  before(async function () {
    if (SKIP) this.skip();
    const scenario = tmp.write('r.yaml', `name: r\nplatforms: [nucleo_g474re]\nsuites:\n  - { name: sem, path: ${REPO_ROOT}/firmware/tests/sem }\n  - { name: msgq, path: ${REPO_ROOT}/firmware/tests/msgq }\nvariants: [{ name: wasm, kconfig: [CONFIG_GALE_WASM_LTO_SEM=y, CONFIG_GALE_WASM_LTO_MSGQ=y] }]\nbuild: { kind: cmake, build_root: ${join(REPO_ROOT, 'build/test-renode-debug')} }\ntimeouts: { wall: 120, silence: 10, crash_grace: 0.5 }\n`);
    await tandemCli(['run', scenario, '--out', runDir, '-q', '--jobs', '1'], { ...env, TANDEM_RENODE: RENODE });
    record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunRecord;
  });
  after(() => {
    for (const name of ['mono', 'renode', 'gdb-multiarch', 'bin/tandem.js']) for (const p of taggedProcesses(tag, name)) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('the crash and the hang each leave their machine state next to the log, size and time in run.json', () => {
    for (const id of ['nucleo_g474re/wasm/sem', 'nucleo_g474re/wasm/msgq']) {
      const r = record.results.find((x) => x.job.id === id)!;
      expect(r.verdict).to.equal(id.endsWith('sem') ? 'crashed' : 'timeout');
      expect(r.snapshot?.file).to.equal(r.log!.replace(/\.log$/, '.renode-state'));
      expect(r.snapshot!.bytes).to.equal(statSync(join(runDir, r.snapshot!.file!)).size).and.to.be.greaterThan(100_000);
      expect(r.snapshot!.ms).to.be.a('number');
      console.log(`      ${id}: snapshot ${(r.snapshot!.bytes! / 1024).toFixed(0)} KiB in ${r.snapshot!.ms} ms`);
    }
  });

  it('--no-snapshot saves none', async () => {
    const again = join(tmp.dir, 'again');
    await tandemCli(['rerun', runDir, '--job', '*/msgq', '--no-snapshot', '--out', again, '-q'], { ...env, TANDEM_RENODE: RENODE });
    const r = (JSON.parse(readFileSync(join(again, 'run.json'), 'utf8')) as RunRecord).results[0]!;
    expect(r.verdict).to.equal('timeout');
    expect(r.snapshot).to.equal(undefined);
    expect(existsSync(join(again, r.log!.replace(/\.log$/, '.renode-state')))).to.equal(false);
  });

  it('tandem debug opens Renode paused at reset: gdb breaks on the case and reads a variable; the port tandem prints is loopback', async () => {
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [TANDEM, 'debug', runDir, 'nucleo_g474re/wasm/sem', '--case', 'test_sem_limit_saturates', '--port', String(port)], { env: { ...env, TANDEM_RENODE: RENODE } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    const deadline = Date.now() + 120_000;
    while (!/gdb-multiarch /.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).to.match(/GDB server on 127\.0\.0\.1:\d+/);
    expect(listenersOn(port)).to.deep.equal(['0100007F']);
    // Renode's own server binds every interface (SocketServerProvider: IPAddress.Any); tandem says so.
    expect(out).to.match(/warning: renode's own GDB server listens on every interface/);
    const elf = record.results.find((x) => x.job.id === 'nucleo_g474re/wasm/sem')!.provenance.image!;
    const gdb = await execa('gdb-multiarch', ['-q', '-batch', elf, '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'info registers pc', '-ex', 'break z_ztest_wrapper_sem_api_test_sem_limit_saturates', '-ex', 'continue', '-ex', 'print z_current->name', '-ex', 'detach'], { env, reject: false, timeout: 120_000 });
    const text = `${gdb.stdout}\n${gdb.stderr}`;
    expect(text, 'paused at reset').to.match(/^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <z_arm_reset>/m);
    expect(text).to.match(/Breakpoint 1, z_ztest_wrapper_sem_api_test_sem_limit_saturates/);
    expect(text).to.match(/\$1 = "test_sem_limit_saturates/);
    expect(await exit, out).to.equal(0);
    expect(taggedProcesses(tag, 'mono').concat(taggedProcesses(tag, 'renode'))).to.deep.equal([]);
  });

  it('--from-snapshot loads the hang in a new Renode: gdb finds it stopped where the job ended, in the hung case', async () => {
    const r = record.results.find((x) => x.job.id === 'nucleo_g474re/wasm/msgq')!;
    const state = join(runDir, r.snapshot!.file!);
    // The compiled board models are kept beside the state: without them a new process refuses it.
    expect(readdirSync(`${state}.models`)).to.have.length.greaterThan(0);
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [TANDEM, 'debug', runDir, r.job.id, '--from-snapshot', '--port', String(port)], { env: { ...env, TANDEM_RENODE: RENODE } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    const deadline = Date.now() + 120_000;
    while (!/gdb-multiarch /.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(out, out).to.match(/from .*msgq\.renode-state; GDB server on 127\.0\.0\.1:\d+/);
    expect(listenersOn(port)).to.deep.equal(['0100007F']);
    const gdb = await execa('gdb-multiarch', ['-q', '-batch', r.provenance.image!, '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'info registers pc', '-ex', 'bt', '-ex', 'detach'], { env, reject: false, timeout: 120_000 });
    const text = `${gdb.stdout}\n${gdb.stderr}`;
    // The deadlock: nothing ready, the idle path halted for good, main joined on the hung case.
    expect(text, text).to.match(/^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <arch_system_halt\+\d+>/m);
    expect(text).to.match(/in k_thread_join /);
    expect(text).to.match(/z_ztest_unit_test\.msgq_api\.test_msgq_put_until_full/);
    expect(await exit, out).to.equal(0);
    expect(out).to.match(/the debugger detached; emulator stopped/);
    expect(taggedProcesses(tag, 'mono').concat(taggedProcesses(tag, 'renode'))).to.deep.equal([]);
  });

  it('--from-snapshot without the kept models: the refusal says why and what to do', async () => {
    const r = record.results.find((x) => x.job.id === 'nucleo_g474re/wasm/sem')!;
    rmSync(join(runDir, `${r.snapshot!.file!}.models`), { recursive: true, force: true });
    const res = await tandemCli(['debug', runDir, r.job.id, '--from-snapshot'], { ...env, TANDEM_RENODE: RENODE });
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/cannot boot nucleo_g474re\/wasm\/sem for debugging: .*incompatible/);
    expect(res.stderr).to.match(/saved without its compiled models .*`tandem rerun` the job/);
    expect(res.stderr).to.not.match(/internal error/);
    expect(taggedProcesses(tag, 'mono').concat(taggedProcesses(tag, 'renode'))).to.deep.equal([]);
  });
});
