// The same suite and variant on several platforms is a comparison too: per case, its status on
// each platform, classed agree / capability / disagree. A disagreement is a finding about an
// emulator model or a timing-sensitive test; it is reported prominently but gates a run only with
// --gate-platforms. Pure: results in, entries out.
import type { CaseStatus, PlatformClass, PlatformEntry, PlatformSummary, PlatformStatus, RunResult } from '../domain.js';
import { CUT_SHORT } from './differ.js';

/** Worst first: an attempt that failed outweighs one that passed (flakiness is the run diff's business). */
const SEVERITY: readonly CaseStatus[] = ['crash', 'timeout', 'fail', 'blocked', 'skip', 'pass'];
const GOOD: ReadonlySet<PlatformStatus> = new Set(['pass']);
/**
 * The platform cannot run the case: a skip, the job filtered out for it, or an image for that
 * board that ran to its end without the case in it (Zephyr leaves userspace tests out of an
 * MPU-less qemu_cortex_m3 build: real msgq_api and semaphore images). Not a disagreement.
 */
const CANNOT: ReadonlySet<PlatformStatus> = new Set(['skip', 'filtered', 'missing']);

export const PLATFORM_CLASSES: readonly PlatformClass[] = ['disagree', 'capability', 'agree'];

/** Pure: the class of one case's statuses across platforms. */
export function classifyPlatforms(statuses: readonly PlatformStatus[]): PlatformClass {
  const distinct = new Set(statuses);
  if (distinct.size <= 1) return 'agree';
  const ran = [...distinct].filter((s) => !CANNOT.has(s));
  const good = ran.some((s) => GOOD.has(s));
  const bad = ran.some((s) => !GOOD.has(s));
  if (good && bad) return 'disagree';
  if (ran.length < distinct.size) return 'capability';
  // Several different failures (fail here, crash there): the platforms behave differently.
  return 'disagree';
}

function worst(a: CaseStatus, b: CaseStatus): CaseStatus {
  return SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b;
}

interface Cell {
  /** Whole job filtered out for this platform (testcase.yaml, board support). */
  filtered: boolean;
  cutShort: boolean;
  cases: Map<string, CaseStatus>;
}

/**
 * Every case of every (suite, variant) that ran on two platforms or more. A platform whose job was
 * skipped for another reason (its emulator is missing) says nothing about the platform and is left
 * out; a job filtered for the platform counts as `filtered` for all the other platforms' cases.
 */
export function comparePlatforms(results: readonly RunResult[]): PlatformEntry[] {
  const groups = new Map<string, Map<string, Cell>>();
  for (const r of results) {
    const filtered = r.verdict === 'skipped' && /^filtered\b/.test(r.reason ?? '');
    if (r.verdict === 'skipped' && !filtered) continue;
    const key = `${r.job.suite}\u0000${r.job.variant}`;
    let byPlatform = groups.get(key);
    if (!byPlatform) groups.set(key, (byPlatform = new Map()));
    let cell = byPlatform.get(r.job.platform);
    if (!cell) byPlatform.set(r.job.platform, (cell = { filtered, cutShort: false, cases: new Map() }));
    cell.cutShort ||= CUT_SHORT.has(r.verdict);
    for (const c of r.cases) {
      const name = `${c.suite}.${c.name}`;
      const before = cell.cases.get(name);
      cell.cases.set(name, before ? worst(before, c.status) : c.status);
    }
  }
  const entries: PlatformEntry[] = [];
  for (const [key, byPlatform] of groups) {
    if (byPlatform.size < 2) continue;
    const [suite, variant] = key.split('\u0000') as [string, string];
    const platforms = [...byPlatform.keys()].sort();
    const names = new Set<string>();
    for (const cell of byPlatform.values()) for (const n of cell.cases.keys()) names.add(n);
    for (const name of [...names].sort()) {
      const statuses: Record<string, PlatformStatus> = {};
      for (const p of platforms) {
        const cell = byPlatform.get(p)!;
        statuses[p] = cell.filtered ? 'filtered' : (cell.cases.get(name) ?? (cell.cutShort ? 'blocked' : 'missing'));
      }
      entries.push({ suite, variant, case: name, statuses, class: classifyPlatforms(Object.values(statuses)) });
    }
  }
  // Disagreements first: the rows a user wants to see before any other.
  return entries.sort((a, b) => PLATFORM_CLASSES.indexOf(a.class) - PLATFORM_CLASSES.indexOf(b.class) || a.suite.localeCompare(b.suite) || a.variant.localeCompare(b.variant) || a.case.localeCompare(b.case));
}

export function summarizePlatforms(entries: readonly PlatformEntry[]): PlatformSummary {
  const out: PlatformSummary = { agree: 0, capability: 0, disagree: 0 };
  for (const e of entries) out[e.class]++;
  return out;
}
