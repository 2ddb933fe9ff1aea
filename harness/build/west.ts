// A Zephyr app built the way gale's CI builds it:
// west build -b <board> -d <dir> -p <auto|always|never> [west args] <suite> -- <cmake args>
// One step: west configures and compiles together, so `.config` checks run after it.
import type { Builder } from './builder.js';
import type { CacheSettings } from './pipeline.js';
import { plannedBuilder } from './planned.js';

export interface WestBuilderOptions {
  args: string[];
  env: Record<string, string>;
  image: string;
  pristine: 'auto' | 'always' | 'never';
  westArgs?: string[];
  /** Folder west runs in (inside the west workspace); tandem's own working folder when absent. */
  workspace?: string;
}

export function createWestBuilder(options: WestBuilderOptions, cache?: CacheSettings): Builder {
  return plannedBuilder({ kind: 'west', ...options }, cache);
}
