// Silence and wall limits in guest time: the pure rules, the limit watcher against a scripted
// clock, and real boots — a deadlock and a spinning hang ended by guest-time silence on QEMU (and
// on Renode where installed), a suite with long silent guest sleeps that must not be cut short.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BootLimits, guestLimitReached, QUIET_MS, type LimitEnd } from '../harness/run/clock.js';
import { describeLimit } from '../harness/ztest/parser.js';
import { capGuestMs, guestMsFromDrift, clockMonitorArgs, clockSocketPath, MAX_GUEST_SPEED } from '../harness/emulators/qemu-clock.js';
import { loadScenario } from '../harness/scenario/scenario.js';
import { expandJobs } from '../harness/scenario/expand.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import type { GuestReading } from '../harness/emulators/emulator.js';
import type { RunRecord, Timeouts } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';

const T: Timeouts = { wallSeconds: 60, silenceSeconds: 60, crashGraceSeconds: 0.5 };

describe('clock: guest-time limits (pure)', () => {
  it('silence counts guest time from the quiet stretch, wall from the start; a stopped clock is silence at once', () => {
    expect(guestLimitReached({ ms: 59_000, staleMs: 0 }, 0, T)).to.equal(undefined);
    expect(guestLimitReached({ ms: 61_000, staleMs: 0 }, 500, T)).to.equal('silence');
    expect(guestLimitReached({ ms: 61_000, staleMs: 0 }, 30_000, T)).to.equal('wall');
    expect(guestLimitReached({ ms: 50_000, staleMs: 0 }, undefined, { ...T, silenceSeconds: 1 })).to.equal(undefined);
    expect(guestLimitReached({ ms: 12_000, staleMs: 0 }, 1_000, { ...T, silenceSeconds: 10 })).to.equal('silence');
    expect(guestLimitReached({ ms: 10_999, staleMs: 0 }, 1_000, { ...T, silenceSeconds: 10 })).to.equal(undefined);
    expect(guestLimitReached({ ms: 300, staleMs: 0, stopped: true }, 200, T)).to.equal('silence');
    // Not quiet (output since the reading was asked): a stopped clock does not end anything yet.
    expect(guestLimitReached({ ms: 300, staleMs: 0, stopped: true }, undefined, T)).to.equal(undefined);
  });

  it('guest time is the host time since start minus the drift QEMU prints', () => {
    expect(guestMsFromDrift(1000, 400)).to.equal(600);
    expect(guestMsFromDrift(1000, -59_000)).to.equal(60_000);
    expect(guestMsFromDrift(10, 50)).to.equal(0);
  });

  it('an icount warp (hours of virtual time over one idle period) counts at most 30× host time', () => {
    // Real Zephyr kernel_sleep on lm3s6965evb: the virtual clock read 386 180 750 ms 147 ms after
    // start while the guest itself counted 2 s of sleep.
    expect(MAX_GUEST_SPEED).to.equal(30);
    expect(capGuestMs(undefined, 386_180_750, 147, 0)).to.equal(30 * 147);
    expect(capGuestMs({ ms: 4410, at: 147 }, 386_180_800, 247, 0)).to.equal(4410 + 3000);
    expect(capGuestMs({ ms: 4410, at: 147 }, 5000, 247, 0)).to.equal(5000); // real work passes through
    expect(capGuestMs({ ms: 4410, at: 147 }, 4000, 247, 0)).to.equal(4410); // never backwards
  });

  it('every report line names the clock that ended the boot', () => {
    expect(describeLimit({ kind: 'silence', seconds: 60, clock: 'guest', hostMs: 9000 })).to.equal('no console output for 60 s of guest time (hang; 9.0 s wall)');
    expect(describeLimit({ kind: 'silence', seconds: 60, clock: 'guest', hostMs: 300, idle: true })).to.match(/idles with no timer pending.*guest clock stopped; 0\.3 s wall/);
    expect(describeLimit({ kind: 'silence', seconds: 20, clock: 'host', hostMs: 20_000 })).to.equal('no console output for 20 s of host time (hang)');
    expect(describeLimit({ kind: 'silence', seconds: 20, clock: 'host', backstop: true, hostMs: 60_000, guestMs: 3000 })).to.match(/60 s of host time \(the backstop; the guest clock counted 3\.0 s\)/);
    expect(describeLimit({ kind: 'wall', seconds: 60, clock: 'guest', hostMs: 4100 })).to.equal('wall limit: 60 s of guest time (4.1 s wall)');
    expect(describeLimit({ kind: 'wall', seconds: 1, clock: 'host', hostMs: 3100 })).to.match(/1 s of host time \(3\.1 s wall: the guest was starved/);
    // Runs recorded before the clock field keep their wording.
    expect(describeLimit({ kind: 'silence', seconds: 3 })).to.equal('no console output for 3 s (hang)');
  });

  it('the QEMU monitor socket stays in the work folder when it fits, options escaped', () => {
    const tmp = scratch('tandem-clk-');
    try {
      const short = clockSocketPath(join(tmp.dir, 'w'));
      expect(short.path).to.equal(join(tmp.dir, 'w', 'clock.sock'));
      const long = clockSocketPath(join(tmp.dir, 'x'.repeat(120)));
      expect(long.path.length).to.be.below(108);
      long.cleanup();
      expect(clockMonitorArgs('/a,b/clock.sock')).to.deep.equal(['-chardev', 'socket,id=tandem-clock,path=/a,,b/clock.sock,server=on,wait=off', '-mon', 'chardev=tandem-clock,mode=readline']);
    } finally {
      tmp.cleanup();
    }
  });

  it('timeouts: clock is read from the scenario, defaults to guest, and a bad value names the line', () => {
    const tmp = scratch('tandem-clk-');
    try {
      const base = `name: c\nplatforms: [qemu_cortex_m3]\nsuites: [{ name: basic, path: ${REPO_ROOT}/firmware/tests/basic }]\nvariants: [{ name: native }]\nbuild: { kind: prebuilt }\nimages: /x/{suite}.elf\n`;
      const load = (text: string) => loadScenario(tmp.write(`s${Math.random()}.yaml`, text), { platformDirs: [join(REPO_ROOT, 'platforms')] });
      const dflt = expandJobs(load(base))[0]!.timeouts;
      expect(dflt).to.deep.equal({ wallSeconds: 60, silenceSeconds: 60, crashGraceSeconds: 0.5 });
      expect(expandJobs(load(`${base}timeouts: { clock: host, silence: 5 }\n`))[0]!.timeouts).to.include({ clock: 'host', silenceSeconds: 5 });
      expect(() => load(`${base}timeouts: { clock: cpu }\n`)).to.throw(/:7:\d+: .*'cpu' is not a clock/);
    } finally {
      tmp.cleanup();
    }
  });
});

/** A guest clock that advances by `stepMs` per reading, optionally stopping. */
function scripted(stepMs: number, opts: { stopAfter?: number; fail?: boolean } = {}) {
  let ms = 0;
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: async (): Promise<GuestReading | undefined> => {
      reads++;
      if (opts.fail) return undefined;
      if (opts.stopAfter !== undefined && reads > opts.stopAfter) return { ms, staleMs: 0, stopped: true };
      ms += stepMs;
      return { ms, staleMs: 0 };
    },
  };
}

function watch(timeouts: Timeouts, clock: ReturnType<typeof scripted> | undefined): { limits: BootLimits; ended: Promise<{ end: LimitEnd; ms: number }> } {
  const t0 = performance.now();
  let resolve!: (v: { end: LimitEnd; ms: number }) => void;
  const ended = new Promise<{ end: LimitEnd; ms: number }>((r) => (resolve = r));
  const limits = new BootLimits({ timeouts, ...(clock ? { guestClock: clock } : {}), onEnd: (end) => resolve({ end, ms: performance.now() - t0 }) });
  limits.start();
  return { limits, ended };
}

describe('clock: BootLimits', function () {
  this.timeout(20_000);

  it('ends a quiet boot when the guest clock has counted the silence, long before the host has', async () => {
    // 10 s of guest time per reading: 60 s of guest silence after ~7 readings (~1 s of host time).
    const { ended } = watch({ ...T, wallSeconds: 1000 }, scripted(10_000));
    const { end, ms } = await ended;
    expect(end).to.include({ kind: 'silence', clock: 'guest', seconds: 60 });
    expect(end.guestMs).to.be.at.least(60_000);
    expect(ms).to.be.below(10_000);
  });

  it('output keeps the boot alive: the quiet stretch restarts with the next reading', async () => {
    const clock = scripted(1_000);
    const { limits, ended } = watch({ ...T, silenceSeconds: 3 }, clock);
    const talk = setInterval(() => limits.output(), QUIET_MS / 4);
    await new Promise((r) => setTimeout(r, 800));
    expect(clock.reads).to.equal(0); // a chatty console never asks the clock (until the 1 s wall check)
    clearInterval(talk);
    const { end } = await ended;
    expect(end).to.include({ kind: 'silence', clock: 'guest' });
  });

  it('a stopped guest clock ends the boot at once; the guest wall limit counts guest time too', async () => {
    const stop = await watch(T, scripted(5, { stopAfter: 1 })).ended;
    expect(stop.end).to.include({ kind: 'silence', clock: 'guest', idle: true });
    const wall = watch({ ...T, wallSeconds: 30, silenceSeconds: 1000 }, scripted(10_000));
    expect((await wall.ended).end).to.include({ kind: 'wall', clock: 'guest', seconds: 30 });
  });

  it('counts host time when the guest clock cannot be read, and without one', async () => {
    const failing = await watch({ ...T, silenceSeconds: 0.5 }, scripted(0, { fail: true })).ended;
    expect(failing.end).to.include({ kind: 'silence', clock: 'host' });
    expect(failing.ms).to.be.at.least(450);
    const none = await watch({ ...T, silenceSeconds: 0.3 }, undefined).ended;
    expect(none.end).to.include({ kind: 'silence', clock: 'host', seconds: 0.3 });
  });

  it('output written but not yet read wins over a limit: the console is drained first', async () => {
    // A console read in batches may hold output the limits have not seen; the drain delivers it.
    let drains = 0;
    let limits!: BootLimits;
    const t0 = performance.now();
    const ended = new Promise<{ end: LimitEnd; ms: number }>((resolve) => {
      limits = new BootLimits({
        timeouts: { ...T, silenceSeconds: 0.3 },
        drain: () => (drains++ === 0 ? limits.output() : undefined),
        onEnd: (end) => resolve({ end, ms: performance.now() - t0 }),
      });
    });
    limits.start();
    const { end, ms } = await ended;
    expect(end).to.include({ kind: 'silence', clock: 'host' });
    expect(drains).to.equal(2);
    expect(ms).to.be.at.least(550); // the drained output started the quiet stretch again
  });

  it('the host backstop ends a boot whose guest clock barely moves', async () => {
    const { end, ms } = await watch({ ...T, silenceSeconds: 0.4 }, scripted(1)).ended;
    expect(end).to.include({ kind: 'silence', clock: 'host', backstop: true });
    expect(ms).to.be.at.least(1100); // 3 × 0.4 s
  });
});

const run = promisify(execFile);
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');
const BUILD_ROOT = join(REPO_ROOT, 'build/test-clock');
const TAG = `clock-${process.pid}-${Date.now()}`;

function sleepScenario(platform: string): string {
  return `name: clock
platforms: [${platform}]
suites:
  - { name: sleep, path: ${REPO_ROOT}/firmware/tests/sleep }
  - { name: msgq, path: ${REPO_ROOT}/firmware/tests/msgq }
variants:
  - name: native
    suites: [sleep, msgq]
  - name: spin
    kconfig: [CONFIG_SLEEP_SPIN=y, CONFIG_SLEEP_LONG_MS=400]
    suites: [sleep]
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_MSGQ=y]
    suites: [msgq]
compare: { baseline: native, candidates: [spin, wasm] }
build: { kind: cmake, build_root: ${BUILD_ROOT} }
`;
}

async function tandemRun(file: string, out: string, env: NodeJS.ProcessEnv = {}): Promise<RunRecord> {
  await run(process.execPath, [TANDEM, 'run', file, '--out', out, '-q'], { env: { ...process.env, TANDEM_TEST_TAG: TAG, ...env }, maxBuffer: 16 << 20 }).catch(() => undefined);
  return JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
}

for (const target of [
  { platform: 'qemu_cortex_m3', env: {}, limit: 60, skip: undefined as string | undefined },
  // nucleo_g474re's timeout_multiplier (2) stretches host-clock limits only: still 60 s of guest time.
  { platform: 'nucleo_g474re', env: { TANDEM_RENODE: locateRenode() ?? '' }, limit: 60, skip: locateRenode() ? undefined : 'renode not found (set TANDEM_RENODE or put renode on PATH)' },
]) {
  describe(`clock: real boots on ${target.platform}${target.skip ? ` (skipped: ${target.skip})` : ''}`, function () {
    this.timeout(600_000);
    const tmp = scratch('tandem-clock-e2e-');
    let record: RunRecord;
    before(async function () {
      if (target.skip) this.skip();
      // The default limits (no timeouts: block): 60 s of guest silence, 60 s of guest time in all.
      const file = tmp.write('clock.yaml', sleepScenario(target.platform));
      record = await tandemRun(file, join(tmp.dir, 'out'), target.env);
      for (const r of record.results) console.log(`      ${r.job.id}: ${r.verdict} in ${(r.wallMs / 1000).toFixed(1)} s — ${r.reason ?? ''}`);
    });
    after(() => tmp.cleanup());

    const job = (id: string) => record.results.find((r) => r.job.id === `${target.platform}/${id}`)!;

    it('a suite silent for 40 s of guest time (50 s in all) passes under the default limits', () => {
      const sleep = job('native/sleep');
      expect(sleep.verdict, sleep.reason).to.equal('passed');
      expect(sleep.cases.map((c) => c.status)).to.deep.equal(['pass', 'pass']);
    });

    it('a deadlocked guest ends on guest-time silence within seconds, and the report names the clock', () => {
      const hang = job('wasm/msgq');
      expect(hang.verdict).to.equal('timeout');
      // QEMU sees that nothing can wake the guest: silence at once (~0.5 s). Renode has no such
      // signal: its halted guest's clock runs on (~100× the host's at the 10 ms quantum) into the
      // 60 s guest-time silence or wall limit, whichever it reads first (~0.5 s).
      if (target.platform.startsWith('qemu')) expect(hang.end).to.include({ kind: 'silence', seconds: target.limit, clock: 'guest' });
      else expect(hang.end).to.deep.include({ seconds: target.limit, clock: 'guest' }).and.satisfy((e: { kind: string }) => e.kind === 'silence' || e.kind === 'wall');
      expect(hang.wallMs).to.be.below(30_000);
      expect((hang.end as { hostMs?: number }).hostMs).to.be.a('number');
      expect(hang.reason).to.match(/guest/);
    });

    it('a guest spinning silently ends on a guest-time limit: its clock runs, it is not idle', () => {
    const spin = job('spin/sleep');
    expect(spin.verdict).to.equal('timeout');
    // It starts spinning 0.6 s into the guest's minute: the wall limit (60 s of guest time) and the
    // silence (60 s from ~1 s) fall within one reading of each other; either names the guest clock.
    expect(spin.end).to.include({ clock: 'guest', seconds: target.limit });
    expect(['silence', 'wall']).to.include(spin.end.kind);
    expect((spin.end as { idle?: boolean }).idle).to.equal(undefined);
    expect(spin.cases.find((c) => c.name.endsWith('test_sleep_spin_forever'))?.status).to.equal('timeout');
    expect(spin.reason).to.match(new RegExp(`${target.limit} s of guest time`));
  });

  it('summary.md, junit.xml and index.html say which clock ended the hang', () => {
      const out = join(tmp.dir, 'out');
      for (const f of ['summary.md', 'junit.xml', 'index.html', 'results.tap']) {
        expect(readFileSync(join(out, f), 'utf8'), f).to.match(/of guest time|guest clock stopped/);
      }
    });
  });
}
