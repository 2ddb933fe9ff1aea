// Ctrl-C while images build and while reports are written: exit 130, and nothing half-written is
// left looking complete — no build stamp for an unfinished build (the next run builds it again),
// no report file cut short (each is written aside and renamed), no temporary file left behind.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../harness/domain.js';
import { STAMP_FILE } from '../harness/build/cache.js';
import { REPORT_FILES } from '../harness/report/index.js';
import { scratch } from './helpers/tmp.js';
import { demoScenario } from './helpers/demo.js';
import { killTagged, newTag, taggedProcesses, tandemChild, tandemCli, waitFor } from './helpers/procs.js';

function stampsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(STAMP_FILE));
}

/** Each report present reads back whole in its own format. */
function checkWhole(dir: string): string[] {
  const present: string[] = [];
  for (const [format, name] of Object.entries(REPORT_FILES)) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    present.push(name);
    const text = readFileSync(path, 'utf8');
    if (format === 'json' || format === 'twister') JSON.parse(text);
    if (format === 'junit') execFileSync('xmllint', ['--noout', path]);
    if (format === 'html') expect(text.trimEnd().endsWith('</html>'), name).to.equal(true);
    if (format === 'tap') {
      const plan = Number(/^TAP version 14\n1\.\.(\d+)\n/.exec(text)?.[1]);
      expect(text.match(/^(not )?ok \d+/gm)?.length, name).to.equal(plan);
    }
  }
  return present;
}

describe('Ctrl-C during the build and during report writing', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-sigint-');
  const tag = newTag('sigint');
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('during the build: exit 130, the build is stopped, no stamp; the next run builds it again', async () => {
    const buildRoot = join(tmp.dir, 'build');
    const file = tmp.write('build.yaml', demoScenario({ suites: ['basic', 'sem'], buildRoot }));
    const dir = join(tmp.dir, 'during-build');
    const run = tandemChild(tag, ['run', file, '--out', dir]);
    await waitFor(`a compiler or cmake at work; tandem said:\n${run.output()}`, () => taggedProcesses(tag, /cmake|ninja|arm-none-eabi|cc1/).length > 0, 120_000, 20);
    run.child.kill('SIGINT');
    const { code } = await run.done;
    expect(code, run.output()).to.equal(130);
    await waitFor('build processes to end', () => taggedProcesses(tag, /cmake|ninja|arm-none-eabi|cc1/).length === 0, 10_000);
    expect(stampsUnder(buildRoot), 'an interrupted build must not look finished').to.deep.equal([]);
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    expect(rec.interrupted).to.equal(true);
    expect(rec.results.filter((r) => r.verdict === 'passed')).to.deep.equal([]);
    checkWhole(dir);

    const again = await tandemCli(tag, ['run', file, '--out', join(tmp.dir, 'after-build'), '--suite', 'basic', '--variant', 'native', '--allow-incomplete', '-q']);
    expect(again.code, again.stderr).to.equal(0);
    const log = readFileSync(join(tmp.dir, 'after-build/logs/qemu_cortex_m3/native/basic.build.log'), 'utf8');
    expect(log).to.match(/^tandem: (no cached build in this folder|cache miss)/);
    expect(log).to.match(/tandem: built; cache key/);
  });

  it('during report writing: exit 130, every report present is whole, no temporary file', async () => {
    const dir = join(tmp.dir, 'during-report');
    const file = tmp.write('report.yaml', demoScenario({ suites: ['basic'], buildRoot: join(tmp.dir, 'build') }));
    const first = await tandemCli(tag, ['run', file, '--out', dir, '-q']);
    expect(first.code, first.stderr).to.equal(0);
    // A big record (1000 suites) makes each report take long enough to be interrupted in the middle.
    const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunRecord;
    const base = rec.results;
    rec.results = [];
    for (let i = 0; i < 500; i++) for (const r of base) rec.results.push({ ...r, job: { ...r.job, id: `${r.job.id}${i}`, suite: `${r.job.suite}${i}` } });
    rec.summary.jobs = rec.results.length;
    writeFileSync(join(dir, 'run.json'), JSON.stringify(rec));
    for (const name of Object.values(REPORT_FILES)) if (name !== 'run.json') rmSync(join(dir, name), { force: true });

    const report = tandemChild(tag, ['report', dir, '-q']);
    await waitFor(`a report being written; tandem said:\n${report.output()}`, () => readdirSync(dir).some((f) => f.endsWith('.tmp')), 120_000, 2);
    report.child.kill('SIGINT');
    const { code } = await report.done;
    expect(code, report.output()).to.equal(130);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const present = checkWhole(dir);
    expect(present.length, `interrupted in the middle: ${present.join(', ')}`).to.be.lessThan(Object.keys(REPORT_FILES).length);
    expect(report.output()).to.match(/SIGINT while writing reports: stopped/);
  });
});
