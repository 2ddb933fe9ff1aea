// A boot's silence and wall limits, and the clock that counts them.
//
// With `clock: guest` (the default) and an emulator that can read its guest's clock, both limits
// count guest time: a silent guest whose clock warps over idle periods reaches 60 s of silence in
// a fraction of a second of host time, and a guest that runs slower than real time is not cut
// short. The host clock counts when the guest's cannot be read (`clock: host`, a real board, an
// emulator that does not answer) and is a backstop always: BACKSTOP_FACTOR × each limit in host
// time ends a boot whatever the guest clock says. docs/clocks.md says why it is built this way.
import type { ClockKind, RunEnd, Timeouts } from '../domain.js';
import type { GuestClock, GuestReading } from '../emulators/emulator.js';

/** The console must be quiet this long (host) before the guest clock is asked: a chatty boot costs nothing. */
export const QUIET_MS = 200;
/** While the console stays quiet the guest clock is read this often. */
export const POLL_MS = 300;
/** While the console is busy the guest-time wall limit is checked this often. */
export const WALL_CHECK_MS = 1000;
/** Each limit ends a boot after this many times its length in host time, whatever the guest clock says. */
export const BACKSTOP_FACTOR = 3;
/** Host clock: a guest that got under this share of the wall limit as emulated work was starved, not slow. */
const STARVED_FRACTION = 0.25;

export type LimitEnd = Extract<RunEnd, { kind: 'silence' | 'wall' }>;

/**
 * Pure: whether a guest-clock reading reaches a limit. `silentSinceMs` is the guest time from which
 * the console has been quiet (undefined while it is not).
 */
export function guestLimitReached(reading: GuestReading, silentSinceMs: number | undefined, t: Pick<Timeouts, 'wallSeconds' | 'silenceSeconds'>): 'silence' | 'wall' | undefined {
  // Silence first when both are reached: "no output" says more about a hang than "too long".
  if (silentSinceMs !== undefined && reading.stopped) return 'silence';
  if (silentSinceMs !== undefined && reading.ms - silentSinceMs >= t.silenceSeconds * 1000) return 'silence';
  if (reading.ms >= t.wallSeconds * 1000) return 'wall';
  return undefined;
}

export interface LimitsOptions {
  timeouts: Timeouts;
  /** The session's guest clock, if it has one. */
  guestClock?: GuestClock;
  /** Host clock only: emulated work so far (QEMU CPU time), to tell a starved host from a slow guest. */
  workMs?: () => number | undefined | Promise<number | undefined>;
  /** Delivers console output already written but not yet read (a console read in batches). */
  drain?: () => void;
  onEnd(end: LimitEnd): void;
}

/** Silence and wall limits of one boot: start() when the guest starts, output() on console bytes, stop() at the end. */
export class BootLimits {
  readonly clock: ClockKind;
  private readonly t: Timeouts;
  private startedAt = 0;
  private lastOutputAt = 0;
  /** Guest time from which the console has been quiet; set by the first reading asked after the output. */
  private silentSince: number | undefined;
  private lastReading: GuestReading | undefined;
  private reading = false;
  private ended = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private silenceTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private backstopSilence: NodeJS.Timeout | undefined;

  /** The limits as the host clock counts them: stretched by the platform's timeout multiplier. */
  private readonly host: { silenceSeconds: number; wallSeconds: number };

  constructor(private readonly options: LimitsOptions) {
    this.t = options.timeouts;
    const scale = options.timeouts.hostScale ?? 1;
    this.host = { silenceSeconds: this.t.silenceSeconds * scale, wallSeconds: this.t.wallSeconds * scale };
    this.clock = options.timeouts.clock !== 'host' && options.guestClock ? 'guest' : 'host';
  }

  start(): void {
    this.startedAt = this.lastOutputAt = performance.now();
    const silenceMs = this.host.silenceSeconds * 1000;
    const wallMs = this.host.wallSeconds * 1000;
    if (this.clock === 'host') {
      this.silenceTimer = setTimeout(() => this.end({ kind: 'silence', seconds: this.host.silenceSeconds, clock: 'host', hostMs: this.sinceOutput() }), silenceMs);
      this.timers.push(setTimeout(() => void this.hostWall(), wallMs));
      return;
    }
    // The quiet timer doubles as the start of polling; the backstops count host time.
    this.silenceTimer = setTimeout(() => void this.check(), QUIET_MS);
    this.backstopSilence = setTimeout(() => this.backstop('silence'), silenceMs * BACKSTOP_FACTOR);
    this.timers.push(
      this.backstopSilence,
      setTimeout(() => this.backstop('wall'), wallMs * BACKSTOP_FACTOR),
      setInterval(() => void this.check(), WALL_CHECK_MS),
    );
  }

  /** Console bytes arrived: the guest is not silent. Cheap: called for every chunk. */
  output(): void {
    this.lastOutputAt = performance.now();
    this.silentSince = undefined;
    this.silenceTimer?.refresh();
    if (this.pollTimer) {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
    this.backstopSilence?.refresh();
  }

  stop(): void {
    this.ended = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
  }

  private sinceOutput(): number {
    return Math.round(performance.now() - this.lastOutputAt);
  }

  /**
   * Ends the boot once pending console bytes have been read: after a stall of this process a timer
   * can run before the output that arrived meanwhile, and that output must win. setImmediate runs
   * after the I/O phase of the event loop, and after what `drain` delivered has been parsed.
   */
  private end(e: LimitEnd): void {
    if (this.ended) return;
    const outputBefore = this.lastOutputAt;
    this.options.drain?.();
    setImmediate(() => {
      if (this.ended) return;
      if (e.kind === 'silence' && this.lastOutputAt !== outputBefore) {
        // Output after all: the quiet stretch starts again.
        if (this.clock === 'guest') this.silenceTimer?.refresh();
        return;
      }
      this.stop();
      this.options.onEnd(e);
    });
  }

  /** Reads the guest clock and ends the boot if a limit is reached; polls on while the console is quiet. */
  private async check(): Promise<void> {
    if (this.ended || this.reading) return;
    this.reading = true;
    const askedAt = performance.now();
    const r = await this.options.guestClock!.read().catch(() => undefined);
    this.reading = false;
    if (this.ended) return;
    const now = performance.now();
    // Only a reading asked after the last output may date the quiet stretch: it is then no earlier
    // than the output, so the silence counted is never more than the guest really had.
    const quiet = now - this.lastOutputAt >= QUIET_MS && askedAt >= this.lastOutputAt;
    if (r) {
      this.lastReading = r;
      if (quiet && this.silentSince === undefined) this.silentSince = r.ms + r.staleMs;
      const reached = guestLimitReached(r, quiet ? this.silentSince : undefined, this.t);
      if (reached === 'silence') {
        const counted = Math.max(0, Math.round(r.ms - (this.silentSince ?? r.ms)));
        this.end({ kind: 'silence', seconds: this.t.silenceSeconds, clock: 'guest', hostMs: this.sinceOutput(), guestMs: counted, ...(r.stopped ? { idle: true } : {}) });
        return;
      }
      if (reached === 'wall') {
        this.end({ kind: 'wall', seconds: this.t.wallSeconds, clock: 'guest', hostMs: Math.round(now - this.startedAt), guestMs: Math.round(r.ms) });
        return;
      }
    } else if (quiet) {
      // The guest clock did not answer: count this quiet stretch in host time.
      if (now - this.lastOutputAt >= this.host.silenceSeconds * 1000) {
        this.end({ kind: 'silence', seconds: this.host.silenceSeconds, clock: 'host', hostMs: this.sinceOutput() });
        return;
      }
    }
    if (quiet && !this.pollTimer) {
      this.pollTimer = setTimeout(() => {
        this.pollTimer = undefined;
        void this.check();
      }, POLL_MS);
    }
  }

  private backstop(kind: 'silence' | 'wall'): void {
    const seconds = kind === 'silence' ? this.host.silenceSeconds : this.host.wallSeconds;
    const hostMs = Math.round(kind === 'silence' ? performance.now() - this.lastOutputAt : performance.now() - this.startedAt);
    // silentSince allows for the reading's staleness, so a stale last reading can fall short of it.
    const guest = this.lastReading ? { guestMs: Math.max(0, Math.round(kind === 'silence' && this.silentSince !== undefined ? this.lastReading.ms - this.silentSince : this.lastReading.ms)) } : {};
    this.end({ kind, seconds, clock: 'host', backstop: true, hostMs, ...guest });
  }

  /** Host clock: the wall limit is for guests that run too long, not for hosts too busy to run them. */
  private async hostWall(): Promise<void> {
    const wallMs = this.host.wallSeconds * 1000;
    const work = await Promise.resolve(this.options.workMs?.()).catch(() => undefined);
    if (this.ended) return;
    const elapsed = performance.now() - this.startedAt;
    if (work !== undefined && work < wallMs * STARVED_FRACTION && elapsed < wallMs * BACKSTOP_FACTOR) {
      this.timers.push(setTimeout(() => void this.hostWall(), 1000));
      return;
    }
    this.end({ kind: 'wall', seconds: this.host.wallSeconds, clock: 'host', hostMs: Math.round(elapsed) });
  }
}
