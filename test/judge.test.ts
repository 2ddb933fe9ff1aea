// The judge, table-driven: each row is a situation CI meets, the results it leaves, and the exit
// code and reasons the judge must give. Records go through the same assembly as a real run.
import { expect } from 'chai';
import type { CaseResult, CaseStatus, Comparison, GatePolicy, ReasonKind, RunEnd, RunPlanFacts, RunRecord, RunResult, Verdict } from '../harness/domain.js';
import { assembleRecord } from '../harness/run/record.js';
import { mergeRecords } from '../harness/run/merge.js';
import { runMeta } from './fixtures/report/fixture.js';
import { renderTerminalSummary } from '../harness/report/terminal.js';

type CaseSpec = [string, CaseStatus];
interface Spec {
  variant: string;
  verdict: Verdict;
  cases?: CaseSpec[];
  suite?: string;
  platform?: string;
  attempt?: number;
  reason?: string;
  sha?: string;
}

const END: Record<Verdict, RunEnd> = {
  passed: { kind: 'project', success: true },
  failed: { kind: 'project', success: false },
  crashed: { kind: 'fatal', reason: 'CPU exception' },
  timeout: { kind: 'silence', seconds: 60 },
  'build-error': { kind: 'build-error', message: 'ninja failed' },
  'emulator-error': { kind: 'emulator-error', message: 'mono aborted' },
  skipped: { kind: 'skipped', reason: 'renode not found (set TANDEM_RENODE or put renode on PATH)' },
};

function r(s: Spec): RunResult {
  const platform = s.platform ?? 'qemu_cortex_m3';
  const suite = s.suite ?? 'mutex';
  const attempt = s.attempt ?? 1;
  return {
    job: { id: `${platform}/${s.variant}/${suite}${attempt > 1 || s.attempt ? `#${attempt}` : ''}`, suite, variant: s.variant, platform, emulator: 'qemu', attempt },
    verdict: s.verdict,
    reason: s.reason ?? (s.verdict === 'passed' ? undefined : s.verdict === 'skipped' ? (END.skipped as { reason: string }).reason : `${s.verdict} (test)`),
    end: END[s.verdict],
    cases: (s.cases ?? []).map(([name, status]): CaseResult => ({ suite: 'z', name, status })),
    startedAt: '2026-12-01T10:00:00.000Z',
    wallMs: 100,
    provenance: { tandemVersion: 't', host: 'h', ...(s.verdict !== 'skipped' && s.verdict !== 'build-error' ? { imageSha256: s.sha ?? `${s.variant}-${suite}` } : {}) },
  };
}

const ALL: CaseSpec[] = [['test_a', 'pass'], ['test_b', 'pass'], ['test_c', 'pass']];
const CMP: Comparison[] = [{ baseline: 'native', candidate: 'wasm' }];

function record(results: RunResult[], extra: { comparisons?: Comparison[]; plan?: RunPlanFacts; policy?: GatePolicy; interrupted?: boolean; rerunOf?: RunRecord['rerunOf'] } = {}): RunRecord {
  return assembleRecord(runMeta({ comparisons: extra.comparisons ?? CMP, ...(extra.plan ? { plan: extra.plan } : {}), ...(extra.policy ? { policy: extra.policy } : {}), interrupted: extra.interrupted ?? false, ...(extra.rerunOf ? { rerunOf: extra.rerunOf } : {}) }), results);
}

const planned = (ids: Array<[string, string, string, number?]>, shard?: { index: number; count: number }): RunPlanFacts => ({
  jobs: ids.map(([platform, variant, suite, sh]) => ({ id: `${platform}/${variant}/${suite}`, platform, variant, suite, attempt: 1, ...(sh ? { shard: sh } : {}) })),
  ...(shard ? { shard } : {}),
});

interface Row {
  situation: string;
  rec: () => RunRecord;
  exit: number;
  kinds: ReasonKind[];
  /** Classes of diff rows, where the row set matters. */
  classes?: Record<string, string>;
  /** A line the user sees in the terminal summary. */
  line?: RegExp;
}

const TABLE: Row[] = [
  { situation: 'every candidate case as good as the baseline', rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'passed', cases: ALL })]), exit: 0, kinds: [] },
  {
    situation: '1. every case passes, then the candidate hangs before PROJECT EXECUTION',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'timeout', cases: ALL })]),
    exit: 1,
    kinds: ['worse'],
    classes: { '(end of run)': 'hang', 'z.test_a': 'same' },
  },
  {
    situation: '1. every case passes, then PROJECT EXECUTION FAILED',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'failed', cases: ALL })]),
    exit: 1,
    kinds: ['worse'],
    classes: { '(end of run)': 'regression' },
  },
  {
    situation: '1. every case passes, then a fault after the last case',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'crashed', cases: ALL })]),
    exit: 1,
    kinds: ['worse'],
    classes: { '(end of run)': 'crash' },
  },
  {
    situation: '2. --repeat 3: the candidate crashes in 2 of 3 boots, the baseline passes 3 of 3',
    rec: () =>
      record([
        ...[1, 2, 3].map((attempt) => r({ variant: 'native', verdict: 'passed', cases: ALL, attempt })),
        r({ variant: 'wasm', verdict: 'passed', cases: ALL, attempt: 1 }),
        ...[2, 3].map((attempt) => r({ variant: 'wasm', verdict: 'crashed', cases: [['test_a', 'pass'], ['test_b', 'crash']], attempt })),
      ]),
    exit: 1,
    kinds: ['worse'],
    classes: { 'z.test_b': 'crash', 'z.test_c': 'blocked', 'z.test_a': 'same' },
    line: /z\.test_b pass→crash \[attempts: candidate 1 pass · 2 crash, baseline 3 pass\]/,
  },
  {
    situation: '2. one flaky baseline boot does not mask a candidate that crashes in every boot',
    rec: () =>
      record([
        ...[1, 2].map((attempt) => r({ variant: 'native', verdict: 'passed', cases: ALL, attempt })),
        r({ variant: 'native', verdict: 'crashed', cases: [['test_a', 'pass'], ['test_b', 'crash']], attempt: 3 }),
        ...[1, 2, 3].map((attempt) => r({ variant: 'wasm', verdict: 'crashed', cases: [['test_a', 'pass'], ['test_b', 'crash']], attempt })),
      ]),
    exit: 1,
    kinds: ['worse'],
    classes: { 'z.test_b': 'crash' },
  },
  {
    situation: '2. both sides waver alike: flaky, not a regression',
    rec: () =>
      record([
        r({ variant: 'native', verdict: 'passed', cases: ALL, attempt: 1 }),
        r({ variant: 'native', verdict: 'failed', cases: [['test_a', 'pass'], ['test_b', 'fail'], ['test_c', 'pass']], attempt: 2 }),
        r({ variant: 'wasm', verdict: 'failed', cases: [['test_a', 'pass'], ['test_b', 'fail'], ['test_c', 'pass']], attempt: 1 }),
        r({ variant: 'wasm', verdict: 'passed', cases: ALL, attempt: 2 }),
      ]),
    exit: 0,
    kinds: [],
    classes: { 'z.test_b': 'flaky' },
  },
  {
    situation: '4. a failing case the baseline lacks',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'failed', cases: [...ALL, ['test_new', 'fail']] })]),
    exit: 1,
    kinds: ['worse'],
    classes: { 'z.test_new': 'regression' },
    line: /^Regressions \(1\):\n {2}qemu_cortex_m3\/wasm\/mutex z\.test_new —→fail/m,
  },
  {
    situation: '4. a passing case the baseline lacks is new, and fine',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'passed', cases: [...ALL, ['test_new', 'pass']] })]),
    exit: 0,
    kinds: [],
    classes: { 'z.test_new': 'new' },
  },
  {
    situation: '4. a baseline with no test cases (an empty --from-twister suite)',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: [] }), r({ variant: 'wasm', verdict: 'passed', cases: ALL })]),
    exit: 3,
    kinds: ['no-baseline'],
  },
  {
    situation: "5. a candidate variant whose suites: match nothing has no job",
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL })], { plan: planned([['qemu_cortex_m3', 'native', 'mutex']]) }),
    exit: 3,
    kinds: ['no-jobs'],
  },
  {
    situation: '5. --variant wasm: the candidate alone, no baseline to compare with',
    rec: () => record([r({ variant: 'wasm', verdict: 'passed', cases: ALL })], { plan: planned([['qemu_cortex_m3', 'wasm', 'mutex']]) }),
    exit: 3,
    kinds: ['no-baseline'],
  },
  { situation: '5. --suite nosuch: no job at all', rec: () => record([], { plan: { jobs: [], selection: '--suite nosuch' } }), exit: 3, kinds: ['no-jobs'] },
  {
    situation: '5. --shard 5/5 of 2 groups',
    rec: () => record([], { plan: planned([['q', 'native', 'a', 1], ['q', 'wasm', 'a', 1], ['q', 'native', 'b', 2], ['q', 'wasm', 'b', 2]], { index: 5, count: 5 }) }),
    exit: 3,
    kinds: ['no-jobs'],
  },
  {
    situation: '5. every job an emulator error',
    rec: () => record([r({ variant: 'native', verdict: 'emulator-error' }), r({ variant: 'wasm', verdict: 'emulator-error' })]),
    exit: 3,
    kinds: ['not-run', 'no-baseline'],
  },
  {
    situation: '5. the emulator is missing for every job',
    rec: () => record([r({ variant: 'native', verdict: 'skipped' }), r({ variant: 'wasm', verdict: 'skipped' })]),
    exit: 3,
    kinds: ['not-run'],
  },
  {
    situation: '5. the baseline failed to build: the candidate is not fixed, it is not compared',
    rec: () => record([r({ variant: 'native', verdict: 'build-error' }), r({ variant: 'wasm', verdict: 'passed', cases: ALL })]),
    exit: 3,
    kinds: ['no-baseline'],
  },
  {
    situation: '5. the candidate failed to build while the baseline ran',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'build-error' })]),
    exit: 1,
    kinds: ['worse'],
    classes: { 'z.test_a': 'blocked' },
  },
  {
    situation: '6. one variant only: every job crashes',
    rec: () => record([r({ variant: 'native', verdict: 'crashed', cases: [['test_a', 'crash']] })], { comparisons: [] }),
    exit: 1,
    kinds: ['job-failed'],
  },
  { situation: '6. one variant only: every job passes', rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL })], { comparisons: [] }), exit: 0, kinds: [] },
  {
    situation: '7. baseline and candidate boot the same image',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL, sha: 'same' }), r({ variant: 'wasm', verdict: 'passed', cases: ALL, sha: 'same' })]),
    exit: 2,
    kinds: ['identical'],
  },
  {
    situation: '7. … unless the scenario says allow_identical: true',
    rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL, sha: 'same' }), r({ variant: 'wasm', verdict: 'passed', cases: ALL, sha: 'same' })], { policy: { allowIdentical: true } }),
    exit: 0,
    kinds: [],
  },
  {
    situation: '9. a baseline hang in b does not turn a candidate crash in c into both-fail',
    rec: () =>
      record([
        r({ variant: 'native', verdict: 'timeout', cases: [['test_a', 'pass'], ['test_b', 'timeout']] }),
        r({ variant: 'wasm', verdict: 'crashed', cases: [['test_a', 'pass'], ['test_b', 'pass'], ['test_c', 'crash']] }),
      ]),
    exit: 1,
    kinds: ['worse'],
    classes: { 'z.test_b': 'fix', 'z.test_c': 'crash' },
    line: /^Crashes \(1\):\n {2}qemu_cortex_m3\/wasm\/mutex z\.test_c blocked→crash/m,
  },
  {
    situation: '9. candidate cases the baseline never reached are not compared',
    rec: () => record([r({ variant: 'native', verdict: 'timeout', cases: [['test_a', 'timeout']] }), r({ variant: 'wasm', verdict: 'passed', cases: ALL })]),
    exit: 3,
    kinds: ['baseline-cut-short'],
    classes: { 'z.test_a': 'fix', 'z.test_b': 'new' },
  },
  {
    situation: 'regressed and incomplete at once: 1 wins, the gaps are still listed',
    rec: () =>
      record([
        r({ variant: 'native', verdict: 'passed', cases: ALL }),
        r({ variant: 'wasm', verdict: 'failed', cases: [['test_a', 'fail'], ['test_b', 'pass'], ['test_c', 'pass']] }),
        r({ variant: 'wasm', verdict: 'skipped', platform: 'nucleo_g474re' }),
        r({ variant: 'native', verdict: 'skipped', platform: 'nucleo_g474re' }),
      ]),
    exit: 1,
    kinds: ['worse', 'not-run'],
  },
  {
    situation: '--allow-incomplete accepts what was not compared',
    rec: () => record([r({ variant: 'native', verdict: 'skipped' }), r({ variant: 'wasm', verdict: 'skipped' })], { policy: { allowIncomplete: true } }),
    exit: 0,
    kinds: ['not-run'],
  },
  {
    situation: '--allow-incomplete with the candidate alone: accepted only if it passes on its own',
    rec: () => record([r({ variant: 'wasm', verdict: 'passed', cases: ALL })], { plan: planned([['qemu_cortex_m3', 'wasm', 'mutex']]), policy: { allowIncomplete: true } }),
    exit: 0,
    kinds: ['no-baseline'],
  },
  {
    situation: '--allow-incomplete never makes a failed candidate green: with no baseline it is judged alone',
    rec: () => record([r({ variant: 'wasm', verdict: 'timeout', cases: [['test_a', 'fail'], ['test_b', 'timeout']] })], { plan: planned([['qemu_cortex_m3', 'wasm', 'mutex']]), policy: { allowIncomplete: true } }),
    exit: 1,
    kinds: ['job-failed', 'no-baseline'],
    line: /FAILED · exit 1/,
  },
  {
    situation: 'a rerun: every job it booted must pass on its own',
    rec: () => record([r({ variant: 'native', verdict: 'timeout', cases: ALL }), r({ variant: 'wasm', verdict: 'timeout', cases: ALL })], { rerunOf: { runId: 'x', dir: '/x', jobs: [] } }),
    exit: 1,
    kinds: ['job-failed'],
  },
  { situation: 'interrupted', rec: () => record([r({ variant: 'native', verdict: 'passed', cases: ALL })], { interrupted: true }), exit: 130, kinds: ['interrupted', 'no-jobs'] },
];

describe('the judge', () => {
  for (const row of TABLE) {
    it(`${row.situation} → exit ${row.exit}`, () => {
      const rec = row.rec();
      const j = rec.judgement;
      expect(j.exitCode, JSON.stringify(j, null, 1)).to.equal(row.exit);
      const kinds = [...new Set([...j.invalid, ...j.regressed, ...j.incomplete].map((x) => x.kind))].sort();
      expect(kinds).to.deep.equal([...row.kinds].sort());
      expect(rec.summary.regressed).to.equal(row.exit === 1);
      const screen = renderTerminalSummary(rec, { width: 400 });
      expect(screen.split('\n')[1]).to.match(new RegExp(`^[A-Z ]+(\\(incomplete, accepted by --allow-incomplete\\) )?· exit ${row.exit}`));
      if (row.line) expect(screen).to.match(row.line);
      for (const [key, cls] of Object.entries(row.classes ?? {})) {
        expect(rec.diff.find((d) => d.case === key)?.class, `${key} in ${JSON.stringify(rec.diff.map((d) => [d.case, d.class]))}`).to.equal(cls);
      }
    });
  }

  it('8. a merge of shard 2/2 alone names the missing shard', () => {
    const plan = planned([['q', 'native', 'a', 1], ['q', 'wasm', 'a', 1], ['q', 'native', 'b', 2], ['q', 'wasm', 'b', 2]]);
    const shard2 = record([r({ variant: 'native', verdict: 'passed', cases: ALL, platform: 'q', suite: 'b' }), r({ variant: 'wasm', verdict: 'passed', cases: ALL, platform: 'q', suite: 'b' })], { plan: { ...plan, shard: { index: 2, count: 2 } } });
    expect(shard2.judgement.exitCode).to.equal(0);
    const merged = mergeRecords([shard2], 'm');
    expect(merged.judgement.exitCode).to.equal(3);
    expect(merged.judgement.incomplete[0]).to.deep.include({ kind: 'shards-missing', message: 'shard 1/2 was not merged (2 jobs)' });
    const shard1 = record([r({ variant: 'native', verdict: 'passed', cases: ALL, platform: 'q', suite: 'a' }), r({ variant: 'wasm', verdict: 'passed', cases: ALL, platform: 'q', suite: 'a' })], { plan: { ...plan, shard: { index: 1, count: 2 } } });
    expect(mergeRecords([shard1, shard2], 'm').judgement.exitCode).to.equal(0);
  });

  it('the (end of run) row has one status per boot and says what happened after the last case', () => {
    const rec = record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'timeout', cases: ALL, reason: 'no console output for 60 s of guest time' })]);
    const end = rec.diff.find((d) => d.case === '(end of run)')!;
    expect(end).to.deep.include({ baseline: 'pass', candidate: 'timeout', class: 'hang', detail: 'after the last case: no console output for 60 s of guest time' });
    expect(end.attempts).to.equal(undefined);
    // A boot cut short before cases the other side ran is explained by its blocked rows: no end row.
    const cut = record([r({ variant: 'native', verdict: 'passed', cases: ALL }), r({ variant: 'wasm', verdict: 'timeout', cases: [['test_a', 'pass']] })]);
    expect(cut.diff.map((d) => [d.case, d.class])).to.deep.equal([['z.test_a', 'same'], ['z.test_b', 'blocked'], ['z.test_c', 'blocked']]);
  });

  it('fix needs a baseline that ran the case and did not pass it', () => {
    const rec = record([r({ variant: 'native', verdict: 'crashed', cases: [['test_a', 'crash']] }), r({ variant: 'wasm', verdict: 'passed', cases: ALL })]);
    expect(rec.diff.map((d) => [d.case, d.class])).to.deep.equal([
      ['z.test_a', 'fix'],
      ['z.test_b', 'new'],
      ['z.test_c', 'new'],
    ]);
  });

  it('a repeated row carries both sides\' tallies', () => {
    const rec = record([
      r({ variant: 'native', verdict: 'passed', cases: ALL, attempt: 1 }),
      r({ variant: 'native', verdict: 'passed', cases: ALL, attempt: 2 }),
      r({ variant: 'wasm', verdict: 'passed', cases: ALL, attempt: 1 }),
      r({ variant: 'wasm', verdict: 'failed', cases: [['test_a', 'fail'], ['test_b', 'pass'], ['test_c', 'pass']], attempt: 2 }),
    ]);
    expect(rec.diff.find((d) => d.case === 'z.test_a')).to.deep.include({ class: 'regression', attempts: { baseline: { pass: 2 }, candidate: { pass: 1, fail: 1 } } });
  });
});
