// The user's path, for real: `tandem run` on the demo firmware in QEMU, as a child process.
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Parser, type FinalResults } from 'tap-parser';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import type { RunRecord } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { logHas, taggedProcesses, waitFor } from './helpers/procs.js';

const run = promisify(execFile);
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');
// Shared with other tests and kept between runs: builds are incremental.
const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');

function scenarioText(opts: { silence: number; suites?: string[]; clock?: 'guest' | 'host' }): string {
  return demoScenario({ name: 'e2e', buildRoot: BUILD_ROOT, ...opts });
}

// Every emulator this file starts inherits this tag, so a test run on the same machine (a second
// checkout, CI beside a developer) never counts another run's QEMU as ours.
const TAG = `TANDEM_TEST_TAG=${process.pid}-${Date.now()}`;
const childEnv = { ...process.env, TANDEM_TEST_TAG: TAG.split('=')[1]! };

/** Live (not zombie) qemu processes started by this test file, straight from /proc. */
async function ourQemus(): Promise<string[]> {
  // QEMU itself, not the `setpriv … -- qemu-system-arm` that execs it a moment later.
  return taggedProcesses({ tag: childEnv.TANDEM_TEST_TAG, env: childEnv }, /^(\S*\/)?qemu-system-arm /).map((p) => `${p.pid} ${p.cmdline}`);
}

async function tandem(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TANDEM, ...args], { maxBuffer: 16 << 20, env: childEnv });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tandem run on the demo firmware in QEMU (end to end)', function () {
  this.timeout(240_000);
  const tmp = scratch('tandem-e2e-');
  let record: RunRecord;
  let outDir: string;
  let out: { code: number; stdout: string; stderr: string };

  before(async () => {
    mkdirSync(BUILD_ROOT, { recursive: true });
    const file = tmp.write('e2e.yaml', scenarioText({ silence: 60 }));
    outDir = join(tmp.dir, 'out');
    out = await tandem(['run', file, '--out', outDir, '--jobs', '2']);
    record = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8')) as RunRecord;
  });
  after(async () => {
    // A failed assertion can leave a tandem child SIGKILLed with its QEMU orphaned: end those too.
    for (const line of await ourQemus()) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    tmp.cleanup();
  });

  it('exits 1 because the candidate regressed', () => {
    expect(out.code, out.stderr).to.equal(1);
  });

  it('each job gets the verdict its firmware was built to produce', () => {
    const verdicts = Object.fromEntries(record.results.map((r) => [r.job.id, r.verdict]));
    expect(verdicts).to.deep.equal({
      'qemu_cortex_m3/native/basic': 'passed',
      'qemu_cortex_m3/wasm/basic': 'passed',
      'qemu_cortex_m3/native/sem': 'passed',
      'qemu_cortex_m3/wasm/sem': 'crashed',
      'qemu_cortex_m3/native/mutex': 'passed',
      'qemu_cortex_m3/wasm/mutex': 'failed',
      'qemu_cortex_m3/native/msgq': 'passed',
      'qemu_cortex_m3/wasm/msgq': 'timeout',
    });
  });

  it('the diff shows exactly the injected regression, crash and hang; everything else is the same', () => {
    const notSame = record.diff.filter((d) => d.class !== 'same').map((d) => [d.suite, d.case, d.baseline, d.candidate, d.class]);
    expect(notSame).to.deep.equal([
      ['sem', 'sem_api.test_sem_limit_saturates', 'pass', 'crash', 'crash'],
      ['sem', 'sem_api.test_sem_multicore_give', 'skip', 'blocked', 'blocked'],
      ['sem', 'sem_api.test_sem_reset', 'pass', 'blocked', 'blocked'],
      ['sem', 'sem_api.test_sem_take_no_wait_fail', 'pass', 'blocked', 'blocked'],
      ['sem', 'sem_api.test_sem_take_timeout', 'pass', 'blocked', 'blocked'],
      ['mutex', 'mutex_api_1cpu.test_mutex_priority_inheritance', 'pass', 'fail', 'regression'],
      ['msgq', 'msgq_api.test_msgq_put_until_full', 'pass', 'timeout', 'hang'],
      ['msgq', 'msgq_api.test_msgq_ring_wraparound', 'pass', 'blocked', 'blocked'],
    ]);
    expect(record.diff.filter((d) => d.class === 'same')).to.have.length(12);
    expect(record.summary.regressed).to.equal(true);
  });

  it('the crash is judged on the fatal-error line, not by a timeout, and keeps the fault dump', () => {
    const crash = record.results.find((r) => r.job.id === 'qemu_cortex_m3/wasm/sem')!;
    expect(crash.end.kind).to.equal('fatal');
    expect(crash.fatal).to.include({ reason: 'CPU exception', fault: 'USAGE FAULT', thread: 'test_sem_limit_saturates' });
    expect(crash.fatal!.pc).to.match(/^0x[0-9a-f]{8}$/);
    const log = readFileSync(join(outDir, crash.log!), 'latin1');
    expect(log).to.include('E: Halting system\r\n');
  });

  it('the hang ends on guest-time silence at once (nothing can wake the guest), the regression carries its assert line', () => {
    const hang = record.results.find((r) => r.job.id === 'qemu_cortex_m3/wasm/msgq')!;
    expect(hang.end).to.include({ kind: 'silence', seconds: 60, clock: 'guest', idle: true });
    // The brief's target: 60 s of guest silence ends within 3 s of wall time.
    expect(hang.wallMs).to.be.below(10_000); // ~0.5 s here; generous for a loaded machine
    expect(hang.reason).to.match(/guest idles with no timer pending.*guest clock stopped/);
    const reg = record.diff.find((d) => d.class === 'regression')!;
    expect(reg.detail).to.match(/^Assertion failed at .*: mutex_api_1cpu_test_mutex_priority_inheritance:/);
  });

  it('writes one raw console log per job, results.jsonl as it goes, and provenance', () => {
    for (const r of record.results) {
      const raw = readFileSync(join(outDir, r.log!));
      expect(raw.includes(Buffer.from('*** Booting Zephyr OS build'))).to.equal(true);
      expect(raw.includes(Buffer.from('\r\n'))).to.equal(true);
      expect(r.provenance.imageSha256).to.match(/^[0-9a-f]{64}$/);
      expect(r.provenance.emulator?.version).to.match(/^\d+\.\d+/);
      expect(r.provenance.emulator?.command).to.include('-icount');
    }
    const journal = readFileSync(join(outDir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(journal).to.have.length(8);
  });

  it('leaves no qemu process behind', async () => {
    expect(await ourQemus()).to.deep.equal([]);
  });

  it('Ctrl-C stops the emulators, writes what finished and exits 130', async () => {
    // A long silence timeout keeps the hanging job alive until the interrupt arrives.
    const file = tmp.write('hang.yaml', scenarioText({ silence: 120, suites: ['msgq'], clock: 'host' }));
    const dir = join(tmp.dir, 'interrupted');
    const child = spawn(process.execPath, [TANDEM, 'run', file, '--out', dir, '--variant', 'wasm'], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    after(() => child.kill('SIGKILL'));
    const deadline = Date.now() + 60_000;
    while ((await ourQemus()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ourQemus(), `qemu should be running before the interrupt; tandem said:\n${output}`).to.have.length(1);
    // Interrupted once the guest has printed its first cases and hangs in the third: however
    // slow the machine, not after a fixed wait.
    await waitFor(`the hanging case; tandem said:\n${output}`, () => logHas(join(dir, 'logs/qemu_cortex_m3/wasm/msgq.log'), 'START - test_msgq_put_until_full'), 120_000);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).to.equal(130);
    expect(await ourQemus()).to.deep.equal([]);
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    expect(rec.interrupted).to.equal(true);
    expect(rec.results).to.have.length(1);
    expect(rec.results[0]!.cases.map((c) => c.status)).to.deep.equal(['pass', 'pass', 'blocked']);
    expect(existsSync(join(dir, rec.results[0]!.log!))).to.equal(true);
  });

  it('writes every report, and `tandem report` re-renders them from run.json', async () => {
    for (const f of ['run.json', 'twister.json', 'junit.xml', 'results.tap', 'summary.md', 'index.html']) {
      expect(existsSync(join(outDir, f)), f).to.equal(true);
    }
    rmSync(join(outDir, 'summary.md'));
    const r = await tandem(['report', outDir]);
    expect(r.code).to.equal(1);
    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    const regression = md.search(/test\\?_mutex\\?_priority\\?_inheritance/);
    expect(regression).to.be.greaterThan(0);
    expect(regression).to.be.lessThan(md.indexOf('Crashes'));
  });

  it('a run killed before run.json is rebuilt from its journal', async () => {
    const copy = join(tmp.dir, 'killed');
    cpSync(outDir, copy, { recursive: true });
    rmSync(join(copy, 'run.json'));
    const r = await tandem(['report', copy, '--format', 'md']);
    // The judge reads the rebuilt record as what it is: a run that did not finish.
    expect(r.code).to.equal(130);
    expect(r.stdout).to.match(/^INTERRUPTED · exit 130/m);
    expect(r.stderr).to.match(/rebuilt it from results\.jsonl/);
    const rebuilt = JSON.parse(readFileSync(join(copy, 'run.json'), 'utf8')) as RunRecord;
    expect(rebuilt.interrupted).to.equal(true);
    expect(rebuilt.diff).to.deep.equal(record.diff);
  });

  it('`tandem diff` compares two runs: a candidate case that now passes is a fix', async () => {
    const after = join(tmp.dir, 'after');
    cpSync(outDir, after, { recursive: true });
    const changed = JSON.parse(readFileSync(join(after, 'run.json'), 'utf8')) as RunRecord;
    changed.runId = 'after';
    const mutex = changed.results.find((r) => r.job.id === 'qemu_cortex_m3/wasm/mutex')!;
    for (const c of mutex.cases) {
      c.status = 'pass';
      delete c.detail;
    }
    mutex.verdict = 'passed';
    writeFileSync(join(after, 'run.json'), JSON.stringify(changed));
    const diffDir = join(tmp.dir, 'diff');
    const r = await tandem(['diff', outDir, after, '--out', diffDir]);
    expect(r.code, r.stderr).to.equal(0);
    const d = JSON.parse(readFileSync(join(diffDir, 'run.json'), 'utf8')) as RunRecord;
    // Still-failing cases are both-fail; the one that changed is the fix.
    const notSame = d.diff.filter((e) => e.class !== 'same' && e.class !== 'both-fail');
    expect(d.diff.filter((e) => e.class === 'both-fail').map((e) => e.case)).to.include('sem_api.test_sem_limit_saturates');
    expect(notSame.map((e) => [e.suite, e.case, e.class])).to.deep.equal([['mutex', 'mutex_api_1cpu.test_mutex_priority_inheritance', 'fix']]);
    expect(notSame[0]!.candidateVariant).to.equal('wasm@after');
    const back = await tandem(['diff', after, outDir, '--out', join(tmp.dir, 'diff-back'), '-q']);
    expect(back.code).to.equal(1);
  });

  it('--tap streams TAP 14 on stdout that a TAP consumer reads back', async () => {
    const file = tmp.write('tap.yaml', scenarioText({ silence: 3, suites: ['basic', 'mutex'] }));
    const r = await tandem(['run', file, '--out', join(tmp.dir, 'tap'), '--tap', '-q']);
    expect(r.code).to.equal(1);
    const final = await new Promise<FinalResults>((resolve) => {
      const p = new Parser(resolve);
      p.end(r.stdout);
    });
    expect(final.plan.end).to.equal(4);
    expect(final.pass).to.equal(3);
    expect(final.fail).to.equal(1);
    expect(r.stdout.split('\n')[0]).to.equal('TAP version 14');
  });

  it('an image for another board says it never booted; a file that is not an ELF is not booted at all', async () => {
    // A platform that builds for the G474 but boots it on the LM3S6965: the console stays silent.
    tmp.write('platforms/wrong_board.yaml', `name: wrong_board
board: nucleo_g474re
emulator: qemu
qemu: { machine: lm3s6965evb, cpu: cortex-m3 }
`);
    const file = tmp.write('wrong.yaml', scenarioText({ silence: 2, suites: ['basic'] }).replace('[qemu_cortex_m3]', '[wrong_board]').replace('  - name: wasm\n', '  - name: wasm\n    suites: [none]\n'));
    const r = await tandem(['run', file, '--out', join(tmp.dir, 'wrong'), '-q']);
    const rec = JSON.parse(readFileSync(join(tmp.dir, 'wrong', 'run.json'), 'utf8')) as RunRecord;
    // QEMU gives up on the G474 vector table (it locks up) and exits: its own line leads the reason.
    expect(rec.results[0]!.verdict).to.equal('emulator-error');
    expect(rec.results[0]!.reason).to.match(/^qemu: fatal: Lockup.*no Zephyr boot banner was seen: the image did not boot on wrong_board/);
    expect(await ourQemus()).to.deep.equal([]);

    const bogus = tmp.write('bogus/native/basic.elf', 'not an elf');
    const pre = tmp.write('pre.yaml', `name: pre\nplatforms: [qemu_cortex_m3]\nsuites: [basic]\nvariants: [{ name: native }]\nimages: ${bogus.replace('native/basic', '{variant}/{suite}')}\n`);
    const r2 = await tandem(['run', pre, '--out', join(tmp.dir, 'pre'), '-q']);
    const rec2 = JSON.parse(readFileSync(join(tmp.dir, 'pre', 'run.json'), 'utf8')) as RunRecord;
    // One variant, nothing to compare: the job's own verdict decides, and an image that is no ELF fails it.
    expect(r2.code).to.equal(1);
    expect(rec2.judgement.regressed[0]!.message).to.equal('jobs with no baseline that did not pass');
    expect(rec2.results[0]).to.include({ verdict: 'build-error' });
    expect(rec2.results[0]!.reason).to.match(/not an ELF file/);
  });

  it('--shard splits the run by platform and suite; tandem merge joins the shards into the same diff', async () => {
    const file = tmp.write('shard.yaml', scenarioText({ silence: 3 }));
    const parts = await Promise.all(
      ['1/2', '2/2'].map(async (shard, i) => {
        const dir = join(tmp.dir, `shard${i + 1}`);
        await tandem(['run', file, '--out', dir, '--shard', shard, '--jobs', '1', '-q']);
        return { dir, rec: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord };
      }),
    );
    // Each shard holds whole comparisons: both variants of each of its suites.
    expect(parts.map((p) => p.rec.results.map((r) => r.job.id).sort())).to.deep.equal([
      ['qemu_cortex_m3/native/basic', 'qemu_cortex_m3/native/mutex', 'qemu_cortex_m3/wasm/basic', 'qemu_cortex_m3/wasm/mutex'],
      ['qemu_cortex_m3/native/msgq', 'qemu_cortex_m3/native/sem', 'qemu_cortex_m3/wasm/msgq', 'qemu_cortex_m3/wasm/sem'],
    ]);
    const merged = join(tmp.dir, 'merged');
    const r = await tandem(['merge', parts[0]!.dir, parts[1]!.dir, '--out', merged, '-q']);
    expect(r.code, r.stderr).to.equal(1);
    const m = JSON.parse(readFileSync(join(merged, 'run.json'), 'utf8')) as RunRecord;
    const key = (d: { platform: string; suite: string; case: string; class: string }) => `${d.platform} ${d.suite} ${d.case} ${d.class}`;
    expect(m.diff.map(key).sort()).to.deep.equal(record.diff.map(key).sort());
    expect(m.mergedFrom).to.have.length(2);
    for (const res of m.results) expect(existsSync(join(merged, res.log!)), res.log).to.equal(true);
    const twice = await tandem(['merge', parts[0]!.dir, parts[0]!.dir, '--out', join(tmp.dir, 'm2')]);
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.match(/is in both run .* were the shards overlapping/);
    expect((await tandem(['run', file, '--shard', '3/2'])).stderr).to.match(/--shard needs I\/N/);
  });

  it('a wall limit reached by a guest that got almost no CPU is extended up to its backstop', async () => {
    // The hanging msgq guest idles in WFI: QEMU burns no CPU, exactly what a starved host looks like.
    const file = tmp.write('wall.yaml', scenarioText({ silence: 60, suites: ['msgq'], clock: 'host' }).replace('wall: 60', 'wall: 1'));
    const dir = join(tmp.dir, 'wall');
    await tandem(['run', file, '--out', dir, '--variant', 'wasm', '-q']);
    const res = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord).results[0]!;
    expect(res.end).to.include({ kind: 'wall', seconds: 1, clock: 'host' });
    expect(res.wallMs).to.be.within(2900, 10_000);
    expect(await ourQemus()).to.deep.equal([]);
  });

  it('a bad scenario exits 2 with file, line and field', async () => {
    const file = tmp.write('bad.yaml', scenarioText({ silence: 3 }).replace('timeouts:', 'timeout:'));
    const r = await tandem(['run', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/bad\.yaml:\d+:\d+: timeout: unknown key 'timeout'/);
    expect((await tandem(['run'])).code).to.equal(2);
    const good = tmp.write('good.yaml', scenarioText({ silence: 3 }));
    const jobs0 = await tandem(['run', good, '--jobs', '0']);
    expect(jobs0.code).to.equal(2);
    expect(jobs0.stderr).to.match(/--jobs needs a whole number/);
    expect((await tandem(['run', good, '--frobnicate'])).stderr).to.match(/Unknown option '--frobnicate'/);
  });
});
