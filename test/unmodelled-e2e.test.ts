// A guest stuck on a peripheral the emulator has no model for: `tandem run` on the demo
// firmware's `peripheral` suite, which starts a peripheral and waits on its ready flag forever,
// must say which address and which devicetree node the guest was stuck on. And the kernel suites
// must touch no address without a model, on QEMU and (where installed) on Renode.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import { scratch } from './helpers/tmp.js';

const run = promisify(execFile);
const TANDEM = join(REPO_ROOT, 'bin/tandem.js');
const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');
const TAG = `${process.pid}-${Date.now()}-unmodelled`;
const childEnv = { ...process.env, TANDEM_TEST_TAG: TAG };
const KERNEL_SUITES = ['basic', 'sem', 'mutex', 'msgq'];

function scenario(platforms: string[], suites: string[]): string {
  return `name: unmodelled
platforms: [${platforms.join(', ')}]
suites:
${suites.map((s) => `  - { name: ${s}, path: ${REPO_ROOT}/firmware/tests/${s} }`).join('\n')}
variants:
  - name: native
build:
  kind: cmake
  build_root: ${BUILD_ROOT}
# Host clock: the stuck guest polls the missing device so often that QEMU's own logging slows it to a
# crawl in guest time; this test is about the reason, not about which clock ends the boot.
timeouts: { wall: 60, silence: 3, crash_grace: 0.5, clock: host }
`;
}

async function tandemRun(file: string, outDir: string, jobs = 2): Promise<RunRecord> {
  await run(process.execPath, [TANDEM, 'run', file, '--out', outDir, '--jobs', String(jobs), '-q'], { maxBuffer: 16 << 20, env: childEnv }).catch(
    (err: { code?: number; stderr?: string }) => {
      // 0 and 1 are verdicts (the stuck suite is not a regression: there is no comparison); 2+ is not.
      if (typeof err.code !== 'number' || err.code > 1) throw err;
    },
  );
  return JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8')) as RunRecord;
}

/** Live emulator processes this file started (tagged through the environment). */
function ours(): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'latin1'))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`TANDEM_TEST_TAG=${TAG}`)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const byId = (record: RunRecord, id: string): RunResult => {
  const r = record.results.find((x) => x.job.id === id);
  if (!r) throw new Error(`no job ${id} in ${record.results.map((x) => x.job.id).join(', ')}`);
  return r;
};

describe('unmodelled accesses on QEMU (end to end)', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-unmodelled-');
  let record: RunRecord;
  let outDir: string;

  before(async () => {
    mkdirSync(BUILD_ROOT, { recursive: true });
    outDir = join(tmp.dir, 'out');
    record = await tandemRun(tmp.write('s.yaml', scenario(['qemu_cortex_m3'], ['peripheral', ...KERNEL_SUITES])), outDir);
  });
  after(() => {
    for (const pid of ours()) process.kill(pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('a guest polling an unimplemented device: the reason names the address and the devicetree node', () => {
    const r = byId(record, 'qemu_cortex_m3/native/peripheral');
    expect(r.verdict).to.equal('timeout');
    expect(r.reason).to.match(
      /^the guest read from 0x400fc010 \(`hibernation@400fc000`, not modelled on qemu_cortex_m3\) and then stopped printing; no console output for 3 s/,
    );
    const read = r.unmodelled!.find((a) => a.access === 'read')!;
    expect(read).to.include({ address: '0x400fc010', width: 4, region: 'hibernation', node: 'hibernation@400fc000', nodeStatus: 'okay' });
    expect(read.count).to.be.greaterThan(100);
    expect(r.unmodelled!.find((a) => a.access === 'write')).to.include({ address: '0x400fc010', value: '0x40', count: 1 });
  });

  it('every report shows it', () => {
    expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).to.contain('### Unmodelled accesses (1 job)');
    expect(readFileSync(join(outDir, 'junit.xml'), 'utf8')).to.match(/<property name="unmodelled" value="read 0x400fc010 ×\d+ \(4 B; `hibernation@400fc000`/);
    expect(readFileSync(join(outDir, 'results.tap'), 'utf8')).to.match(/unmodelled:\n\s+- read 0x400fc010/);
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).to.contain('<details class="unmodelled" open>');
  });

  it('no kernel suite boot touches an address QEMU has no model for', () => {
    for (const suite of KERNEL_SUITES) {
      const r = byId(record, `qemu_cortex_m3/native/${suite}`);
      expect(r.verdict, suite).to.equal('passed');
      expect(r.unmodelled, suite).to.equal(undefined);
    }
  });

  it('leaves no QEMU and no log FIFO behind', () => {
    expect(ours()).to.deep.equal([]);
    expect(existsSync(join(outDir, '.work'))).to.equal(false);
  });
});

const RENODE = locateRenode();
const SKIP = RENODE ? undefined : 'needs Renode: set TANDEM_RENODE or put renode on PATH';

describe('unmodelled accesses on Renode, nucleo_g474re (end to end)' + (SKIP ? ` (skipped: ${SKIP})` : ''), function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-unmodelled-renode-');
  let record: RunRecord;
  let noRng: RunRecord;

  before(async function () {
    if (SKIP) this.skip();
    mkdirSync(BUILD_ROOT, { recursive: true });
    record = await tandemRun(tmp.write('s.yaml', scenario(['nucleo_g474re'], ['peripheral', ...KERNEL_SUITES])), join(tmp.dir, 'out'));
    // The board without its RNG: a test variant of the .repl, never a board of the project.
    const repl = readFileSync(join(REPO_ROOT, 'boards/nucleo_g474re.repl'), 'utf8');
    const withoutRng = repl
      .replace(/^\/\/ tandem-include: (.*)$/gm, (_, rel: string) => `// tandem-include: ${join(REPO_ROOT, 'boards', rel)}`)
      .replace(/^rng: [^\n]*\n(?:[ \t]+[^\n]*\n)*/m, '');
    expect(withoutRng).to.not.match(/^rng:/m);
    const replPath = tmp.write('boards/nucleo_g474re_norng.repl', withoutRng);
    const platform = readFileSync(join(REPO_ROOT, 'platforms/nucleo_g474re.yaml'), 'utf8')
      .replace(/^name: .*$/m, 'name: nucleo_g474re_norng')
      .replace(/^  repl: .*$/m, `  repl: ${replPath}`);
    tmp.write('platforms/nucleo_g474re_norng.yaml', platform);
    // One worker: `basic` runs next on the machine the stuck guest leaves (reset and reused).
    noRng = await tandemRun(tmp.write('norng.yaml', scenario(['nucleo_g474re_norng'], ['peripheral', 'basic'])), join(tmp.dir, 'out-norng'), 1);
  });
  after(() => {
    for (const pid of ours()) process.kill(pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('the RNG answers as the silicon does: the peripheral suite passes', () => {
    const r = byId(record, 'nucleo_g474re/native/peripheral');
    expect(r.verdict, r.reason).to.equal('passed');
    expect(r.unmodelled).to.equal(undefined);
  });

  it('no kernel suite boot leaves a "non existing peripheral" warning', () => {
    for (const suite of KERNEL_SUITES) {
      const r = byId(record, `nucleo_g474re/native/${suite}`);
      expect(r.verdict, `${suite}: ${r.reason}`).to.equal('passed');
      expect(r.unmodelled, suite).to.equal(undefined);
    }
  });

  it('without the RNG model the reason names `rng@50060800`', () => {
    const r = byId(noRng, 'nucleo_g474re_norng/native/peripheral');
    expect(r.verdict).to.equal('timeout');
    expect(r.reason).to.match(/^the guest (read from|wrote to) 0x5006080[04] \(`rng@50060800`, not modelled on nucleo_g474re_norng\) and then stopped printing/);
    expect(r.unmodelled!.some((a) => a.address === '0x50060800' && a.access === 'write' && a.pc)).to.equal(true);
  });

  it("a stuck boot's warnings stay with it: the next image on the reused machine has none", () => {
    const stuck = byId(noRng, 'nucleo_g474re_norng/native/peripheral');
    const next = byId(noRng, 'nucleo_g474re_norng/native/basic');
    expect(Date.parse(next.startedAt)).to.be.greaterThan(Date.parse(stuck.startedAt));
    expect(next.verdict).to.equal('passed');
    expect(next.unmodelled).to.equal(undefined);
  });

  it('leaves no Renode behind', () => {
    expect(ours()).to.deep.equal([]);
  });
});
