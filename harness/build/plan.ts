// What building one job means, worked out before anything runs: the Kconfig fragments to write,
// the argv of every step, the environment, where the image will be. Pure, so the cache key can be
// computed from it and tests can assert the exact command lines.
import { join } from 'node:path';
import type { Job } from '../domain.js';
import { fillTemplate, templateValues } from '../scenario/expand.js';
import { forPlatform } from '../zephyr/testcase.js';
import { fragmentText, parseAssignment, type KconfigAssignment } from '../zephyr/kconfig.js';

export interface Fragment {
  file: string;
  text: string;
}

export interface BuildStep {
  argv: string[];
  cwd?: string;
  /** After this step the build's `.config` exists: checks can run before compiling. */
  configures?: boolean;
}

export interface BuildPlan {
  kind: 'cmake' | 'west' | 'command';
  buildDir: string;
  sourceDir?: string;
  fragments: Fragment[];
  steps: BuildStep[];
  /** Set on top of tandem's own environment (scenario `build.env`, then the variant's `env`). */
  env: Record<string, string>;
  image: string;
  /** The CMake arguments the steps pass (also scanned for files the cache must hash). */
  cmakeArgs: string[];
  /** The variant's Kconfig lines: the build must end up with them, or it is not that variant. */
  requested: KconfigAssignment[];
  /** twister `filter:` of the suite's testcase.yaml scenario, checked against `.config`. */
  filter?: string;
}

export interface CommonSpec {
  args: string[];
  env: Record<string, string>;
  image: string;
}

export type PlanSpec =
  | ({ kind: 'cmake'; generator: string } & CommonSpec)
  | ({ kind: 'west'; pristine: 'auto' | 'always' | 'never'; westArgs?: string[]; workspace?: string } & CommonSpec)
  | ({ kind: 'command'; argv: string[] } & CommonSpec);

export const FRAGMENT_DIR = 'tandem-fragments';

// Zephyr reads these as lists; passing one twice would make CMake keep only the last.
const LIST_DEFINES: Record<string, string> = {
  EXTRA_CONF_FILE: ';',
  OVERLAY_CONFIG: ';',
  CONF_FILE: ';',
  DTC_OVERLAY_FILE: ';',
  EXTRA_DTC_OVERLAY_FILE: ';',
  ZEPHYR_EXTRA_MODULES: ';',
  ZEPHYR_MODULES: ';',
  SNIPPET: ';',
};

/**
 * Folds repeated list-valued `-D` arguments into one at the place of the first (gale's overlay from
 * the scenario and a testcase's overlays both go into OVERLAY_CONFIG), dropping exact duplicates.
 */
export function mergeListDefines(args: readonly string[]): string[] {
  const out: string[] = [];
  const merged = new Map<string, { index: number; items: string[] }>();
  for (const a of args) {
    const m = /^-D([A-Z_]+)(?::[A-Z]+)?=(.*)$/.exec(a);
    const sep = m ? LIST_DEFINES[m[1]!] : undefined;
    if (!m || !sep) {
      out.push(a);
      continue;
    }
    // OVERLAY_CONFIG is documented as space separated; Zephyr splits it on both.
    const items = m[2]!.replace(/^"|"$/g, '').split(m[1] === 'OVERLAY_CONFIG' ? /[;\s]+/ : /;/).filter(Boolean);
    const seen = merged.get(m[1]!);
    if (seen) {
      for (const i of items) if (!seen.items.includes(i)) seen.items.push(i);
      out[seen.index] = `-D${m[1]}=${seen.items.join(sep)}`;
    } else {
      merged.set(m[1]!, { index: out.length, items: [...new Set(items)] });
      out.push(`-D${m[1]}=${[...new Set(items)].join(sep)}`);
    }
  }
  return out;
}

/** The Kconfig fragments of a job: the variant's lines, then its testcase.yaml `extra_configs`. */
export function fragmentsOf(job: Job, buildDir: string): Fragment[] {
  const dir = join(buildDir, FRAGMENT_DIR);
  const out: Fragment[] = [{ file: join(dir, 'variant.conf'), text: fragmentText(`variant ${job.variant.name}, written by tandem`, forPlatform(job.variant.kconfig, job.platform)) }];
  const extra = job.suite.twister ? forPlatform(job.suite.twister.extraConfigs, job.platform) : [];
  if (extra.length) {
    out.push({ file: join(dir, 'testcase.conf'), text: fragmentText(`extra_configs of ${job.suite.twister!.id} (${job.suite.twister!.file})`, extra) });
  }
  return out;
}

/** twister's way of passing a scenario's extra_args and file lists to CMake (runner.cmake_assemble_args). */
export function twisterCmakeArgs(job: Job): string[] {
  const t = job.suite.twister;
  if (!t) return [];
  const args = forPlatform(t.extraArgs, job.platform);
  // CONFIG_ options keep their quotes (string symbols); the rest lose them, as twister does.
  const out = [
    ...args.filter((a) => a.startsWith('CONFIG_')).map((a) => `-D${a}`),
    ...args.filter((a) => !a.startsWith('CONFIG_')).map((a) => `-D${a.replace(/"/g, '')}`),
  ];
  if (t.extraConfFiles.length) out.push(`-DCONF_FILE=${t.extraConfFiles.join(';')}`);
  if (t.extraDtcOverlayFiles.length) out.push(`-DDTC_OVERLAY_FILE=${t.extraDtcOverlayFiles.join(';')}`);
  if (t.extraOverlayConfs.length) out.push(`-DOVERLAY_CONFIG=${t.extraOverlayConfs.join(';')}`);
  return out;
}

/** Scenario-wide args, the variant's, the testcase's, then the fragments tandem wrote. */
export function composeCmakeArgs(job: Job, buildDir: string, scenarioArgs: readonly string[], fragments: readonly Fragment[]): string[] {
  const values = templateValues(job, { build_dir: buildDir });
  return mergeListDefines([
    ...scenarioArgs.map((a) => fillTemplate(a, values)),
    ...job.variant.cmakeArgs.map((a) => fillTemplate(a, values)),
    ...twisterCmakeArgs(job),
    `-DEXTRA_CONF_FILE=${fragments.map((f) => f.file).join(';')}`,
  ]);
}

export function planBuild(job: Job, buildDir: string, spec: PlanSpec): BuildPlan {
  const fragments = fragmentsOf(job, buildDir);
  const values = templateValues(job, { build_dir: buildDir });
  const cmakeArgs = composeCmakeArgs(job, buildDir, spec.args, fragments);
  const base = {
    buildDir,
    fragments,
    env: { ...spec.env, ...job.variant.env },
    image: fillTemplate(spec.image, values),
    cmakeArgs,
    requested: requestedKconfig(job),
    ...(job.suite.path ? { sourceDir: job.suite.path } : {}),
    ...(job.suite.twister?.filter ? { filter: job.suite.twister.filter } : {}),
  };
  switch (spec.kind) {
    case 'cmake':
      return {
        kind: 'cmake',
        ...base,
        steps: [
          { argv: ['cmake', '-G', spec.generator, '-S', requirePath(job), '-B', buildDir, `-DBOARD=${job.platform.board}`, ...cmakeArgs], configures: true },
          { argv: ['cmake', '--build', buildDir] },
        ],
      };
    case 'west':
      return {
        kind: 'west',
        ...base,
        steps: [
          {
            argv: ['west', 'build', '-b', job.platform.board, '-d', buildDir, '-p', spec.pristine, ...(spec.westArgs ?? []), requirePath(job), '--', ...cmakeArgs],
            ...(spec.workspace ? { cwd: spec.workspace } : {}),
          },
        ],
      };
    case 'command': {
      const fragmentList = fragments.map((f) => f.file).join(';');
      const argv = spec.argv.flatMap((a) => {
        // A whole-argument {cmake_args} splices the composed -D list (fragments included).
        if (a === '{cmake_args}') return cmakeArgs;
        return [fillTemplate(a, { ...values, kconfig_fragments: fragmentList })];
      });
      return { kind: 'command', ...base, steps: [{ argv }] };
    }
  }
}

/** The variant's Kconfig lines for this job's platform, as assignments to verify. */
export function requestedKconfig(job: Job): KconfigAssignment[] {
  return forPlatform(job.variant.kconfig, job.platform).map(parseAssignment).filter((a): a is KconfigAssignment => a !== undefined);
}

function requirePath(job: Job): string {
  if (!job.suite.path) throw new Error(`suite '${job.suite.name}' has no path to build`);
  return job.suite.path;
}
