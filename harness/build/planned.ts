// The one shape every source-building Builder has: plan the job, then run the plan.
import type { Builder, BuildRequest } from './builder.js';
import { ContentHasher } from './cache.js';
import { runPlan, type CacheSettings } from './pipeline.js';
import { planBuild, type PlanSpec } from './plan.js';

export const NO_CACHE: CacheSettings = { enabled: false, inputs: [] };

export function plannedBuilder(spec: PlanSpec, cache: CacheSettings = { enabled: true, inputs: [] }): Builder {
  // One hasher per builder, i.e. per run: a tree shared by many jobs is read once, and a file
  // edited between two runs is seen by the second.
  const hasher = new ContentHasher();
  return {
    kind: spec.kind,
    async build(req: BuildRequest) {
      if (!req.job.suite.path) return { ok: false, message: `suite '${req.job.suite.name}' has no 'path:' to build from` };
      return runPlan(planBuild(req.job, req.buildDir, spec), req, { cache, hasher });
    },
  };
}
