// The edge of cost and reach for one job: the image's own symbols, disassembly and line table
// (its symbol table read directly, the toolchain's objdump and addr2line as forensics finds them)
// made into a probe plan before the boot, and the probe's records made into the result's `cost`
// and `reach` after it. A plan is made once per image and spec and kept in tandem's cache folder:
// the tools over a whole image cost a demo-sized boot several times over. Whatever goes wrong is a
// note on the result, never a failed run.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Image, JobCost, JobReach, MeasureSpec, ProbeLog, ProbePlan } from '../domain.js';
import { locateToolchain, runTool as runToolchain } from '../forensics/toolchain.js';
import { normalizeAddress, parseAddr2line, parseNm } from '../forensics/elf-text.js';
import { readElfSymbols } from '../forensics/elf-symbols.js';
import { readImageCode } from '../measure/probe/image.js';
import { PLAN_FORMAT, buildProbe, type Probe } from '../measure/probe/plan.js';
import { tandemCacheDir } from '../cache-dir.js';
import { TANDEM_VERSION } from '../version.js';
import { account } from '../measure/probe/account.js';
import { readCost } from '../measure/cost/reader.js';
import { readReach } from '../measure/reach/reader.js';

const plans = new Map<string, Promise<Probe | { problem: string }>>();

/** The probe for an image: made once per image content and spec, then read from the cache folder. */
export function probeFor(image: Image, spec: MeasureSpec): Promise<Probe | { problem: string }> {
  const key = JSON.stringify([image.path, image.sha256, spec.functions]);
  let pending = plans.get(key);
  if (!pending) {
    const file = image.sha256 ? join(tandemCacheDir(), 'probe-plans', `${createHash('sha256').update(JSON.stringify([PLAN_FORMAT, TANDEM_VERSION, image.sha256, spec.functions])).digest('hex').slice(0, 32)}.json`) : undefined;
    const cached = file ? readPlan(file) : undefined;
    pending = cached
      ? Promise.resolve(cached)
      : makeProbe(image, spec).then((p) => {
          if (file && 'plan' in p) keepPlan(file, p);
          return p;
        }, (err: Error) => ({ problem: `no probe plan: ${err.message}` }));
    plans.set(key, pending);
  }
  return pending;
}

function readPlan(file: string): Probe | undefined {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Probe;
    return p && Array.isArray(p.plan?.sites) && Array.isArray(p.model?.meanings) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Written aside and renamed, so a concurrent tandem never reads half a plan; a cache that fails is no cache. */
function keepPlan(file: string, probe: Probe): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(probe));
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // read-only home, full disk: the plan is made again next time
  }
}

/** Whole-image disassembly of a large image takes a while on a busy machine. */
const TOOL_TIMEOUT_MS = 120_000;
const runTool = (path: string, args: string[]) => runToolchain(path, args, TOOL_TIMEOUT_MS);

async function makeProbe(image: Image, spec: MeasureSpec): Promise<Probe | { problem: string }> {
  const buildDir = typeof image.provenance?.buildDir === 'string' ? image.provenance.buildDir : dirname(dirname(image.path));
  const { tools, missing } = locateToolchain(buildDir);
  // The symbol table is read here, as forensics reads it; nm only for an ELF this reader cannot parse.
  const own = readElfSymbols(image.path);
  if ((!own && !tools.nm) || !tools.objdump) return { problem: `cost and reach need ${own ? '' : 'nm and '}objdump (${missing.join('; ')}): apt-get install binutils-arm-none-eabi` };
  const [nm, objdump] = await Promise.all([own ? undefined : runTool(tools.nm!, ['-S', '-n', '--defined-only', image.path]), runTool(tools.objdump, ['-d', image.path])]);
  if (nm && !nm.ok) return { problem: nm.why };
  if (!objdump.ok) return { problem: objdump.why };
  const probe = buildProbe(readImageCode(own ?? (nm?.ok ? parseNm(nm.stdout) : []), objdump.stdout), spec);
  if (tools.addr2line && probe.model.blocks.length) {
    const lines = await runTool(tools.addr2line, ['-a', '-f', '-e', image.path, ...probe.model.blocks.map((b) => normalizeAddress(b.start))]);
    if (lines.ok) {
      const frames = parseAddr2line(lines.stdout);
      for (const b of probe.model.blocks) {
        const where = frames.get(normalizeAddress(b.start))?.[0];
        if (where?.file) b.file = where.file;
        if (where?.line) b.line = where.line;
      }
    }
  }
  return probe;
}

/** What runJob needs to have the plan watched (nothing when the image has nothing to watch). */
export function watching(probe: Probe | { problem: string }, collect: (log: ProbeLog) => void): { probe?: { plan: ProbePlan; collect(log: ProbeLog): void } } {
  return 'plan' in probe && probe.plan.sites.length ? { probe: { plan: probe.plan, collect } } : {};
}

/**
 * A job's cost and reach from its probe's records; without records (the job did not boot, the
 * probe could not start, no named function is in the image) the cost says why.
 */
export function measurements(probe: Probe | { problem: string }, log: ProbeLog | undefined): { cost: JobCost; reach?: JobReach } {
  if ('problem' in probe) return { cost: { functions: [], cases: [], notes: [probe.problem] } };
  const accounted = account(probe.model, log?.records ?? []);
  const cost = readCost(probe.model, log ?? { method: 'none', records: [] }, accounted);
  // A probe that saw nothing reached nothing either: no block list claiming every path unreached.
  return !log || (log.problem && !log.records.length) ? { cost } : { cost, reach: readReach(probe.model, accounted) };
}
