// A Zephyr app (or tandem's demo firmware) built with plain CMake + Ninja, no west:
// cmake -G Ninja -S <suite> -B <dir> -DBOARD=<board> <scenario args> <variant args> <testcase args>
//       -DEXTRA_CONF_FILE=<variant fragment>[;<testcase extra_configs>]  then  cmake --build <dir>
import type { Builder } from './builder.js';
import type { CacheSettings } from './pipeline.js';
import { plannedBuilder } from './planned.js';

export interface CmakeBuilderOptions {
  generator: string;
  args: string[];
  env: Record<string, string>;
  image: string;
}

export function createCmakeBuilder(options: CmakeBuilderOptions, cache?: CacheSettings): Builder {
  return plannedBuilder({ kind: 'cmake', ...options }, cache);
}
