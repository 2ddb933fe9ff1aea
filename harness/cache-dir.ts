// tandem's cache folder: answers that cost a process start or a full file read and only change when
// a file does (an emulator's version, an image's sha256), remembered across runs. Each cache is one
// small JSON object; a cache that cannot be read or written is simply no cache.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `TANDEM_CACHE_DIR`, else `$XDG_CACHE_HOME/tandem`, else `~/.cache/tandem`. */
export function tandemCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TANDEM_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tandem');
}

/**
 * What the file system says of a file (size, mtime, ctime, inode: the stat data git trusts for its
 * index); any write or replacement changes it. Undefined when the file is not there.
 */
export function fileStamp(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}`;
  } catch {
    return undefined;
  }
}

export function readCache<T>(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, T> {
  try {
    const parsed = JSON.parse(readFileSync(join(tandemCacheDir(env), name), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/**
 * Merges `entries` into the cache as it is on disk now (another tandem may have written since it
 * was read) and replaces the file atomically; keeps the newest `keep` entries.
 */
export function writeCache<T>(name: string, entries: Record<string, T>, keep = 4000, env: NodeJS.ProcessEnv = process.env): void {
  const dir = tandemCacheDir(env);
  const file = join(dir, name);
  try {
    mkdirSync(dir, { recursive: true });
    const current = readCache<T>(name, env);
    for (const key of Object.keys(entries)) delete current[key];
    const merged = Object.entries({ ...current, ...entries });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(merged.slice(-keep)))}\n`);
    renameSync(tmp, file);
  } catch {
    // read-only home, full disk: the next run works it out again
  }
}
