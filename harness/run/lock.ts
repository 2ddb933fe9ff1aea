// Two tandems on one machine must not write the same folder at once: a build folder two runs
// share (the same image built twice, interleaved, is neither), or one `--out` given twice. A lock
// is a small file created exclusively, holding who owns it. A lock whose owner is gone (killed
// with -9, the machine rebooted) is stale and taken over: the owner's pid is checked together with
// its start time, so a recycled pid does not keep a dead run's lock alive.
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { sameProcessAlive, startTicksOf } from '../owned-temp.js';

/** In a run folder while a run writes it. */
export const RUN_LOCK_FILE = '.tandem.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** Kernel start time of the owner (clock ticks since boot), where /proc tells it. */
  startTicks?: number;
  since: string;
  what: string;
}

export interface Lock {
  readonly path: string;
  release(): void;
}

/** Whether the recorded owner still runs. On another host we cannot tell: assume it does. */
export function ownerAlive(owner: LockOwner): boolean {
  return owner.hostname !== hostname() || sameProcessAlive(owner.pid, owner.startTicks);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Who holds the lock, if a live owner does; reads only (a report may be written to a full disk). */
export function liveHolder(path: string): LockOwner | undefined {
  const owner = readOwner(path);
  return owner && ownerAlive(owner) ? owner : undefined;
}

const held = new Set<string>();
let exitHook = false;

/** The lock, or who holds it. Never waits. */
export function tryLock(path: string, what: string): Lock | { heldBy: LockOwner } {
  if (!exitHook) {
    exitHook = true;
    // A normal exit (also after Ctrl-C) leaves no lock behind; SIGKILL leaves a stale one.
    process.on('exit', () => {
      for (const p of held) rmSync(p, { force: true });
    });
  }
  const me: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), what };
  const ticks = startTicksOf(process.pid);
  if (ticks !== undefined) me.startTicks = ticks;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      // Half-written by an owner that is just starting: give it a moment, then judge again.
      if (!owner) {
        if (attempt < 2) continue;
        return { heldBy: { pid: 0, hostname: '?', since: '?', what: 'unknown (unreadable lock file)' } };
      }
      if (ownerAlive(owner)) return { heldBy: owner };
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    held.add(path);
    return {
      path,
      release() {
        if (!held.delete(path)) return;
        if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  const owner = readOwner(path);
  return { heldBy: owner ?? { pid: 0, hostname: '?', since: '?', what: 'unknown' } };
}

/** Waits for the lock (polling), telling `onWait` once who holds it; rejects when `signal` aborts. */
export async function lock(path: string, what: string, options: { signal?: AbortSignal; onWait?: (owner: LockOwner) => void; pollMs?: number } = {}): Promise<Lock> {
  let told = false;
  for (;;) {
    const got = tryLock(path, what);
    if (!('heldBy' in got)) return got;
    if (!told) options.onWait?.(got.heldBy);
    told = true;
    if (options.signal?.aborted) throw new Error(`interrupted while waiting for ${path}`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}

export function describeOwner(owner: LockOwner): string {
  return `${owner.what} (pid ${owner.pid}${owner.hostname !== hostname() ? ` on ${owner.hostname}` : ''}, since ${owner.since})`;
}

/** Runs `fn` holding the lock at `path`; says whom it waited for, if anyone. */
export async function withLock<T>(
  path: string,
  what: string,
  signal: AbortSignal,
  fn: () => Promise<T>,
): Promise<{ value: T; waited?: { owner: LockOwner; ms: number } }> {
  const t0 = performance.now();
  let owner: LockOwner | undefined;
  const l = await lock(path, what, { signal, onWait: (o) => (owner = o) });
  try {
    const value = await fn();
    return owner ? { value, waited: { owner, ms: Math.round(performance.now() - t0) } } : { value };
  } finally {
    l.release();
  }
}
