// Whether a path is a file this process may execute: the test every tool lookup (emulators,
// toolchains, the parent-death helper) makes before it relies on a binary.
import { accessSync, constants, statSync } from 'node:fs';

export function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
