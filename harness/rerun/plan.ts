// A rerun's plan comes from the record, not from a scenario: which jobs of an earlier run to boot
// again, as Jobs with their recorded image, platform and timeouts. Pure.
import type { ConsoleSpec, DiffEntry, Job, RunRecord, RunResult } from '../domain.js';
import { globMatch } from '../scenario/expand.js';

export interface RerunSelection {
  /** Every job that was not passed, or that a diff entry names as worse or changed. */
  failed?: boolean;
  /** Globs on job ids (`qemu_cortex_m3/wasm/*`). */
  jobs?: string[];
  /** Globs on `<ztest suite>.<test>` or `<test>`: jobs that ran a matching case. */
  cases?: string[];
  repeat?: number;
}

export interface RerunPlan {
  jobs: Job[];
  /** The earlier results the new ones are compared with, one per (platform, variant, suite) and attempt. */
  earlier: RunResult[];
  /** Jobs that were asked for but cannot be booted again, with why. */
  problems: string[];
}

const key = (r: { job: { platform: string; variant: string; suite: string } }) => `${r.job.platform}/${r.job.variant}/${r.job.suite}`;

/** Jobs whose cases got worse or changed in the earlier run's own diff. */
function changedJobs(diff: readonly DiffEntry[]): Set<string> {
  const out = new Set<string>();
  for (const d of diff) {
    if (d.class === 'same') continue;
    const variant = d.candidateVariant.split('@')[0]!;
    out.add(`${d.platform}/${variant}/${d.suite}`);
  }
  return out;
}

export function caseMatches(patterns: readonly string[], c: { suite: string; name: string }): boolean {
  return patterns.some((p) => globMatch(p, `${c.suite}.${c.name}`) || globMatch(p, c.name));
}

/** Pure: why the jobs a twister run supplied cannot be booted, and how to boot the rest. */
function twisterProblem(record: RunRecord, file: string, keys: readonly string[]): string {
  const variants = [...new Set(keys.map((k) => k.split('/')[1]!))];
  const candidates = [...new Set(record.comparisons.filter((c) => variants.includes(c.baseline)).map((c) => c.candidate))];
  const shown = keys.length > 3 ? `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more` : keys.join(', ');
  const hint = candidates.length ? `; to boot the candidates again: ${candidates.map((c) => `--job '*/${c}/*'`).join(' ')}` : '';
  return `the baseline ${variants.join(', ')} (${shown}) came from twister (${file}, --from-twister) in run ${record.runId}: tandem never booted it and cannot boot it again${hint}`;
}

export function planRerun(record: RunRecord, selection: RerunSelection): RerunPlan {
  const changed = changedJobs(record.diff);
  const picked = new Map<string, RunResult>();
  for (const r of record.results) {
    const k = key(r);
    if (selection.failed && r.verdict === 'passed' && !changed.has(k)) continue;
    if (selection.failed && r.verdict === 'skipped') continue;
    if (selection.jobs?.length && !selection.jobs.some((g) => globMatch(g, k) || globMatch(g, r.job.id))) continue;
    if (selection.cases?.length && !r.cases.some((c) => caseMatches(selection.cases!, c))) continue;
    if (!picked.has(k)) picked.set(k, r);
  }
  const problems: string[] = [];
  const jobs: Job[] = [];
  const repeat = Math.max(1, selection.repeat ?? 1);
  // `--from-twister` baselines: results a twister run had, never an image tandem booted.
  const fromTwister = new Map<string, string[]>();
  for (const [k, r] of picked) {
    const p = r.provenance;
    const image = p.image;
    if (!image && typeof p['baselineFrom'] === 'string') {
      fromTwister.set(p['baselineFrom'], [...(fromTwister.get(p['baselineFrom']) ?? []), k]);
      continue;
    }
    if (!image) {
      problems.push(`${k} never booted an image in run ${record.runId} (${r.verdict}${r.reason ? `: ${r.reason}` : ''})`);
      continue;
    }
    if (!p.platform || !p.timeouts) {
      problems.push(`${k}: run ${record.runId} predates rerun support (its run.json has no platform settings or timeouts); run the scenario again with this tandem`);
      continue;
    }
    for (let attempt = 1; attempt <= repeat; attempt++) {
      jobs.push({
        id: `${k}${repeat > 1 ? `#${attempt}` : ''}`,
        scenario: record.scenario.name,
        suite: { name: r.job.suite },
        variant: { name: r.job.variant, kconfig: [], cmakeArgs: [], env: {} },
        platform: p.platform,
        timeouts: p.timeouts,
        ...(p['console'] && typeof p['console'] === 'object' ? { console: p['console'] as ConsoleSpec } : {}),
        attempt,
        ...(p.measure ? { measure: p.measure } : {}),
        image: {
          path: image,
          ...(p.imageSha256 ? { sha256: p.imageSha256 } : {}),
          origin: 'prebuilt',
          ...(p.build && typeof p.build === 'object' ? { provenance: p.build as Record<string, unknown> } : {}),
        },
      });
    }
  }
  for (const [file, keys] of fromTwister) problems.push(twisterProblem(record, file, keys));
  const wanted = new Set(jobs.map((j) => `${j.platform.name}/${j.variant.name}/${j.suite.name}`));
  return { jobs, earlier: record.results.filter((r) => wanted.has(key(r))), problems };
}
