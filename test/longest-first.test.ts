// Longest first: earlier runs' job times, and a pool that gives a freed slot to the longest job.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDurations, durationsProblem, emptyDurations, expectedMs, loadDurations, priorityLimit } from '../harness/run/longest-first.js';
import type { RunResult } from '../harness/domain.js';
import { scratch } from './helpers/tmp.js';

const res = (id: string, wallMs: number, sha?: string): RunResult =>
  ({ job: { id, platform: id.split('/')[0]!, suite: 's', variant: 'v', emulator: 'qemu', attempt: 1 }, verdict: 'passed', wallMs, provenance: sha ? { imageSha256: sha } : {} }) as unknown as RunResult;

describe('run: longest first', () => {
  it('expected time by platform and image hash first, by job id otherwise; skipped jobs teach nothing', () => {
    const idx = addDurations(emptyDurations(), { results: [res('q/v/a', 900, 'aa'), res('q/v/b', 50), { ...res('q/v/c', 0), verdict: 'skipped' } as RunResult] });
    expect(expectedMs(idx, 'q/v/renamed', 'q', 'aa')).to.equal(900);
    expect(expectedMs(idx, 'q/v/b', 'q', 'other')).to.equal(50);
    expect(expectedMs(idx, 'q/v/b#2', 'q')).to.equal(50);
    expect(expectedMs(idx, 'q/v/c', 'q')).to.equal(undefined);
    expect(expectedMs(idx, 'r/v/a', 'r', 'aa')).to.equal(undefined);
  });

  it('reads the newest runs of the reports root (not the run being written) and --durations files', () => {
    const tmp = scratch('tandem-dur-');
    try {
      const put = (dir: string, results: RunResult[]) => {
        mkdirSync(join(tmp.dir, dir), { recursive: true });
        writeFileSync(join(tmp.dir, dir, 'run.json'), JSON.stringify({ results }));
        return join(tmp.dir, dir, 'run.json');
      };
      put('old', [res('q/v/a', 100)]);
      put('broken', []);
      writeFileSync(join(tmp.dir, 'broken', 'run.json'), '{ not json');
      put('current', [res('q/v/a', 1)]);
      const extra = put('elsewhere/x', [res('q/v/z', 7000)]);
      const idx = loadDurations(tmp.dir, [extra], join(tmp.dir, 'current'));
      expect(expectedMs(idx, 'q/v/a', 'q')).to.equal(100);
      expect(expectedMs(idx, 'q/v/z', 'q')).to.equal(7000);
    } finally {
      tmp.cleanup();
    }
  });

  it('a damaged record teaches nothing and says so, naming the file: the others still count', () => {
    expect(durationsProblem({ results: 5 })).to.equal("'results' is not a list (5)");
    expect(durationsProblem({ results: [{ ...res('q/v/a', 1), job: null }] })).to.equal('results[0].job is null');
    expect(durationsProblem({ results: [{ ...res('q/v/a', 1), wallMs: '3' }] })).to.equal('results[0].wallMs is not a number');
    expect(durationsProblem({ results: [res('q/v/a', 1), { ...res('q/v/b', 1), provenance: { imageSha256: 7 } }] })).to.equal('results[1].provenance.imageSha256 is not a string');
    expect(durationsProblem([])).to.equal('is not a JSON object');
    expect(durationsProblem({})).to.equal("'results' is missing");
    expect(durationsProblem({ results: [res('q/v/a', 1, 'aa')] })).to.equal(undefined);

    const tmp = scratch('tandem-dur-');
    try {
      const put = (dir: string, body: unknown) => tmp.write(`${dir}/run.json`, typeof body === 'string' ? body : JSON.stringify(body));
      put('good', { results: [res('q/v/a', 100)] });
      const five = put('five', { results: 5 });
      const nullJob = put('null-job', { results: [{ ...res('q/v/b', 200), job: null }] });
      const text = put('text', '{ half-written');
      const flag = tmp.write('elsewhere/x/run.json', JSON.stringify({ results: [{ ...res('q/v/c', 300), job: null }] }));
      const warnings: Array<[string, string]> = [];
      const idx = loadDurations(tmp.dir, [flag, join(tmp.dir, 'missing.json')], undefined, (file, why) => warnings.push([file, why]));
      expect(expectedMs(idx, 'q/v/a', 'q')).to.equal(100);
      expect(expectedMs(idx, 'q/v/b', 'q')).to.equal(undefined);
      expect(new Map(warnings)).to.deep.equal(new Map([
        [five, "'results' is not a list (5)"],
        [nullJob, 'results[0].job is null'],
        [text, warnings.find(([f]) => f === text)![1]],
        [flag, 'results[0].job is null'],
        [join(tmp.dir, 'missing.json'), 'not found'],
      ]));
      expect(warnings.find(([f]) => f === text)![1]).to.match(/^not JSON \(/);
      expect(warnings).to.have.length(5);
    } finally {
      tmp.cleanup();
    }
  });

  it('a freed slot goes to the longest waiting job; unknown (Infinity) first; never more than N at once', async () => {
    const run = priorityLimit(2);
    const order: string[] = [];
    let live = 0;
    let peak = 0;
    const task = (name: string, ms: number) => async () => {
      live++;
      peak = Math.max(peak, live);
      order.push(name);
      await new Promise((r) => setTimeout(r, ms));
      live--;
    };
    await Promise.all([
      run(10, task('short1', 20)),
      run(30_000, task('longest', 20)),
      run(Infinity, task('unknown', 20)),
      run(50, task('medium', 20)),
      run(10, task('short2', 20)),
    ]);
    expect(order).to.deep.equal(['unknown', 'longest', 'medium', 'short1', 'short2']);
    expect(peak).to.equal(2);
  });
  it('gathering: the first slots wait until every job has arrived, so a long job ready last still starts first', async () => {
    const run = priorityLimit(1, { jobs: 3, maxMs: 10_000 });
    const order: string[] = [];
    const task = (name: string) => async () => void order.push(name);
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const t0 = Date.now();
    await Promise.all([
      run(10, task('short, ready first'), 0),
      later(20).then(() => run.arrived(1)), // a job that never boots (a build error) arrives too
      later(40).then(() => run(5_000, task('long, ready last'), 2)),
    ]);
    expect(order).to.deep.equal(['long, ready last', 'short, ready first']);
    expect(Date.now() - t0).to.be.lessThan(5_000); // released by the last arrival, not the timer
  });

  it('gathering gives up after maxMs: a job still building does not hold the ready ones', async () => {
    const run = priorityLimit(1, { jobs: 2, maxMs: 30 });
    const order: string[] = [];
    await run(10, async () => void order.push('ready'), 0);
    expect(order).to.deep.equal(['ready']);
  });
});
