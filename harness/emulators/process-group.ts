// Every emulator runs as the leader of its own process group so that one signal reaches it and
// anything it forked (mono's helpers, a flash tool's children). A registry of live groups lets the
// CLI kill them all on Ctrl-C, on an uncaught error and at exit: no emulator outlives tandem.
import { execa, type ResultPromise } from 'execa';

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
  readonly pid: number;
  readonly child: ResultPromise<{ buffer: false; stdin: 'pipe' | 'ignore' }>;
  /** Settles once the leader has exited, whatever the reason. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader is gone. */
  kill(graceMs?: number): Promise<{ code: number | null; signal: string | null }>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Keep stdin open as a pipe (Renode's console mode quits at EOF); otherwise /dev/null. */
  stdin?: 'pipe' | 'ignore';
}

/** Starts `file args` (an argument array: no shell ever parses scenario values). */
export function spawnGroup(file: string, args: readonly string[], options: SpawnOptions = {}): GroupProcess {
  installExitHook();
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    detached: true,
    stdin: options.stdin ?? 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
  }) as GroupProcess['child'];
  const pid = child.pid;
  // Settle on the leader's own exit, not on execa's promise: that one also waits for stdout and
  // stderr to close, which a forked grandchild holding the pipes can delay forever.
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      if (pid !== undefined) {
        live.delete(pid);
        signalGroup(pid, 'SIGKILL');
      }
      resolve({ code, signal });
    });
    child.once('error', () => {
      if (pid !== undefined) live.delete(pid);
      resolve({ code: null, signal: null });
    });
  });
  void child.catch(() => undefined);
  if (pid === undefined) return { pid: -1, child, exited, kill: () => exited };
  live.add(pid);
  const kill = async (graceMs = 1000) => {
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { pid, child, exited, kill };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}
