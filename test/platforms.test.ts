// One matrix across platforms: per case the status on each platform, classed agree / capability /
// disagree, its own table in every report, gating only with --gate-platforms.
import { expect } from 'chai';
import type { CaseResult, CaseStatus, RunEnd, RunResult } from '../harness/domain.js';
import { classifyPlatforms, comparePlatforms } from '../harness/diff/platforms.js';
import { assembleRecord, metaOf } from '../harness/run/record.js';
import { runMeta } from './fixtures/report/fixture.js';
import { validateRunRecord } from '../harness/report/json.js';
import { renderMarkdown } from '../harness/report/markdown.js';
import { renderHtml } from '../harness/report/html.js';
import { renderTerminalSummary } from '../harness/report/terminal.js';
import { renderTap } from '../harness/report/tap.js';
import { renderJunit } from '../harness/report/junit.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verdictOf } from '../harness/run/verdict.js';

function job(platform: string, suite: string, cases: Array<[string, CaseStatus]>, end: RunEnd = { kind: 'project', success: true }, variant = 'native'): RunResult {
  const cs: CaseResult[] = cases.map(([name, status]) => ({ suite: `${suite}_api`, name, status }));
  const id = `${platform}/${variant}/${suite}`;
  return {
    job: { id, suite, variant, platform, emulator: platform.startsWith('qemu') ? 'qemu' : 'renode', attempt: 1 },
    verdict: verdictOf(end, cs),
    end,
    cases: cs,
    startedAt: '2026-12-01T10:00:00.000Z',
    wallMs: 100,
    provenance: { tandemVersion: '0.1.0', host: 'h' },
    ...(end.kind === 'skipped' ? { reason: end.reason } : {}),
  } as RunResult;
}

const RESULTS: RunResult[] = [
  job('qemu_cortex_m3', 'sem', [['test_sem_take', 'pass'], ['test_multiple_thread_sem_usage', 'fail'], ['test_user_sem', 'skip']], { kind: 'project', success: false }),
  job('nucleo_g474re', 'sem', [['test_sem_take', 'pass'], ['test_multiple_thread_sem_usage', 'pass'], ['test_user_sem', 'pass']]),
  // Filtered for one platform: every case there is a capability difference.
  job('qemu_cortex_m3', 'fpu', [], { kind: 'skipped', reason: 'filtered: platform_allow excludes qemu_cortex_m3' }),
  job('nucleo_g474re', 'fpu', [['test_fp_context', 'pass']]),
  // The emulator is missing: that platform says nothing and is left out.
  job('qemu_cortex_m3', 'msgq', [['test_msgq_put', 'pass']]),
  job('nucleo_g474re', 'msgq', [], { kind: 'skipped', reason: 'renode not found (set TANDEM_RENODE or put renode on PATH)' }),
];

describe('diff: across platforms', () => {
  it('classes: agree when equal, capability when one side cannot run it, disagree when pass meets a failure', () => {
    expect(classifyPlatforms(['pass', 'pass'])).to.equal('agree');
    expect(classifyPlatforms(['fail', 'fail'])).to.equal('agree');
    expect(classifyPlatforms(['skip', 'pass'])).to.equal('capability');
    expect(classifyPlatforms(['filtered', 'fail'])).to.equal('capability');
    expect(classifyPlatforms(['pass', 'fail'])).to.equal('disagree');
    expect(classifyPlatforms(['timeout', 'pass', 'skip'])).to.equal('disagree');
    // Built for that board without the case (real userspace tests on the MPU-less M3).
    expect(classifyPlatforms(['pass', 'missing'])).to.equal('capability');
    expect(classifyPlatforms(['pass', 'blocked'])).to.equal('disagree');
    expect(classifyPlatforms(['fail', 'crash'])).to.equal('disagree');
  });

  it('pairs every case of a suite and variant across platforms, disagreements first', () => {
    const entries = comparePlatforms(RESULTS);
    expect(entries.map((e) => [e.class, e.suite, e.case, e.statuses])).to.deep.equal([
      ['disagree', 'sem', 'sem_api.test_multiple_thread_sem_usage', { nucleo_g474re: 'pass', qemu_cortex_m3: 'fail' }],
      ['capability', 'fpu', 'fpu_api.test_fp_context', { nucleo_g474re: 'pass', qemu_cortex_m3: 'filtered' }],
      ['capability', 'sem', 'sem_api.test_user_sem', { nucleo_g474re: 'pass', qemu_cortex_m3: 'skip' }],
      ['agree', 'sem', 'sem_api.test_sem_take', { nucleo_g474re: 'pass', qemu_cortex_m3: 'pass' }],
    ]);
  });

  it('cases a cut-short job never reached are blocked there; one platform alone is no comparison', () => {
    const entries = comparePlatforms([
      job('a', 'x', [['t1', 'pass'], ['t2', 'pass']]),
      job('b', 'x', [['t1', 'crash']], { kind: 'fatal', reason: 'CPU exception' }),
      job('a', 'y', [['t1', 'pass']]),
    ]);
    expect(entries.map((e) => [e.case, e.statuses.b, e.class])).to.deep.equal([
      ['x_api.t1', 'crash', 'disagree'],
      ['x_api.t2', 'blocked', 'disagree'],
    ]);
  });

  const record = assembleRecord(
    runMeta({ runId: 'r1', scenario: { name: 'demo', file: 'demo.yaml', sha256: '0'.repeat(64) } }),
    RESULTS,
  );

  it('run.json carries the table and its counts, valid against the schema; it does not gate by default', () => {
    expect(record.summary.platforms).to.deep.equal({ agree: 1, capability: 2, disagree: 1 });
    // One variant, nothing to compare: the failing qemu job fails the run on its own, the
    // disagreement does not add a gate unless asked to.
    expect(record.judgement.regressed.map((r) => r.kind)).to.deep.equal(['job-failed']);
    const gated = assembleRecord(runMeta({ runId: 'r2', policy: { platforms: true } }), RESULTS);
    expect(gated.judgement.regressed.map((r) => r.kind)).to.deep.equal(['gate', 'job-failed']);
    expect(gated.gates![0]!.message).to.match(/sem_api\.test_multiple_thread_sem_usage disagrees across platforms \(nucleo_g474re pass, qemu_cortex_m3 fail\)/);
    const v = validateRunRecord(JSON.parse(JSON.stringify(record)));
    expect(v.valid, v.valid ? '' : v.errors.join('\n')).to.equal(true);
    const noPair = assembleRecord(metaOf(record), RESULTS.slice(4));
    expect(noPair.platforms).to.equal(undefined);
  });

  it('terminal, summary.md, index.html and TAP show the disagreement', () => {
    const term = renderTerminalSummary(record);
    expect(term).to.match(/Across platforms \(1 disagree · 2 capability · 1 agree\):/);
    expect(term).to.match(/native\/sem sem_api\.test_multiple_thread_sem_usage +nucleo_g474re pass, qemu_cortex_m3 fail/);
    const md = renderMarkdown(record);
    expect(md).to.include('### Across platforms');
    expect(md).to.match(/\| disagree \| native \| sem \| sem\\_api\.test\\_multiple\\_thread\\_sem\\_usage \| pass \| fail \|/);
    const html = renderHtml(record);
    expect(html).to.match(/<section id="platforms"><h2>Across platforms<\/h2>/);
    expect(html).to.include('<td class="pc-disagree">disagree</td>');
    expect(renderTap(record)).to.match(/^# platforms disagree: native sem sem_api\.test_multiple_thread_sem_usage nucleo_g474re=pass qemu_cortex_m3=fail$/m);
  });
  it('junit.xml: a tandem.platforms suite of skipped rows (visible, not red), valid against the JUnit schema', function () {
    const xml = renderJunit(record);
    const suite = /<testsuite name="tandem\.platforms" tests="(\d+)" failures="0" errors="0" skipped="(\d+)"[^>]*>([\s\S]*?)<\/testsuite>/.exec(xml);
    expect(suite, xml).to.not.equal(null);
    // 1 disagreement + 2 capability rows; the agreeing case is only counted.
    expect(suite![1]).to.equal('3');
    expect(suite![2]).to.equal('3');
    expect(suite![3]).to.include('<property name="platforms" value="1 disagree · 2 capability · 1 agree"/>');
    expect(suite![3]).to.match(/<testcase name="native\/sem\/sem_api\.test_multiple_thread_sem_usage" classname="tandem\.platforms" time="0">\s*<skipped message="disagree: nucleo_g474re pass, qemu_cortex_m3 fail; platforms disagree \(does not gate unless --gate-platforms\)" type="disagree"\/>/);
    const totals = /<testsuites [^>]*tests="(\d+)"[^>]*skipped="(\d+)"/.exec(xml)!;
    const perSuite = [...xml.matchAll(/<testsuite [^>]*tests="(\d+)"[^>]*skipped="(\d+)"/g)];
    expect(Number(totals[1])).to.equal(perSuite.reduce((n, m) => n + Number(m[1]), 0));
    expect(Number(totals[2])).to.equal(perSuite.reduce((n, m) => n + Number(m[2]), 0));
    if (spawnSync('xmllint', ['--version']).status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'tandem-junit-platforms-'));
    try {
      writeFileSync(join(dir, 'junit.xml'), xml);
      const xsd = fileURLToPath(new URL('./fixtures/report/junit.xsd', import.meta.url));
      const lint = spawnSync('xmllint', ['--noout', '--schema', xsd, join(dir, 'junit.xml')], { encoding: 'utf8' });
      expect(lint.status, lint.stderr).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
