// A run folder that cannot be written (a full disk, a quota, a read-only mount) ends the run with
// one clear sentence naming the file, not a stack trace: what was written before stays whole and
// readable, and `tandem report` rebuilds the rest once there is room.

/** The errno codes that mean "this storage will not take more", as opposed to a bug of ours. */
const STORAGE_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error from the device',
};

export function isStorageError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in STORAGE_CODES;
}

export class RunFolderError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly runDir?: string,
  ) {
    const rebuild = runDir ? `; what was written before is kept in ${runDir} (results.jsonl, logs/): make room, then \`tandem report ${runDir}\` rebuilds the reports` : '';
    super(`cannot write ${path}: ${STORAGE_CODES[code] ?? code} (${code})${rebuild}`);
    this.name = 'RunFolderError';
  }
}

/** `err` as a RunFolderError when it is a storage error, otherwise `err` itself (a bug: rethrown as is). */
export function storageFailure(err: unknown, path: string | undefined, runDir?: string): unknown {
  if (err instanceof RunFolderError) return err;
  return isStorageError(err) ? new RunFolderError(err.path ?? path ?? runDir ?? '(unknown file)', err.code!, runDir) : err;
}
