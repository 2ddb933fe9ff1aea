// QEMU's virtual clock, read through a second human monitor on a unix socket in the boot's work
// folder (never TCP). `info jit` prints `Host - Guest clock  N ms`: QEMU's host clock since the VM
// started minus its icount clock, so guest time = host time since start − N. The socket is only
// connected when a limit needs the guest clock (a console quiet for a while), so a chatty boot
// pays nothing; a reading costs QEMU ~0.4 ms of CPU. docs/clocks.md has the measurements and the
// candidates that lost.
import { connect, type Socket } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GuestClock, GuestReading } from './emulator.js';

/** QEMU's warning when every vCPU idles and no virtual-clock timer is pending: nothing can wake the guest. */
export const IDLE_NO_TIMERS = 'icount sleep disabled and no active timers';
/**
 * The icount clock folds in executed instructions when the vCPU leaves its execution loop, which
 * it does at least at every timer deadline and otherwise after an icount budget of INT32_MAX ns:
 * a reading may lag the guest by up to that much while it runs without a timer.
 */
export const ICOUNT_STALE_MS = 2148;
const DRIFT = /Host - Guest clock\s+(-?\d+) ms/;
const PROMPT = '(qemu) ';
const CONNECT_TIMEOUT_MS = 5000;
const CONNECT_RETRY_MS = 5;
const CONNECT_RETRY_MAX_MS = 40;
const COMMAND_TIMEOUT_MS = 5000;
/** Two readings this close (ms), with QEMU's idle warning seen, mean the guest clock has stopped. */
const FROZEN_EPSILON_MS = 2;
/** …taken at least this far apart in host time. */
const FROZEN_MIN_GAP_MS = 50;
/**
 * The fastest a guest's clock can run through its own work, × host time. An icount clock that
 * moved faster warped over an idle period, and on real Zephyr images on lm3s6965evb such a warp
 * can be hours while the guest itself counts 2 s (kernel_sleep); a warp is therefore counted at
 * this rate only. Busy code measured 22× (the busy suite: 7.4 guest s in 0.34 s).
 */
export const MAX_GUEST_SPEED = 30;
/** sun_path holds 108 bytes; longer work folders get a private folder under the system temp dir. */
const MAX_SOCKET_PATH = 100;

/** The monitor socket for a boot: `name` in `folder` (made if missing) when the path fits a unix socket address. */
export function clockSocketPath(folder: string, name = 'clock.sock'): { path: string; cleanup(): void } {
  const inWork = join(folder, name);
  if (inWork.length <= MAX_SOCKET_PATH) {
    mkdirSync(folder, { recursive: true });
    return { path: inWork, cleanup: () => rmSync(inWork, { force: true }) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'tandem-clk-'));
  return { path: join(dir, 'clock.sock'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** QEMU arguments for the clock monitor; a ',' in the path is doubled as QEMU's option syntax wants. */
export function clockMonitorArgs(socketPath: string): string[] {
  const path = socketPath.replace(/,/g, ',,');
  return ['-chardev', `socket,id=tandem-clock,path=${path},server=on,wait=off`, '-mon', 'chardev=tandem-clock,mode=readline'];
}

/** Pure: guest ms from the drift QEMU printed and the host ms since the VM started. */
export function guestMsFromDrift(hostSinceStartMs: number, driftMs: number): number {
  return Math.max(0, hostSinceStartMs - driftMs);
}

/** Pure: the guest clock as counted — `raw`, but never more than MAX_GUEST_SPEED × host time ahead of the last count. */
export function capGuestMs(previous: { ms: number; at: number } | undefined, raw: number, at: number, startedAt: number): number {
  const base = previous ?? { ms: 0, at: startedAt };
  return Math.max(base.ms, Math.min(raw, base.ms + MAX_GUEST_SPEED * Math.max(0, at - base.at)));
}

export class QemuClock implements GuestClock {
  private socket: Socket | undefined;
  private connecting: Promise<Socket | undefined> | undefined;
  private text = '';
  private waiter: ((reply: string | undefined) => void) | undefined;
  private idleWarned = false;
  private stderrTail = '';
  private last: { ms: number; at: number } | undefined;
  /** The capped guest clock: what has been handed out, and when. */
  private counted: { ms: number; at: number } | undefined;
  private closed = false;

  /**
   * @param startedAt performance.now() when QEMU was spawned (its VM starts a little later, so
   *   guest time is over-counted by QEMU's start-up, tens of ms: harmless for limits of seconds).
   */
  constructor(
    private readonly socketPath: string,
    private readonly startedAt: number,
    /** QEMU's stderr, or a console that carries it (its idle warning is looked for there). */
    stderr: { on(event: 'data', listener: (chunk: Buffer) => void): unknown } | null | undefined,
    /** QEMU virtual ms per guest ms (the platform's `virtual_per_guest`). */
    private readonly virtualPerGuest = 1,
  ) {
    stderr?.on('data', (chunk: Buffer) => {
      if (this.idleWarned) return;
      const seen = this.stderrTail + chunk.toString('latin1');
      if (seen.includes(IDLE_NO_TIMERS)) this.idleWarned = true;
      this.stderrTail = seen.slice(-IDLE_NO_TIMERS.length);
    });
  }

  async read(): Promise<GuestReading | undefined> {
    const socket = await (this.connecting ??= this.connect());
    if (!socket || this.closed) return undefined;
    const askedAt = performance.now();
    const reply = await this.command(socket, 'info jit');
    const answeredAt = performance.now();
    const drift = reply === undefined ? undefined : DRIFT.exec(reply);
    if (!drift) return undefined;
    // QEMU sampled its clocks somewhere between asking and answering (a busy host can stall this
    // process in between): the earlier end gives the lower guest time, the spread is staleness.
    const drifted = Number(drift[1]);
    const raw = guestMsFromDrift(askedAt - this.startedAt, drifted) / this.virtualPerGuest;
    const spread = (answeredAt - askedAt) * 2;
    const frozen = this.idleWarned && this.last !== undefined && askedAt - this.last.at >= FROZEN_MIN_GAP_MS && Math.abs(raw - this.last.ms) <= FROZEN_EPSILON_MS + spread;
    if (!frozen) this.last = { ms: raw, at: askedAt };
    const ms = capGuestMs(this.counted, raw, askedAt, this.startedAt);
    this.counted = { ms, at: askedAt };
    return frozen ? { ms, staleMs: spread, stopped: true } : { ms, staleMs: (this.idleWarned ? 0 : ICOUNT_STALE_MS / this.virtualPerGuest) + spread };
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.waiter?.(undefined);
  }

  private async connect(): Promise<Socket | undefined> {
    const deadline = performance.now() + CONNECT_TIMEOUT_MS;
    // QEMU creates the socket while it starts, which on a busy host can take longer than the first
    // quiet stretch: wait for the file (a failed connect costs an exception, a stat does not), a
    // little longer each time.
    let wait = CONNECT_RETRY_MS;
    for (; !this.closed && performance.now() < deadline; wait = Math.min(wait * 2, CONNECT_RETRY_MAX_MS)) {
      const socket = !existsSync(this.socketPath) ? undefined : await new Promise<Socket | undefined>((resolve) => {
        const s = connect(this.socketPath);
        s.once('connect', () => resolve(s));
        s.once('error', () => resolve(undefined));
      });
      if (socket) {
        this.socket = socket;
        socket.setEncoding('latin1');
        socket.on('data', (d: string) => this.onData(d));
        socket.on('error', () => undefined);
        socket.on('close', () => this.waiter?.(undefined));
        // The greeting ends with the first prompt.
        if ((await this.reply(socket)) === undefined) return undefined;
        return socket;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
    return undefined;
  }

  private onData(d: string): void {
    this.text += d;
    const end = this.text.indexOf(PROMPT);
    if (end < 0) return;
    const reply = this.text.slice(0, end);
    this.text = this.text.slice(end + PROMPT.length);
    const w = this.waiter;
    this.waiter = undefined;
    w?.(reply);
  }

  private reply(socket: Socket): Promise<string | undefined> {
    if (socket.destroyed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, COMMAND_TIMEOUT_MS);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  private command(socket: Socket, line: string): Promise<string | undefined> {
    const reply = this.reply(socket);
    socket.write(`${line}\n`);
    return reply;
  }
}
