// An emulator that dies mid-run — killed from outside, a segfault, Renode's mono aborting — is that
// job's `emulator-error` with its last output; the run goes on (a reused Renode is replaced) and the
// final report counts it.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import { scratch } from './helpers/tmp.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { killTagged, logHas, newTag, taggedProcesses, tandemChild, waitFor, type Tagged } from './helpers/procs.js';

/** Waits for a process of the hanging msgq job to print its first case, then sends it `signal`. */
async function killWhenHanging(t: Tagged, dir: string, match: RegExp, signal: NodeJS.Signals, logRel: string, output: () => string): Promise<number> {
  const log = join(dir, logRel);
  const proc = await waitFor(`a process matching ${match} with the msgq job under way; tandem said:\n${output()}`, () => {
    const [p] = taggedProcesses(t, match);
    return p && logHas(log, 'START - test_msgq_put_until_full') ? p : undefined;
  }, 200_000, 100);
  process.kill(proc.pid, signal);
  return proc.pid;
}

function checkRecord(dir: string): RunRecord {
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
  for (const f of ['twister.json', 'junit.xml', 'results.tap', 'summary.md', 'index.html']) expect(existsSync(join(dir, f)), f).to.equal(true);
  return rec;
}

describe('an emulator dies mid-run', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-dies-');
  const tag = newTag('dies');
  before(() => mkdirSync(DEMO_BUILD_ROOT, { recursive: true }));
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('QEMU killed from outside and QEMU segfaulting: emulator-error with its last output, the run goes on', async () => {
    // Two attempts of the hanging msgq image: the first is SIGKILLed, the second gets SIGSEGV.
    // Host clock: on the guest clock the deadlock is a verdict ~0.5 s after its last line (a
    // stopped clock), and on a busy machine that came before the kill.
    const file = tmp.write('dies.yaml', demoScenario({ suites: ['msgq', 'basic'], silence: 120, clock: 'host' }));
    const dir = join(tmp.dir, 'qemu');
    const run = tandemChild(tag, ['run', file, '--out', dir, '--variant', 'wasm', '--jobs', '1', '--repeat', '2', '-q']);
    const qemu = /^(\S*\/)?qemu-system-arm .*\/wasm\/msgq\//;
    await killWhenHanging(tag, dir, qemu, 'SIGKILL', 'logs/qemu_cortex_m3/wasm/msgq.log', run.output);
    await killWhenHanging(tag, dir, qemu, 'SIGSEGV', 'logs/qemu_cortex_m3/wasm/msgq.attempt2.log', run.output);
    await run.done;
    const rec = checkRecord(dir);
    const by = Object.fromEntries(rec.results.map((r) => [`${r.job.suite}#${r.job.attempt}`, r]));
    expect(by["msgq#1"]!.verdict, by["msgq#1"]!.reason).to.equal("emulator-error");
    expect(by['msgq#1']!.reason).to.match(/^emulator exited \(signal SIGKILL\) before the PROJECT EXECUTION line; its last output: filling all 4 slots with K_FOREVER puts$/);
    expect(by['msgq#2']!.verdict).to.equal('emulator-error');
    expect(by['msgq#2']!.reason).to.match(/signal SIGSEGV.*its last output: filling all 4 slots with K_FOREVER puts$/);
    // The case that was running when it died is the crash; the run went on to the next suite.
    expect(by['msgq#1']!.cases.find((c) => c.name.endsWith('test_msgq_put_until_full'))!.status).to.equal('crash');
    expect(by['basic#1']!.verdict).to.equal('passed');
    expect(by['basic#2']!.verdict).to.equal('passed');
    expect(rec.summary.verdicts).to.deep.equal({ passed: 2, 'emulator-error': 2 });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).to.match(/emulator-error|emulator exited/);
    expect(taggedProcesses(tag, /qemu-system-arm/)).to.deep.equal([]);
  });

  const renode = locateRenode();
  (renode ? it : it.skip)(`Renode's mono aborting: emulator-error, a new Renode runs the rest${renode ? '' : ' (skipped: renode not found; set TANDEM_RENODE or put renode on PATH)'}`, async () => {
    const file = tmp.write('g474.yaml', demoScenario({ suites: ['msgq', 'basic'], silence: 120, wall: 600, clock: 'host', buildRoot: join(DEMO_BUILD_ROOT, 'renode-dies') }).replace('[qemu_cortex_m3]', '[nucleo_g474re]'));
    const dir = join(tmp.dir, 'g474');
    const run = tandemChild(tag, ['run', file, '--out', dir, '--variant', 'wasm', '--jobs', '1', '-q']);
    // mono is the launcher's child (or the launcher itself, exec'd): the process that runs Renode.exe.
    await killWhenHanging(tag, dir, /mono|Renode(\.exe|\.dll)?\b/, 'SIGABRT', 'logs/nucleo_g474re/wasm/msgq.log', run.output);
    await run.done;
    const rec = checkRecord(dir);
    const msgq = rec.results.find((r) => r.job.suite === 'msgq')!;
    expect(msgq.verdict, msgq.reason).to.equal('emulator-error');
    expect(msgq.reason).to.match(/renode|signal|exited/i);
    expect(rec.results.find((r) => r.job.suite === 'basic')!.verdict).to.equal('passed');
    expect(rec.summary.verdicts['emulator-error']).to.equal(1);
    expect(taggedProcesses(tag, /mono|renode|Renode/i)).to.deep.equal([]);
  });
});
