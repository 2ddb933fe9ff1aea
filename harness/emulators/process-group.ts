// Every emulator runs as the leader of its own process group so that one signal reaches it and
// anything it forked (mono's helpers, a flash tool's children). A registry of live groups lets the
// CLI kill them all on Ctrl-C, on an uncaught error and at exit: no emulator outlives tandem.
import { spawn, type ChildProcess } from 'node:child_process';
import { groupStart, unwatchGroup, watchGroup } from './parent-death.js';

const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; SIGKILL to the group is the only thing that is.
  process.on('exit', killAllGroups);
}

/** Kills every live process group at once; used at exit and on a second Ctrl-C. */
export function killAllGroups(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

export function liveGroupCount(): number {
  return live.size;
}

export interface GroupProcess {
  /** -1 when the program could not be started (see `startError`). */
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles once the leader has exited, whatever the reason. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Why the program could not be started (ENOENT, EACCES), once `exited` has settled. */
  readonly startError: () => Error | undefined;
  /** SIGTERM to the group, SIGKILL after `graceMs` (at once when 0); resolves when the leader is gone. */
  kill(graceMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Keep stdin open as a pipe (Renode's console mode quits at EOF); otherwise /dev/null. */
  stdin?: 'pipe' | 'ignore';
  /** A descriptor for stdout and stderr both (a console FIFO); otherwise a pipe each. */
  output?: number;
}

/**
 * Starts `file args` (an argument array: no shell ever parses scenario values). Node's own spawn,
 * not execa: an emulator boot is on the hot path of every job, and execa's extra work per process
 * costs a measurable share of a 2-core machine that the emulators need.
 */
export function spawnGroup(file: string, args: readonly string[], options: SpawnOptions = {}): GroupProcess {
  installExitHook();
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  // Dies with tandem even when tandem is SIGKILLed (see parent-death.ts); same pid, same group.
  const start = groupStart(file, args, { cwd: options.cwd, env });
  const child = spawn(start.file, start.args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: [options.stdin ?? 'ignore', options.output ?? 'pipe', options.output ?? 'pipe', ...start.extraStdio],
  });
  const pid = child.pid;
  let startError: Error | undefined;
  // Settle on the leader's own exit, not on its pipes closing: a forked grandchild holding
  // stdout open must not keep a finished job waiting.
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      if (pid !== undefined) {
        live.delete(pid);
        signalGroup(pid, 'SIGKILL');
        unwatchGroup(pid);
      }
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      startError = err;
      if (pid !== undefined) live.delete(pid);
      resolve({ code: null, signal: null });
    });
  });
  if (pid === undefined) return { pid: -1, child, exited, startError: () => startError, kill: () => exited };
  live.add(pid);
  start.started(pid);
  return { pid, child, exited, startError: () => startError, kill: killer(pid, exited) };
}

export type AdoptedGroup = Omit<GroupProcess, 'child'>;

/**
 * A group another process started for tandem (spawn-helper.ts), with `pid` as its leader: listed,
 * watched and killed like one of spawnGroup's. `leaderExit` settles when that process reports the
 * leader's exit.
 */
export function adoptGroup(pid: number, leaderExit: Promise<{ code: number | null; signal: string | null }>): AdoptedGroup {
  installExitHook();
  live.add(pid);
  watchGroup(pid);
  const exited = leaderExit.then((e) => {
    live.delete(pid);
    signalGroup(pid, 'SIGKILL');
    unwatchGroup(pid);
    return e;
  });
  // The helper tells the pid right after its fork, maybe before the child's setsid: a kill at once
  // (a run aborted meanwhile) would find no group yet, so the leader is signalled by pid as well.
  return { pid, exited, startError: () => undefined, kill: killer(pid, exited, true) };
}

function killer(pid: number, exited: Promise<{ code: number | null; signal: string | null }>, leaderToo = false) {
  // Once the leader's exit is known its pid may belong to someone else: no more signals by pid.
  let ended = false;
  void exited.then(() => (ended = true), () => (ended = true));
  const send = (signal: NodeJS.Signals) => {
    signalGroup(pid, signal);
    if (leaderToo && !ended) signalProcess(pid, signal);
  };
  return async (graceMs = 1000) => {
    send(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => send('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone (and reaped by the helper)
  }
}
