// Where tandem is installed and which version it is, found from package.json both when running
// from sources (harness/) and from the compiled dist/harness/.
import { readFileSync } from 'node:fs';

function findPackage(): { root: string; version: string } {
  for (const rel of ['..', '../..']) {
    try {
      const url = new URL(`${rel}/package.json`, import.meta.url);
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string; bin?: Record<string, string> };
      // Known by its `tandem` command, not its name: the package may be published under a scope.
      if (pkg.bin?.['tandem'] !== undefined) return { root: new URL(`${rel}/`, import.meta.url).pathname.replace(/\/$/, ''), version: pkg.version ?? '0.0.0' };
    } catch {
      // try the other layout
    }
  }
  return { root: process.cwd(), version: '0.0.0-unknown' };
}

const pkg = findPackage();
export const TANDEM_VERSION = pkg.version;
/** The install root: where platforms/, boards/ and scenarios/ live. */
export const REPO_ROOT = pkg.root;
