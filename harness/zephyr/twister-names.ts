// How twister names what tandem runs: a testsuite is `<app path>/<scenario id>` (twisterlib
// testsuite.py get_unique: the app folder relative to ZEPHYR_BASE, or for apps elsewhere the path
// below the test root) and a case `<scenario id>.<test without test_>`. Pure.
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import type { Job } from '../domain.js';

/** What a run records per job so reports can name it as twister does. */
export interface TwisterFacts {
  /** The app folder as twister's `path` field has it (`tests/kernel/mutex/mutex_api`). */
  app?: string;
  /** The testcase.yaml scenario id (`kernel.mutex`), or the suite name for a plain app. */
  scenario: string;
}

/**
 * The app path twister reports: relative to ZEPHYR_BASE when the app is inside it. twister names
 * other apps relative to its test root (-T); tandem's stand-in is the project the scenario lives in
 * (the scenario folder's parent, then the folder itself), else just the app's folder name.
 */
export function twisterAppPath(appPath: string, zephyrBase: string | undefined, scenarioDir: string): string {
  for (const root of [zephyrBase, dirname(scenarioDir), scenarioDir]) {
    if (!root) continue;
    const rel = relative(root, appPath);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return basename(appPath);
}

export function twisterFactsOf(job: Pick<Job, 'suite'>, zephyrBase: string | undefined, root: string): TwisterFacts {
  const facts: TwisterFacts = { scenario: job.suite.twister?.id ?? job.suite.name };
  if (job.suite.path) facts.app = twisterAppPath(job.suite.path, zephyrBase, root);
  return facts;
}

/** `<app>/<scenario>`, or the scenario alone when the app folder is unknown (prebuilt images). */
export function twisterSuiteName(facts: TwisterFacts): string {
  return facts.app ? `${facts.app}/${facts.scenario}` : facts.scenario;
}

/** The scenario id back from a twister suite name: its last path segment. */
export function scenarioOfSuiteName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
