// The silicon tier's serial path, with a pseudo-terminal replaying real Zephyr console captures in
// place of a board (test/fixtures/silicon/replay-board.py). Flashing is a script that records the
// image and "resets" the replay; what is tested is tandem's side: stty, tty reads, verdicts, stop.
import { expect } from 'chai';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import { flashArgv, sttyArgs } from '../harness/emulators/silicon.js';
import type { Platform, RunRecord } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';

const run = promisify(execFile);
const FIXTURES = join(REPO_ROOT, 'test/fixtures');
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');

async function startBoard(log: string, fifo: string): Promise<{ tty: string; proc: ChildProcess }> {
  const proc = spawn('python3', [join(FIXTURES, 'silicon/replay-board.py'), log, fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tty = await new Promise<string>((resolve) => proc.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { tty, proc };
}

describe('silicon tier over a serial console (replayed captures, no board)', function () {
  this.timeout(60_000);
  const tmp = scratch('tandem-silicon-');
  const boards: ChildProcess[] = [];
  // Never run: the replayed board ignores it. A raw binary, since tandem refuses an ELF for the host.
  const IMAGE = tmp.write('board-image.bin', 'an image the replay never runs');
  after(() => {
    for (const b of boards) b.kill('SIGKILL');
    tmp.cleanup();
  });

  async function runOn(log: string, name: string): Promise<{ code: number; rec: RunRecord; fifo: string }> {
    const fifo = join(tmp.dir, `${name}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const board = await startBoard(join(FIXTURES, 'zephyr-logs/qemu_cortex_m3', log), fifo);
    boards.push(board.proc);
    tmp.write(`platforms/${name}.yaml`, `name: ${name}
emulator: silicon
board: nucleo_g474re
silicon:
  flash: [sh, ${join(FIXTURES, 'silicon/flash.sh')}, "{image}", ${fifo}]
  console: ${board.tty}
  baud: 115200
`);
    const file = tmp.write(`${name}.yaml`, `name: ${name}
platforms: [${name}]
suites: [mutex]
variants: [{ name: native }]
images: ${IMAGE}
timeouts: { wall: 20, silence: 5, crash_grace: 0.5 }
`);
    const out = join(tmp.dir, `${name}-out`);
    let code = 0;
    try {
      await run(process.execPath, [TANDEM, 'run', file, '--out', out, '-q']);
    } catch (err) {
      code = (err as { code: number }).code;
    }
    return { code, rec: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord, fifo };
  }

  it('flashes with the platform command, then judges the console the board prints', async () => {
    const { code, rec, fifo } = await runOn('mutex_api.console.log', 'board_pass');
    expect(code).to.equal(0);
    const r = rec.results[0]!;
    expect(r.verdict).to.equal('passed');
    expect(r.cases).to.have.length(8);
    expect(r.provenance.emulator).to.include({ kind: 'silicon' });
    expect(r.provenance.emulator?.command).to.deep.equal(['sh', join(FIXTURES, 'silicon/flash.sh'), IMAGE, fifo]);
    expect(readFileSync(`${fifo}.flashed`, 'utf8').trim()).to.equal(IMAGE);
    expect(r.provenance.zephyrVersion).to.equal('v3.5.99-8f9fd239eb26');
  });

  it('a fault on the board is a crash verdict with its dump, and the console is let go', async () => {
    const { rec } = await runOn('demo_crash.console.log', 'board_crash');
    const r = rec.results[0]!;
    expect(r.verdict).to.equal('crashed');
    expect(r.end.kind).to.equal('fatal');
    expect(r.fatal).to.include({ fault: 'USAGE FAULT', thread: 'test_b_crash' });
    expect(r.wallMs).to.be.lessThan(5000);
  });

  it('a missing console device is an emulator error that says what to check', async () => {
    const file = tmp.write('platforms/unplugged.yaml', 'name: unplugged\nemulator: silicon\nsilicon:\n  flash: [true]\n  console: /dev/ttyNOPE0\n');
    void file;
    const scen = tmp.write('unplugged.yaml', `name: u\nplatforms: [unplugged]\nsuites: [x]\nvariants: [{ name: native }]\nimages: ${IMAGE}\n`);
    const out = join(tmp.dir, 'u-out');
    await run(process.execPath, [TANDEM, 'run', scen, '--out', out, '-q']).catch(() => undefined);
    const r = (JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord).results[0]!;
    expect(r.verdict).to.equal('emulator-error');
    expect(r.reason).to.match(/console \/dev\/ttyNOPE0 not found: is the board plugged in/);
  });

  it('builds the flash argv and stty line without a shell', () => {
    const platform = { name: 'b', silicon: { flash: ['openocd', '-c', 'program {image} verify reset exit'], console: '/dev/ttyACM0', baud: 115200 } } as Platform;
    expect(flashArgv(platform, { path: '/x/zephyr.elf', origin: 'prebuilt' })).to.deep.equal(['openocd', '-c', 'program /x/zephyr.elf verify reset exit']);
    expect(sttyArgs('/dev/ttyACM0', 115200).slice(0, 4)).to.deep.equal(['-F', '/dev/ttyACM0', '115200', 'raw']);
  });
});
