// The raw console log of one boot. UART output arrives a few bytes at a time; writing each chunk
// on its own costs a system call per chunk on a machine whose cores belong to the emulators. So
// chunks are gathered and written together — at most BATCH_BYTES held, and never older than
// FLUSH_MS, so a person tailing the log still sees it live and memory stays flat. The writes are
// synchronous: a write stream opens, writes and closes through node's thread pool, and each of
// those round trips wakes tandem once more per boot; a batch of at most 32 KiB into the page cache
// is a few microseconds.
import { closeSync, openSync, writeSync } from 'node:fs';

const BATCH_BYTES = 32 * 1024;
const FLUSH_MS = 100;
/** A guest stuck printing in a loop would otherwise fill the disk before the wall timeout. */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

export class ConsoleLog {
  private fd: number | undefined;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private written = 0;
  /** Bytes the guest printed past the cap, dropped from the file but counted. */
  dropped = 0;
  /** Why the file could not be written (a full disk), once it happened; what was written stays. */
  error: Error | undefined;

  constructor(
    path: string,
    private readonly capBytes = DEFAULT_LOG_CAP_BYTES,
  ) {
    // A full disk must not kill the run from here: the job's runner asks afterwards.
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      this.error = err as Error;
    }
  }

  write(chunk: Uint8Array): void {
    if (this.error) return;
    if (this.written + this.pendingBytes + chunk.length > this.capBytes) {
      const room = Math.max(0, this.capBytes - this.written - this.pendingBytes);
      if (room > 0) this.pending.push(chunk.subarray(0, room)), (this.pendingBytes += room);
      if (this.dropped === 0) this.flush();
      this.dropped += chunk.length - room;
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= BATCH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingBytes === 0) return;
    this.put(Buffer.concat(this.pending, this.pendingBytes));
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private put(data: Buffer): void {
    if (this.error || this.fd === undefined) return;
    try {
      for (let at = 0; at < data.length; ) at += writeSync(this.fd, data, at);
    } catch (err) {
      this.error = err as Error;
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.dropped > 0) this.put(Buffer.from(`\n[tandem: log capped at ${this.capBytes} bytes; ${this.dropped} more bytes of console output were dropped]\n`));
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch (err) {
        this.error ??= err as Error;
      }
      this.fd = undefined;
    }
  }
}
