// An emulator's console (its stdout and stderr) through a FIFO that tandem reads every few
// milliseconds rather than on every write. QEMU writes the guest's UART one
// character per write(2), so a pipe read whenever it is readable wakes tandem ~3,000 times in a
// 0.5 s suite, and each wake-up (epoll, read, a stream's events, the parser) was the largest part
// of tandem's CPU per boot. Read every few milliseconds, the same bytes arrive in ~100 reads.
// QEMU does not wait for the reader meanwhile: a pipe holds 64 KiB, and a Zephyr suite prints
// ~40 KB/s (measured: a reader 3 ms late per read, same wall and QEMU CPU, 2,789 reads → 31;
// docs/clocks.md). A flood that fills the pipe makes QEMU's write wait until the next read, which
// then comes at once (a read that found the pipe full polls again without delay).
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { recycleFifo, takeFifo } from './fifo-reservoir.js';

/** While the console is busy it is read this often (ms): a verdict line is seen at most this late. */
export const BUSY_POLL_MS = 4;
/** A quiet console is read less and less often, down to this (ms): silence limits are 200 ms and up. */
export const QUIET_POLL_MS = 32;
/** A quiet log, this often (ms): a guest flooding it waits at most this long before it is read at once. */
export const QUIET_LOG_POLL_MS = 100;
/** Near a verdict (a suite ended, a fatal error), the console is read this often (ms) … */
export const HURRY_POLL_MS = 1;
/** … for this long (ms): the verdict line follows within a few ms of the suite's summary. */
const HURRY_FOR_MS = 25;
/** A FIFO due this soon (ms) after a tick is read on it. */
const COALESCE_MS = 2;
const READ_BYTES = 64 * 1024;
/** At most this much per poll, so a flooding guest cannot hold the event loop. */
const MAX_POLL_BYTES = 1024 * 1024;

/** A FIFO another process writes and tandem reads every few milliseconds. */
export interface PolledFifo {
  /** Where the writer opens it (QEMU's `-D` log). */
  readonly path: string;
  /** Sees every chunk (QEMU's idle warning on its stderr, the log's tally). */
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  /** Reads whatever is waiting now, at once: a limit must not be declared before output already written. */
  drain(): void;
  /** A verdict line is near: read every HURRY_POLL_MS for a little while, so it is seen at once. */
  hurry(): void;
  /** The writer has exited: reads what is left, ends the iteration, gives the FIFO back. */
  end(): void;
}

export interface FifoConsole extends PolledFifo, AsyncIterable<Uint8Array> {
  /** The emulator's end: pass it as stdout and stderr, then call `spawned()`. */
  readonly writeFd: number;
  /** The emulator has been started (or failed to start): tandem's copy of its end is closed. */
  spawned(): void;
}

/** A console FIFO; undefined where none can be made (then the caller uses pipes). */
export async function openFifoConsole(): Promise<FifoConsole | undefined> {
  return (await openPolled({ writer: true, keep: true, quietMs: QUIET_POLL_MS })) as FifoConsole | undefined;
}

/**
 * A FIFO for a log the emulator opens by path: only tapped, nothing kept. Nearly always empty, so
 * it is read rarely until something arrives; a writer that fills it is then read at once.
 */
export async function openFifoLog(): Promise<PolledFifo | undefined> {
  return openPolled({ writer: false, keep: false, quietMs: QUIET_LOG_POLL_MS });
}

async function openPolled(options: { writer: boolean; keep: boolean; quietMs: number }): Promise<Polled | undefined> {
  const path = await takeFifo();
  if (!path) return undefined;
  let readFd: number;
  let writeFd = -1;
  try {
    // Read-write and non-blocking: our end never waits and never sees end-of-file, so the writer's
    // exit (not an EOF) ends the reading. The emulator's end is a separate, blocking description.
    readFd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    recycleFifo(path, false);
    return undefined;
  }
  if (options.writer) {
    try {
      writeFd = openSync(path, constants.O_WRONLY);
    } catch {
      closeSync(readFd);
      recycleFifo(path, false);
      return undefined;
    }
  }
  return new Polled(path, readFd, writeFd, options.keep, options.quietMs);
}

const scratch = Buffer.allocUnsafe(READ_BYTES);

// Every polled FIFO is read on one shared timer. Waking this process costs far more than a read
// (~70 µs against ~7 µs here, measured), so two consoles and two logs read on one tick cost
// little more than one; a FIFO due within COALESCE_MS of a tick is read on it.
const polled = new Set<Polled>();
let ticker: NodeJS.Timeout | undefined;
let tickAt = Infinity;

function plan(): void {
  let next = Infinity;
  for (const p of polled) next = Math.min(next, p.dueAt);
  if (next >= tickAt && ticker) return;
  if (ticker) clearTimeout(ticker);
  ticker = undefined;
  tickAt = next;
  // Unref'd: an emulator's process keeps the event loop alive while it runs, not its console.
  if (next < Infinity) ticker = setTimeout(tick, Math.max(0, next - performance.now())).unref();
}

function tick(): void {
  ticker = undefined;
  tickAt = Infinity;
  const now = performance.now();
  for (const p of polled) if (p.dueAt <= now + COALESCE_MS) p.poll(now);
  plan();
}

class Polled implements FifoConsole {
  private readonly queue: Buffer[] = [];
  private readonly listeners: Array<(chunk: Buffer) => void> = [];
  private wake: (() => void) | undefined;
  private interval: number;
  /** performance.now() when this FIFO is to be read next (by the shared ticker). */
  dueAt: number;
  /** Until then, read at HURRY_POLL_MS: a verdict is near. */
  private hurryUntil = 0;
  private writeClosed = false;
  private ended = false;

  constructor(
    readonly path: string,
    private readonly readFd: number,
    /** -1 when the writer opens the path itself. */
    readonly writeFd: number,
    /** Keep the chunks for iteration (a console), or only tap them (a log). */
    private readonly keep: boolean,
    private readonly quietMs: number,
  ) {
    this.interval = keep ? BUSY_POLL_MS : quietMs;
    this.dueAt = performance.now() + this.interval;
    polled.add(this);
    plan();
  }

  spawned(): void {
    if (this.writeFd < 0 || this.writeClosed) return;
    this.writeClosed = true;
    closeSync(this.writeFd);
  }

  on(_event: 'data', listener: (chunk: Buffer) => void): void {
    this.listeners.push(listener);
  }

  drain(): void {
    if (!this.ended) this.read(Infinity);
  }

  hurry(): void {
    const now = performance.now();
    this.hurryUntil = now + HURRY_FOR_MS;
    this.dueAt = Math.min(this.dueAt, now + HURRY_POLL_MS);
    plan();
  }

  end(): void {
    if (this.ended) return;
    this.spawned();
    this.read(Infinity);
    this.ended = true;
    polled.delete(this);
    closeSync(this.readFd);
    recycleFifo(this.path, true);
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      while (this.queue.length) yield this.queue.shift()!;
      if (this.ended) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Called by the ticker when due: reads, then sets when to read next. */
  poll(now: number): void {
    if (this.ended) return;
    const { bytes, full } = this.read(MAX_POLL_BYTES);
    // A flood (the pipe was full): read again as soon as the event loop has had its turn.
    this.interval = full ? 0 : bytes > 0 ? BUSY_POLL_MS : Math.min(this.quietMs, Math.max(1, this.interval) * 2);
    this.dueAt = now + (now < this.hurryUntil ? Math.min(this.interval, HURRY_POLL_MS) : this.interval);
  }

  /** Reads until the pipe is empty or `limit` bytes were read; `full`: the last read filled the buffer. */
  private read(limit: number): { bytes: number; full: boolean } {
    let total = 0;
    let full = false;
    while (total < limit) {
      let n: number;
      // An empty pipe answers EAGAIN, which node throws; without a stack the error costs half
      // (~6 µs instead of ~12 here), and a quiet console is polled ~30 times a second.
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        n = readSync(this.readFd, scratch, 0, READ_BYTES, null);
      } catch {
        break; // EAGAIN: nothing more written yet
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
      if (n <= 0) break;
      const chunk = Buffer.allocUnsafe(n);
      scratch.copy(chunk, 0, 0, n);
      total += n;
      for (const l of this.listeners) l(chunk);
      if (this.keep) this.queue.push(chunk);
      // A short read means the pipe is empty: asking again would only fail with EAGAIN.
      full = n === READ_BYTES;
      if (!full) break;
    }
    if (total > 0) this.notify();
    return { bytes: total, full };
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
