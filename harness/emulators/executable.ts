// Whether a path is a file this process may execute: the test every tool lookup (emulators,
// toolchains, the parent-death helper) makes before it relies on a binary.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, as the shell would find it; undefined when none. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Where `file` would be run from, as execvp finds it; undefined when it would not start at all. */
export function resolveProgram(file: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  if (!file.includes('/')) return findOnPath(file, env);
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  return executable(path) ? path : undefined;
}
