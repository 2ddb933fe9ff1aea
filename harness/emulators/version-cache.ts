// What an emulator binary says it is (`--version`), remembered per file: asking QEMU costs a process
// start (~40 ms on a 2-core machine) before every run's first boot, for an answer that only changes
// when the binary does. Keyed by path and its `fileStamp`; a replaced binary is asked again.
import { fileStamp, readCache, writeCache } from '../cache-dir.js';

const CACHE = 'versions.json';

type Entry = { stamp: string; version: string };

/**
 * The version `ask` finds for `binary`, from the cache when the file is unchanged. `ask` returns
 * undefined when the binary does not answer; that is not remembered.
 */
export async function rememberedVersion(binary: string, ask: () => Promise<string | undefined>, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const stamp = fileStamp(binary);
  const known = stamp ? readCache<Entry>(CACHE, env)[binary] : undefined;
  if (known && known.stamp === stamp) return known.version;
  const version = await ask();
  if (version !== undefined && stamp) writeCache<Entry>(CACHE, { [binary]: { stamp, version } }, 200, env);
  return version;
}
