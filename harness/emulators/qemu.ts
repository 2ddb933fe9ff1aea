// QEMU with the flags Zephyr's qemu_* boards use, so guest timing matches what twister sees.
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import type { Image, Platform } from '../domain.js';
import type { Availability, Emulator, Session } from './emulator.js';
import { mergeStreams } from './byte-queue.js';
import { spawnGroup, type GroupProcess } from './process-group.js';
import { resolveProgram } from './executable.js';
import { rememberedVersion } from './version-cache.js';
import { openQemuLog } from './qemu-log.js';
import { prepareFifos, privateFolder } from './fifo-reservoir.js';
import { openFifoConsole } from './fifo-console.js';
import { closeSpawnHelper, startThroughHelper } from './spawn-helper.js';
import { QemuClock, clockMonitorArgs, clockSocketPath } from './qemu-clock.js';
import { openQemuProbe } from './qemu-probe/index.js';

/** The QEMU binary tandem runs (and probes): Cortex-M targets only, TANDEM_QEMU to override. */
export function qemuBinary(): string {
  return process.env.TANDEM_QEMU || 'qemu-system-arm';
}

/** `-gdb tcp:127.0.0.1:N -S`: QEMU's gdbstub on loopback only, the CPU halted at reset until `continue`. */
export function qemuDebugArgs(port: number): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a TCP port: ${port}`);
  return ['-gdb', `tcp:127.0.0.1:${port}`, '-S'];
}

export function qemuArgs(image: Image, platform: Platform): string[] {
  const q = platform.qemu;
  if (!q) throw new Error(`platform ${platform.name} has no qemu settings`);
  return [
    '-cpu', q.cpu,
    '-machine', q.machine,
    '-nographic', '-vga', 'none', '-net', 'none',
    // One mux'd stdio chardev carries the guest UART; the monitor shares it as Zephyr's runner does.
    '-chardev', 'stdio,id=con,mux=on',
    '-serial', 'chardev:con',
    '-mon', 'chardev=con,mode=readline',
    '-icount', `shift=${q.icountShift},align=off,sleep=off`,
    '-rtc', 'clock=vm',
    '-kernel', image.path,
    ...q.extraArgs,
  ];
}

/**
 * Where each binary was found: a boot starts it by that path, so neither tandem nor setpriv looks
 * through PATH again for every boot (each miss on the way is a failed stat or execve).
 */
const programs = new Map<string, string>();

/** Finds the binary and learns its version (remembered per binary: version-cache.ts). */
async function probeQemu(bin: string): Promise<Availability> {
  const notFound = { ok: false, reason: `${bin} not found (apt-get install qemu-system-arm, or set TANDEM_QEMU)` };
  const path = resolveProgram(bin);
  if (!path) return notFound;
  programs.set(bin, path);
  const version = await rememberedVersion(path, () =>
    new Promise<string | undefined>((resolve) => {
      execFile(path, ['--version'], { timeout: 10_000 }, (err, stdout) => {
        resolve(err ? undefined : /version (\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0]);
      });
    }),
  );
  return version === undefined ? { ok: false, reason: `${path} does not run (\`${bin} --version\` failed)` } : { ok: true, version };
}

export function createQemuEmulator(): Emulator {
  const versions = new Map<string, Promise<Availability>>();
  let boots = 0;
  return {
    kind: 'qemu',
    available() {
      // Asked before a job's first boot: the FIFOs for the boots' logs are made meanwhile.
      prepareFifos();
      const bin = qemuBinary();
      let probe = versions.get(bin);
      if (!probe) {
        probe = probeQemu(bin);
        versions.set(bin, probe);
      }
      return probe;
    },
    async boot(image, platform, { signal, workDir, debug, guestClock = true, probe }): Promise<Session> {
      const bin = qemuBinary();
      if (debug?.snapshot) throw new Error('QEMU jobs have no saved state to load (snapshots are Renode only)');
      // What a person reproducing the boot by hand types; the plumbing below stays out of `command`.
      const args = [...qemuArgs(image, platform), ...(debug ? qemuDebugArgs(debug.port) : [])];
      const command = [bin, ...args];
      // A second monitor on a unix socket reads the guest's virtual clock (qemu-clock.ts), in the
      // FIFOs' private folder (no folder of its own to make and remove per boot).
      const socket = guestClock ? clockSocketPath(privateFolder(), `clock-${++boots}.sock`) : undefined;
      if (socket) args.push(...clockMonitorArgs(socket.path));
      // Accesses to unimplemented devices: why a guest that went quiet stopped (see qemu-log.ts).
      const qlog = platform.qemu ? await openQemuLog(bin, platform.qemu) : undefined;
      if (qlog) args.push(...qlog.args);
      // Cost and reach: a TCG plugin watching the plan's addresses (qemu-probe/).
      const probed = probe ? await openQemuProbe(bin, probe, workDir) : undefined;
      if (probed && 'args' in probed) args.push(...probed.args);
      // The console through a FIFO read in batches (fifo-console.ts); pipes where none can be made.
      // Started by the spawn helper where there is one (spawn-helper.ts), else by tandem itself.
      const con = await openFifoConsole();
      const exe = programs.get(bin) ?? bin;
      const proc = (con && (await startThroughHelper(exe, args, con.path))) || spawnGroup(exe, args, con ? { output: con.writeFd } : {});
      con?.spawned();
      const child = (proc as Partial<GroupProcess>).child;
      const pipes = [child?.stdout, child?.stderr];
      // QEMU's idle warning comes on its stderr, which shares the console FIFO.
      const clock = socket ? new QemuClock(socket.path, performance.now(), con ?? pipes[1], platform.qemu?.virtualPerGuest) : undefined;
      let stopping: Promise<{ code: number | null; signal: string | null }> | undefined;
      // The guest's console is already ours and QEMU keeps no state worth saving: no grace needed.
      const stop = () => (stopping ??= proc.kill(0));
      const onAbort = () => void stop();
      signal.addEventListener('abort', onAbort, { once: true });
      void proc.exited.then(() => {
        signal.removeEventListener('abort', onAbort);
        con?.end();
        clock?.close();
        socket?.cleanup();
        // The log's reader must not outlive QEMU, whether or not anyone asks for its tally.
        void qlog?.finish();
      });
      if (signal.aborted) void stop();
      return {
        command,
        console: con ?? mergeStreams(pipes),
        ...(con ? { drainConsole: () => con.drain(), hurryConsole: () => con.hurry() } : {}),
        exited: proc.exited,
        stop,
        guestMs: () => processCpuMs(proc.pid),
        // After the exit: the log's FIFO is then given back for another boot.
        unmodelled: async () => (qlog ? proc.exited.then(() => qlog.finish()) : []),
        ...(probed ? { probeLog: () => ('args' in probed ? probed.finish() : { method: 'qemu-plugin', records: [], problem: probed.problem }) } : {}),
        ...(clock ? { guestClock: clock } : {}),
        noCycleCounter: `QEMU models no DWT on ${platform.qemu?.machine ?? 'this machine'}: its cycle counter (DWT CYCCNT) reads 0, and so does every figure taken from it`,
      };
    },
    // The spawn helper's children are reaped before tandem exits: their CPU time counts as its own.
    close: () => closeSpawnHelper(),
  };
}

/** utime + stime of a process from /proc, milliseconds; undefined where /proc is not Linux's. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS_PER_SECOND) : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture tandem runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
