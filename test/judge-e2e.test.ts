// The situations of the exit-code table, as a user meets them: `tandem run`, `rerun`, `merge` and
// `report` on the demo firmware in QEMU, each asserting the exit code and the line on screen.
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';
import { DEMO_BUILD_ROOT, demoImage, demoScenario } from './helpers/demo.js';
import { tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';

const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;

describe('the exit code, end to end on the demo firmware', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-judge-');
  const { tag, env } = testTag();
  const tandem = (args: string[]) => tandemCli(args, env);
  const scenario = (name: string, text: string) => tmp.write(`${name}.yaml`, text);

  before(() => mkdirSync(DEMO_BUILD_ROOT, { recursive: true }));
  after(() => {
    for (const p of taggedProcesses(tag, 'qemu-system-arm')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('1. every case passes, then the candidate never prints PROJECT EXECUTION: exit 1 with an (end of run) hang row; rerun --failed stays red', async () => {
    const file = scenario('hang-end', demoScenario({ name: 'hang-end', suites: ['basic'], wasm: ['CONFIG_TANDEM_DEMO_HANG_AT_END=y'] }));
    const out = join(tmp.dir, 'hang-end');
    const r = await tandem(['run', file, '--out', out]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/REGRESSED · exit 1 +1 hang/);
    expect(r.stdout).to.match(/qemu_cortex_m3\/wasm\/basic \(end of run\) pass→timeout +after the last case: no console output, and the guest idles with no timer pending/);
    const rec = record(out);
    expect(rec.results.find((x) => x.job.variant === 'wasm')!.cases.every((c) => c.status === 'pass')).to.equal(true);
    expect(rec.judgement.outcome).to.equal('regressed');
    const again = await tandem(['rerun', out, '--failed', '--out', join(tmp.dir, 'hang-end-rerun')]);
    expect(again.code, again.stdout + again.stderr).to.equal(1);
    expect(again.stdout).to.match(/unchanged +qemu_cortex_m3\/wasm\/basic +timeout → timeout/);
    expect(again.stdout).to.match(/^STILL RED .* exit 1$/m);
  });

  it('3. ztest runs a case twice in one boot, FAIL then PASS: the case fails (FLAKY in the summary), exit 1', async () => {
    const file = scenario('flaky', demoScenario({ name: 'flaky', suites: ['basic'], wasm: ['CONFIG_ZTEST_REPEAT=y', 'CONFIG_ZTEST_SUITE_REPEAT_COUNT=2', 'CONFIG_TANDEM_DEMO_FLAKY=y'] }));
    const out = join(tmp.dir, 'flaky');
    const r = await tandem(['run', file, '--out', out]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/basic\.test_basic_arith pass→fail +Assertion failed at .*main\.c:\d+: basic_test_basic_arith/);
    const arith = record(out).results.find((x) => x.job.variant === 'wasm')!.cases.find((c) => c.name === 'test_basic_arith')!;
    expect(arith.status).to.equal('fail');
    expect(arith.detail).to.match(/a later attempt ended pass/);
  });

  it('5. a candidate that never ran: a suites: typo, --variant, --suite nosuch, --shard 5/5 — exit 3, each saying why', async () => {
    const typo = scenario('typo', demoScenario({ name: 'typo', suites: ['basic'] }).replace(/  - name: wasm\n/, '  - name: wasm\n    suites: [basci]\n'));
    const r1 = await tandem(['run', typo, '--out', join(tmp.dir, 'typo')]);
    expect(r1.code, r1.stdout + r1.stderr).to.equal(3);
    expect(r1.stdout).to.match(/INCOMPLETE · exit 3/);
    expect(r1.stdout).to.match(/not compared: candidate wasm has no job: its suites:\/platforms: match nothing here/);

    const file = scenario('sel', demoScenario({ name: 'sel', suites: ['basic'] }));
    const r2 = await tandem(['run', file, '--variant', 'wasm', '--out', join(tmp.dir, 'only-wasm')]);
    expect(r2.code, r2.stdout + r2.stderr).to.equal(3);
    expect(r2.stdout).to.match(/not compared: no native result to compare with/);
    const r3 = await tandem(['run', file, '--suite', 'nosuch', '--out', join(tmp.dir, 'nosuch')]);
    expect(r3.code, r3.stdout + r3.stderr).to.equal(3);
    expect(r3.stdout).to.match(/not compared: no job to run: the selection matches nothing \(--suite nosuch\)/);
    const r4 = await tandem(['run', file, '--shard', '5/5', '--out', join(tmp.dir, 'shard5')]);
    expect(r4.code, r4.stdout + r4.stderr).to.equal(3);
    expect(r4.stdout).to.match(/shard 5\/5 has no jobs: the run has 1 \(platform, suite\) group to split over 5 shards/);
    // Accepted on request, still listed.
    const r5 = await tandem(['run', file, '--variant', 'wasm', '--allow-incomplete', '--out', join(tmp.dir, 'only-wasm-ok')]);
    expect(r5.code, r5.stdout + r5.stderr).to.equal(0);
    expect(r5.stdout).to.match(/incomplete, accepted by --allow-incomplete/);
  });

  it('6. one variant only: its crash is a failed run (exit 1), as twister would judge it', async () => {
    const file = scenario('one', demoScenario({ name: 'one', suites: ['sem'] }).replace(/  - name: native\n/, '').replace('  - name: wasm\n', '  - name: wasm\n'));
    const r = await tandem(['run', file, '--out', join(tmp.dir, 'one')]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.match(/FAILED · exit 1/);
    expect(r.stdout).to.match(/regressed: jobs with no baseline that did not pass — qemu_cortex_m3\/wasm\/sem: crashed/);
  });

  it('7. baseline and candidate boot the same image: exit 2 unless the scenario allows it', async () => {
    const image = await demoImage('basic', 'native', tmp.dir);
    const text = `name: same
platforms: [qemu_cortex_m3]
suites: [{ name: basic }]
variants: [{ name: native }, { name: wasm }]
build: { kind: prebuilt }
images: ${image}
timeouts: { wall: 60, silence: 5 }
`;
    const r = await tandem(['run', scenario('same', text), '--out', join(tmp.dir, 'same')]);
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stdout).to.match(/INVALID · exit 2/);
    expect(r.stdout).to.match(/baseline native and candidate wasm booted the same image: nothing was compared/);
    const allowed = await tandem(['run', scenario('same-ok', `${text}allow_identical: true\n`), '--out', join(tmp.dir, 'same-ok')]);
    expect(allowed.code, allowed.stdout + allowed.stderr).to.equal(0);
  });

  it('8. merging shard 2/2 alone: exit 3 naming the missing shard; both shards: the whole verdict', async () => {
    const file = scenario('shards', demoScenario({ name: 'shards', suites: ['basic', 'mutex'] }));
    const s1 = join(tmp.dir, 's1');
    const s2 = join(tmp.dir, 's2');
    const [a, b] = await Promise.all([tandem(['run', file, '--shard', '1/2', '--out', s1, '-q']), tandem(['run', file, '--shard', '2/2', '--out', s2, '-q'])]);
    expect([a.code, b.code], a.stdout + b.stdout).to.deep.equal([0, 1]);
    expect(record(s2).plan).to.deep.include({ shard: { index: 2, count: 2 } });
    const alone = await tandem(['merge', s2, '--out', join(tmp.dir, 'm2')]);
    expect(alone.code, alone.stdout + alone.stderr).to.equal(1);
    expect(alone.stdout).to.match(/not compared: shard 1\/2 was not merged \(2 jobs\)/);
    const first = await tandem(['merge', s1, '--out', join(tmp.dir, 'm1')]);
    expect(first.code, first.stdout + first.stderr).to.equal(3);
    expect(first.stdout).to.match(/INCOMPLETE · exit 3/);
    const both = await tandem(['merge', s1, s2, '--out', join(tmp.dir, 'm12')]);
    expect(both.code).to.equal(1);
    expect(both.stdout).to.not.match(/not compared/);
  });

  it('10. tandem report refuses a folder whose run still holds its lock, and derives the diff again from the results', async () => {
    const out = join(tmp.dir, 'hang-end');
    const lock = join(out, '.tandem.lock');
    // A live owner on this host: this test process itself.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, hostname: (await import('node:os')).hostname(), since: new Date().toISOString(), what: 'tandem run (test)' }));
    const busy = await tandem(['report', out]);
    expect(busy.code).to.equal(2);
    expect(busy.stderr).to.match(/is still being written by .*wait for it to finish/);
    (await import('node:fs')).rmSync(lock);
    // A stored diff that says "same" where the results say "hang" is not believed.
    const rec = record(out);
    rec.diff = rec.diff.map((d) => ({ ...d, class: 'same' as const }));
    rec.summary.regressed = false;
    rec.judgement = { outcome: 'passed', exitCode: 0, regressed: [], incomplete: [], invalid: [] };
    writeFileSync(join(out, 'run.json'), JSON.stringify(rec));
    const rendered = await tandem(['report', out, '-q']);
    expect(rendered.code, rendered.stdout + rendered.stderr).to.equal(1);
    expect(rendered.stderr).to.match(/its stored diff did not match its results; the reports use the diff derived again/);
    expect(record(out).judgement.outcome).to.equal('regressed');
  });
});
