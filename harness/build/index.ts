// Picks the Builder a scenario's `build:` block asks for.
import type { Scenario } from '../scenario/scenario.js';
import type { Builder } from './builder.js';
import { createCmakeBuilder } from './cmake.js';
import { createCommandBuilder } from './command.js';
import { createPrebuiltBuilder } from './prebuilt.js';
import { createWestBuilder } from './west.js';
import type { CacheSettings } from './pipeline.js';
import { fillTemplate } from '../scenario/expand.js';

export interface BuilderOptions {
  /** `--rebuild`: build every image even when its key matches; the new keys are still recorded. */
  noCache?: boolean;
}

export function createBuilder(scenario: Scenario, options: BuilderOptions = {}): Builder {
  const spec = scenario.build;
  if (spec.kind === 'prebuilt') {
    return createPrebuiltBuilder(spec.images, spec.twisterOut ? { outDir: spec.twisterOut, ...(spec.zephyrBase ? { zephyrBase: spec.zephyrBase } : {}) } : undefined);
  }
  const cache: CacheSettings = {
    enabled: spec.cache?.enabled ?? true,
    reuse: !options.noCache,
    inputs: spec.cache?.inputs ?? [],
    ...(spec.cache?.toolchain ? { toolchain: spec.cache.toolchain } : {}),
  };
  switch (spec.kind) {
    case 'cmake':
      return createCmakeBuilder(spec, cache);
    case 'west':
      return createWestBuilder(spec, cache);
    case 'command':
      return createCommandBuilder(spec, cache);
  }
}

/** `<build_root>/<platform>/<variant>/<suite>`: one folder per image, kept between runs. */
export function buildDirOf(scenario: Scenario, platform: string, variant: string, suite: string): string | undefined {
  if (scenario.build.kind === 'prebuilt') return undefined;
  const root = fillTemplate(scenario.build.buildRoot, { scenario: scenario.name });
  return `${root}/${platform}/${variant}/${suite}`;
}
