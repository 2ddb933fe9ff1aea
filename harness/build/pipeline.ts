// Runs a BuildPlan: cache lookup, fragments, steps (each streamed to the job's build log), the
// `.config` checks as soon as the configuration exists, the image, provenance, the cache stamp.
// Shared by the cmake, west and command builders, which differ only in their plans.
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Image } from '../domain.js';
import type { BuildOutcome, BuildRequest } from './builder.js';
import { firstErrorLine } from './builder.js';
import { runStep } from './exec.js';
import { sha256File } from './image-hash.js';
import type { BuildPlan } from './plan.js';
import { ContentHasher, clearStamp, describeChange, keyInputsOf, keyOf, readStamp, writeStamp } from './cache.js';
import { ninjaDependencies } from './ninja-deps.js';
import { buildSettings, checkConfig, configProvenance, findDotConfig, readDotConfig, type ConfigFinding } from './checks.js';

export interface CacheSettings {
  enabled: boolean;
  /** Extra files/trees whose content decides the image (the Zephyr tree, gale's sources). */
  inputs: string[];
  /** Explicit toolchain probe, e.g. [arm-none-eabi-gcc, --version]. */
  toolchain?: string[];
  /** false: build even when the key matches (a forced rebuild), but still record the new key. */
  reuse?: boolean;
}

export interface PipelineContext {
  cache: CacheSettings;
  hasher: ContentHasher;
  processEnv?: NodeJS.ProcessEnv;
  cwd?: string;
}

export async function runPlan(plan: BuildPlan, req: BuildRequest, ctx: PipelineContext): Promise<BuildOutcome> {
  const { job, logFile, signal } = req;
  if (plan.sourceDir && !existsSync(plan.sourceDir)) return { ok: false, message: `suite source not found: ${plan.sourceDir}` };
  mkdirSync(plan.buildDir, { recursive: true });
  writeFragments(plan);
  const keyOptions = {
    hasher: ctx.hasher,
    processEnv: ctx.processEnv ?? process.env,
    cwd: ctx.cwd ?? process.cwd(),
    inputs: ctx.cache.inputs,
    ...(ctx.cache.toolchain ? { toolchain: ctx.cache.toolchain } : {}),
  };

  let header = ctx.cache.enabled ? 'tandem: rebuild requested, cached image ignored' : 'tandem: build cache disabled';
  if (ctx.cache.enabled && ctx.cache.reuse !== false) {
    const stamp = readStamp(plan.buildDir);
    header = 'tandem: no cached build in this folder';
    if (stamp) {
      const inputs = await keyInputsOf(plan, keyOptions, Object.keys(stamp.inputs.deps ?? {}));
      const key = keyOf(inputs);
      if (key === stamp.key && (stamp.stage ?? 'built') === 'built' && stamp.image === plan.image && existsSync(plan.image) && (await sha256File(plan.image)) === stamp.imageSha256) {
        writeFileSync(logFile, `tandem: cache hit ${key.slice(0, 16)} (built ${stamp.builtAt}); nothing to build for ${job.id}\n  image: ${plan.image}\n`);
        return finish(plan, req, { path: plan.image, sha256: stamp.imageSha256!, origin: 'cached', buildLog: logFile }, key);
      }
      if (key === stamp.key && stamp.stage === 'configured') {
        // Same configuration as last time, which ruled the job out; the rules are applied again.
        writeFileSync(logFile, `tandem: cache hit ${key.slice(0, 16)} (configured ${stamp.builtAt}); checking its .config again\n`);
        const again = configFinding(plan, req);
        if (again) return again;
      }
      header = `tandem: cache miss, changed: ${key !== stamp.key ? describeChange(stamp.inputs, inputs).join('; ') : stamp.stage === 'configured' ? 'nothing, but the configuration no longer rules the job out' : 'the image in the build folder'}`;
    }
  }
  writeFileSync(logFile, `${header}\n`);

  clearStamp(plan.buildDir);
  for (const step of plan.steps) {
    const r = await runStep(step.argv, { env: plan.env, logFile, signal, append: true, ...(step.cwd ? { cwd: step.cwd } : {}) });
    if (!r.ok) {
      if (signal.aborted) return { ok: false, message: 'build interrupted' };
      return { ok: false, message: firstErrorLine(r.tail) };
    }
    if (step.configures) {
      // twister filters (and an invalid configuration fails) before compiling: minutes per image.
      const early = configFinding(plan, req);
      if (early) {
        if (ctx.cache.enabled) {
          const inputs = await keyInputsOf(plan, keyOptions, await ninjaDependencies(plan.buildDir, plan.env));
          writeStamp(plan.buildDir, { schema: 'tandem-build-key', key: keyOf(inputs), stage: 'configured', image: plan.image, builtAt: new Date().toISOString(), inputs });
        }
        return early;
      }
    }
  }
  if (!existsSync(plan.image)) return { ok: false, message: `the build succeeded but produced no image at ${plan.image}` };
  const sha256 = await sha256File(plan.image);
  let key: string | undefined;
  if (ctx.cache.enabled) {
    // Recomputed now: CMake has recorded the exact compiler, and Ninja the files the build read.
    const inputs = await keyInputsOf(plan, keyOptions, await ninjaDependencies(plan.buildDir, plan.env));
    key = keyOf(inputs);
    writeStamp(plan.buildDir, { schema: 'tandem-build-key', key, stage: 'built', image: plan.image, imageSha256: sha256, builtAt: new Date().toISOString(), inputs });
    appendFileSync(logFile, `tandem: built; cache key ${key.slice(0, 16)}\n`);
  }
  return finish(plan, req, { path: plan.image, sha256, origin: 'built', buildLog: logFile }, key);
}

function configFinding(plan: BuildPlan, req: BuildRequest): BuildOutcome | undefined {
  const file = findDotConfig(plan.image, plan.buildDir);
  if (!file) return undefined;
  const { finding } = checkConfig(req.job, readDotConfig(file), plan.requested, plan.filter);
  return finding ? reportFinding(req, finding) : undefined;
}

function reportFinding(req: BuildRequest, finding: ConfigFinding): BuildOutcome {
  appendFileSync(req.logFile, `tandem: ${finding.message}\n`);
  return { ok: false, message: finding.message, kind: finding.kind };
}

/** A cache hit is checked like a fresh build: the rules may be newer than the image. */
function finish(plan: BuildPlan, req: BuildRequest, image: Image, key: string | undefined): BuildOutcome {
  const provenance: Record<string, unknown> = { builder: plan.kind, buildDir: plan.buildDir };
  if (key) provenance.buildKey = key;
  const file = findDotConfig(plan.image, plan.buildDir);
  if (file) {
    const config = readDotConfig(file);
    const { finding, notes } = checkConfig(req.job, config, plan.requested, plan.filter);
    if (finding) return reportFinding(req, finding);
    Object.assign(provenance, configProvenance(config, buildSettings(plan.buildDir, plan.cmakeArgs), notes));
  }
  return { ok: true, image: { ...image, provenance } };
}

function writeFragments(plan: BuildPlan): void {
  for (const f of plan.fragments) {
    mkdirSync(dirname(f.file), { recursive: true });
    // Unchanged text keeps the file's mtime, so the build system sees nothing to redo.
    if (existsSync(f.file) && readFileSync(f.file, 'utf8') === f.text) continue;
    writeFileSync(f.file, f.text);
  }
}

