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
//
// A group is put on the list by its own leader, before the program runs: the leader starts as a
// tiny shell holding a copy of the pipe's write end, writes `+ <its pid>` into it, closes it and
// execs the program. Had tandem written the line after spawn returned, a SIGKILL in between (the
// leader forking children while node was still starting the watchdog, as happened on loaded
// machines) left a group the watchdog never heard of. Now the watchdog cannot see EOF before the
// line is in the pipe, since the leader holds a write end until it has written it. setpriv alone
// has the same gap (a parent that dies before setpriv's prctl sends no signal); the watchdog
// covers it.
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

/**
 * The leader's first moments: register its group on fd 3 (the watchdog's pipe), close that fd so
 * the program does not hold the pipe open, then become the program. SIGPIPE is ignored only for
 * the write (a watchdog killed from outside must not stop the program starting) and restored
 * before exec.
 */
const LEADER_SCRIPT = `trap '' PIPE; echo "+ $$" >&3; trap - PIPE; exec 3>&-; exec "$@"`;

let watchdog: ChildProcess | undefined;
let watchdogFailed = false;
/** Groups registered and not yet ended: told again to a watchdog started after one was lost. */
const watched = new Set<number>();

function pipeFd(child: ChildProcess | undefined): number | undefined {
  const stdin = child?.stdin as (NonNullable<ChildProcess['stdin']> & { _handle?: { fd?: number } }) | null | undefined;
  const fd = stdin?._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function startWatchdog(): ChildProcess | undefined {
  if (watchdog || watchdogFailed) return watchdog;
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      watchdogFailed = true;
      if (watchdog === child) watchdog = undefined;
    });
    // Only a kill from outside ends it while tandem lives: a new one takes over the live groups
    // at once (a leader that wrote to the dead one is among them).
    child.once('exit', () => {
      if (watchdog !== child) return;
      watchdog = undefined;
      if (watched.size) startWatchdog();
    });
    child.stdin?.on('error', () => undefined);
    // Neither the watchdog nor its pipe may keep tandem's event loop alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    if (pipeFd(child) === undefined) {
      // No descriptor to hand to the leaders (not a pipe on this platform): no watchdog at all.
      child.kill('SIGKILL');
      watchdogFailed = true;
      return undefined;
    }
    watchdog = child;
    for (const pgid of watched) tell(child, `+ ${pgid}\n`);
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
  const fd = pipeFd(child);
  if (fd !== undefined) {
    try {
      writeSync(fd, line);
      return;
    } catch {
      // EAGAIN on a full pipe: let the stream queue it
    }
  }
  child?.stdin?.write(line);
}

/**
 * A group started by another process for tandem (spawn-helper.ts): listed as soon as tandem learns
 * its pid. Its leader dies with that process by its own parent-death signal, which covers the
 * moments before this line reaches the watchdog.
 */
export function watchGroup(pgid: number): void {
  watched.add(pgid);
  tell(startWatchdog(), `+ ${pgid}\n`);
}

/** The group ended normally: it must not be signalled later (its number may be reused). */
export function unwatchGroup(pgid: number): void {
  if (!watched.delete(pgid)) return;
  tell(watchdog, `- ${pgid}\n`);
}

/** The watchdog's pid, for tests; undefined before the first group or where /bin/sh is missing. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}

let setprivPath: string | null | undefined;

export interface GroupStart {
  file: string;
  args: string[];
  /** Extra stdio entries after stdin, stdout and stderr: the watchdog's pipe, when there is one. */
  extraStdio: number[];
  /** Call with the leader's pid once spawned (the group it registered itself). */
  started(pid: number): void;
}

/**
 * How to start `file args` as the leader of a new group that dies with tandem: registered with the
 * watchdog by the leader itself, then (where setpriv exists) with the kernel's parent-death signal.
 * Left as it is when `file` cannot be found: then spawn's own ENOENT still says so, and there is
 * no process to lose.
 */
export function groupStart(
  file: string,
  args: readonly string[],
  where: { cwd?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): GroupStart {
  const plain: GroupStart = { file, args: [...args], extraStdio: [], started: () => undefined };
  if (!resolveProgram(file, where.env ?? process.env, where.cwd ?? process.cwd())) return plain;
  const target = withParentDeathSignal(file, args, where);
  const dog = startWatchdog();
  const fd = pipeFd(dog);
  if (fd === undefined) return { ...plain, ...target };
  return {
    file: '/bin/sh',
    args: ['-c', LEADER_SCRIPT, 'tandem-group', target.file, ...target.args],
    // After stdin, stdout and stderr: the pipe is the leader's fd 3.
    extraStdio: [fd],
    started: (pid) => void watched.add(pid),
  };
}

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
