// Renode behind tandem's Emulator interface.
//
// A fresh Renode costs seconds before the first guest instruction (mono start-up, compiling the
// board's C# models); a short kernel suite runs in a fraction of that. So Renode processes are
// pooled and reused: one per worker, each fed image after image. Between images the client pauses
// the guest, reads its virtual clock and `Clear`s the emulation; the next boot creates a new
// machine in the same process. A process whose state is in doubt (a command failed to answer, the
// run was aborted) is killed, never reused; close() kills them all, and process-group.ts kills any
// left at exit.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image, Platform } from '../../domain.js';
import type { Availability, BootOptions, Emulator, ExitInfo, Session } from '../emulator.js';
import { CLEAR, PAUSE, VIRTUAL_TIME, bootCommands, parseVirtualMs, replayCommandLine, timingOf } from './commands.js';
import { RenodeMonitor, type ExitState } from './monitor.js';
import { probeRenode, type Probe } from './locate.js';
import { cpuNameOf, parseRepl } from './repl.js';
import { FileTail } from './tail.js';

export { NOT_FOUND, locateRenode, parseRenodeVersion, probeRenode } from './locate.js';
export { bootCommands, parseVirtualMs, timingOf, monitorPath, replayCommandLine } from './commands.js';
export { parseRepl, cpuNameOf } from './repl.js';

export interface RenodeEmulatorOptions {
  /** Root the platform's `renode.repl` path is relative to; found from this file when absent. */
  repoRoot?: string;
  /** Renode processes kept alive between boots (one per run worker); default: CPU count. */
  workers?: number;
  /** A process is replaced after this many boots, bounding what a long run can accumulate. */
  maxBootsPerProcess?: number;
  /** Environment to find Renode in (TANDEM_RENODE, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RenodeEmulator extends Emulator {
  readonly kind: 'renode';
  /** Process ids of the live Renode processes (busy and idle), for tests and `tandem doctor`. */
  pids(): number[];
}

const MACHINE = 'tandem';
const COMMAND_TIMEOUT_MS = 60_000;
/** Compiling C# models starts a compiler inside Renode: slow on a loaded machine. */
const INCLUDE_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 30_000;

interface Instance {
  monitor: RenodeMonitor;
  /** C# models compiled into this process: path → mtime when compiled. */
  models: Map<string, number>;
  boots: number;
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
      const plan = {
        machine: MACHINE,
        repl,
        elf,
        cpu: cpuNameOf(info) ?? 'cpu',
        uart: settings.uart,
        uartLog: join(resolve(boot.workDir), `${settings.uart}.log`),
        timing: timingOf(settings),
      };
      // Fails early, before a process is taken, if a path cannot be expressed to the monitor.
      const replay = replayCommandLine(p.binary, bootCommands({ ...plan, includes: [...models.keys()] }));

      const inst = await pool.acquire(p.binary, models);
      // An abort while booting ends the process: the command in flight may take minutes (include).
      const onAbort = () => void pool.discard(inst);
      boot.signal.addEventListener('abort', onAbort, { once: true });
      const commands = bootCommands({ ...plan, includes: [...models.keys()].filter((m) => inst.models.get(m) !== models.get(m)) });
      let tail: FileTail | undefined;
      inst.monitor.setLog(join(boot.workDir, 'renode.log'), (line) => {
        // Renode's own errors (a CPU abort, a model exception) belong next to the guest output.
        if (/\[ERROR\]/.test(line)) tail?.inject(`[renode] ${line}`);
      });
      try {
        for (const command of commands) {
          if (boot.signal.aborted) throw new Error('aborted during boot');
          const include = command.startsWith('include ');
          await inst.monitor.exec(command, { timeoutMs: include ? INCLUDE_TIMEOUT_MS : COMMAND_TIMEOUT_MS });
          if (include) for (const [path, mtime] of models) inst.models.set(path, mtime);
        }
        tail = new FileTail(plan.uartLog);
        await tail.start();
      } catch (err) {
        inst.monitor.setLog(undefined);
        await pool.recycle(inst, !boot.signal.aborted);
        throw err;
      } finally {
        boot.signal.removeEventListener('abort', onAbort);
      }
      return new RenodeSession(inst, pool, tail, replay, boot.signal);
    },
    close: () => pool.close(),
    pids: () => pool.pids(),
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

  private async doStop(kill: boolean): Promise<ExitInfo> {
    const monitor = this.inst.monitor;
    let virtualMs: number | undefined;
    let died: ExitState | undefined;
    if (monitor.alive && !kill) {
      try {
        await monitor.exec(PAUSE, { timeoutMs: STOP_TIMEOUT_MS });
        virtualMs = parseVirtualMs(await monitor.exec(VIRTUAL_TIME, { timeoutMs: STOP_TIMEOUT_MS }));
      } catch {
        // reported through the exit state below
      }
    }
    // Everything the guest wrote before the pause is in the file (flushed per character).
    await this.tail.finish();
    monitor.setLog(undefined);
    if (kill || !monitor.alive) {
      died = await this.pool.discard(this.inst);
    } else {
      await this.pool.recycle(this.inst, true);
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

  constructor(
    private readonly keep: number,
    private readonly maxBoots: number,
  ) {}

  /** An idle process whose compiled models match, or a new one. */
  async acquire(binary: string, models: ReadonlyMap<string, number>): Promise<Instance> {
    if (this.closed) throw new Error('renode emulator is closed');
    for (let inst = this.idle.pop(); inst; inst = this.idle.pop()) {
      if (!inst.monitor.alive) continue;
      // A model recompiled under the same type names would clash with the loaded one: start afresh.
      const stale = [...models].some(([path, mtime]) => inst!.models.has(path) && inst!.models.get(path) !== mtime);
      if (!stale) return inst;
      void this.discard(inst);
    }
    const monitor = await RenodeMonitor.start({ binary });
    const inst: Instance = { monitor, models: new Map(), boots: 0 };
    this.all.add(inst);
    void monitor.exited.then(() => {
      this.all.delete(inst);
      this.idle = this.idle.filter((i) => i !== inst);
    });
    if (this.closed) {
      await monitor.kill('renode emulator closed');
      throw new Error('renode emulator is closed');
    }
    return inst;
  }

  /**
   * Clears the emulation and keeps the process for the next boot when `reuse` and all is well;
   * otherwise ends it.
   */
  async recycle(inst: Instance, reuse: boolean): Promise<void> {
    inst.boots++;
    if (reuse && !this.closed && inst.monitor.alive && inst.boots < this.maxBoots && this.idle.length < this.keep) {
      try {
        await inst.monitor.exec(CLEAR, { timeoutMs: STOP_TIMEOUT_MS });
        if (!this.closed && inst.monitor.alive) {
          this.idle.push(inst);
          return;
        }
      } catch {
        // fall through: a process that cannot clear is not reused
      }
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
