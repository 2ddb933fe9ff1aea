import { expect } from 'chai';
import type { RunResult } from '../harness/domain.js';
import {
  createProgress,
  eta,
  finish,
  formatDuration,
  initialState,
  jobLines,
  renderProgressBlock,
} from '../harness/report/progress.js';
import { RENODE_MISSING, buildFixture } from './fixtures/report/fixture.js';

class Capture {
  chunks: string[] = [];
  columns = 100;
  write(s: string): boolean {
    this.chunks.push(s);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Feeds a fixture run through a progress reporter the way the pool would. */
function replay(p: ReturnType<typeof createProgress>, results: readonly RunResult[]): void {
  for (const r of results) {
    p.jobStarted(r.job);
    for (const c of r.cases) p.caseEnded(r.job, c);
    p.jobEnded(r);
  }
}

describe('report: live progress', () => {
  const { record } = buildFixture();
  const results = record.results;

  it('without a TTY prints one plain line per finished job, with failing cases under it', () => {
    const out = new Capture();
    const p = createProgress({ total: results.length, stream: out, tty: false });
    replay(p, results);
    p.close();
    const lines = out.text.trimEnd().split('\n');
    expect(out.text).to.not.match(ANSI);
    expect(lines[0]).to.equal('[ 1/12] FAIL qemu_cortex_m3/native/assert (0.9 s) 2 pass, 2 fail, 3 skip — PROJECT EXECUTION FAILED');
    expect(lines[1]).to.match(/^ {8}fail demo\.test_b_fail: Assertion failed at CMAKE_SOURCE_DIR\/src\/main\.c:28/);
    expect(lines).to.include('[ 3/12] PASS qemu_cortex_m3/native/demo (0.7 s) 3 pass');
    expect(lines).to.include('[ 6/12] FAIL qemu_cortex_m3/wasm/mutex (13.1 s) 7 pass, 1 fail — PROJECT EXECUTION FAILED');
    expect(lines).to.include('[ 4/12] CRASH qemu_cortex_m3/wasm/demo (1.2 s) 1 pass, 1 crash — E: >>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0');
    expect(lines).to.include('[10/12] TIMEOUT qemu_cortex_m3/wasm/sleep (10.8 s) 1 pass, 1 timeout — no console output for 10 s (hang)');
    expect(lines).to.include(`[12/12] SKIP nucleo_g474re/wasm/mutex (0.0 s) — ${RENODE_MISSING}`);
    expect(lines.filter((l) => l.startsWith('['))).to.have.length(12);
  });

  it('writes nothing after close', () => {
    const out = new Capture();
    const p = createProgress({ total: 1, stream: out, tty: false });
    p.close();
    p.jobEnded(results[0]!);
    expect(out.text).to.equal('');
  });

  it('renders the TTY block as a pure function of the state', () => {
    const s = initialState(12, 2);
    const t0 = 1_000_000;
    const [a, b, c] = results.filter((r) => r.job.platform === 'qemu_cortex_m3');
    s.running.set(a!.job.id, { job: a!.job, startedAt: t0 - 12_400, cases: { pass: 5, fail: 1 } });
    s.running.set(b!.job.id, { job: b!.job, startedAt: t0 - 3_000, cases: {} });
    finish(s, c!); // 0.7 s
    finish(s, { ...c!, verdict: 'failed', wallMs: 1_300 });
    finish(s, results[results.length - 1]!); // skipped: counted, not timed
    expect(eta(s)).to.equal(((700 + 1_300) / 2) * 9 / 2);
    const block = renderProgressBlock(s, t0, { width: 100 });
    expect(block).to.deep.equal([
      '[ 3/12] █████░░░░░░░░░░░░░░░  25%  1 passed · 1 failed · 1 skipped  ETA 0:05',
      '  ▸ qemu_cortex_m3/native/assert  12 s  5 pass, 1 fail',
      '  ▸ qemu_cortex_m3/wasm/assert  3 s',
    ]);
    // Narrow terminals: no line may wrap, or the redraw would leave debris.
    for (const l of renderProgressBlock(s, t0, { width: 30 })) expect(l.length).to.be.at.most(29);
    expect(renderProgressBlock(s, t0, { color: true })[0]).to.match(/^\u001b\[31m/);
    expect(renderProgressBlock(initialState(3), t0)[0]).to.equal('[0/3] ░░░░░░░░░░░░░░░░░░░░   0%');
  });

  it('shows at most six running jobs and counts the rest', () => {
    const s = initialState(20);
    for (let i = 0; i < 9; i++) {
      const job = { ...results[0]!.job, id: `p/v/s${i}`, suite: `s${i}` };
      s.running.set(job.id, { job, startedAt: i, cases: {} });
    }
    const block = renderProgressBlock(s, 10_000);
    expect(block).to.have.length(8);
    expect(block[7]).to.equal('  … and 3 more running');
  });

  it('on a TTY prints failures above a block it redraws in place, throttled, and clears it on close', async () => {
    const out = new Capture();
    let now = 0;
    const p = createProgress({ total: results.length, stream: out, tty: true, now: () => now });
    const mutex = results.find((r) => r.job.id === 'qemu_cortex_m3/wasm/mutex')!;
    p.jobStarted(mutex.job);
    const draws = () => out.chunks.filter((c) => c.includes('▸')).length;
    const before = draws();
    for (const c of mutex.cases.filter((x) => x.status === 'pass')) p.caseEnded(mutex.job, c);
    expect(draws() - before, 'a burst of events within 100 ms draws at most once').to.be.at.most(1);
    const failing = mutex.cases.find((c) => c.status === 'fail')!;
    now += 150;
    p.caseEnded(mutex.job, failing);
    const failLine = out.chunks.find((c) => c.includes('FAIL qemu_cortex_m3/wasm/mutex mutex_api_1cpu.test_mutex_priority_inheritance'));
    expect(failLine, 'the failure is printed as it happens').to.not.equal(undefined);
    now += 150;
    p.jobEnded(mutex);
    await new Promise((r) => setTimeout(r, 150));
    const last = out.chunks[out.chunks.length - 1]!;
    expect(last).to.contain('[ 1/12]');
    p.close();
    const cleared = out.chunks[out.chunks.length - 1]!;
    expect(cleared).to.match(/^\r\u001b\[\d+A\u001b\[J$/);
    const n = out.chunks.length;
    p.jobStarted(results[0]!.job);
    await new Promise((r) => setTimeout(r, 150));
    expect(out.chunks.length).to.equal(n);
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).to.equal('0:00');
    expect(formatDuration(65_000)).to.equal('1:05');
    expect(formatDuration(3_725_000)).to.equal('1:02:05');
    expect(jobLines(results[0]!, 1, 9)[0]).to.match(/^\[1\/9\] FAIL /);
  });
});
