// Builds every job of a scenario the way a run does (one builder per run, one folder per image),
// without booting anything: for tests of the build layer on real toolchains.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../../harness/domain.js';
import type { BuildOutcome, Builder } from '../../harness/build/builder.js';
import { buildDirOf, createBuilder, type BuilderOptions } from '../../harness/build/index.js';
import { expandJobs, type Selection } from '../../harness/scenario/expand.js';
import type { Scenario } from '../../harness/scenario/scenario.js';

export interface Built {
  job: Job;
  outcome: BuildOutcome;
  log: string;
  ms: number;
}

export async function buildAll(scenario: Scenario, logDir: string, selection: Selection = {}, options: BuilderOptions = {}, builder?: Builder): Promise<Built[]> {
  const b = builder ?? createBuilder(scenario, options);
  const out: Built[] = [];
  for (const job of expandJobs(scenario, selection)) {
    if (job.filtered) continue;
    const logFile = join(logDir, `${job.id.replace(/\//g, '_')}.build.log`);
    const t0 = performance.now();
    const outcome = await b.build({ job, buildDir: buildDirOf(scenario, job.platform.name, job.variant.name, job.suite.name)!, logFile, signal: new AbortController().signal });
    out.push({ job, outcome, log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '', ms: performance.now() - t0 });
  }
  return out;
}
