// A full disk under the run folder (a real, small tmpfs): one clear sentence naming the file,
// exit 2, no stack trace; the journal and the logs written so far stay whole, and once there is
// room again `tandem report` rebuilds the run from them.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, RunResult } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { killTagged, newTag, taggedProcesses, tandemCli } from './helpers/procs.js';

const SIZE_KB = 1024;

function mountTmpfs(dir: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE_KB}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs here (${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}); needs root`;
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('disk full under the run folder', function () {
  this.timeout(240_000);
  const tmp = scratch('tandem-full-');
  const tag = newTag('full');
  const mnt = join(tmp.dir, 'mnt');
  let why: string | undefined;
  let scenario: string;
  before(function () {
    why = mountTmpfs(mnt);
    if (why) this.skip();
    mkdirSync(DEMO_BUILD_ROOT, { recursive: true });
    scenario = tmp.write('full.yaml', demoScenario());
  });
  after(() => {
    killTagged(tag);
    if (!why) execFileSync('umount', [mnt]);
    tmp.cleanup();
  });

  // Room for the whole journal (each result carries its image's footprint, ~8 KB) and the logs,
  // not for run.json and the other reports.
  for (const [when, roomKb] of [['mid-run, writing a console log or the journal', 48], ['at the end, writing the reports', 192]] as const) {
    it(`${when}: exit 2 naming the file; journal and logs readable; tandem report rebuilds once there is room`, async () => {
      for (const f of readdirSync(mnt)) rmSync(join(mnt, f), { recursive: true, force: true });
      const filler = join(mnt, 'filler');
      writeFileSync(filler, Buffer.alloc((SIZE_KB - roomKb) * 1024));
      const dir = join(mnt, 'run');
      // Built first, outside the tmpfs: the disk fills with the run's own files, not the builds.
      const r = await tandemCli(tag, ['run', scenario, '--out', dir, '-q']);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(new RegExp(`^tandem: cannot write ${dir}/\\S+: no space left on the device \\(ENOSPC\\); what was written before is kept in ${dir}`));
      expect(r.stderr).not.to.match(/\n\s+at |internal error/);
      expect(taggedProcesses(tag, /qemu-system-arm/)).to.deep.equal([]);
      expect(filesUnder(dir).filter((f) => f.endsWith('.tmp')), 'no temporary file left').to.deep.equal([]);

      // Every journal line is whole, and every log it names is there to read.
      const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter(Boolean);
      const journaled = lines.map((l) => JSON.parse(l) as RunResult);
      if (roomKb === 192) expect(journaled).to.have.length(8);
      for (const res of journaled) {
        if (res.log) expect(readFileSync(join(dir, res.log), 'latin1'), res.log).to.include('*** Booting Zephyr OS build');
      }
      expect(existsSync(join(dir, 'run.json'))).to.equal(false);

      rmSync(filler);
      const again = await tandemCli(tag, ['report', dir, '-q']);
      // Rebuilt from the journal: a run that did not finish, as the judge says.
      expect(again.code, again.stderr).to.equal(130);
      const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
      expect(rec.results.map((x) => x.job.id)).to.deep.equal(journaled.map((x) => x.job.id));
    });
  }

  it('`tandem report` into a full disk: exit 2, and the old reports stay complete', async () => {
    const dir = join(mnt, 'run');
    const before = readFileSync(join(dir, 'run.json'), 'utf8');
    const filler = join(mnt, 'filler2');
    writeFileSync(filler, Buffer.alloc(0));
    // Fill every last block.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
    } catch {
      // dd stops with ENOSPC: that is the point
    }
    const r = await tandemCli(tag, ['report', dir, '-q']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/cannot write .*: no space left on the device \(ENOSPC\)/);
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).to.equal(before);
    expect(filesUnder(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });
});
