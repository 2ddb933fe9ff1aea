// A twister run's twister.json as a baseline: its suites become RunResults of the baseline variant,
// so a tandem candidate is diffed case by case against, say, last week's Zephyr CI. Pure.
import type { CaseResult, CaseStatus, EmulatorKind, Platform, RunEnd, RunResult, Suite, Verdict } from '../domain.js';
import { scenarioOfSuiteName } from './twister-names.js';

export class TwisterJsonError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
  }
}

interface RawCase { identifier?: unknown; status?: unknown; reason?: unknown; execution_time?: unknown }
interface RawSuite { name?: unknown; platform?: unknown; status?: unknown; reason?: unknown; path?: unknown; execution_time?: unknown; testcases?: unknown; log?: unknown }

export interface TwisterBaselineOptions {
  file: string;
  /** The tandem variant these results stand in for (the comparison's baseline). */
  variant: string;
  platforms: readonly Platform[];
  suites: readonly Suite[];
  tandemVersion: string;
}

const CASE_STATUS: Record<string, CaseStatus> = {
  passed: 'pass',
  failed: 'fail',
  error: 'fail',
  skipped: 'skip',
  filtered: 'skip',
  'not run': 'skip',
  blocked: 'blocked',
  started: 'blocked',
};

function verdictOf(status: string, reason: string): Verdict {
  switch (status) {
    case 'passed':
      return 'passed';
    case 'failed':
      if (/^timeout/i.test(reason)) return 'timeout';
      return /FATAL ERROR|crash|exception/i.test(reason) ? 'crashed' : 'failed';
    case 'error':
      return /build failure|cmake/i.test(reason) ? 'build-error' : 'emulator-error';
    default:
      return 'skipped';
  }
}

function endOf(verdict: Verdict, reason: string): RunEnd {
  switch (verdict) {
    case 'passed':
    case 'failed':
      return { kind: 'project', success: verdict === 'passed' };
    case 'timeout':
      return { kind: 'wall', seconds: 0 };
    case 'crashed':
      return { kind: 'fatal', reason };
    case 'build-error':
      return { kind: 'build-error', message: reason };
    case 'emulator-error':
      return { kind: 'emulator-error', message: reason };
    case 'skipped':
      return { kind: 'skipped', reason };
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const ms = (v: unknown): number => {
  const n = Number.parseFloat(String(v ?? '0'));
  return Number.isFinite(n) ? Math.round(n * 1000) : 0;
};

/** twister's platform names carry board qualifiers (`qemu_cortex_m3/ti_lm3s6965`). */
function platformOf(name: string, platforms: readonly Platform[]): Platform | undefined {
  return platforms.find((p) => p.name === name || p.board === name || name.startsWith(`${p.board}/`) || name.startsWith(`${p.name}/`));
}

/** The scenario suite a twister suite is: by scenario id, else by name. */
function suiteOf(scenarioId: string, suites: readonly Suite[]): Suite | undefined {
  return suites.find((s) => s.twister?.id === scenarioId) ?? suites.find((s) => s.name === scenarioId);
}

/**
 * One case from a twister identifier: `<scenario>.<test>` (3.5.x) or `<scenario>.<ztest suite>.<test>`.
 * Without the ztest suite the case's `suite` is left empty, for alignCases to fill from the candidate.
 */
export function caseOfIdentifier(scenarioId: string, identifier: string): { suite: string; name: string } {
  const rest = identifier.startsWith(`${scenarioId}.`) ? identifier.slice(scenarioId.length + 1) : identifier;
  const dot = rest.lastIndexOf('.');
  const test = dot < 0 ? rest : rest.slice(dot + 1);
  return { suite: dot < 0 ? '' : rest.slice(0, dot), name: `test_${test}` };
}

export function parseTwisterJson(text: string, file: string): { suites: RawSuite[]; zephyrVersion?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TwisterJsonError(file, `is not JSON (${(err as Error).message}); give the twister.json a twister run wrote`);
  }
  const suites = (data as { testsuites?: unknown })?.testsuites;
  if (!Array.isArray(suites)) throw new TwisterJsonError(file, "has no 'testsuites' list: not a twister.json");
  suites.forEach((s: RawSuite, i) => {
    if (typeof s?.name !== 'string' || typeof s?.platform !== 'string') throw new TwisterJsonError(file, `testsuites[${i}] needs string 'name' and 'platform'`);
  });
  const version = str((data as { environment?: { zephyr_version?: unknown } }).environment?.zephyr_version);
  return version === undefined ? { suites } : { suites, zephyrVersion: version };
}

/** The twister suites this scenario has (platform and scenario id known), as baseline results. */
export function twisterBaseline(text: string, o: TwisterBaselineOptions): RunResult[] {
  const parsed = parseTwisterJson(text, o.file);
  const out: RunResult[] = [];
  for (const raw of parsed.suites) {
    const platform = platformOf(raw.platform as string, o.platforms);
    const scenarioId = scenarioOfSuiteName(raw.name as string);
    const suite = suiteOf(scenarioId, o.suites);
    if (!platform || !suite) continue;
    const status = str(raw.status) ?? 'none';
    const reason = str(raw.reason) ?? '';
    const cases: CaseResult[] = (Array.isArray(raw.testcases) ? (raw.testcases as RawCase[]) : []).flatMap((c) => {
      const id = str(c.identifier);
      if (id === undefined) return [];
      const cs: CaseResult = { ...caseOfIdentifier(scenarioId, id), status: CASE_STATUS[str(c.status) ?? ''] ?? 'blocked', durationMs: ms(c.execution_time) };
      const detail = str(c.reason);
      if (detail && cs.status !== 'pass') cs.detail = detail;
      return [cs];
    });
    const verdict = verdictOf(status, reason);
    const emulator: EmulatorKind = platform.emulator;
    const result: RunResult = {
      job: { id: `${platform.name}/${o.variant}/${suite.name}`, suite: suite.name, variant: o.variant, platform: platform.name, emulator, attempt: 1 },
      verdict,
      end: endOf(verdict, reason || status),
      cases,
      startedAt: new Date(0).toISOString(),
      wallMs: ms(raw.execution_time),
      provenance: {
        tandemVersion: o.tandemVersion,
        host: 'twister',
        baselineFrom: o.file,
        twister: { app: str(raw.path) ?? '', scenario: scenarioId },
        twisterPlatform: raw.platform,
        ...(parsed.zephyrVersion ? { zephyrVersion: parsed.zephyrVersion } : {}),
      },
    };
    if (reason) result.reason = reason;
    out.push(result);
  }
  return out;
}

/** Fills the ztest suite of baseline cases named without one from the candidate's case of that name. */
export function alignCases(baseline: RunResult[], candidates: readonly RunResult[]): RunResult[] {
  return baseline.map((b) => {
    if (!b.cases.some((c) => c.suite === '')) return b;
    const names = new Map<string, string>();
    for (const r of candidates) {
      if (r.job.platform !== b.job.platform || r.job.suite !== b.job.suite) continue;
      for (const c of r.cases) if (!names.has(c.name)) names.set(c.name, c.suite);
    }
    const scenarioId = (b.provenance['twister'] as { scenario?: string } | undefined)?.scenario ?? b.job.suite;
    return { ...b, cases: b.cases.map((c) => (c.suite === '' ? { ...c, suite: names.get(c.name) ?? scenarioId } : c)) };
  });
}
