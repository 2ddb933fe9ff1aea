// Scenario → Jobs: the matrix suites × variants × platforms, filtered, with timeouts resolved. Pure.
import type { ConsoleSpec, Job, PlannedJob, Platform, Suite, Timeouts, Variant } from '../domain.js';
import type { Scenario } from './scenario.js';
import { staticFilterReasons } from '../zephyr/testcase.js';

export interface Selection {
  platforms?: string[];
  suites?: string[];
  variants?: string[];
  /** Run every job this many times (flakiness); attempts are numbered from 1. */
  repeat?: number;
  /** This machine's part of a run split across CI machines: `index` of `count`, 1-based. */
  shard?: { index: number; count: number };
}

/** This machine's jobs: the whole plan, cut to the selected shard. */
export function expandJobs(scenario: Scenario, selection: Selection = {}): Job[] {
  return expandPlan(scenario, selection).filter((p) => p.shard === undefined || p.shard === selection.shard?.index).map((p) => p.job);
}

/** Every job of the run, each shard's included, as the record keeps them for the judge and merge. */
export function plannedJobs(scenario: Scenario, selection: Selection = {}): PlannedJob[] {
  return expandPlan(scenario, selection).map(({ job, shard }) => ({
    id: job.id,
    platform: job.platform.name,
    variant: job.variant.name,
    suite: job.suite.name,
    attempt: job.attempt,
    ...(shard !== undefined ? { shard } : {}),
  }));
}

function expandPlan(scenario: Scenario, selection: Selection): Array<{ job: Job; shard?: number }> {
  // A suite expanded from a testcase.yaml answers to its scenario id and to the name it was listed under.
  const pick = <T extends { name: string; group?: string }>(all: T[], wanted?: string[]) =>
    wanted && wanted.length ? all.filter((x) => wanted.some((w) => globMatch(w, x.name) || (x.group !== undefined && globMatch(w, x.group)))) : all;
  const platforms = pick(scenario.platforms, selection.platforms);
  const suites = pick(scenario.suites, selection.suites);
  const variants = pick(scenario.variants, selection.variants);
  const repeat = Math.max(1, selection.repeat ?? 1);
  const jobs: Array<{ job: Job; shard?: number }> = [];
  // Shards split by (platform, suite), so a baseline and its candidates run on the same machine
  // and each shard's own report already holds whole comparisons. Round-robin keeps them even.
  let pair = 0;
  for (const platform of platforms) {
    for (const suite of suites) {
      const shard = selection.shard ? (pair++ % selection.shard.count) + 1 : undefined;
      for (const variant of variants) {
        if (!appliesTo(variant, suite)) continue;
        if (variant.platforms && !variant.platforms.some((p) => globMatch(p, platform.name))) continue;
        for (let attempt = 1; attempt <= repeat; attempt++) {
          const id = `${platform.name}/${variant.name}/${suite.name}${repeat > 1 ? `#${attempt}` : ''}`;
          const job: Job = {
            id,
            scenario: scenario.name,
            suite,
            variant,
            platform,
            timeouts: resolveTimeouts(scenario.timeouts, suite, platform),
            attempt,
          };
          const read = consoleOf(scenario, suite);
          if (read) job.console = read;
          if (suite.twister) {
            // Kept as jobs, not dropped: a report should say what was not run and why.
            const reasons = staticFilterReasons(suite.twister, platform);
            if (reasons.length) job.filtered = `filtered: ${reasons.join('; ')}`;
            if (suite.twister.buildOnly) job.buildOnly = true;
          }
          if (scenario.measure) job.measure = scenario.measure;
          jobs.push({ job, ...(shard !== undefined ? { shard } : {}) });
        }
      }
    }
  }
  return jobs;
}

/**
 * What a suite's console is read for: its testcase.yaml's console harness and `record:`; the
 * scenario's `records:` replaces that `record:` for the suites it names (the scenario is the more
 * specific wish, and one line should not make two rows).
 */
function consoleOf(scenario: Scenario, suite: Suite): ConsoleSpec | undefined {
  const own = suite.twister?.console;
  const wanted = scenario.records && (!scenario.records.suites || scenario.records.suites.some((p) => globMatch(p, suite.name) || (suite.group !== undefined && globMatch(p, suite.group))));
  const records = wanted ? [scenario.records!.spec] : own?.records;
  if (!own?.harness && !records?.length) return undefined;
  return { ...(own?.harness ? { harness: own.harness } : {}), ...(records?.length ? { records } : {}) };
}

export function appliesTo(variant: Variant, suite: Suite): boolean {
  return !variant.suites || variant.suites.some((pattern) => globMatch(pattern, suite.name) || (suite.group !== undefined && globMatch(pattern, suite.group)));
}

function resolveTimeouts(base: Timeouts, suite: Suite, platform: Platform): Timeouts {
  const merged: Timeouts = { ...base, ...definedOnly(suite.timeouts ?? {}) };
  // A slow emulator or a real board stretches the host time guest work takes, not the guest's own
  // clock or the fault-dump grace: the multiplier applies where the host clock counts (clock.ts).
  return {
    wallSeconds: merged.wallSeconds,
    silenceSeconds: merged.silenceSeconds,
    crashGraceSeconds: merged.crashGraceSeconds,
    ...(merged.clock ? { clock: merged.clock } : {}),
    ...(platform.timeoutMultiplier !== 1 ? { hostScale: platform.timeoutMultiplier } : {}),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `*` matches any run of characters, `?` one; everything else is literal. */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/** Fills `{platform}`, `{variant}`, `{suite}`… of a path template. */
export function fillTemplate(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => values[key] ?? whole);
}

export function templateValues(job: Job, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    platform: job.platform.name,
    board: job.platform.board,
    variant: job.variant.name,
    suite: job.suite.name,
    suite_path: job.suite.path,
    scenario: job.scenario,
    ...extra,
  };
}
