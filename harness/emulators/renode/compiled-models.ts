// The board's C# models as compiled assemblies, kept with a snapshot so it can be loaded again.
//
// Renode compiles `include`d .cs files into a fresh assembly in every process, and a saved state
// names the types of the assembly that saved it: a new process, with its own compilation, refuses
// the state ("This snapshot is incompatible"), measured on Renode 1.16.1. Renode's compiler cache
// (config `[general] compiler-cache-enabled`, entries in `<user dir>/compiler-cache/<SHA-256 of the
// sources>`) makes a process load an assembly compiled earlier instead. tandem points each process's
// user directory into its private scratch (so nothing is shared between workers or left in the
// user's home), copies the cache next to a snapshot when it saves one, and seeds a new process's
// cache from that copy when it loads the snapshot: the same assembly, so the same types.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Config for every tandem Renode process; the cache is off by default in Renode. */
export const RENODE_CONFIG = '[general]\ncompiler-cache-enabled = true\n';

/** Environment that puts Renode's user directory (config, history, compiler cache) in `scratch`. */
export function userDirEnv(scratch: string): Record<string, string> {
  // ApplicationData is $XDG_CONFIG_HOME on Linux; Renode's user directory is `<it>/renode`.
  // RENODE_CI_MODE=YES would switch the cache off again.
  return { XDG_CONFIG_HOME: scratch, RENODE_CI_MODE: 'NO' };
}

export function compilerCacheOf(scratch: string): string {
  return join(scratch, 'renode', 'compiler-cache');
}

/** Where a snapshot's compiled models are kept: a folder beside the state file. */
export function modelsBeside(snapshot: string): string {
  return `${snapshot}.models`;
}

/** Copies the compiled assemblies of a process (every cache entry) to `dest`. */
export function keepCompiledModels(scratch: string, dest: string): void {
  const cache = compilerCacheOf(scratch);
  const entries = existsSync(cache) ? readdirSync(cache).filter((n) => !n.startsWith('.')) : [];
  rmSync(dest, { recursive: true, force: true });
  if (!entries.length) return;
  mkdirSync(dest, { recursive: true });
  for (const name of entries) cpSync(join(cache, name), join(dest, name));
}

/** Puts kept assemblies into a process's cache before it starts (Renode reads the cache once). */
export function seedCompiledModels(from: string, scratch: string): void {
  const cache = compilerCacheOf(scratch);
  mkdirSync(cache, { recursive: true });
  for (const name of readdirSync(from)) cpSync(join(from, name), join(cache, name));
}
