// Damaged input and bugs, as a new user on a shared machine meets them: run folders edited,
// copied and half-written next to the one being written; counts typed wrong; an internal error.
// Each ends in a clear line (and the exit code it documents), never a stack trace on the terminal.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/version.js';
import { INTERNAL_ERROR_FILE } from '../harness/commands/internal-error.js';
import { RUN_LOCK_FILE } from '../harness/run/lock.js';
import { scratch } from './helpers/tmp.js';
import { DEMO_BUILD_ROOT, demoScenario } from './helpers/demo.js';
import { TANDEM, killTagged, newTag, taggedProcesses, tandemCli, type Outcome } from './helpers/procs.js';

const execFileP = promisify(execFile);
const STACK_LINE = /^\s+at /m;

describe('damaged input and internal errors', function () {
  this.timeout(300_000);
  const tmp = scratch('tandem-damaged-');
  const tag = newTag('damaged');
  before(() => mkdirSync(DEMO_BUILD_ROOT, { recursive: true }));
  after(() => {
    killTagged(tag);
    tmp.cleanup();
  });

  it('a malformed run.json beside the --out folder, or given with --durations, is skipped with one line naming it', async () => {
    const file = tmp.write('basic.yaml', demoScenario({ suites: ['basic'] }));
    const five = tmp.write('reports/copied/run.json', '{"results": 5}');
    const nullJob = tmp.write('reports/edited/run.json', JSON.stringify({ results: [{ job: null, verdict: 'passed', wallMs: 5 }] }));
    const given = tmp.write('elsewhere/run.json', JSON.stringify({ results: [{ job: null }] }));
    const r = await tandemCli(tag, ['run', file, '--out', join(tmp.dir, 'reports/now'), '--durations', given, '-q']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).not.to.match(STACK_LINE);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('tandem: ignoring'));
    expect(warnings.sort()).to.deep.equal([
      `tandem: ignoring ${display(five)} for the longest-first order: 'results' is not a list (5)`,
      `tandem: ignoring ${display(nullJob)} for the longest-first order: results[0].job is null`,
      `tandem: ignoring ${display(given)} for the longest-first order: results[0].job is null`,
    ].sort());
  });

  it('counts are whole numbers in digits, within a bound that says why; nothing is left behind', async () => {
    const file = tmp.write('basic2.yaml', demoScenario({ suites: ['basic'] }));
    const out = join(tmp.dir, 'bounded');
    const cases: Array<[string[], RegExp]> = [
      [['--repeat', '99999999999'], /^tandem: --repeat 99999999999 is too many: at most 1000 \(every attempt boots every job once more/],
      [['--repeat', '1e3'], /^tandem: --repeat needs a whole number from 1 to 1000, in digits \(got '1e3'; write 1000\)$/],
      [['--repeat', '0x10'], /in digits \(got '0x10'; write 16\)$/],
      [['--repeat', '2.5'], /in digits \(got '2\.5'\)$/],
      [['--jobs', '1000'], /^tandem: --jobs 1000 is too many: at most \d+ \(each job is an emulator process of its own/],
      [['--jobs', '0'], /^tandem: --jobs needs a whole number from 1 to \d+ \(got '0'\)$/],
      [['--build-jobs=-3'], /^tandem: --build-jobs needs a whole number from 1 to \d+, in digits \(got '-3'\)$/],
    ];
    for (const [args, message] of cases) {
      const r = await tandemCli(tag, ['run', file, '--out', out, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim(), args.join(' ')).to.match(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
    }
    expect(existsSync(out), 'refused before the run folder is made').to.equal(false);
  });

  it('an --out that cannot be a folder is a usage error, not a crash', async () => {
    const file = tmp.write('basic3.yaml', demoScenario({ suites: ['basic'] }));
    const blocker = tmp.write('a-file', 'x');
    for (const out of [blocker, join(blocker, 'sub')]) {
      const r = await tandemCli(tag, ['run', file, '--out', out]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/cannot be a run folder: (a file of that name is in the way|part of that path is a file); choose another --out/);
      expect(r.stderr).not.to.match(STACK_LINE);
    }
  });

  it('an internal error mid-run: exit 70, one line naming what failed, the stack trace in the run folder, the lock released, no emulator left', async () => {
    // A bug injected where a run is in full flight: the journal append after the first job.
    const file = tmp.write('hang.yaml', demoScenario({ suites: ['basic', 'msgq'], silence: 120, clock: 'host' }));
    const out = join(tmp.dir, 'alone', 'internal');
    const r = await cliWith(['--import', join(REPO_ROOT, 'test/fixtures/inject/journal-bug.mjs')], ['run', file, '--out', out, '--jobs', '2', '-q']);
    expect(r.code, r.stderr).to.equal(70);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^tandem: internal error: TypeError: Cannot read properties of null \(reading 'platform'\) \(in \S+\); stack trace in \S+internal-error\.txt\. This is a bug in tandem: please report it with that file\.$/);
    const trace = readFileSync(join(out, INTERNAL_ERROR_FILE), 'utf8');
    expect(trace).to.match(/^tandem \S+, node v\d+/);
    expect(trace).to.include(`$ tandem run ${file} --out ${out} --jobs 2 -q`);
    expect(trace).to.match(/TypeError: Cannot read properties of null \(reading 'platform'\)\n\s+at /);
    expect(existsSync(join(out, RUN_LOCK_FILE)), 'the lock is released').to.equal(false);
    expect(taggedProcesses(tag, /qemu-system-arm/)).to.deep.equal([]);
  });

  async function cliWith(nodeArgs: string[], args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await execFileP(process.execPath, [...nodeArgs, TANDEM, ...args], { env: tag.env, maxBuffer: 16 << 20 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
});

/** As tandem names a file: relative to where it runs. */
function display(p: string): string {
  return relative(process.cwd(), p) || p;
}
