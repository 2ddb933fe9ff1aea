// What the plan promised against what the results hold: jobs that never reported, shards that were
// not merged, candidates with no job at all, a selection that matched nothing. Pure.
import type { JudgeReason, PlannedJob } from '../domain.js';
import type { JudgeInput } from './judge.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function planReasons(input: JudgeInput, strict: boolean): JudgeReason[] {
  const reasons: JudgeReason[] = [];
  const plan = input.plan;
  const mine = plan?.shard ? plan.jobs.filter((j) => j.shard === plan.shard!.index) : (plan?.jobs ?? []);
  const selection = plan?.selection ? ` (${plan.selection})` : '';

  if (plan ? mine.length === 0 : input.results.length === 0) {
    if (plan?.shard) {
      const groups = new Set(plan.jobs.map((j) => `${j.platform}\u0000${j.suite}`)).size;
      reasons.push({ kind: 'no-jobs', message: `shard ${plan.shard.index}/${plan.shard.count} has no jobs: the run has ${plural(groups, '(platform, suite) group')} to split over ${plan.shard.count} shards` });
    } else {
      reasons.push({ kind: 'no-jobs', message: `no job to run: the selection matches nothing${selection}` });
    }
    return reasons;
  }

  if (plan) {
    const reported = new Set(input.results.map((r) => r.job.id));
    const lost = mine.filter((j) => !reported.has(j.id));
    const shards = plan.shards;
    if (shards) {
      // A merged run: whole shards missing are named as shards, stray jobs as jobs.
      const byShard = new Map<number, PlannedJob[]>();
      for (const j of lost) byShard.set(j.shard ?? 0, [...(byShard.get(j.shard ?? 0) ?? []), j]);
      for (const [index, jobs] of [...byShard].sort((a, b) => a[0] - b[0])) {
        const total = plan.jobs.filter((j) => (j.shard ?? 0) === index).length;
        const whole = jobs.length === total && index > 0;
        reasons.push({
          kind: 'shards-missing',
          message: whole ? `shard ${index}/${shards.count} was not merged (${plural(total, 'job')})` : `${plural(jobs.length, 'planned job')} of shard ${index}/${shards.count} missing from the merged runs`,
          items: jobs.map((j) => j.id),
        });
      }
    } else if (lost.length) {
      reasons.push({ kind: 'not-run', message: 'planned jobs with no result (the run was cut short)', items: lost.map((j) => j.id) });
    }
  }

  if (!strict) {
    const variantsWithJobs = new Set([...(plan?.jobs ?? []).map((j) => j.variant), ...input.results.map((r) => r.job.variant)]);
    for (const candidate of new Set(input.comparisons.map((c) => c.candidate))) {
      if (variantsWithJobs.has(candidate)) continue;
      reasons.push({ kind: 'no-jobs', message: `candidate ${candidate} has no job: its suites:/platforms: match nothing here, or the selection left it out${selection}`, items: [candidate] });
    }
  }
  return reasons;
}
