// The Renode monitor commands of one boot, built as plain strings from plain data. Pure: the client
// sends them one by one, tests check them without Renode, and the same list doubles as a command line
// (`renode -e '…' -e '…'`) that reproduces the boot by hand.
import type { RenodeSettings } from '../../domain.js';

export interface BootPlan {
  /** Absolute paths of C# models still to compile in this Renode process (once per process). */
  includes: string[];
  /** Machine name; the monitor's `machine`/`sysbus` refer to it once created. */
  machine: string;
  /** Absolute path of the platform description. */
  repl: string;
  /** Absolute path of the ELF to load. */
  elf: string;
  /** CPU peripheral name in the platform (`cpu`). */
  cpu: string;
  /** Console UART peripheral name (`lpuart1`). */
  uart: string;
  /** Absolute path of the file the UART's output is written to. */
  uartLog: string;
  timing: Timing;
  /**
   * The platform's counter of unmodelled accesses (UnmodelledSpace), put over every unmapped
   * address once the platform is loaded; read and cleared when the session stops.
   */
  unmodelled?: string;
  /**
   * `tandem debug`: open a GDB server on this port instead of starting the guest. Renode starts
   * the emulation when the debugger connects (autostartEmulation) and the stub halts the CPU, so
   * the guest waits at reset for `continue`.
   */
  gdbPort?: number;
}

export interface Timing {
  mode: RenodeSettings['timing'];
  /** `PerformanceInMips` of the CPU: guest instructions per virtual microsecond. */
  mips: number;
  /** Global time quantum, seconds as Renode parses it (`"0.001"`). */
  quantum: string;
}

/** The timing a platform asks for, validated (values end up in monitor commands). */
export function timingOf(settings: RenodeSettings, mode: RenodeSettings['timing'] = settings.timing): Timing {
  const mips = settings.mips[mode];
  const quantum = settings.quantum[mode];
  if (!Number.isInteger(mips) || mips < 1) throw new Error(`renode.mips.${mode} must be a positive integer, got ${String(mips)}`);
  if (typeof quantum !== 'string' || !/^\d+(\.\d+)?$/.test(quantum)) {
    throw new Error(`renode.quantum.${mode} must be a decimal number of seconds such as "0.001", got ${String(quantum)}`);
  }
  return { mode, mips, quantum };
}

/**
 * A path as a monitor path token (`@/abs/path`). The monitor splits commands on `;` and tokens on
 * whitespace (`\ ` escapes a space) and has no other quoting for paths, so paths it cannot carry
 * faithfully are refused rather than mangled.
 */
export function monitorPath(path: string): string {
  if (!path.startsWith('/')) throw new Error(`monitor paths must be absolute: ${path}`);
  if (/[\u0000-\u001f\u007f;\\"'`]/.test(path)) {
    throw new Error(`path cannot be passed to the Renode monitor (control character, ';', quote or backslash): ${path}`);
  }
  return '@' + path.replace(/ /g, '\\ ');
}

/** A value as a double-quoted monitor string. */
export function monitorString(value: string): string {
  if (/[\u0000-\u001f\u007f"\\]/.test(value)) throw new Error(`value cannot be passed to the Renode monitor: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** A peripheral or machine name as a monitor identifier. */
export function monitorName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a Renode peripheral name: ${JSON.stringify(name)}`);
  return name;
}

/** Everything from an empty emulation to a running guest whose console goes to `uartLog`. */
export function bootCommands(plan: BootPlan): string[] {
  const commands: string[] = [];
  // One `include` compiles all models together (each separate include costs a compiler start).
  if (plan.includes.length) commands.push(['include', ...plan.includes.map(monitorPath)].join(' '));
  commands.push(
    `mach create ${monitorString(plan.machine)}`,
    `machine LoadPlatformDescription ${monitorPath(plan.repl)}`,
    ...(plan.unmodelled ? [`sysbus.${monitorName(plan.unmodelled)} CoverUnmappedSpace`] : []),
    `sysbus.${monitorName(plan.cpu)} PerformanceInMips ${plan.timing.mips}`,
    `emulation SetGlobalQuantum ${monitorString(plan.timing.quantum)}`,
    // While every CPU waits for an interrupt, jump virtual time to the next timer event instead of
    // waiting it out in real time (QEMU's `-icount sleep=off`). Guest-visible time is unchanged.
    'emulation SetGlobalAdvanceImmediately true',
    // `true`: flush after every character, so the harness sees output the moment the guest writes it.
    `sysbus.${monitorName(plan.uart)} CreateFileBackend ${monitorPath(plan.uartLog)} true`,
    `sysbus LoadELF ${monitorPath(plan.elf)}`,
    plan.gdbPort === undefined ? 'start' : gdbServerCommand(plan.gdbPort),
  );
  return commands;
}

/**
 * `machine StartGdbServer N`. Renode's GdbStub listens through SocketServerProvider.Start, which
 * binds `new IPEndPoint(IPAddress.Any, port)`: every interface, with no option for another
 * address (renode-infrastructure, src/Emulator/Main/Utilities/SocketServerProvider.cs). tandem
 * therefore gives this port to Renode only as an inner port and hands the debugger its own
 * 127.0.0.1 listener (harness/debug/gdb-proxy.ts); see README for what that does and does not cover.
 */
export function gdbServerCommand(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a TCP port: ${port}`);
  return `machine StartGdbServer ${port}`;
}

/** Saves the whole emulation (every machine's CPU, memory and peripherals) where it stands. */
export function saveCommands(file: string): string[] {
  return [PAUSE, `Save ${monitorPath(file)}`];
}

/**
 * A saved emulation loaded and opened for a debugger: the state replaces the current emulation,
 * the console is attached again (file backends are host-side, not part of the state), and the GDB
 * server waits; nothing runs until the debugger continues.
 */
export function loadSnapshotCommands(plan: { snapshot: string; machine: string; uart: string; uartLog: string; gdbPort: number }): string[] {
  return [
    `Load ${monitorPath(plan.snapshot)}`,
    `mach set ${monitorString(plan.machine)}`,
    `sysbus.${monitorName(plan.uart)} CreateFileBackend ${monitorPath(plan.uartLog)} true`,
    gdbServerCommand(plan.gdbPort),
  ];
}

/**
 * The next image on the machine already in the process (same board, same timing): what
 * `mach create` + `LoadPlatformDescription` would give, without building the platform again
 * (~0.3 s of each boot).
 * - `ZeroAll` on every RAM/flash: `Reset` leaves memory as it was (MappedMemory.Reset does nothing),
 *   and a new machine's memory reads as zeros. Before `Reset`, whose `tb_flush` drops code the CPU
 *   translated from the old contents.
 * - `machine Reset`: every peripheral to its reset state (CPU registers and translation cache,
 *   NVIC and SysTick with its nominal clock, UARTs, the board's models, the bus's symbols); the CPU
 *   takes SP and PC from the new vector table when it starts, as after power-on.
 * - Virtual time does not restart: its value before `start` is the base the session subtracts.
 * The console file backend was closed when the previous session stopped.
 */
export function reuseCommands(plan: Omit<BootPlan, 'includes' | 'machine' | 'repl' | 'timing'> & { memories: readonly string[] }): string[] {
  return [
    ...plan.memories.map((m) => `sysbus.${monitorName(m)} ZeroAll`),
    'machine Reset',
    `sysbus.${monitorName(plan.uart)} CreateFileBackend ${monitorPath(plan.uartLog)} true`,
    VIRTUAL_TIME,
    `sysbus LoadELF ${monitorPath(plan.elf)}`,
    'start',
  ];
}

/**
 * Ends a session and keeps its machine for the next image: pause the guest, read its clock, close
 * the console file (Renode holds it open until then) and, last, take the boot's count of
 * unmodelled accesses (which clears it for the next image).
 */
export function stopCommands(uart: string, uartLog: string, unmodelled?: string): string[] {
  return [
    PAUSE,
    VIRTUAL_TIME,
    `sysbus.${monitorName(uart)} CloseFileBackend ${monitorPath(uartLog)}`,
    ...(unmodelled ? [`sysbus.${monitorName(unmodelled)} Report`] : []),
  ];
}

/** Stops the guest where it is; the next command reads its clock. */
export const PAUSE = 'pause';
/** Virtual time of the current machine (`[Domain = …, TimeElapsed = HH:MM:SS.nnnnnnnnn]`). */
export const VIRTUAL_TIME = 'machine ElapsedVirtualTime';
/**
 * Drops the whole emulation (machines, file backends) and leaves an empty one, ready for the next
 * `mach create`. Unlike `mach rem` on a running machine this is safe to do to a paused guest.
 */
export const CLEAR = 'Clear';

/** Guest time in milliseconds from `machine ElapsedVirtualTime` or `currentTime` output. */
export function parseVirtualMs(output: string): number | undefined {
  const m = /(?:TimeElapsed = |Current virtual time: )(\d+):(\d{2}):(\d{2})\.(\d+)/.exec(output);
  if (!m) return undefined;
  const [, h, min, s, frac] = m;
  const ns = Number((frac ?? '0').slice(0, 9).padEnd(9, '0'));
  const ms = ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + ns / 1e6;
  return Math.round(ms * 1000) / 1000;
}

/** Renode's own arguments: headless, monitor on stdin/stdout, no colours, no UART windows. */
export const RENODE_ARGS: readonly string[] = ['--disable-xwt', '--plain', '--console', '--hide-analyzers'];

/** A command line that replays a boot by hand: `renode <args> -e cmd -e cmd …`. */
export function replayCommandLine(binary: string, commands: readonly string[]): string[] {
  return [binary, ...RENODE_ARGS, ...commands.flatMap((c) => ['-e', c])];
}
