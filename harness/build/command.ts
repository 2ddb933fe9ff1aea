// Any build the user already has (make, a script, a CI wrapper), as an argument list with
// placeholders: {platform} {board} {variant} {suite} {suite_path} {build_dir} {scenario}
// {kconfig_fragments} (tandem's fragment files, ';'-separated) and a whole-argument {cmake_args}
// that expands to the composed -D list. No shell ever sees it.
import type { Builder } from './builder.js';
import type { CacheSettings } from './pipeline.js';
import { plannedBuilder } from './planned.js';

export interface CommandBuilderOptions {
  argv: string[];
  env: Record<string, string>;
  image: string;
  /** Scenario-wide CMake args, for {cmake_args}. */
  args?: string[];
}

export function createCommandBuilder(options: CommandBuilderOptions, cache?: CacheSettings): Builder {
  return plannedBuilder({ kind: 'command', argv: options.argv, env: options.env, image: options.image, args: options.args ?? [] }, cache);
}
