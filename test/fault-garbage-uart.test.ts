// Garbage on the UART, in one job among normal ones: the job is still judged, tandem's memory stays
// flat (< 200 MB RSS), every report renders and the HTML escapes what the guest printed.
// - a real QEMU guest (firmware/tests/noise: xorshift bytes, then a line with no newline);
// - the full 200 MB of random bytes and a 50 MB line through the silicon tier's serial path (a pty
//   fed from os.urandom): no emulated UART delivers that much in CI time.
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { DEMO_BUILD_ROOT } from './helpers/demo.js';
import { killTagged, newTag, tandemChild } from './helpers/procs.js';

const RSS_LIMIT_KB = 200 * 1024;
const HOSTILE = "<script>alert('uart')</script>";

/** Runs tandem, sampling its peak resident memory (VmHWM) from /proc until it exits. */
async function runMeasured(t: ReturnType<typeof newTag>, args: string[]): Promise<{ code: number | null; peakKb: number; output: string }> {
  const run = tandemChild(t, args);
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${run.child.pid}/status`, 'latin1'))?.[1]);
      if (kb > peakKb) peakKb = kb;
    } catch {
      // exited
    }
  }, 50);
  const { code } = await run.done;
  clearInterval(sample);
  return { code, peakKb, output: run.output() };
}

function checkReports(dir: string): void {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  expect(html).not.to.include(HOSTILE);
  expect(html).not.to.include('<img src=x');
  expect(html).to.include('&lt;script&gt;alert(');
  expect(html.trimEnd().endsWith('</html>')).to.equal(true);
  expect(statSync(join(dir, 'index.html')).size, 'each log is quoted up to its cap').to.be.lessThan(4 << 20);
  JSON.parse(readFileSync(join(dir, 'twister.json'), 'utf8'));
  execFileSync('xmllint', ['--noout', join(dir, 'junit.xml')]);
  expect(readFileSync(join(dir, 'results.tap'), 'utf8')).to.match(/^TAP version 14\n/);
  expect(readFileSync(join(dir, 'summary.md'), 'utf8').length).to.be.lessThan(64 * 1024);
}

describe('garbage on the UART', function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-garbage-');
  const tag = newTag('garbage');
  const boards: ChildProcess[] = [];
  after(() => {
    for (const b of boards) b.kill('SIGKILL');
    killTagged(tag);
    tmp.cleanup();
  });

  it('a QEMU guest printing random bytes and an endless line, next to a normal job', async () => {
    const file = tmp.write('noise.yaml', `name: noise
platforms: [qemu_cortex_m3]
suites:
  - { name: basic, path: ${REPO_ROOT}/firmware/tests/basic }
  - { name: noise, path: ${REPO_ROOT}/firmware/tests/noise }
variants: [{ name: native }]
build: { kind: cmake, build_root: ${DEMO_BUILD_ROOT} }
timeouts: { wall: 300, silence: 30 }
`);
    const dir = join(tmp.dir, 'qemu');
    const r = await runMeasured(tag, ['run', file, '--out', dir, '-q', '--jobs', '2']);
    expect(r.code, r.output).to.equal(0);
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    const noise = rec.results.find((x) => x.job.suite === 'noise')!;
    expect(noise.verdict, noise.reason).to.equal('passed');
    expect(noise.cases.map((c) => [c.name, c.status])).to.deep.equal([['test_noise_console', 'pass']]);
    expect(rec.results.find((x) => x.job.suite === 'basic')!.verdict).to.equal('passed');
    expect(statSync(join(dir, noise.log!)).size).to.be.greaterThan(2 << 20);
    expect(r.peakKb, `peak RSS ${r.peakKb} kB`).to.be.within(1, RSS_LIMIT_KB);
    checkReports(dir);
  });

  it('200 MB of random bytes and a 50 MB line over a serial console: judged, capped, < 200 MB RSS', async () => {
    const fifo = join(tmp.dir, 'noise.fifo');
    execFileSync('mkfifo', [fifo]);
    const board = spawn('python3', [join(REPO_ROOT, 'test/fixtures/silicon/noise-board.py'), fifo, String(200 << 20), String(50 << 20)], { stdio: ['ignore', 'pipe', 'inherit'] });
    boards.push(board);
    const pty = await new Promise<string>((resolve) => board.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
    tmp.write('platforms/noise_board.yaml', `name: noise_board
emulator: silicon
board: nucleo_g474re
silicon:
  flash: [sh, ${join(REPO_ROOT, 'test/fixtures/silicon/flash.sh')}, "{image}", ${fifo}]
  console: ${pty}
  baud: 115200
`);
    const image = tmp.write('noise.bin', 'the board ignores its image');
    const file = tmp.write('board.yaml', `name: noise-board
platforms: [noise_board]
suites: [noise]
variants: [{ name: native }]
images: ${image}
timeouts: { wall: 500, silence: 30 }
`);
    const dir = join(tmp.dir, 'board');
    const t0 = Date.now();
    const r = await runMeasured(tag, ['run', file, '--out', dir, '-q']);
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, r.output).to.equal(0);
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    const noise = rec.results[0]!;
    expect(noise.verdict, noise.reason).to.equal('passed');
    const log = join(dir, noise.log!);
    expect(statSync(log).size).to.be.within(64 << 20, (64 << 20) + 4096);
    expect(readFileSync(log).subarray(-200).toString('latin1')).to.match(/\[tandem: log capped at 67108864 bytes; \d+ more bytes of console output were dropped\]\n$/);
    expect(r.peakKb, `peak RSS ${r.peakKb} kB after ${seconds} s`).to.be.within(1, RSS_LIMIT_KB);
    checkReports(dir);
    console.log(`      250 MB of console: ${seconds.toFixed(1)} s, peak RSS ${(r.peakKb / 1024).toFixed(0)} MB`);
  });
});
