// Report files appear whole or not at all: each is written under a temporary name and renamed,
// so a CI step (or a person) never reads half a run.json as if it were the run. A write that
// fails (a full disk) or is interrupted (Ctrl-C) leaves no temporary file behind either.
import { rmSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { storageFailure } from '../storage-error.js';

const pending = new Set<string>();

export function tempNameOf(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempNameOf(path);
  pending.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw storageFailure(err, path, dirname(path));
  } finally {
    pending.delete(tmp);
  }
}

/** Removes the temporary files of writes still in progress; synchronous, for signal handlers. */
export function removePendingTemps(): void {
  for (const tmp of pending) rmSync(tmp, { force: true });
  pending.clear();
}

/**
 * Runs `write` with Ctrl-C (and SIGTERM) ending the process at once with exit code 130, the file
 * in progress removed and every file already renamed complete. Waiting for the rest of the
 * reports is not what someone pressing Ctrl-C wants.
 */
export async function interruptibleWrite<T>(write: () => Promise<T>, exitCode = 130): Promise<T> {
  const onSignal = (sig: NodeJS.Signals) => {
    removePendingTemps();
    process.stderr.write(`\ntandem: ${sig} while writing reports: stopped; the reports already written are complete, the one in progress was removed\n`);
    process.exit(exitCode);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await write();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
