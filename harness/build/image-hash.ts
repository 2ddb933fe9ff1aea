// An image's sha256, which every run records and every rerun checks. Hashing reads the whole file;
// for unchanged files the answer is remembered, keyed by path and its `fileStamp` (size, mtime,
// ctime, inode). Anything that writes the file changes its ctime, so a rebuilt or replaced image
// is always hashed again.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { fileStamp, readCache, writeCache } from '../cache-dir.js';

const CACHE = 'image-hashes.json';

type Entry = { stamp: string; sha256: string };

let known: Record<string, Entry> | undefined;
let pending: Record<string, Entry> = {};
let flush: NodeJS.Immediate | undefined;

function hashFile(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', fail)
      .on('end', () => done(h.digest('hex')));
  });
}

/** sha256 of the file, hex. */
export async function sha256File(file: string): Promise<string> {
  const path = resolve(file);
  const before = fileStamp(path);
  known ??= readCache<Entry>(CACHE);
  const hit = before ? (pending[path] ?? known[path]) : undefined;
  if (hit && hit.stamp === before) return hit.sha256;
  const sha256 = await hashFile(path);
  // Written while it was read: no stamp describes what was hashed.
  if (before && fileStamp(path) === before) {
    pending[path] = { stamp: before, sha256 };
    // Many images are hashed at a run's start: one write for all of them.
    flush ??= setImmediate(() => {
      writeCache<Entry>(CACHE, pending);
      Object.assign(known!, pending);
      pending = {};
      flush = undefined;
    });
  }
  return sha256;
}
