// The "did my fix work" loop, for real: the demo run in QEMU (on a copy of the firmware), its crash
// resolved in every report, `tandem rerun --failed` on the three failing jobs (unchanged), then
// the copy's wasm primitives fixed and rebuilt, and the rerun says fixed.
import { expect } from 'chai';
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunRecord } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { scratch } from './helpers/tmp.js';
import { tandemCli, taggedProcesses, testTag, type CliResult } from './helpers/tandem-cli.js';

const FAILING = ['qemu_cortex_m3/wasm/sem', 'qemu_cortex_m3/wasm/mutex', 'qemu_cortex_m3/wasm/msgq'];

describe('tandem rerun on the demo (end to end, QEMU)', function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-rerun-');
  const { tag, env } = testTag();
  const firmware = join(tmp.dir, 'firmware');
  const runDir = join(tmp.dir, 'run');
  let first: CliResult;
  let record: RunRecord;
  const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;

  before(async () => {
    cpSync(join(REPO_ROOT, 'firmware'), firmware, { recursive: true });
    const scenario = tmp.write('demo.yaml', `name: demo
platforms: [qemu_cortex_m3]
suites:
${['basic', 'sem', 'mutex', 'msgq'].map((s) => `  - { name: ${s}, path: ${firmware}/tests/${s} }`).join('\n')}
variants:
  - name: native
  - name: wasm
    kconfig: [CONFIG_GALE_WASM_LTO_SEM=y, CONFIG_GALE_WASM_LTO_MUTEX=y, CONFIG_GALE_WASM_LTO_MSGQ=y]
compare: { baseline: native, candidates: [wasm] }
build: { kind: cmake, build_root: ${join(tmp.dir, 'build')} }
timeouts: { wall: 60, silence: 5, crash_grace: 0.5 }
`);
    // One emulator at a time: a starved QEMU on a busy 2-core host must not look like a hang.
    first = await tandemCli(['run', scenario, '--out', runDir, '--jobs', '1'], env);
    record = read(runDir);
  });
  after(() => {
    for (const p of taggedProcesses(tag, 'qemu-system-arm')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('the run finds the three failing jobs and resolves the crash in every report', () => {
    expect(first.code, first.stderr).to.equal(1);
    expect(record.results.filter((r) => r.verdict !== 'passed').map((r) => r.job.id).sort()).to.deep.equal([...FAILING].sort());
    const crash = record.results.find((r) => r.verdict === 'crashed')!;
    expect(crash.forensics?.pc).to.include({ symbol: 'synth_k_sem_give_body', wasmLto: true });
    expect(crash.forensics?.instruction?.text).to.equal('udf #0');
    expect(crash.provenance.platform?.qemu?.machine).to.equal('lm3s6965evb');
    expect(crash.provenance.timeouts).to.deep.equal({ wallSeconds: 60, silenceSeconds: 5, crashGraceSeconds: 0.5 });
    const site = /USAGE FAULT at synth_k_sem_give_body\+0x[0-9a-f]+ \(src\/kernel\/sem_wasm\.c:\d+\) \[wasm-LTO\]: udf #0/;
    expect(first.stdout, 'terminal summary').to.match(site);
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).to.match(new RegExp(`message="${site.source}" type="crash"`));
    expect(readFileSync(join(runDir, 'results.tap'), 'utf8')).to.match(new RegExp(`crash_site: "${site.source}"`));
    // Markdown escapes _ [ ] and # with a backslash.
    const md = readFileSync(join(runDir, 'summary.md'), 'utf8').replace(/\\([_[\]#])/g, '$1');
    expect(md).to.match(site);
    expect(md).to.match(/### Crash forensics[\s\S]*-> 0x[0-9a-f]{8} {2}de00 +udf #0/);
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(html).to.match(/<a class="pc" href="#forensics-qemu_cortex_m3\.wasm\.sem"[^>]*>E: Faulting instruction address/);
    expect(html).to.include('id="forensics-qemu_cortex_m3.wasm.sem"');
  });

  it('rerun --failed boots exactly the three failing jobs again and reports them unchanged (exit 1)', async () => {
    const out = join(tmp.dir, 'rerun1');
    const r = await tandemCli(['rerun', runDir, '--failed', '--out', out, '--jobs', '1'], env);
    expect(r.code, r.stderr).to.equal(1);
    const again = read(out);
    expect(again.results.map((x) => x.job.id).sort()).to.deep.equal([...FAILING].sort());
    expect(again.rerunOf).to.deep.include({ runId: record.runId, dir: runDir });
    expect(again.results.map((x) => x.verdict).sort()).to.deep.equal(['crashed', 'failed', 'timeout']);
    for (const job of FAILING) expect(r.stdout).to.match(new RegExp(`^ {2}unchanged {2}${job.replace(/\//g, '\\/')} `, 'm'));
    const compared = read(join(out, 'compare'));
    // Still failing cases are both-fail, the cases that passed before still pass: nothing fixed, nothing worse.
    expect(new Set(compared.diff.map((d) => d.class))).to.deep.equal(new Set(['same', 'both-fail']));
    expect(compared.diff.filter((d) => d.class === 'both-fail').map((d) => d.case)).to.include.members(['sem_api.test_sem_limit_saturates', 'mutex_api_1cpu.test_mutex_priority_inheritance', 'msgq_api.test_msgq_put_until_full']);
    const boot = /first boot started (\d+\.\d+) s after the process \((\d+\.\d+) s after the command began\)/.exec(r.stdout);
    expect(boot, r.stdout).to.not.equal(null);
    console.log(`      rerun: first boot ${boot![1]} s after process start, ${boot![2]} s after the command began`);
  });

  it('after the wasm firmware is fixed and rebuilt, a changed image is refused unless --rebuilt, then the rerun says fixed', async () => {
    const kernel = join(firmware, 'src/kernel');
    // sem: the module's own fix (saturate instead of trapping); mutex and msgq: the native code.
    const sem = readFileSync(join(kernel, 'sem_wasm.c'), 'utf8');
    writeFileSync(join(kernel, 'sem_wasm.c'), sem.replace('\t\twasm_trap_unreachable();', '\t\treturn count;'));
    for (const m of ['mutex', 'msgq']) {
      const native = readFileSync(join(kernel, `${m}.c`), 'utf8');
      writeFileSync(join(kernel, `${m}.c`), native.replace(`#if !defined(CONFIG_GALE_WASM_LTO_${m.toUpperCase()})`, '#if 1'));
      writeFileSync(join(kernel, `${m}_wasm.c`), '/* fixed: the native implementation is used */\n');
    }
    for (const job of FAILING) {
      const result = record.results.find((x) => x.job.id === job)!;
      const buildDir = (result.provenance.build as { buildDir: string }).buildDir;
      await execa('cmake', ['--build', buildDir]);
    }
    const refused = await tandemCli(['rerun', runDir, '--failed', '--out', join(tmp.dir, 'refused')], env);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/image changed since run .*wasm\/sem\/zephyr\/zephyr\.elf \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\); pass --rebuilt/);

    const out = join(tmp.dir, 'rerun2');
    const r = await tandemCli(['rerun', runDir, '--failed', '--rebuilt', '--out', out, '--jobs', '1'], env);
    expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
    for (const job of FAILING) expect(r.stdout).to.match(new RegExp(`^ {2}fixed {2}${job.replace(/\//g, '\\/')} `, 'm'));
    const again = read(out);
    expect(again.results.every((x) => x.verdict === 'passed')).to.equal(true);
    const classes = new Set(read(join(out, 'compare')).diff.map((d) => d.class));
    expect(classes.has('fix')).to.equal(true);
    // Cases the earlier crash never reached pass now: `new` (that run never ran them), not `fix`.
    expect([...classes].every((c) => c === 'fix' || c === 'same' || c === 'new')).to.equal(true);
  });

  it('a gone image is a clear error, and --job/--case pick jobs by id and by case', async () => {
    const sem = record.results.find((x) => x.job.id === 'qemu_cortex_m3/native/sem')!.provenance.image!;
    renameSync(sem, `${sem}.moved`);
    try {
      const r = await tandemCli(['rerun', runDir, '--job', '*/native/sem'], env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(`image of run ${record.runId} is gone: ${sem}`);
    } finally {
      renameSync(`${sem}.moved`, sem);
    }
    const out = join(tmp.dir, 'bycase');
    const r = await tandemCli(['rerun', runDir, '--case', 'test_mutex_priority_inheritance', '--rebuilt', '--out', out, '-q'], env);
    expect(read(out).results.map((x) => x.job.id).sort()).to.deep.equal(['qemu_cortex_m3/native/mutex', 'qemu_cortex_m3/wasm/mutex']);
    expect(read(join(out, 'compare')).diff.map((d) => d.case)).to.deep.equal(['mutex_api_1cpu.test_mutex_priority_inheritance', 'mutex_api_1cpu.test_mutex_priority_inheritance']);
    expect(r.code, r.stdout).to.equal(0);
  });

  it('leaves no qemu process behind', () => {
    expect(taggedProcesses(tag, 'qemu-system-arm')).to.deep.equal([]);
  });
});
