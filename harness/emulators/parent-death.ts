// An emulator must not outlive a tandem that was killed outright (SIGKILL from the OOM killer, a CI
// runner's cancel): no exit hook runs then, so the children have to notice on their own. Two
// mechanisms, because each covers what the other cannot:
//
// - the leader of every group is started through `setpriv --pdeathsig KILL`, which asks the kernel
//   to SIGKILL it when its parent (node's main thread, the one that spawns) dies, then execs the
//   real program in place: same pid, still the leader of its group. It dies with tandem even if
//   everything else here is gone.
// - the leader's own children (Renode's launcher script runs mono as a child; a build's compilers)
//   do not inherit that, so one small watchdog per tandem process holds the other end of a pipe and
//   the list of live groups. When tandem dies the pipe reaches EOF and the watchdog SIGKILLs every
//   group on the list. It runs in its own process group so that a kill of tandem's group (a
//   terminal closing, a runner killing the job's group) does not take it along.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { resolveProgram } from './executable.js';

/** `+ PGID` adds a group, `- PGID` drops it; at EOF every group still listed gets SIGKILL. */
const WATCHDOG_SCRIPT = `
groups=' '
while read -r op pg; do
  case "$op" in
    +) groups="$groups$pg " ;;
    -) case "$groups" in *" $pg "*) groups="\${groups%% $pg *} \${groups#* $pg }" ;; esac ;;
  esac
done
for pg in $groups; do kill -9 "-$pg" 2>/dev/null; done
`;

let watchdog: ChildProcess | undefined;
let watchdogFailed = false;

function startWatchdog(): ChildProcess | undefined {
  if (watchdog || watchdogFailed) return watchdog;
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      watchdogFailed = true;
      watchdog = undefined;
    });
    child.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep tandem's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog = child;
  } catch {
    watchdogFailed = true;
  }
  return watchdog;
}

/**
 * Into the pipe before returning: a write queued for the event loop would be lost if tandem were
 * killed before its next turn. A line is far below the pipe's buffer, so the write does not block.
 */
function tell(child: ChildProcess | undefined, line: string): void {
  const stdin = child?.stdin as (NonNullable<ChildProcess['stdin']> & { _handle?: { fd?: number } }) | null | undefined;
  const fd = stdin?._handle?.fd;
  if (typeof fd === 'number' && fd >= 0) {
    try {
      writeSync(fd, line);
      return;
    } catch {
      // EAGAIN on a full pipe, or no fd on this platform: let the stream queue it
    }
  }
  stdin?.write(line);
}

/** Puts a process group on the watchdog's list: it is killed if tandem dies without cleaning up. */
export function watchGroup(pgid: number): void {
  tell(startWatchdog(), `+ ${pgid}\n`);
}

/** The group ended normally: it must not be signalled later (its number may be reused). */
export function unwatchGroup(pgid: number): void {
  tell(watchdog, `- ${pgid}\n`);
}

/** The watchdog's pid, for tests; undefined before the first group or where /bin/sh is missing. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}

let setprivPath: string | null | undefined;

/**
 * `file args` prefixed so that the kernel kills the process when tandem dies. Left as it is when
 * setpriv is missing, and when `file` cannot be found: then spawn's own ENOENT still says so.
 */
export function withParentDeathSignal(
  file: string,
  args: readonly string[],
  where: { cwd?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): { file: string; args: string[] } {
  if (setprivPath === undefined) setprivPath = process.env.TANDEM_NO_PDEATHSIG ? null : (resolveProgram('setpriv') ?? null);
  if (!setprivPath || !resolveProgram(file, where.env ?? process.env, where.cwd ?? process.cwd())) return { file, args: [...args] };
  return { file: setprivPath, args: ['--pdeathsig', 'KILL', '--', file, ...args] };
}
