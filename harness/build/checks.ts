// What a configured build's `.config` says about the job before anything boots: twister's
// runtime `filter:`, whether the variant's Kconfig lines took effect, and whether a wasm-LTO image
// is one gale's shims can run. Pure (`checkConfig`), plus the file lookups around it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Job } from '../domain.js';
import { evaluateFilter, FilterSyntaxError } from '../zephyr/filter-expr.js';
import { parseDotConfig, unmetAssignments, unquote, type KconfigAssignment, type KconfigValues } from '../zephyr/kconfig.js';
import { cmakeDefines, galeProvenance, notableKconfig, parseCMakeCache, wasmConfigProblem } from '../zephyr/gale.js';

export interface ConfigFinding {
  kind: 'filtered' | 'build-error';
  message: string;
}

export interface ConfigCheck {
  finding?: ConfigFinding;
  /** Facts for provenance (filter left unevaluated, and why). */
  notes: Record<string, unknown>;
}

export function checkConfig(job: Job, config: KconfigValues, requested: readonly KconfigAssignment[], filter?: string): ConfigCheck {
  const notes: Record<string, unknown> = {};
  if (filter) {
    const lookup = (name: string): string | undefined => {
      if (name.startsWith('CONFIG_')) {
        const v = config.values.get(name);
        return v === undefined ? '' : unquote(v);
      }
      if (name === 'ARCH') return job.platform.arch;
      if (name === 'PLATFORM') return job.platform.name;
      return undefined;
    };
    try {
      const r = evaluateFilter(filter, lookup);
      if (r === false) return { finding: { kind: 'filtered', message: `filtered: runtime filter: ${filter}` }, notes };
      if (r === 'unknown') notes.twisterFilter = { expression: filter, evaluated: false, why: 'uses devicetree functions or symbols a .config does not hold' };
    } catch (err) {
      if (!(err instanceof FilterSyntaxError)) throw err;
      notes.twisterFilter = { expression: filter, evaluated: false, why: `cannot parse: ${err.message}` };
    }
  }
  const unmet = unmetAssignments(config, requested);
  if (unmet.length) {
    const u = unmet[0]!;
    const got = u.actual === undefined ? 'unset' : `=${u.actual}`;
    const more = unmet.length > 1 ? ` (and ${unmet.slice(1).map((x) => x.requested.name).join(', ')})` : '';
    return {
      finding: {
        kind: 'build-error',
        message: `${u.requested.name}=${u.requested.value} was asked for by variant ${job.variant.name} but the build has it ${got}${more}: an unmet Kconfig dependency drops the assignment silently, so this image is not that variant`,
      },
      notes,
    };
  }
  const wasm = wasmConfigProblem(config);
  if (wasm) return { finding: { kind: 'build-error', message: wasm }, notes };
  return { notes };
}

/** `zephyr/.config` next to the image, else in the build folder's `zephyr/`. */
export function findDotConfig(image: string, buildDir?: string): string | undefined {
  const candidates = [join(dirname(image), '.config'), ...(buildDir ? [join(buildDir, 'zephyr', '.config')] : [])];
  return candidates.find((c) => existsSync(c));
}

export function readDotConfig(file: string): KconfigValues {
  return parseDotConfig(readFileSync(file, 'utf8'));
}

/** The CMake variables the build ran with: its CMakeCache.txt, else the arguments we passed. */
export function buildSettings(buildDir: string | undefined, cmakeArgs: readonly string[]): Map<string, string> {
  const cachePath = buildDir ? join(buildDir, 'CMakeCache.txt') : undefined;
  const fromArgs = cmakeDefines(cmakeArgs);
  if (cachePath && existsSync(cachePath)) {
    const cache = parseCMakeCache(readFileSync(cachePath, 'utf8'));
    for (const [k, v] of fromArgs) if (!cache.has(k)) cache.set(k, v);
    return cache;
  }
  return fromArgs;
}

/** Provenance of an image from its `.config` and build settings: Kconfig switches, gale objects. */
export function configProvenance(config: KconfigValues, settings: Map<string, string>, notes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { kconfig: notableKconfig(config), ...notes };
  const gale = galeProvenance(config, settings);
  if (gale) out.gale = gale;
  return out;
}
