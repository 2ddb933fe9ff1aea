// A guest that hammers an address no model answers, on Renode (nucleo_g474re): the demo firmware's
// `hammer` suite writes 2 million times, alternating between two words, as the deadlocked Zephyr
// poll image of issue 17 wrote 0x0 and 0x4. Each write used to be a `non existing peripheral`
// warning Renode formatted, flushed and tandem parsed (minutes for such a guest); now the board's
// counter (boards/models/UnmodelledSpace.cs) answers and counts them. What it costs is measured in
// `npm run bench -- hammer`; here: the counts are exact, and 0x0 is the boot memory alias.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { locateRenode } from '../harness/emulators/renode/index.js';
import { scratch } from './helpers/tmp.js';
import { TANDEM, killTagged, newTag, taggedProcesses } from './helpers/procs.js';

const run = promisify(execFile);
const BUILD_ROOT = join(REPO_ROOT, 'build/test-e2e');
const RENODE = locateRenode();
const SKIP = RENODE ? undefined : 'needs Renode: set TANDEM_RENODE or put renode on PATH';
const WRITES = 2_000_000;

describe(`a guest hammering unmodelled addresses on Renode${SKIP ? ` (skipped: ${SKIP})` : ''}`, function () {
  this.timeout(600_000);
  const tmp = scratch('tandem-hammer-');
  const tag = newTag('hammer');
  let record: RunRecord;
  const job = (variant: string): RunResult => record.results.find((r) => r.job.variant === variant)!;

  before(async function () {
    if (SKIP) this.skip();
    mkdirSync(BUILD_ROOT, { recursive: true });
    const file = tmp.write('hammer.yaml', `name: hammer
platforms: [nucleo_g474re]
suites:
  - { name: hammer, path: ${REPO_ROOT}/firmware/tests/hammer }
variants:
  - { name: adc, kconfig: [CONFIG_HAMMER_WRITES=${WRITES}] }
  - { name: boot, kconfig: [CONFIG_HAMMER_WRITES=${WRITES}, CONFIG_HAMMER_ADDRESS=0x0] }
build: { kind: cmake, build_root: ${BUILD_ROOT} }
timeouts: { wall: 600, silence: 600, crash_grace: 0.5 }
`);
    const out = join(tmp.dir, 'out');
    // One worker: the second image runs on the machine the first leaves (reset and reused).
    await run(process.execPath, [TANDEM, 'run', file, '--out', out, '--jobs', '1', '-q'], { env: tag.env, maxBuffer: 16 << 20 }).catch((err: { code?: number }) => {
      if (err.code !== 1) throw err;
    });
    record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord;
  });
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('every write to ADC1 (no model on this board) is counted, per address, with its PC and value', () => {
    const r = job('adc');
    expect(r.verdict, r.reason).to.equal('passed');
    expect(r.unmodelled?.map(({ address, access, width, count, value }) => ({ address, access, width, count, value }))).to.deep.equal([
      { address: '0x50000004', access: 'write', width: 4, count: WRITES / 2, value: '0x0' },
      { address: '0x50000000', access: 'write', width: 4, count: WRITES / 2, value: '0x0' },
    ]);
    for (const a of r.unmodelled!) expect(a.pc, a.address).to.match(/^0x80[0-9a-f]{5}$/);
  });

  it('0x0 and 0x4 are the boot memory alias: flash read through it, stores ignored with PGSERR, nothing unmodelled', () => {
    const r = job('boot');
    expect(r.verdict, r.reason).to.equal('passed');
    expect(r.cases.map((c) => [c.name, c.status])).to.deep.equal([['test_boot_alias', 'pass'], ['test_hammer_writes', 'pass']]);
    expect(r.unmodelled).to.equal(undefined);
  });

  it('leaves no Renode behind', () => {
    expect(taggedProcesses(tag, /renode|mono|Renode/i)).to.deep.equal([]);
  });
});
