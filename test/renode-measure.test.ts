// The DWT cycle counter of boards/nucleo_g474re.repl, read by the demo bench in Renode through
// `tandem run`: figures that count, and count virtual time at the repl's frequency. Skipped, with
// the reason, where Renode is not installed (CI has none).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RunRecord } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import { REPO_ROOT } from '../harness/version.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { tandemCli, taggedProcesses, testTag } from './helpers/tandem-cli.js';
import { scratch } from './helpers/tmp.js';

const SKIP_REASON = locateRenode() ? undefined : 'needs Renode: set TANDEM_RENODE or put renode on PATH';

describe('renode: the G474 cycle counter, read by the demo bench' + (SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''), function () {
  this.timeout(300_000);
  const { tag, env } = testTag();
  const tmp = scratch('tandem-renode-measure-');
  let record: RunRecord;
  let code: number;

  before(async function () {
    if (SKIP_REASON) this.skip();
    const text = demoScenario({ name: 'dwt', suites: ['bench'], buildRoot: DEMO_BUILD_ROOT }).replace('platforms: [qemu_cortex_m3]', 'platforms: [nucleo_g474re]');
    const dir = join(tmp.dir, 'out');
    ({ code } = await tandemCli(['run', tmp.write('dwt.yaml', text), '--out', dir, '--jobs', '1'], env));
    record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
  });
  after(() => {
    for (const p of taggedProcesses(tag, 'Renode')) process.kill(p.pid, 'SIGKILL');
    tmp.cleanup();
  });

  it('every call costs cycles on both sides, compared with a ratio, and no note says the counter is missing', () => {
    expect(code).to.equal(0);
    const [d] = record.measures!.records!;
    expect(d!.platform).to.equal('nucleo_g474re');
    expect(d!.rows).to.have.length(6);
    for (const r of d!.rows) {
      expect(r.baseline, r.key).to.be.greaterThan(0);
      expect(r.candidate, r.key).to.be.greaterThan(0);
      expect(r.ratio, r.key).to.equal(Math.round((r.candidate! / r.baseline!) * 10000) / 10000);
    }
    expect(d!.note).to.equal(undefined);
    expect(record.results.every((r) => r.records?.note === undefined)).to.equal(true);
  });

  it('counts virtual time at the repl frequency: with timing fast each instruction is frequency/MIPS counts', () => {
    const repl = readFileSync(join(REPO_ROOT, 'boards/nucleo_g474re.repl'), 'utf8');
    const frequency = Number(/^dwt: Miscellaneous\.DWT @ sysbus 0xE0001000\s*\n\s*frequency: (\d+)/m.exec(repl)![1]);
    const platform = parseYaml(readFileSync(join(REPO_ROOT, 'platforms/nucleo_g474re.yaml'), 'utf8')) as { clock_hz: number; renode: { timing: string; mips: { fast: number } } };
    expect(frequency, 'the core clock the guest programs').to.equal(platform.clock_hz);
    expect(platform.renode.timing).to.equal('fast');
    const perInstruction = frequency / (platform.renode.mips.fast * 1e6);
    // A difference of two readings, less the reading overhead: whole instructions, to within the
    // counter's rounding down of each reading (one count).
    for (const r of record.results.flatMap((x) => x.records!.rows)) {
      const cyc = Number(r.values['cyc']);
      const instructions = Math.round(cyc / perInstruction);
      expect(Math.abs(cyc - instructions * perInstruction), `${r.values['op']} ${cyc}`).to.be.at.most(1);
    }
  });
});
