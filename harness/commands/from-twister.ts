// `tandem run --from-twister <twister.json>`: the baseline variant is not built or booted; a
// twister run's results stand in for it, and the candidates are diffed against them.
import { readFileSync } from 'node:fs';
import type { RunRecord, RunResult } from '../domain.js';
import type { Scenario } from '../scenario/scenario.js';
import { assembleRecord, metaOf } from '../run/record.js';
import { TANDEM_VERSION } from '../version.js';
import { TwisterJsonError, alignCases, twisterBaseline } from '../zephyr/twister-json.js';
import { UsageError } from './common.js';

export interface TwisterBaseline {
  file: string;
  /** The baseline variants the file stands in for. */
  variants: string[];
  results: RunResult[];
}

export function loadTwisterBaseline(file: string, scenario: Scenario): TwisterBaseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--from-twister: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const variants = [...new Set(scenario.comparisons.map((c) => c.baseline))];
  try {
    const results = variants.flatMap((variant) =>
      twisterBaseline(text, { file, variant, platforms: scenario.platforms, suites: scenario.suites, tandemVersion: TANDEM_VERSION }),
    );
    if (results.length === 0) {
      throw new UsageError(`--from-twister: ${file} has no suite of this scenario's platforms (${scenario.platforms.map((p) => p.name).join(', ')}) and suites; twister names suites <app path>/<scenario id>`);
    }
    return { file, variants, results };
  } catch (err) {
    if (err instanceof TwisterJsonError) throw new UsageError(err.message);
    throw err;
  }
}

/** The variants to run: every one but the baselines twister supplies, unless the user chose. */
export function variantsToRun(scenario: Scenario, baseline: TwisterBaseline, chosen: string[] | undefined): string[] | undefined {
  return chosen ?? scenario.variants.map((v) => v.name).filter((n) => !baseline.variants.includes(n));
}

/** The run's record with the twister results as its baseline: only for (platform, suite) pairs it ran. */
export function withTwisterBaseline(record: RunRecord, baseline: TwisterBaseline): RunRecord {
  const ran = new Set(record.results.map((r) => `${r.job.platform}\u0000${r.job.suite}`));
  const own = record.results.filter((r) => !baseline.variants.includes(r.job.variant));
  const fromTwister = alignCases(baseline.results.filter((r) => ran.has(`${r.job.platform}\u0000${r.job.suite}`)), own);
  return assembleRecord(metaOf(record), [...fromTwister, ...own]);
}
