// Renode behind tandem's Emulator interface.
//
// A fresh Renode costs seconds before the first guest instruction (mono start-up, compiling the
// board's C# models); a short kernel suite runs in a fraction of that. So Renode processes are
// pooled and reused: one per worker, each fed image after image. A session ends by pausing the
// guest, reading its virtual clock and closing its console file; the machine stays. When the next
// image is for the same board with the same timing, the client resets that machine (memories
// zeroed, every peripheral and the CPU reset, see reuseCommands) and loads the new ELF, which gives
// the guest what a new machine gives it without building the platform again. Any doubt (another
// board or timing, a Renode [ERROR] during the session, a command that failed, a stop that did not
// complete) and the next boot `Clear`s the emulation and creates the machine afresh. A process
// whose state is in doubt (a command failed to answer, the run was aborted) is killed, never
// reused; close() kills them all, and process-group.ts kills any left at exit.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image, Platform } from '../../domain.js';
import type { Availability, BootOptions, Emulator, ExitInfo, GuestClock, Session } from '../emulator.js';
import { CLEAR, VIRTUAL_TIME, bootCommands, loadSnapshotCommands, parseVirtualMs, replayCommandLine, reuseCommands, saveCommands, stopCommands, timingOf } from './commands.js';
import { RenodeCommandError, RenodeMonitor, type ExitState } from './monitor.js';
import { probeRenode, type Probe } from './locate.js';
import { cpuNameOf, memoriesOf, parseRepl, unmodelledCounterOf } from './repl.js';
import { FileTail } from './tail.js';
import { keepCompiledModels, modelsBeside } from './compiled-models.js';
import { UnmodelledTally, parseCounterReport, parseRenodeLogLine } from '../unmodelled.js';
import { PROBE_SOURCE, probeDetachCommand, probeFinishCommand, probeStartCommand, readProbeRecords, writeProbePlan } from './probe.js';

export { NOT_FOUND, locateRenode, parseRenodeVersion, probeRenode } from './locate.js';
export { bootCommands, reuseCommands, stopCommands, parseVirtualMs, timingOf, monitorPath, replayCommandLine } from './commands.js';
export { parseRepl, cpuNameOf, memoriesOf } from './repl.js';

export interface RenodeEmulatorOptions {
  /** Root the platform's `renode.repl` path is relative to; found from this file when absent. */
  repoRoot?: string;
  /** Renode processes kept alive between boots (one per run worker); default: CPU count. */
  workers?: number;
  /** A process is replaced after this many boots, bounding what a long run can accumulate. */
  maxBootsPerProcess?: number;
  /** Environment to find Renode in (TANDEM_RENODE, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Reset and reuse the machine for the next image of the same board and timing (default true);
   * false creates a new machine for every boot (in the same process).
   */
  reuseMachines?: boolean;
}

export interface RenodeEmulator extends Emulator {
  readonly kind: 'renode';
  /** Process ids of the live Renode processes (busy and idle), for tests and `tandem doctor`. */
  pids(): number[];
  /** Boots so far: on a new machine (`created`) and on a reset machine reused (`reused`). */
  stats(): { created: number; reused: number };
}

const MACHINE = 'tandem';
const COMMAND_TIMEOUT_MS = 60_000;
/** Compiling C# models starts a compiler inside Renode: slow on a loaded machine. */
const INCLUDE_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 30_000;
/** A machine state of a few hundred KiB to a few MiB: seconds, not minutes. */
const SAVE_TIMEOUT_MS = 60_000;

interface Instance {
  monitor: RenodeMonitor;
  /** C# models compiled into this process: path → mtime when compiled. */
  models: Map<string, number>;
  boots: number;
  /** The machine in the emulation, if any (until a `Clear`). */
  machine?: {
    /** Board and timing it was built for; undefined when it must never be reused. */
    key?: string;
    /** Left by a clean stop (paused, console file closed, no Renode error): fit for reuse. */
    reusable: boolean;
  };
}

/** Walks up from this module to the folder holding package.json and boards/. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'boards'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function createRenodeEmulator(options: RenodeEmulatorOptions = {}): RenodeEmulator {
  const repoRoot = options.repoRoot ?? findRepoRoot();
  const env = options.env ?? process.env;
  let probe: Promise<Probe> | undefined;
  const available = () => (probe ??= probeRenode(env));
  const pool = new Pool(options.workers ?? availableParallelism(), options.maxBootsPerProcess ?? 200);

  return {
    kind: 'renode',
    async available(): Promise<Availability> {
      const p = await available();
      return p.ok ? { ok: true, version: p.version } : { ok: false, reason: p.reason };
    },
    async boot(image: Image, platform: Platform, boot: BootOptions): Promise<Session> {
      const settings = platform.renode;
      if (!settings) throw new Error(`platform ${platform.name} has no renode settings`);
      const p = await available();
      if (!p.ok || !p.binary) throw new Error(p.reason ?? 'renode not available');
      if (boot.signal.aborted) throw new Error('aborted before boot');

      const elf = resolve(image.path);
      if (!existsSync(elf)) throw new Error(`image not found: ${elf}`);
      mkdirSync(boot.workDir, { recursive: true });
      const repl = resolve(repoRoot, settings.repl);
      const info = parseRepl(await readFile(repl, 'utf8').catch(() => {
        throw new Error(`platform ${platform.name}: ${repl} not found`);
      }));
      const models = new Map(info.includes.map((rel) => {
        const path = resolve(dirname(repl), rel);
        try {
          return [path, statSync(path).mtimeMs] as const;
        } catch {
          throw new Error(`${repl}: model ${rel} not found at ${path}`);
        }
      }));
      const counter = unmodelledCounterOf(info);
      const plan = {
        machine: MACHINE,
        repl,
        elf,
        cpu: cpuNameOf(info) ?? 'cpu',
        uart: settings.uart,
        uartLog: join(resolve(boot.workDir), `${settings.uart}.log`),
        timing: timingOf(settings),
        ...(counter ? { unmodelled: counter } : {}),
        ...(boot.debug ? { gdbPort: boot.debug.port } : {}),
      };
      // Fails early, before a process is taken, if a path cannot be expressed to the monitor.
      const replay = replayCommandLine(p.binary, bootCommands({ ...plan, includes: [...models.keys()] }));
      // Cost and reach: the C# probe is compiled with the board's models (probe.ts).
      const probeFile = boot.probe ? join(resolve(boot.workDir), 'probe.records') : undefined;
      const planFile = boot.probe ? writeProbePlan(boot.probe, resolve(boot.workDir)) : undefined;
      if (planFile) models.set(PROBE_SOURCE, statSync(PROBE_SOURCE).mtimeMs);
      const stop = [...stopCommands(plan.uart, plan.uartLog, plan.unmodelled), ...(probeFile ? [probeFinishCommand(plan.cpu, probeFile)] : [])];
      // What a machine must have been built from to be reused for this image.
      const memories = memoriesOf(info);
      // A debug session's machine waits for a debugger: never one to hand on to the next image.
      const key = memories && options.reuseMachines !== false && !boot.debug
        ? JSON.stringify({ repl, replMtime: statSync(repl).mtimeMs, cpu: plan.cpu, uart: plan.uart, timing: plan.timing, memories })
        : undefined;

      // A snapshot is loaded by a process whose cache holds the assemblies that saved it.
      const kept = boot.debug?.snapshot ? modelsBeside(boot.debug.snapshot) : undefined;
      const inst = await pool.acquire(p.binary, models, key, kept && existsSync(kept) ? kept : undefined);
      // An abort while booting ends the process: the command in flight may take minutes (include).
      const onAbort = () => void pool.discard(inst);
      boot.signal.addEventListener('abort', onAbort, { once: true });
      const flags = { renodeError: false };
      let tail: FileTail | undefined;
      const unmodelled = new UnmodelledTally();
      inst.monitor.setLog(join(boot.workDir, 'renode.log'), (line) => {
        const access = parseRenodeLogLine(line);
        if (access) unmodelled.add(access);
        // Renode's own errors (a CPU abort, a model exception) belong next to the guest output,
        // and make the machine unfit for reuse.
        if (/\[ERROR\]/.test(line)) {
          flags.renodeError = true;
          tail?.inject(`[renode] ${line}`);
        }
      });
      let baseMs: number | undefined = 0;
      try {
        const previous = inst.machine;
        let reused = false;
        // The probe starts watching after the image is loaded, before the guest starts.
        const probing = (commands: string[]) => (planFile ? [...commands.slice(0, -1), probeStartCommand(plan.cpu, planFile), ...commands.slice(-1)] : commands);
        if (key !== undefined && memories && previous?.key === key && previous.reusable) {
          previous.reusable = false;
          const commands = probing(reuseCommands({ ...plan, memories }));
          try {
            const outputs = await inst.monitor.execBatch(commands, { timeoutMs: COMMAND_TIMEOUT_MS });
            baseMs = parseVirtualMs(outputs[commands.indexOf(VIRTUAL_TIME)] ?? '');
            reused = true;
          } catch (err) {
            // A machine that would not reset gets replaced below; a process that did not answer is gone.
            if (!(err instanceof RenodeCommandError) || !inst.monitor.alive || boot.signal.aborted) throw err;
            rmSync(plan.uartLog, { force: true });
          }
        }
        if (!reused) {
          const toCompile = [...models.keys()].filter((m) => inst.models.get(m) !== models.get(m));
          if (toCompile.length) {
            const [include] = bootCommands({ ...plan, includes: toCompile });
            await inst.monitor.exec(include!, { timeoutMs: INCLUDE_TIMEOUT_MS });
            for (const [path, mtime] of models) inst.models.set(path, mtime);
          }
          if (boot.signal.aborted) throw new Error('aborted during boot');
          const snapshot = boot.debug?.snapshot;
          const commands = snapshot
            ? [...(inst.machine ? [CLEAR] : []), ...loadSnapshotCommands({ snapshot, machine: plan.machine, uart: plan.uart, uartLog: plan.uartLog, gdbPort: boot.debug!.port })]
            : probing([...(inst.machine ? [CLEAR] : []), ...bootCommands({ ...plan, includes: [] })]);
          inst.machine = { reusable: false, ...(key !== undefined ? { key } : {}) };
          await inst.monitor.execBatch(commands, { timeoutMs: COMMAND_TIMEOUT_MS });
          baseMs = 0;
        }
        pool.count(reused);
        tail = new FileTail(plan.uartLog);
        await tail.start();
      } catch (err) {
        inst.monitor.setLog(undefined);
        if (inst.machine) inst.machine.reusable = false;
        if (boot.signal.aborted || !inst.monitor.alive) await pool.discard(inst);
        else await pool.release(inst);
        throw err;
      } finally {
        boot.signal.removeEventListener('abort', onAbort);
      }
      return new RenodeSession(inst, pool, tail, replay, boot.signal, stop, baseMs, flags, unmodelled, Number(plan.timing.quantum) * 1000, probeFile ? { file: probeFile, cpu: plan.cpu } : undefined);
    },
    close: () => pool.close(),
    pids: () => pool.pids(),
    stats: () => pool.stats(),
  };
}

class RenodeSession implements Session {
  readonly console: AsyncIterable<Uint8Array>;
  readonly exited: Promise<ExitInfo>;
  private resolveExited!: (info: ExitInfo) => void;
  private stopping?: Promise<ExitInfo>;

  constructor(
    private readonly inst: Instance,
    private readonly pool: Pool,
    private readonly tail: FileTail,
    readonly command: string[],
    signal: AbortSignal,
    /** pause, clock, close the console file. */
    private readonly stopCommands: string[],
    /** Virtual time when this guest started (a reused machine's clock does not restart). */
    private readonly baseMs: number | undefined,
    private readonly flags: { renodeError: boolean },
    private readonly tally: UnmodelledTally,
    private readonly quantumMs: number,
    /** Where the probe's records are written when the session stops, and the CPU it watches. */
    private readonly probe?: { file: string; cpu: string },
  ) {
    this.console = tail;
    this.exited = new Promise<ExitInfo>((r) => (this.resolveExited = r));
    // Renode ending on its own (a crash of the runtime, a kill from outside) ends the session.
    void inst.monitor.exited.then(async (state: ExitState) => {
      if (this.stopping) return;
      this.tail.inject(`[renode] exited (code ${state.code ?? '-'}, signal ${state.signal ?? '-'})`);
      await this.tail.finish();
      this.resolveExited({ code: state.code, signal: state.signal });
    });
    const onAbort = () => void this.stop(true);
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      void this.exited.then(() => signal.removeEventListener('abort', onAbort));
    }
  }

  stop(kill = false): Promise<ExitInfo> {
    return (this.stopping ??= this.doStop(kill));
  }

  /**
   * The guest clock for `clock: guest` limits: Renode's virtual time, which with advance-immediately
   * runs far ahead of the host's while the guest idles. A quantum is the most a reading can lag.
   */
  readonly guestClock: GuestClock = {
    read: async () => {
      const ms = await this.guestMs().catch(() => undefined);
      return ms === undefined ? undefined : { ms, staleMs: this.quantumMs };
    },
  };

  /** Virtual time this guest has run, asked of the running machine (the wall limit's guest clock). */
  async guestMs(): Promise<number | undefined> {
    if (this.stopping || !this.inst.monitor.alive || this.baseMs === undefined) return undefined;
    const now = parseVirtualMs(await this.inst.monitor.exec(VIRTUAL_TIME, { timeoutMs: COMMAND_TIMEOUT_MS }));
    return now === undefined ? undefined : now - this.baseMs;
  }

  /** `non existing peripheral` warnings Renode logged during this boot. */
  unmodelled() {
    return this.tally.list();
  }

  /** The probe's records, read once the session has stopped (a stop that did not finish leaves none). */
  probeLog() {
    return readProbeRecords(this.probeRead ? this.probe?.file : undefined);
  }

  private probeRead = false;

  /** Pauses the guest and saves the emulation into `file` (Renode's `Save`). */
  async saveState(file: string): Promise<void> {
    if (this.stopping || !this.inst.monitor.alive) throw new Error('the Renode session has ended');
    const [pause, ...save] = saveCommands(file);
    // A state cannot hold the probe's Python hooks; its records stay for the stop.
    await this.inst.monitor.execBatch([pause!, ...(this.probe ? [probeDetachCommand(this.probe.cpu)] : []), ...save], { timeoutMs: SAVE_TIMEOUT_MS });
    keepCompiledModels(this.inst.monitor.scratch, modelsBeside(file));
  }

  private async doStop(kill: boolean): Promise<ExitInfo> {
    const monitor = this.inst.monitor;
    let virtualMs: number | undefined;
    let died: ExitState | undefined;
    let clean = false;
    if (monitor.alive && !kill) {
      let clock: string | undefined;
      // Last in the batch: the boot's log lines (its unmodelled accesses) are all in before the
      // log is handed to the next boot.
      const mark = monitor.logMarker();
      try {
        const outputs = await monitor.execBatch([...this.stopCommands, mark.command], { timeoutMs: STOP_TIMEOUT_MS });
        clock = outputs[1];
        // Fourth, when the platform has a counter of unmodelled accesses: its report for this boot.
        if (this.stopCommands[3]?.endsWith(' Report')) for (const raw of parseCounterReport(outputs[3] ?? '')) this.tally.add(raw);
        await mark.seen();
        clean = true;
        this.probeRead = true;
      } catch (err) {
        // Paused and read the clock but could not close the console file: time is still good.
        if (err instanceof RenodeCommandError) clock = err.before[1];
        void mark.seen();
      }
      const now = clock === undefined ? undefined : parseVirtualMs(clock);
      if (now !== undefined && this.baseMs !== undefined) virtualMs = Math.round((now - this.baseMs) * 1000) / 1000;
    }
    // Everything the guest wrote before the pause is in the file (flushed per character).
    await this.tail.finish();
    monitor.setLog(undefined);
    if (this.inst.machine) this.inst.machine.reusable = clean && !this.flags.renodeError && monitor.alive;
    if (kill || !monitor.alive) {
      died = await this.pool.discard(this.inst);
    } else {
      await this.pool.release(this.inst);
      if (!monitor.alive) died = await monitor.exited;
    }
    const info: ExitInfo = { code: died?.code ?? null, signal: died?.signal ?? null };
    if (virtualMs !== undefined) info.virtualMs = virtualMs;
    this.resolveExited(info);
    return info;
  }
}

class Pool {
  private idle: Instance[] = [];
  private readonly all = new Set<Instance>();
  private closed = false;
  private created = 0;
  private reused = 0;

  constructor(
    private readonly keep: number,
    private readonly maxBoots: number,
  ) {}

  /**
   * An idle process whose compiled models match, preferring one whose machine can be reused for
   * `key`; or a new one.
   */
  async acquire(binary: string, models: ReadonlyMap<string, number>, key: string | undefined, compiledModels?: string): Promise<Instance> {
    if (this.closed) throw new Error('renode emulator is closed');
    // A model recompiled under the same type names would clash with the loaded one: start afresh.
    const stale = (inst: Instance) => [...models].some(([path, mtime]) => inst.models.has(path) && inst.models.get(path) !== mtime);
    for (const inst of this.idle.filter((i) => !i.monitor.alive || stale(i))) {
      this.idle = this.idle.filter((i) => i !== inst);
      if (inst.monitor.alive) void this.discard(inst);
    }
    const fits = key === undefined ? -1 : this.idle.findIndex((i) => i.machine?.key === key && i.machine.reusable);
    // Seeded assemblies only reach a process that has not compiled the models yet: a new one.
    const [inst] = compiledModels ? [] : fits >= 0 ? this.idle.splice(fits, 1) : this.idle.splice(-1, 1);
    if (inst) return inst;
    const monitor = await RenodeMonitor.start({ binary, ...(compiledModels ? { compiledModels } : {}) });
    const fresh: Instance = { monitor, models: new Map(), boots: 0 };
    this.all.add(fresh);
    void monitor.exited.then(() => {
      this.all.delete(fresh);
      this.idle = this.idle.filter((i) => i !== fresh);
    });
    if (this.closed) {
      await monitor.kill('renode emulator closed');
      throw new Error('renode emulator is closed');
    }
    return fresh;
  }

  count(reused: boolean): void {
    if (reused) this.reused++;
    else this.created++;
  }

  stats(): { created: number; reused: number } {
    return { created: this.created, reused: this.reused };
  }

  /** Keeps the process (and its machine) for the next boot when all is well; otherwise ends it. */
  async release(inst: Instance): Promise<void> {
    inst.boots++;
    if (!this.closed && inst.monitor.alive && inst.boots < this.maxBoots && this.idle.length < this.keep) {
      this.idle.push(inst);
      return;
    }
    await this.discard(inst);
  }

  async discard(inst: Instance): Promise<ExitState> {
    this.idle = this.idle.filter((i) => i !== inst);
    const state = await inst.monitor.kill();
    this.all.delete(inst);
    return state;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle = [];
    await Promise.all([...this.all].map((i) => i.monitor.kill('renode emulator closed')));
    this.all.clear();
  }

  pids(): number[] {
    return [...this.all].filter((i) => i.monitor.alive).map((i) => i.monitor.pid);
  }
}
