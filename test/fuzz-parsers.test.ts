// Fuzzing what reads untrusted text: the ztest console parser (with its fault-dump reading), the
// line splitter in front of it, and the YAML readers (scenario, platform, testcase.yaml). Inputs are
// real Zephyr console logs and YAML files, mutated, plus pure random bytes: thousands of cases,
// none may throw anything but the readers' own ConfigError. Seeded, so a failure replays exactly.
// It found a line splitter that let lines past its cut, and three regexes that took seconds on one
// hostile line (a lazy group before \s*$, /\r+$/, the banner's version) and so stalled every job.
import { expect } from 'chai';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseStatus, RunEnd } from '../harness/domain.js';
import { REPO_ROOT } from '../harness/version.js';
import { ZtestParser, describeEnd } from '../harness/ztest/parser.js';
import { isNotableLine } from '../harness/ztest/grammar.js';
import { LineSplitter, MAX_LINE } from '../harness/run/line-splitter.js';
import { verdictOf } from '../harness/run/verdict.js';
import { ConfigError, parseYaml } from '../harness/scenario/yaml-reader.js';
import { parseTestcaseYaml } from '../harness/zephyr/testcase.js';

const SEED = Number(process.env.TANDEM_FUZZ_SEED ?? 0x7a4d3e);
const CASES = Number(process.env.TANDEM_FUZZ_CASES ?? 2000);
const STATUSES: readonly CaseStatus[] = ['pass', 'fail', 'skip', 'blocked', 'crash', 'timeout'];

/** mulberry32: small, fast, good enough to drive mutations reproducibly. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]) => xs[int(xs.length)]! };
}
type Rng = ReturnType<typeof rng>;

function filesUnder(dir: string, match: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).filter((f) => match.test(f)).map((f) => join(dir, f));
}

// The words the parser looks for, so mutations reach its branches and not only its default path.
const KEYWORDS = [
  '*** Booting Zephyr OS build v3.5.99 ***', 'Running TESTSUITE x', 'START - test_a', ' PASS - test_a in 0.001 seconds',
  ' FAIL - test_a in 0.010 seconds', ' SKIP - test_a in 0.000 seconds', 'TESTSUITE x succeeded', 'TESTSUITE x failed',
  'PROJECT EXECUTION SUCCESSFUL', 'PROJECT EXECUTION FAILED', '>>> ZEPHYR FATAL ERROR 0: CPU exception on CPU 0',
  'E: ***** USAGE FAULT *****', 'E: r0/a1:  0x00000000  r1/a2:  0x00000001  r2/a3:  0x00000002', 'E: Faulting instruction address (r15/pc): 0x0000',
  'E: Current thread: 0x20000000 (test_a)', 'E: Halting system', 'Assertion failed at x.c:1: test_a: (1 == 2)', 'Caught system error -- reason 0 1',
  ' - PASS - [x.test_a] duration = 0.001 seconds', 'SUITE PASS - 100.00% [x]: pass = 1, fail = 0, skip = 0, total = 1 duration = 0.001 seconds',
  '------ TESTSUITE SUMMARY START ------', '===================================================================', 'START - ', ' PASS - ', '>>> ZEPHYR FATAL ERROR',
];

function mutate(r: Rng, base: Buffer, corpus: readonly Buffer[]): Buffer {
  let b = Buffer.from(base);
  for (let n = 1 + r.int(6); n > 0; n--) {
    switch (r.int(9)) {
      case 0: // flip bytes
        for (let k = r.int(20); k > 0 && b.length; k--) b[r.int(b.length)] = r.int(256);
        break;
      case 1: { // insert random bytes
        const at = r.int(b.length + 1);
        const junk = Buffer.from(Array.from({ length: r.int(512) }, () => r.int(256)));
        b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
        break;
      }
      case 2: { // delete a range
        const at = r.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + r.int(2048))]);
        break;
      }
      case 3: // truncate
        b = b.subarray(0, r.int(b.length + 1));
        break;
      case 4: { // shuffle, duplicate or drop lines
        const lines = b.toString('latin1').split('\n');
        for (let k = r.int(10); k > 0 && lines.length > 1; k--) {
          const i = r.int(lines.length);
          const j = r.int(lines.length);
          if (r.next() < 0.4) [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          else if (r.next() < 0.5) lines.splice(j, 0, lines[i]!);
          else lines.splice(i, 1);
        }
        b = Buffer.from(lines.join('\n'), 'latin1');
        break;
      }
      case 5: { // a keyword, maybe cut short or with a tail
        const at = r.int(b.length + 1);
        let k = r.pick(KEYWORDS);
        if (r.next() < 0.3) k = k.slice(0, r.int(k.length + 1));
        if (r.next() < 0.3) k += String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0x3000)));
        b = Buffer.concat([b.subarray(0, at), Buffer.from(`\r\n${k}\r\n`), b.subarray(at)]);
        break;
      }
      case 6: { // splice in another log
        const other = r.pick(corpus);
        const from = r.int(other.length + 1);
        const at = r.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + r.int(8192)), b.subarray(at)]);
        break;
      }
      case 7: { // a line longer than the splitter's cut
        const at = r.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, at), Buffer.alloc(MAX_LINE + r.int(MAX_LINE), r.pick([0x41, 0x3c, 0xff, 0x00, 0x0d])), b.subarray(at)]);
        break;
      }
      default: // pure random
        b = Buffer.from(Array.from({ length: r.int(4096) }, () => r.int(256)));
    }
  }
  return b;
}

function randomEnd(r: Rng): RunEnd {
  return r.pick<RunEnd>([
    { kind: 'project', success: r.next() < 0.5 }, { kind: 'fatal', reason: 'CPU exception' }, { kind: 'silence', seconds: 3 },
    { kind: 'wall', seconds: 60 }, { kind: 'exit', code: r.int(3), signal: r.next() < 0.5 ? 'SIGKILL' : null }, { kind: 'aborted' },
  ]);
}

describe(`fuzz: parsers of untrusted text (seed ${SEED}, TANDEM_FUZZ_SEED to replay)`, function () {
  this.timeout(180_000);
  const logs = [
    ...filesUnder(join(REPO_ROOT, 'test/fixtures/zephyr-logs'), /\.log$/),
    ...filesUnder('/work/shared/zephyr-logs', /\.log$/),
  ].map((f) => readFileSync(f));
  const yamls = [
    ...filesUnder(join(REPO_ROOT, 'scenarios'), /\.ya?ml$/),
    ...filesUnder(join(REPO_ROOT, 'platforms'), /\.ya?ml$/),
    ...filesUnder(join(REPO_ROOT, 'firmware/tests'), /testcase\.yaml$/),
    ...filesUnder(join(REPO_ROOT, 'test/fixtures/zephyr'), /\.ya?ml$/),
  ].map((f) => readFileSync(f));

  it(`the console parser and line splitter: ${CASES} mutated real logs and random bytes, chunked at random`, () => {
    expect(logs.length, 'real Zephyr logs to start from').to.be.greaterThan(5);
    const r = rng(SEED);
    let lines = 0;
    let cases = 0;
    for (let n = 0; n < CASES; n++) {
      const input = mutate(r, r.pick(logs), logs);
      const parser = new ZtestParser();
      try {
        const splitter = new LineSplitter((line) => {
          expect(line.length).to.be.at.most(MAX_LINE);
          expect(line.includes('\n')).to.equal(false);
          lines++;
          for (const ev of parser.push(line)) expect(ev.type).to.be.a('string');
          expect(isNotableLine(line)).to.be.a('boolean'); // what the HTML report runs on every line
        });
        for (let at = 0; at < input.length; ) {
          const size = 1 + r.int(r.next() < 0.1 ? 1 << 16 : 300);
          splitter.push(input.subarray(at, at + size));
          at += size;
        }
        splitter.flush();
        const end = randomEnd(r);
        const parsed = parser.finish(end);
        for (const c of parsed.cases) expect(STATUSES, JSON.stringify(c)).to.include(c.status);
        cases += parsed.cases.length;
        expect(verdictOf(end, parsed.cases)).to.be.a('string');
        expect(describeEnd(end, parsed.fatal)).to.be.a('string');
      } catch (err) {
        throw new Error(`case ${n} (seed ${SEED}): ${(err as Error).stack}\ninput head: ${JSON.stringify(input.subarray(0, 300).toString('latin1'))}`);
      }
    }
    expect(lines).to.be.greaterThan(CASES * 10);
    expect(cases, 'mutated logs still yield cases: the mutations keep reaching the parser').to.be.greaterThan(CASES);
  });

  it(`the YAML readers: ${Math.round(CASES / 4)} mutated scenarios, platforms and testcase.yaml files fail only with ConfigError`, () => {
    expect(yamls.length).to.be.greaterThan(5);
    const r = rng(SEED + 1);
    let rejected = 0;
    for (let n = 0; n < CASES / 4; n++) {
      const text = mutate(r, r.pick(yamls), yamls).toString(r.next() < 0.5 ? 'utf8' : 'latin1');
      for (const read of [() => parseYaml(text, 'fuzz.yaml'), () => parseTestcaseYaml(text, 'testcase.yaml')]) {
        try {
          read();
        } catch (err) {
          if (!(err instanceof ConfigError)) throw new Error(`case ${n} (seed ${SEED + 1}): ${(err as Error).stack}\ninput: ${JSON.stringify(text.slice(0, 500))}`);
          expect(err.message).to.match(/^(fuzz|testcase)\.yaml:\d+:\d+: /);
          rejected++;
        }
      }
    }
    expect(rejected, 'some mutations are invalid and must be refused').to.be.greaterThan(0);
  });
});
